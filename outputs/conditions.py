"""Rules an output-checking step must meet before it can be taken. Each docstring's first
paragraph is the sentence shown to the user when the rule is not met yet."""

from projects.models import Proposal


def project_active(output_request):
    """Outputs can be submitted and released only while the project is active."""
    return output_request.project.state == Proposal.State.ACTIVE


def every_file_approved_twice(output_request):
    """Every file must be approved by both checkers."""
    from .review_selectors import files_not_approved_twice

    return not files_not_approved_twice(output_request).exists()


def every_unapproved_group_commented(output_request):
    """Every group with a file not approved by both checkers needs a public comment saying what
    to change."""
    from .review_selectors import groups_needing_public_comment

    return not groups_needing_public_comment(output_request).exists()

"""Rules an output-checking step must meet before it can be taken. Each docstring's first
paragraph is the sentence shown to the user when the rule is not met yet."""

from django.utils import timezone

from projects.lifecycle_conditions import access_open
from projects.models import Proposal


def project_active(output_request):
    """Outputs can be sent for checking only while the project is active, up to its end date."""
    return access_open(output_request.project)


def checking_open(output_request):
    """A request can be checked and released only while its project is active or, when it was
    sent by the project's end date, until the grace period after that date is over.

    ``review_selectors.checking_open_filter`` is the same rule for a queryset.
    """
    project = output_request.project
    if project.state == Proposal.State.ACTIVE:
        return True
    return (
        project.state == Proposal.State.ENDED
        and output_request.submitted_at is not None
        and timezone.localdate(output_request.submitted_at) <= project.end_date
        and timezone.localdate() <= project.checking_grace_until
    )


def can_be_sent_again(output_request):
    """A request can be returned for changes only while its project is active: after the end
    date it could not be sent again, so approve or reject it."""
    return access_open(output_request.project)


def grace_period_over(output_request):
    """A request is closed unreleased only once its project has ended and the grace period
    after the end date is over."""
    project = output_request.project
    return (
        project.state == Proposal.State.ENDED
        and timezone.localdate() > project.checking_grace_until
    )


def every_file_approved_twice(output_request):
    """Every file must be approved by both checkers."""
    from .review_selectors import files_not_approved_twice

    return not files_not_approved_twice(output_request).exists()


def every_unapproved_group_commented(output_request):
    """Every group with a file not approved by both checkers needs a public comment saying what
    to change."""
    from .review_selectors import groups_needing_public_comment

    return not groups_needing_public_comment(output_request).exists()

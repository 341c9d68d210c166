"""Rules an output-checking step must meet before it can be taken. Each docstring's first
paragraph is the sentence shown to the user when the rule is not met yet."""

from projects.models import Proposal


def project_active(output_request):
    """Outputs can be submitted and released only while the project is active."""
    return output_request.project.state == Proposal.State.ACTIVE

"""Rules an output-checking step must meet before it can be taken. Each rule's ``message`` is
the sentence shown to the user when the rule is not met yet."""

from typing import TYPE_CHECKING

from django.utils import timezone

from projects.lifecycle.conditions import access_open
from projects.models import Proposal

if TYPE_CHECKING:
    from outputs.models import OutputRequest


def project_active(output_request):
    return access_open(output_request.project)


project_active.message = (
    "Outputs can be sent for checking only while the project is active, up to its end date."
)


def checking_open(output_request: "OutputRequest") -> bool:
    """``review_selectors.checking_open_filter`` is the same rule for a queryset."""
    project = output_request.project
    if project.state == Proposal.State.ACTIVE:
        return True
    return (
        project.state == Proposal.State.ENDED
        and output_request.submitted_at is not None
        and timezone.localdate(output_request.submitted_at) <= project.end_date
        and timezone.localdate() <= project.checking_grace_until
    )


checking_open.message = (
    "A request can be checked and released only while its project is active or, when it was sent by"
    " the project's end date, until the grace period after that date is over."
)


def can_be_sent_again(output_request):
    return access_open(output_request.project)


can_be_sent_again.message = (
    "A request can be returned for changes only while its project is active: after the end date it "
    "could not be sent again, so approve or reject it."
)


def grace_period_over(output_request):
    project = output_request.project
    return (
        project.state == Proposal.State.ENDED
        and timezone.localdate() > project.checking_grace_until
    )


grace_period_over.message = (
    "A request is closed unreleased only once its project has ended and the grace period after the "
    "end date is over."
)


def every_file_approved_twice(output_request):
    from outputs.review.selectors import files_not_approved_twice

    return not files_not_approved_twice(output_request).exists()


every_file_approved_twice.message = "Every file must be approved by both checkers."


def every_unapproved_group_commented(output_request):
    from outputs.review.selectors import groups_needing_public_comment

    return not groups_needing_public_comment(output_request).exists()


every_unapproved_group_commented.message = (
    "Every group with a file not approved by both checkers needs a public comment saying what to "
    "change."
)

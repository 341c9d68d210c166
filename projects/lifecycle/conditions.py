"""Rules an approved project must meet to start, what ending, reopening and closing it need,
and whether its team's access is open. Each rule's ``message`` is the sentence shown to the
user when the rule is not met yet."""

from typing import TYPE_CHECKING

from django.utils import timezone

from projects import hooks

if TYPE_CHECKING:
    from projects.models import Proposal


def is_not_an_amendment(proposal):
    return proposal.amends_id is None


is_not_an_amendment.message = (
    "An amendment changes the project it amends once approved; it is not activated itself."
)


def start_date_reached(proposal):
    return proposal.start_date is not None and proposal.start_date <= timezone.localdate()


start_date_reached.message = "A project can be activated on or after its start date."


def team_accredited_to_end(proposal):
    from django.contrib.auth import get_user_model

    from accreditation.selectors import accreditation_active_for

    if proposal.end_date is None:
        return False
    members = get_user_model().objects.filter(
        project_memberships__proposal=proposal,
        project_memberships__accepted_at__isnull=False,
        project_memberships__declined_at__isnull=True,
    )
    people = {proposal.coordinator, *members}
    for user in people:
        accreditation = accreditation_active_for(user)
        if accreditation is None or accreditation.valid_until < proposal.end_date:
            return False
    return True


team_accredited_to_end.message = (
    "Every team member, the co-ordinator included, must still hold active accreditation lasting to "
    "the project's end date."
)


def team_two_factor_to_start(proposal):
    """Every team member, the co-ordinator included, must set up two-factor authentication (an
    authenticator app or a passkey) before the project starts."""
    from projects.lifecycle.selectors import members_without_two_factor

    return not members_without_two_factor(proposal)


team_two_factor_to_start.message = (
    "Every team member, the co-ordinator included, must set up two-factor authentication (an "
    "authenticator app or a passkey) before the project starts."
)


def past_end_date(proposal: "Proposal") -> bool:
    return proposal.end_date is not None and proposal.end_date < timezone.localdate()


past_end_date.message = "The project's end date has passed."


def end_date_not_passed(proposal):
    return proposal.end_date is not None and not past_end_date(proposal)


end_date_not_passed.message = (
    "An ended project reopens only when an approved amendment has moved its end date to today or "
    "later."
)


def access_open(proposal: "Proposal") -> bool:
    """The project is active and its end date has not passed: its team may still make and send
    output requests."""
    return proposal.state == proposal.State.ACTIVE and not past_end_date(proposal)


def released_outputs_published(proposal):
    """Output checking registers the check in ``hooks.publication_checks``; projects only
    asks it."""
    return all(check(proposal) for check in hooks.publication_checks)


released_outputs_published.message = (
    "Every released output must be published, or the secretariat must record a waiver."
)


def nothing_in_checking(proposal):
    """Output checking registers the check in ``hooks.checking_checks``; projects only asks it."""
    return all(check(proposal) for check in hooks.checking_checks)


nothing_in_checking.message = (
    "No output request may still be with the output checkers: each is released or rejected, or "
    "closed unreleased once the grace period after the end date is over."
)


ACTIVATION_CONDITIONS = (
    is_not_an_amendment,
    start_date_reached,
    team_accredited_to_end,
    team_two_factor_to_start,
)
# Closing early, by the co-ordinator of an active project.
CLOSE_CONDITIONS = (released_outputs_published,)
# Closing by the service once an ended project has nothing left open.
ENDED_CLOSE_CONDITIONS = (released_outputs_published, nothing_in_checking)

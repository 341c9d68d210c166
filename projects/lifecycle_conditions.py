"""Rules an approved project must meet to start, and what closing it needs. Each docstring's
first paragraph is the sentence shown to the user when the rule is not met yet."""

from django.utils import timezone

from . import hooks


def is_not_an_amendment(proposal):
    """An amendment changes the project it amends once approved; it is not activated itself."""
    return proposal.amends_id is None


def start_date_reached(proposal):
    """A project can be activated on or after its start date."""
    return proposal.start_date is not None and proposal.start_date <= timezone.localdate()


def team_accredited_to_end(proposal):
    """Every team member, the co-ordinator included, must still hold active accreditation
    lasting to the project's end date."""
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


def past_end_date(proposal):
    """The project's end date has passed."""
    return proposal.end_date is not None and proposal.end_date < timezone.localdate()


def released_outputs_published(proposal):
    """Every released output must be published, or the secretariat must record a waiver.

    Output checking registers the check in ``hooks.publication_checks``; projects only asks it.
    """
    return all(check(proposal) for check in hooks.publication_checks)


ACTIVATION_CONDITIONS = (is_not_an_amendment, start_date_reached, team_accredited_to_end)
CLOSE_CONDITIONS = (released_outputs_published,)

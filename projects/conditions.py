"""Rules a project step must meet before it can be taken. Each docstring's first paragraph is
the sentence shown to the user when the rule is not met yet."""

from django.utils import timezone


def has_dates(proposal):
    """Give the project's start and end dates."""
    return proposal.start_date is not None and proposal.end_date is not None


def ends_after_start(proposal):
    """The project's end date must be after its start date."""
    if proposal.start_date is None or proposal.end_date is None:
        return True  # has_dates says what is missing
    return proposal.end_date > proposal.start_date


def requests_data(proposal):
    """Request at least one dataset."""
    return proposal.dataset_requests.exists()


def needs_consent(proposal):
    """Data-owner review is only for proposals requesting a dataset whose owning department
    must consent."""
    return proposal.dataset_requests.filter(dataset__consent_required=True).exists()


def needs_no_consent(proposal):
    """A proposal requesting a dataset whose owning department must consent goes to the data
    owners first."""
    return not needs_consent(proposal)


def not_ended(proposal):
    """A project whose end date has passed cannot start."""
    return proposal.end_date is not None and proposal.end_date >= timezone.localdate()


def fast_track_eligible(proposal):
    """The fast track is only for proposals whose datasets need no other department's consent."""
    return not needs_consent(proposal)

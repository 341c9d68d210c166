"""What a researcher's home shows, read from the live state of every app, in a fixed number of
queries however many projects, requests or invitations they have."""

from dataclasses import dataclass, field

from django.utils import timezone

from accreditation.dates import training_refresh_day
from accreditation.levels import Level
from accreditation.selectors import (
    Standing,
    accreditation_standing,
    application_open_for,
    supervision_requests_waiting,
)
from accreditation.task_list import application_task_list
from outputs.request.selectors import output_requests_needing_author
from projects.proposal.selectors import (
    invitations_open_for,
    projects_open_for,
    proposal_needs_from,
    proposal_waiting_on,
)
from researchers.declaration.selectors import (
    declaration_counts_until,
    declaration_latest_signed,
    declaration_version_current,
)
from researchers.profile.selectors import training_latest


@dataclass
class ProjectRow:
    proposal: object
    needs: str
    waiting_on: str
    accreditation_short: bool  # the researcher's accreditation ends before the project does


@dataclass
class ResearcherHome:
    standing: Standing
    missing: list = field(default_factory=list)  # tasks of an application in progress
    training: object = None
    training_refresh_by: object = None
    training_provisional: bool = False
    declaration: object = None
    declaration_current: object = None
    # While outdated: whether the earlier signature still gives access to data, until when.
    declaration_counts: bool = False
    declaration_counts_until: object = None
    projects: list = field(default_factory=list)
    requests: list = field(default_factory=list)
    invitations: list = field(default_factory=list)
    supervision_requests: list = field(default_factory=list)

    @property
    def declaration_outdated(self):
        """Signed, but not the version researchers sign now."""
        return (
            self.declaration is not None
            and self.declaration_current is not None
            and self.declaration.version_id != self.declaration_current.pk
        )


def _level(standing):
    """The accreditation the researcher holds or is applying for, whose training rule applies;
    None when neither."""
    if standing.open and standing.application.kind:
        return standing.application.kind
    if standing.held == Standing.ACTIVE:
        return standing.accreditation.level
    return None


def _lasts_until(standing):
    """The last day the researcher is accredited, if they are today."""
    if standing.held == Standing.ACTIVE:
        return standing.accreditation.valid_until
    return None


def researcher_home(*, user, today=None):
    today = today or timezone.localdate()
    standing = accreditation_standing(user, today=today)
    home = ResearcherHome(standing=standing)
    if standing.status == Standing.IN_PROGRESS:
        # The task list reads the whole application, which the standing does not.
        application = application_open_for(user)
        home.missing = [task for task in application_task_list(application) if not task.done]
    home.training = training_latest(user=user)
    level = _level(standing)
    if home.training is not None and level is not None:
        home.training_refresh_by = training_refresh_day(home.training.passed_on, level)
        home.training_provisional = level == Level.PROVISIONAL
    home.declaration = declaration_latest_signed(user=user)
    home.declaration_current = declaration_version_current()
    if home.declaration_outdated:
        # An earlier signature that counts at all counts until a day: a later version's.
        home.declaration_counts_until = declaration_counts_until(user=user, on=today)
        home.declaration_counts = home.declaration_counts_until is not None
    until = _lasts_until(standing)
    home.projects = [
        ProjectRow(
            proposal=proposal,
            needs=proposal_needs_from(proposal, user=user),
            waiting_on=proposal_waiting_on(proposal),
            accreditation_short=proposal.end_date is not None
            and (until is None or until < proposal.end_date),
        )
        for proposal in projects_open_for(user)
    ]
    home.requests = list(output_requests_needing_author(user))
    home.invitations = list(invitations_open_for(user))
    home.supervision_requests = list(supervision_requests_waiting(user))
    return home

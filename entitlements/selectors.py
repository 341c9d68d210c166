"""Entitlements: who may see which dataset, for which project, from when until when.

An entitlement is derived, never typed. It is a person on an active project (its co-ordinator,
or a team member who accepted) and one dataset the project was approved to use, with the
variables approved and the project's access mode. It exists only while, on the day asked about:

- the project is active;
- the person holds active accreditation, a signed declaration that still counts (on the current
  version, or on an earlier one until the sign-by day the secretariat set for the versions
  after it) and a second factor (an authenticator app or a passkey);
- the owning department has consented, where the dataset needs its consent;
- for a researcher with provisional accreditation, their supervisor, fully accredited and
  cleared in every way above, is on the same project (and the entitlement lasts no longer than
  the supervisor's accreditation and declaration).

The access mode is the stricter of the project's and the dataset's, should the catalogue have
made a dataset stricter since the project was approved.

It is valid from the latest of the project's start, the person's accreditation and their
joining the team, until the earliest of the project's end, the accreditation's end and, for a
signature on an earlier version of the declaration, the day to sign the current one by. A
consumer is never shown an entitlement past its end: those dates are applied here, on the day
asked about, not by a nightly task.
"""

import datetime
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db.models import F, Q
from django.utils import timezone

from accreditation.levels import Level
from accreditation.models import Accreditation
from legislation.access_modes import access_mode_strictest
from projects.models import DatasetRequest, Proposal, TeamMember
from researchers.declaration.selectors import declarations_standing
from researchers.selectors import second_factors


@dataclass(frozen=True)
class Entitlement:
    """One person's right to see one dataset for one project, for as long as it says."""

    person_id: int
    person_email: str
    person_name: str
    project_id: int
    project_title: str
    dataset_slug: str
    dataset_name: str
    variables: str
    access_mode: str
    valid_from: datetime.date
    valid_until: datetime.date
    # "ended" only in a list of changes (``entitlements_changed_since``): one no longer in force.
    state: str = "in_force"

    @property
    def key(self):
        """What names this entitlement across its changes: person, project and dataset."""
        return (self.person_id, self.project_id, self.dataset_slug)


def entitlements_current(
    *, on=None, person=None, project=None, dataset=None, people=None, projects=None
):
    """The entitlements in force on ``on`` (today), optionally only those of one person (a
    user), one project (a proposal) or one dataset (its slug), or of several ``people`` or
    ``projects`` (users or proposals, or their ids), ordered by project, dataset and person. A
    fixed number of queries, whatever the number of projects and people."""
    on = on or timezone.localdate()
    if person is not None:
        people = [person]
    requests = DatasetRequest.objects.filter(
        proposal__state=Proposal.State.ACTIVE, proposal__amends__isnull=True
    ).filter(
        # Consent stands only when given: pending or refused consent grants nothing.
        Q(dataset__consent_required=False) | Q(consent=DatasetRequest.Consent.GIVEN)
    )
    if project is not None:
        requests = requests.filter(proposal=project)
    if projects is not None:
        requests = requests.filter(proposal__in=projects)
    if people is not None:
        # Only the projects these people are on, so asking about one person reads their
        # projects' datasets, not every active project's.
        requests = requests.filter(
            Q(proposal__coordinator__in=people)
            | Q(
                proposal__in=_accepted(TeamMember.objects.filter(user__in=people)).values(
                    "proposal"
                )
            )
        )
    if dataset is not None:
        requests = requests.filter(dataset__slug=dataset)
    requests = list(
        requests.select_related("proposal", "dataset").order_by(
            "proposal_id", "dataset__slug", "pk"
        )
    )
    if not requests:
        return []

    project_ids = {request.proposal_id for request in requests}
    # Everyone on those projects, not only the people asked about: a provisional member's
    # entitlement rests on their supervisor's standing on the same project.
    joined = _members(project_ids)
    everyone = {user_id for members in joined.values() for user_id in members}
    wanted = None if people is None else {getattr(p, "pk", p) for p in people}
    accreditations = _accreditations_in_force(everyone, on)
    declared = declarations_standing(people=everyone, on=on)
    two_factor = set(
        second_factors().filter(user_id__in=everyone).values_list("user_id", flat=True)
    )
    cleared = {
        user_id
        for user_id in everyone
        if user_id in accreditations and user_id in declared and user_id in two_factor
    }
    users = get_user_model().objects.in_bulk(cleared if wanted is None else cleared & wanted)

    entitlements = []
    for request in requests:
        project_row = request.proposal
        team = joined.get(request.proposal_id, {})
        for user_id, joined_on in sorted(team.items()):
            if user_id not in cleared or (wanted is not None and user_id not in wanted):
                continue
            accreditation = accreditations[user_id]
            valid_from = max(
                day for day in (project_row.start_date, accreditation.valid_from, joined_on) if day
            )
            ends = [project_row.end_date, accreditation.valid_until, declared[user_id]]
            if accreditation.level == Level.PROVISIONAL:
                supervisor = accreditation.supervisor_id
                if (
                    supervisor not in team
                    or supervisor not in cleared
                    or accreditations[supervisor].level != Level.FULL
                ):
                    continue
                # No longer than the supervisor is themselves cleared.
                ends += [accreditations[supervisor].valid_until, declared[supervisor]]
            valid_until = min(day for day in ends if day)
            if valid_until < on:
                continue
            user = users[user_id]
            entitlements.append(
                Entitlement(
                    person_id=user_id,
                    person_email=user.email,
                    person_name=user.full_name,
                    project_id=project_row.pk,
                    project_title=project_row.title,
                    dataset_slug=request.dataset.slug,
                    dataset_name=request.dataset.name,
                    variables=request.variables,
                    # The stricter of the project's mode and the dataset's, should the catalogue
                    # have made the dataset stricter since the project was approved.
                    access_mode=str(
                        access_mode_strictest(
                            mode
                            for mode in (project_row.access_mode, request.dataset.access_mode)
                            if mode
                        )
                    ),
                    valid_from=valid_from,
                    valid_until=valid_until,
                )
            )
    return entitlements


def _members(project_ids):
    """{project id: {user id: the day they joined, or None for the co-ordinator}}."""
    members = {}
    coordinators = Proposal.objects.filter(pk__in=project_ids)
    for project_id, coordinator_id in coordinators.values_list("pk", "coordinator_id"):
        members.setdefault(project_id, {})[coordinator_id] = None
    team = _accepted(TeamMember.objects.filter(proposal_id__in=project_ids))
    for project_id, user_id, accepted_at in team.values_list(
        "proposal_id", "user_id", "accepted_at"
    ):
        on_project = members.setdefault(project_id, {})
        if user_id not in on_project:  # the co-ordinator on their own team joined at the start
            on_project[user_id] = timezone.localdate(accepted_at)
    return members


def _accepted(team):
    """The members of ``team`` who accepted their invitation and have an account."""
    return team.filter(user__isnull=False, accepted_at__isnull=False, declined_at__isnull=True)


def _accreditations_in_force(people, on):
    """{user id: their accreditation in force on ``on``}: the one lasting longest, where a
    renewal overlaps the accreditation it renews."""
    in_force = (
        Accreditation.objects.filter(
            researcher_id__in=people,
            state=Accreditation.State.ACTIVE,
            valid_from__lte=on,
            valid_until__gte=on,
        )
        .annotate(supervisor_id=F("application__supervisor_id"))
        .order_by("researcher_id", "valid_until", "pk")
    )
    return {accreditation.researcher_id: accreditation for accreditation in in_force}


def api_tokens_list():
    """Every token issued, newest first, with its account and who issued and revoked it."""
    from .models import ApiToken

    return ApiToken.objects.select_related("account", "created_by", "revoked_by")


def api_token_get(*, pk):
    from django.shortcuts import get_object_or_404

    from .models import ApiToken

    return get_object_or_404(ApiToken.objects.select_related("account"), pk=pk)

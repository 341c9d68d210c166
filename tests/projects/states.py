"""Proposals brought to any state through the services, as the secretariat, the panel, the data
owners and the co-ordinator would take them there (``proposal_at``), and the panel's own steps
(reviewers assigned, conflicts declared, recommendations made)."""

import contextlib
import datetime

import factory
import time_machine
from django.utils import timezone

from identity.roles import Role
from projects.amendment.services import amendment_start
from projects.consent.services import consent_give, representative_add
from projects.lifecycle.services import project_activate, project_close
from projects.models import DatasetRequest, Proposal, TeamMember
from projects.panel import services as panel_services
from projects.proposal.services import proposal_submit, proposal_withdraw
from projects.screening.services import (
    CHECK_KEYS,
    proposal_fast_track,
    screening_pass,
    screening_return,
    screening_start,
)
from tests.accreditation.factories import AccreditationFactory
from tests.factories import UserFactory, secretariat_for
from tests.projects.factories import accredit, proposal_ready_to_submit
from tests.researchers.profile_factories import ResearcherProfileFactory
from workflow.services import transition_fire

State = Proposal.State

SCORES = {
    "score_public_benefit": 4,
    "score_analytical_merit": 3,
    "score_feasibility": 4,
    "score_privacy_risk_mitigation": 5,
    "score_ethics": 4,
}

# The states a proposal reaches only after the panel, or the fast track, has decided.
DECIDED = (State.APPROVED, State.APPROVED_WITH_CONDITIONS, State.ACTIVE, State.ENDED, State.CLOSED)
# The states reached only through the panel.
PANEL_ONLY = (State.APPROVED_WITH_CONDITIONS, State.REJECTED)
STARTED = (State.ACTIVE, State.ENDED, State.CLOSED)
DECISION_RATIONALE = "A clear public benefit, and the risks are managed."


def proposal_at(
    state,
    *,
    team=(),
    datasets=None,
    consent_needed=None,
    route=None,
    by=None,
    on=None,
    rationale=DECISION_RATIONALE,
    **fields,
):
    """A proposal taken to ``state`` through the services, step by step as the real flow goes:
    a draft meeting every submission rule (``proposal_ready_to_submit``), submitted, screened,
    through the data owners when a dataset needs consent, decided on the fast track or by the
    panel, activated by its co-ordinator, ended by the service, closed.

    ``team=[user, ...]`` are accepted members; everyone on the team is accredited to the end
    date and, for a started project, has two-factor authentication, as starting requires.
    An approval goes by the fast track unless ``route="panel"``: then three reviewers, one
    independent, all recommend and the secretariat records the decision, as it always does for
    an approval with conditions or a rejection, and for a proposal needing consent (which goes
    through the data owners first). ``by`` is the secretariat member who acts (by default the
    first one not on the team, else a new one); ``rationale`` is the decision's. ``on`` (a
    datetime) takes every step at that moment. Other keywords set the draft's fields
    (``coordinator``, ``title``, ``start_date``, ``end_date``...).

    A started project whose dates do not include today is taken through its steps on a day
    that they do include, and ended on the day after its end date; the clock is back to now
    when it returns.
    """
    state = State(state)
    if state == State.DATA_OWNER_REVIEW:
        consent_needed = True
    with _on_a_day_the_project_runs(state, fields, on):
        proposal = proposal_ready_to_submit(
            datasets=datasets, consent_needed=bool(consent_needed), members=team, **fields
        )
        if state == State.DRAFT:
            return proposal
        if state == State.WITHDRAWN:
            return proposal_withdraw(proposal=proposal, by=proposal.coordinator)
        if state in STARTED:
            _two_factor_for_team(proposal)
        proposal = _taken_to(proposal, state, route=route, by=by, rationale=rationale)
    if state in (State.ENDED, State.CLOSED) and proposal.state == State.ACTIVE:
        # The service's daily step the day after the end date (``project_end``), which closes
        # the project at once when nothing is left open; an ended project is one that still
        # had something open then.
        with time_machine.travel(_morning(proposal.end_date + datetime.timedelta(days=1))):
            proposal = transition_fire(obj=proposal, transition="end", by=None)
            if state == State.CLOSED:
                proposal = transition_fire(obj=proposal, transition="close", by=None)
    proposal.refresh_from_db()
    return proposal


def amendment_at(
    state, *, project, route=None, by=None, on=None, rationale=DECISION_RATIONALE, **changes
):
    """An amendment of the active or ended ``project`` started by its co-ordinator, with
    ``changes`` made to the draft, and taken to ``state`` as a proposal is (an approved one
    comes into force on the project). ``on`` (a datetime) takes every step at that moment."""
    with time_machine.travel(on, tick=False) if on else contextlib.nullcontext():
        return _amendment_taken_to(state, project, route, by, rationale, changes)


def _amendment_taken_to(state, project, route, by, rationale, changes):
    amendment = amendment_start(project=project, by=project.coordinator)
    if changes:
        Proposal.objects.filter(pk=amendment.pk).update(**changes)
        amendment.refresh_from_db()
    if state == State.DRAFT:
        return amendment
    if state == State.WITHDRAWN:
        return proposal_withdraw(proposal=amendment, by=amendment.coordinator)
    amendment = _taken_to(amendment, state, route=route, by=by, rationale=rationale)
    amendment.refresh_from_db()
    return amendment


def proposal_submitted(**kwargs):
    """A proposal taken to ``submitted`` through the services (``proposal_ready_to_submit``
    keywords)."""
    proposal = proposal_ready_to_submit(**kwargs)
    return proposal_submit(proposal=proposal, by=proposal.coordinator)


def _taken_to(proposal, state, *, route, by, rationale=DECISION_RATIONALE):
    coordinator = proposal.coordinator
    proposal = proposal_submit(proposal=proposal, by=coordinator)
    if state == State.SUBMITTED:
        return proposal
    by = by or secretariat_member(proposal)
    proposal = screening_start(proposal=proposal, by=by)
    if state == State.SCREENING:
        return proposal
    if state == State.RETURNED:
        screening_return(
            proposal=proposal, section_comments={"title": "Say more about the public."}, by=by
        )
        return proposal
    needs_consent = proposal.dataset_requests.filter(dataset__consent_required=True).exists()
    if state in DECIDED and state not in PANEL_ONLY and not needs_consent and route != "panel":
        proposal_fast_track(
            proposal=proposal,
            checks=CHECK_KEYS,
            rationale=rationale,
            by=by,
        )
        proposal.refresh_from_db()
        return _started(proposal, state)
    proposal = screening_pass(proposal=proposal, checks=CHECK_KEYS, by=by)
    if state == State.DATA_OWNER_REVIEW:
        return proposal
    if needs_consent:
        proposal = consents_given(proposal, by=by)
    if state == State.PANEL_REVIEW:
        return proposal
    panel_ready(by=by, proposal=proposal)
    outcome = {
        State.APPROVED_WITH_CONDITIONS: "approve_with_conditions",
        State.REJECTED: "reject",
    }.get(state, "approve")
    panel_services.decision_record(
        proposal=proposal,
        outcome=outcome,
        rationale=rationale,
        conditions_text=("Publish the code." if outcome == "approve_with_conditions" else ""),
        by=by,
    )
    proposal.refresh_from_db()
    return _started(proposal, state)


def _started(proposal, state):
    if state not in STARTED or proposal.amends_id is not None:
        return proposal
    return project_activate(project=proposal, by=proposal.coordinator)


def consents_given(proposal, *, by):
    """Every dataset request of ``proposal`` waiting for consent given by a data owner of its
    department, made one by the secretariat ``by``; the proposal goes on to the panel."""
    for dataset_request in proposal.dataset_requests.filter(
        consent=DatasetRequest.Consent.PENDING
    ).select_related("dataset__department"):
        owner = UserFactory(roles=[Role.DATA_OWNER], totp=True)
        representative_add(user=owner, department=dataset_request.dataset.department, by=by)
        proposal = consent_give(dataset_request=dataset_request, by=owner)
    return proposal


def project_closed(project):
    """An active ``project`` closed early by its co-ordinator."""
    return project_close(project=project, by=project.coordinator, reason="The work is done.")


def _two_factor_for_team(proposal):
    from allauth.mfa.models import Authenticator
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    members = [proposal.coordinator, *[m.user for m in proposal.team.exclude(user=None)]]
    having = set(Authenticator.objects.filter(user__in=members).values_list("user_id", flat=True))
    for user in {user.pk: user for user in members}.values():
        if user.pk not in having:
            user.totp_secret = generate_totp_secret()
            TOTP.activate(user, user.totp_secret)


def _morning(day):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(9, 0)))


def _on_a_day_the_project_runs(state, fields, on):
    """The clock at ``on`` if given; otherwise as it is, or, for a project to be started whose
    dates do not include today, moved to its start date while it is made and taken there."""
    if on is not None:
        return time_machine.travel(on, tick=False)
    start, end = fields.get("start_date"), fields.get("end_date")
    today = timezone.localdate()
    if state not in STARTED or start is None or start <= today <= (end or today):
        return contextlib.nullcontext()
    return time_machine.travel(_morning(start))


class ProposalAtFactory(factory.Factory):
    """``proposal_at`` as a factory, for a SubFactory: ``OutputRequestFactory(project__team=
    [...])``; ``state`` chooses the state (active by default)."""

    class Meta:
        model = Proposal

    @classmethod
    def _create(cls, model_class, *args, state=State.ACTIVE, **kwargs):
        return proposal_at(state, **kwargs)

    @classmethod
    def _build(cls, model_class, *args, **kwargs):
        raise NotImplementedError("A proposal at a state is made through the services.")


# The panel


def panel_proposal(**kwargs):
    """A proposal with the panel (taken there through the services) whose co-ordinator is
    accredited a month past its end date."""
    proposal = proposal_at(State.PANEL_REVIEW, **kwargs)
    AccreditationFactory(
        researcher=proposal.coordinator,
        valid_until=proposal.end_date + datetime.timedelta(days=30),
    )
    return proposal


def reviewer_new(*, organisation=None, **kwargs):
    """A panel reviewer with two-factor authentication, from ``organisation`` if given."""
    user = UserFactory(roles=[Role.PANEL_REVIEWER], totp=True, **kwargs)
    if organisation is not None:
        ResearcherProfileFactory(user=user, organisation=organisation)
    return user


def secretariat_new():
    return UserFactory(roles=[Role.SECRETARIAT], totp=True)


def secretariat_member(proposal):
    """A secretariat member who is not on ``proposal``'s team (``tests.factories``)."""
    return secretariat_for(
        [proposal.coordinator, *proposal.team.exclude(user=None).values_list("user", flat=True)]
    )


def team_member_add(proposal, user):
    """``user`` on ``proposal``'s team, having accepted."""
    return TeamMember.objects.create(
        proposal=proposal,
        user=user,
        email=user.email,
        invited_by=proposal.coordinator,
        accepted_at=timezone.now(),
    )


def assigned(proposal, *, by, independent=False, reviewer=None, **kwargs):
    """An assignment of ``reviewer`` (a new one by default) to ``proposal``."""
    reviewer = reviewer or reviewer_new()
    return panel_services.reviewer_assign(
        proposal=proposal, reviewer=reviewer, independent=independent, by=by, **kwargs
    )


def recommended(assignment, *, recommendation="approve", **kwargs):
    """``assignment``'s reviewer declares no conflict and recommends."""
    panel_services.conflict_declare(assignment=assignment, conflict=False, by=assignment.reviewer)
    return panel_services.recommendation_submit(
        assignment=assignment,
        recommendation=recommendation,
        comments=kwargs.pop("comments", "A clear public benefit."),
        by=assignment.reviewer,
        **{**SCORES, **kwargs},
    )


def panel_ready(*, by, proposal=None):
    """A proposal whose three reviewers, one independent, have all recommended approval."""
    proposal = proposal or panel_proposal()
    assignments = [assigned(proposal, by=by, independent=index == 0) for index in range(3)]
    for assignment in assignments:
        recommended(assignment)
    return proposal, assignments


__all__ = [
    "SCORES",
    "ProposalAtFactory",
    "accredit",
    "amendment_at",
    "assigned",
    "consents_given",
    "panel_proposal",
    "panel_ready",
    "project_closed",
    "proposal_at",
    "proposal_submitted",
    "recommended",
    "reviewer_new",
    "secretariat_new",
    "team_member_add",
]

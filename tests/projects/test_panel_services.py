"""The panel's rules: who may be assigned, conflicts, recommendations and the decision."""

import datetime

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from audit.models import AuditEvent
from identity.roles import Role
from projects.models import PanelDecision, Proposal, Recommendation
from projects.panel import services as services
from projects.panel.permissions import user_can_read_as_reviewer
from tests.accreditation.factories import AccreditationFactory
from tests.projects.states import (
    assigned,
    panel_proposal,
    panel_ready,
    proposal_at,
    recommended,
    reviewer_new,
    secretariat_new,
    team_member_add,
)
from tests.researchers.profile_factories import OrganisationFactory, ResearcherProfileFactory
from workflow.errors import TransitionRefused

pytestmark = pytest.mark.django_db

State = Proposal.State


def fresh(user):
    """The user again from the database, without Django's and the object-permission cache."""
    return type(user).objects.get(pk=user.pk)


@pytest.fixture
def secretariat():
    return secretariat_new()


def test_reviewer_assign_opens_that_proposal_only(secretariat):
    proposal, other = panel_proposal(), panel_proposal()
    reviewer = reviewer_new()

    assignment = services.reviewer_assign(
        proposal=proposal, reviewer=reviewer, independent=True, by=secretariat
    )

    reviewer = fresh(reviewer)
    assert user_can_read_as_reviewer(reviewer, proposal)
    assert not user_can_read_as_reviewer(reviewer, other)
    assert assignment.independent
    assert AuditEvent.objects.filter(action="proposal.reviewer_assign").count() == 1


def test_reviewer_unassign_removes_the_permission_and_needs_a_reason(secretariat):
    proposal = panel_proposal()
    assignment = assigned(proposal, by=secretariat)

    with pytest.raises(ValidationError):
        services.reviewer_unassign(assignment=assignment, reason=" ", by=secretariat)
    services.reviewer_unassign(assignment=assignment, reason="Unavailable", by=secretariat)

    assignment.refresh_from_db()
    assert assignment.removed_at is not None
    assert assignment.removal_reason == "Unavailable"
    assert not user_can_read_as_reviewer(fresh(assignment.reviewer), proposal)


def test_reviewer_assign_refuses_a_fourth_reviewer(secretariat):
    proposal = panel_proposal()
    for _ in range(3):
        assigned(proposal, by=secretariat, independent=True)

    with pytest.raises(ValidationError, match="already has 3 reviewers"):
        assigned(proposal, by=secretariat)


def test_reviewer_assign_refuses_a_team_member(secretariat):
    proposal = panel_proposal()
    member = reviewer_new()
    team_member_add(proposal, member)

    with pytest.raises(ValidationError, match="on the project's team"):
        assigned(proposal, by=secretariat, reviewer=member)
    assert not user_can_read_as_reviewer(fresh(member), proposal)


def test_reviewer_assign_refuses_the_coordinator(secretariat):
    proposal = panel_proposal()
    coordinator = proposal.coordinator
    coordinator.groups.add(Group.objects.get_or_create(name=Role.PANEL_REVIEWER)[0])

    with pytest.raises(ValidationError, match="on the project's team"):
        assigned(proposal, by=secretariat, reviewer=coordinator)


def test_reviewer_assign_refuses_someone_not_a_reviewer(secretariat):
    proposal = panel_proposal()

    with pytest.raises(ValidationError, match="not a panel reviewer"):
        assigned(proposal, by=secretariat, reviewer=secretariat_new())


def test_reviewer_assign_same_organisation_refused_only_when_excluded(secretariat):
    organisation = OrganisationFactory()
    proposal = panel_proposal()
    ResearcherProfileFactory(user=proposal.coordinator, organisation=organisation)
    colleague = reviewer_new(organisation=organisation)

    services.proposal_exclusion_set(proposal=proposal, exclude=True, by=secretariat)
    with pytest.raises(ValidationError, match="organisation of a member"):
        assigned(proposal, by=secretariat, reviewer=colleague)

    services.proposal_exclusion_set(proposal=proposal, exclude=False, by=secretariat)
    assert assigned(proposal, by=secretariat, reviewer=colleague).reviewer == colleague


def test_proposal_exclusion_set_refused_while_a_colleague_is_assigned(secretariat):
    organisation = OrganisationFactory()
    proposal = panel_proposal()
    ResearcherProfileFactory(user=proposal.coordinator, organisation=organisation)
    assigned(proposal, by=secretariat, reviewer=reviewer_new(organisation=organisation))

    with pytest.raises(ValidationError, match="Unassign them first"):
        services.proposal_exclusion_set(proposal=proposal, exclude=True, by=secretariat)
    proposal.refresh_from_db()
    assert not proposal.exclude_team_organisations


def test_reviewer_assign_refused_before_the_panel(secretariat):
    proposal = proposal_at(State.SCREENING, by=secretariat)

    with pytest.raises(TransitionRefused):
        assigned(proposal, by=secretariat)


def test_reviewer_assign_refused_for_secretariat_on_the_team(secretariat):
    proposal = panel_proposal()
    team_member_add(proposal, secretariat)

    with pytest.raises(PermissionDenied) as refused:
        assigned(proposal, by=secretariat)

    assert str(refused.value) == (
        "Assigning reviewers and recording the panel's decision is for the secretariat, except "
        "members of the project."
    )


@pytest.mark.usefixtures("eager_celery")
def test_conflict_declare_ends_the_assignment_and_asks_for_a_replacement(
    secretariat, mailoutbox, django_capture_on_commit_callbacks
):
    proposal = panel_proposal()
    assignment = assigned(proposal, by=secretariat)

    with pytest.raises(ValidationError):
        services.conflict_declare(
            assignment=assignment, conflict=True, details="", by=assignment.reviewer
        )
    with django_capture_on_commit_callbacks(execute=True):
        services.conflict_declare(
            assignment=assignment,
            conflict=True,
            details="I supervise the co-ordinator.",
            by=assignment.reviewer,
        )

    assignment.refresh_from_db()
    assert assignment.conflict_declared is True
    assert assignment.removed_at is not None
    assert not user_can_read_as_reviewer(fresh(assignment.reviewer), proposal)
    event = AuditEvent.objects.get(action="proposal.conflict_declare")
    assert event.payload["conflict"] is True
    assert subjects_to(mailoutbox, secretariat.email) == [
        "A reviewer has declared a conflict of interest: assign a replacement"
    ]


def test_conflict_declare_only_by_the_reviewer(secretariat):
    assignment = assigned(panel_proposal(), by=secretariat)

    with pytest.raises(PermissionDenied) as refused:
        services.conflict_declare(assignment=assignment, conflict=False, by=reviewer_new())
    assert str(refused.value) == "Only the reviewer assigned to this proposal can do this."


def test_recommendation_submit_needs_conflict_declared_first(secretariat):
    assignment = assigned(panel_proposal(), by=secretariat)

    with pytest.raises(TransitionRefused, match="conflict of interest"):
        services.recommendation_submit(
            assignment=assignment,
            recommendation="approve",
            by=assignment.reviewer,
            score_public_benefit=3,
            score_analytical_merit=3,
            score_feasibility=3,
            score_privacy_risk_mitigation=3,
            score_ethics=3,
        )


def test_recommendation_submit_once_only(secretariat):
    assignment = assigned(panel_proposal(), by=secretariat)
    recommended(assignment)

    with pytest.raises(ValidationError, match="already submitted"):
        services.recommendation_submit(
            assignment=assignment,
            recommendation="reject",
            by=assignment.reviewer,
            score_public_benefit=1,
            score_analytical_merit=1,
            score_feasibility=1,
            score_privacy_risk_mitigation=1,
            score_ethics=1,
        )
    assert Recommendation.objects.get(assignment=assignment).recommendation == "approve"


def test_recommendation_submit_refuses_a_score_out_of_range(secretariat):
    assignment = assigned(panel_proposal(), by=secretariat)

    with pytest.raises(ValidationError):
        recommended(assignment, score_ethics=6)


def test_recommendation_submit_with_conditions_needs_conditions(secretariat):
    assignment = assigned(panel_proposal(), by=secretariat)

    with pytest.raises(ValidationError):
        recommended(assignment, recommendation="approve_with_conditions")


def test_decision_record_refused_until_three_recommendations(secretariat):
    proposal = panel_proposal()
    assignments = [assigned(proposal, by=secretariat, independent=True) for _ in range(3)]
    for assignment in assignments[:2]:
        recommended(assignment)

    with pytest.raises(TransitionRefused) as refused:
        services.decision_record(
            proposal=proposal, outcome="approve", rationale="Sound.", by=secretariat
        )

    assert refused.value.reasons == [
        "Three reviewers, at least one of them independent, must have submitted their "
        "recommendations."
    ]
    proposal.refresh_from_db()
    assert proposal.state == State.PANEL_REVIEW
    assert not PanelDecision.objects.exists()


def test_reviewer_assign_keeps_the_last_place_for_an_independent_reviewer(secretariat):
    proposal = panel_proposal()
    for _ in range(2):
        assigned(proposal, by=secretariat, independent=False)

    with pytest.raises(ValidationError, match="at least one independent reviewer"):
        assigned(proposal, by=secretariat, independent=False)
    assert assigned(proposal, by=secretariat, independent=True).independent


def test_decision_record_refused_without_an_independent_reviewer(secretariat):
    proposal = panel_proposal()
    for _ in range(3):
        recommended(assigned(proposal, by=secretariat, independent=True))
    proposal.assignments.update(independent=False)

    with pytest.raises(TransitionRefused):
        services.decision_record(
            proposal=proposal, outcome="reject", rationale="Weak.", by=secretariat
        )


@pytest.mark.usefixtures("eager_celery")
def test_decision_record_approves_and_records_the_panel_decision(
    secretariat, mailoutbox, django_capture_on_commit_callbacks
):
    proposal, _ = panel_ready(by=secretariat)

    with django_capture_on_commit_callbacks(execute=True):
        decision = services.decision_record(
            proposal=proposal,
            outcome="approve_with_conditions",
            rationale="Clear public benefit.",
            conditions_text="Publish the code.",
            by=secretariat,
        )

    proposal.refresh_from_db()
    assert proposal.state == State.APPROVED_WITH_CONDITIONS
    assert decision.route == PanelDecision.Route.PANEL
    assert decision.conditions == "Publish the code."
    assert AuditEvent.objects.filter(action="proposal.approve_with_conditions").count() == 1
    assert subjects_to(mailoutbox, proposal.coordinator.email) == [
        "Decision on your project proposal: approved with conditions"
    ]


def test_decision_record_with_conditions_needs_conditions_and_rationale(secretariat):
    proposal, _ = panel_ready(by=secretariat)

    with pytest.raises(ValidationError):
        services.decision_record(
            proposal=proposal, outcome="approve_with_conditions", rationale="Ok", by=secretariat
        )
    with pytest.raises(ValidationError):
        services.decision_record(proposal=proposal, outcome="reject", rationale="", by=secretariat)


def test_decision_record_approval_needs_the_team_accredited_to_the_end_date(secretariat):
    proposal, _ = panel_ready(by=secretariat)
    member = reviewer_new()
    team_member_add(proposal, member)
    AccreditationFactory(
        researcher=member, valid_until=proposal.end_date - datetime.timedelta(days=1)
    )

    with pytest.raises(TransitionRefused) as refused:
        services.decision_record(
            proposal=proposal, outcome="approve", rationale="Sound.", by=secretariat
        )

    assert any("active accreditation" in reason for reason in refused.value.reasons)
    decision = services.decision_record(
        proposal=proposal, outcome="reject", rationale="The team is not ready.", by=secretariat
    )
    assert decision.outcome == PanelDecision.Outcome.REJECTED


def test_decision_record_return_ends_the_round_of_reviews(secretariat):
    proposal, assignments = panel_ready(by=secretariat)

    services.decision_record(
        proposal=proposal, outcome="return", rationale="Say more on methods.", by=secretariat
    )

    proposal.refresh_from_db()
    assert proposal.state == State.RETURNED
    assert proposal.decisions.get().outcome == PanelDecision.Outcome.RETURNED
    for assignment in assignments:
        assignment.refresh_from_db()
        assert assignment.removed_at is not None
        assert not user_can_read_as_reviewer(fresh(assignment.reviewer), proposal)


def test_decision_record_twice_gives_one_decision(secretariat):
    proposal, _ = panel_ready(by=secretariat)
    services.decision_record(proposal=proposal, outcome="approve", rationale="Ok.", by=secretariat)

    with pytest.raises(TransitionRefused):
        services.decision_record(
            proposal=proposal, outcome="approve", rationale="Ok.", by=secretariat
        )
    assert PanelDecision.objects.filter(proposal=proposal).count() == 1


@pytest.mark.usefixtures("eager_celery")
def test_reviewer_assign_emails_the_reviewer(
    secretariat, mailoutbox, django_capture_on_commit_callbacks
):
    reviewer = reviewer_new()
    with django_capture_on_commit_callbacks(execute=True):
        assigned(
            panel_proposal(),
            by=secretariat,
            reviewer=reviewer,
            due_date=timezone.localdate() + datetime.timedelta(days=14),
        )

    assert subjects_to(mailoutbox, reviewer.email) == [
        "You have been asked to review a project proposal"
    ]


def subjects_to(outbox, address):
    return [message.subject for message in outbox if address in message.to]

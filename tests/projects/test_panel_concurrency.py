"""Two people pressing the panel's buttons at the same moment."""

import threading

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection

from audit.models import AuditEvent
from identity.roles import Role
from projects.models import PanelDecision, Proposal, Recommendation
from projects.panel import services as services
from projects.panel.permissions import user_can_read_as_reviewer
from researchers import services as role_services
from tests.projects.states import (
    SCORES,
    assigned,
    panel_proposal,
    panel_ready,
    reviewer_new,
    secretariat_new,
)

State = Proposal.State


@pytest.fixture
def needs_row_locks():
    if connection.vendor != "postgresql":
        pytest.skip("SQLite has no row locks; set DATABASE_URL to run this on PostgreSQL.")


def run_at_once(calls):
    """Run each callable in its own thread, released together; return what each gave."""
    barrier = threading.Barrier(len(calls))
    outcomes = [None] * len(calls)

    def run(index, call):
        try:
            barrier.wait(timeout=10)
            outcomes[index] = call()
        except Exception as error:  # the test reports whatever a thread met
            outcomes[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(index, call)) for index, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return outcomes


@pytest.mark.django_db(transaction=True)
def test_recommendation_submit_two_reviewers_at_once_both_count(needs_row_locks):
    secretariat = secretariat_new()
    proposal = panel_proposal()
    assignments = [assigned(proposal, by=secretariat, independent=True) for _ in range(2)]
    for assignment in assignments:
        services.conflict_declare(assignment=assignment, conflict=False, by=assignment.reviewer)

    def submit(assignment):
        return lambda: services.recommendation_submit(
            assignment=assignment, recommendation="approve", by=assignment.reviewer, **SCORES
        )

    outcomes = run_at_once([submit(assignment) for assignment in assignments])

    assert all(isinstance(outcome, Recommendation) for outcome in outcomes), outcomes
    assert Recommendation.objects.filter(assignment__proposal=proposal).count() == 2
    proposal.refresh_from_db()
    assert proposal.state == State.PANEL_REVIEW
    assert AuditEvent.objects.filter(action="proposal.recommendation_submit").count() == 2


@pytest.mark.django_db(transaction=True)
def test_recommendation_submit_same_reviewer_twice_at_once_gives_one(needs_row_locks):
    secretariat = secretariat_new()
    assignment = assigned(panel_proposal(), by=secretariat)
    services.conflict_declare(assignment=assignment, conflict=False, by=assignment.reviewer)

    def submit():
        return services.recommendation_submit(
            assignment=assignment, recommendation="approve", by=assignment.reviewer, **SCORES
        )

    outcomes = run_at_once([submit, submit])

    assert sum(isinstance(outcome, Recommendation) for outcome in outcomes) == 1, outcomes
    assert Recommendation.objects.filter(assignment=assignment).count() == 1


@pytest.mark.django_db(transaction=True)
def test_decision_record_two_clicks_on_approve_give_one_transition(needs_row_locks):
    one, two = secretariat_new(), secretariat_new()
    proposal, _ = panel_ready(by=one)

    def approve(by):
        # Each person's page loaded the proposal while it was with the panel.
        loaded = Proposal.objects.get(pk=proposal.pk)
        return lambda: services.decision_record(
            proposal=loaded, outcome="approve", rationale="Sound.", by=by
        )

    outcomes = run_at_once([approve(one), approve(two)])

    assert sum(isinstance(outcome, PanelDecision) for outcome in outcomes) == 1, outcomes
    assert PanelDecision.objects.filter(proposal=proposal).count() == 1
    assert AuditEvent.objects.filter(action="proposal.approve").count() == 1
    proposal.refresh_from_db()
    assert proposal.state == State.APPROVED


def _fresh(user):
    return type(user).objects.get(pk=user.pk)


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("repeat", range(3))
def test_role_removed_while_recommending_either_counts_or_is_refused(needs_row_locks, repeat):

    secretariat = secretariat_new()
    assignment = assigned(panel_proposal(), by=secretariat, independent=True)
    services.conflict_declare(assignment=assignment, conflict=False, by=assignment.reviewer)
    # Each thread's own request, with its own copy of the people.
    reviewer, leaving = _fresh(assignment.reviewer), _fresh(assignment.reviewer)

    recommended, revoked = run_at_once(
        [
            lambda: services.recommendation_submit(
                assignment=assignment, recommendation="approve", by=reviewer, **SCORES
            ),
            lambda: role_services.role_revoke(
                user=leaving, role=Role.PANEL_REVIEWER, by=_fresh(secretariat)
            ),
        ]
    )

    assert revoked is None, revoked
    assignment.refresh_from_db()
    assert assignment.removed_at is not None
    if isinstance(recommended, Recommendation):
        assert assignment.recommendation_stands
    else:
        assert isinstance(recommended, PermissionDenied), recommended
        assert not assignment.recommendation_stands
        assert not Recommendation.objects.exists()


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("repeat", range(3))
def test_role_removed_while_being_assigned_leaves_no_assignment_open(needs_row_locks, repeat):
    secretariat, other = secretariat_new(), secretariat_new()
    proposal, reviewer = panel_proposal(), reviewer_new()

    assigning, revoked = run_at_once(
        [
            lambda: services.reviewer_assign(
                proposal=proposal, reviewer=_fresh(reviewer), by=_fresh(secretariat)
            ),
            lambda: role_services.role_revoke(
                user=_fresh(reviewer), role=Role.PANEL_REVIEWER, by=_fresh(other)
            ),
        ]
    )

    assert revoked is None, revoked
    assert not proposal.assignments.filter(removed_at__isnull=True).exists(), assigning
    assert not user_can_read_as_reviewer(_fresh(reviewer), proposal)

"""The secretariat's panel page, the reviewer's queue and the reviewer's page."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse, reverse_lazy

from audit.models import AuditEvent
from projects.models import PanelDecision, Proposal, Recommendation, ReviewerAssignment
from tests.projects.states import (
    SCORES,
    assigned,
    panel_proposal,
    panel_ready,
    recommended,
    reviewer_new,
    secretariat_new,
    team_member_add,
)

pytestmark = pytest.mark.django_db

State = Proposal.State
QUEUE = reverse_lazy("projects:reviewer_queue")


def panel_url(proposal):
    return reverse("projects:panel", kwargs={"pk": proposal.pk})


def review_url(proposal):
    return reverse("projects:review", kwargs={"pk": proposal.pk})


@pytest.fixture
def secretariat():
    return secretariat_new()


def recommendation_post(**overrides):
    data = {
        "action": "recommend",
        "recommend-recommendation": "approve",
        "recommend-comments": "A clear public benefit.",
        "recommend-suggested_conditions": "",
        **{f"recommend-{name}": str(value) for name, value in SCORES.items()},
    }
    data.update(overrides)
    return data


# The secretariat's panel page


def test_panel_assign_reviewer_from_the_page(client, secretariat):
    proposal = panel_proposal()
    reviewer = reviewer_new()
    client.force_login(secretariat)

    response = client.post(
        panel_url(proposal),
        {
            "action": "assign",
            "assign-reviewer": reviewer.pk,
            "assign-independent": "on",
            "assign-due_date_day": "1",
            "assign-due_date_month": "1",
            "assign-due_date_year": str(datetime.date.today().year + 1),
        },
        follow=True,
    )

    assert "has been assigned and emailed" in response.content.decode()
    assignment = ReviewerAssignment.objects.get(proposal=proposal)
    assert assignment.reviewer == reviewer
    assert assignment.independent
    assert assignment.due_date == datetime.date(datetime.date.today().year + 1, 1, 1)


def test_panel_team_member_is_not_offered_and_refused_with_an_error(client, secretariat):
    proposal = panel_proposal()
    member = reviewer_new(full_name="Tess Teammate")
    team_member_add(proposal, member)
    client.force_login(secretariat)

    eligible = reviewer_new()
    page = client.get(panel_url(proposal)).content.decode()
    assert f'<option value="{eligible.pk}"' in page
    assert f'<option value="{member.pk}"' not in page

    response = client.post(panel_url(proposal), {"action": "assign", "assign-reviewer": member.pk})
    assert response.status_code == 200
    assert "Choose a reviewer from the list" in response.content.decode()
    assert not ReviewerAssignment.objects.exists()


def test_panel_unassign_needs_a_reason_and_keeps_the_page(client, secretariat):
    proposal = panel_proposal()
    assignment = assigned(proposal, by=secretariat)
    client.force_login(secretariat)

    response = client.post(
        panel_url(proposal),
        {"action": "unassign", "assignment": assignment.pk, f"unassign-{assignment.pk}-reason": ""},
    )
    assert response.status_code == 200
    assert "Enter why the reviewer is being unassigned" in response.content.decode()

    # Nothing the reviewer did is lost, so they are unassigned at once.
    client.post(
        panel_url(proposal),
        {
            "action": "unassign",
            "assignment": assignment.pk,
            f"unassign-{assignment.pk}-reason": "On leave",
        },
    )
    assignment.refresh_from_db()
    assert assignment.removal_reason == "On leave"


def test_panel_unassign_of_a_reviewer_who_recommended_asks_first_then_unassigns(
    client, secretariat
):
    proposal = panel_proposal()
    assignment = assigned(proposal, by=secretariat)
    recommended(assignment, recommendation="reject")
    client.force_login(secretariat)
    posted = {
        "action": "unassign",
        "assignment": assignment.pk,
        f"unassign-{assignment.pk}-reason": "Moved to another department.",
    }

    asked = client.post(panel_url(proposal), posted)

    page = asked.content.decode()
    assert "This cannot be undone." in page
    assert "recommendation (reject) stops counting towards the panel" in page
    assert "is told your reason: Moved to another department." in page
    assert "would have to review the proposal afresh" in page
    assignment.refresh_from_db()
    assert assignment.removed_at is None
    assert not AuditEvent.objects.filter(action="proposal.reviewer_unassign").exists()

    client.post(panel_url(proposal), {**posted, "confirmed": "yes"})

    assignment.refresh_from_db()
    assert assignment.removed_at is not None
    assert assignment.removal_reason == "Moved to another department."
    assert AuditEvent.objects.filter(action="proposal.reviewer_unassign").count() == 1


def test_panel_exclusion_checkbox_saves(client, secretariat):
    proposal = panel_proposal()
    client.force_login(secretariat)

    client.post(
        panel_url(proposal),
        {"action": "exclusion", "exclusion-exclude_team_organisations": "on"},
    )

    proposal.refresh_from_db()
    assert proposal.exclude_team_organisations


def test_panel_decision_refused_in_words_before_three_recommendations(client, secretariat):
    proposal = panel_proposal()
    recommended(assigned(proposal, by=secretariat, independent=True))
    client.force_login(secretariat)

    response = client.post(
        panel_url(proposal),
        {"action": "decide", "decide-outcome": "approve", "decide-rationale": "Sound."},
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert "Three reviewers, at least one of them independent" in page
    assert not PanelDecision.objects.exists()


def test_panel_decision_keeps_what_was_typed_when_conditions_are_missing(client, secretariat):
    proposal, _ = panel_ready(by=secretariat)
    client.force_login(secretariat)

    response = client.post(
        panel_url(proposal),
        {
            "action": "decide",
            "decide-outcome": "approve_with_conditions",
            "decide-rationale": "Strong methods.",
        },
    )

    page = response.content.decode()
    assert "Enter the conditions of approval" in page
    assert "Strong methods." in page


def test_panel_decision_records_approval(client, secretariat):
    proposal, _ = panel_ready(by=secretariat)
    client.force_login(secretariat)

    response = client.post(
        panel_url(proposal),
        {
            "action": "decide",
            "decide-outcome": "approve_with_conditions",
            "decide-rationale": "Strong methods.",
            "decide-conditions": "Publish the code.",
        },
        follow=True,
    )

    assert "decision has been recorded" in response.content.decode()
    proposal.refresh_from_db()
    assert proposal.state == State.APPROVED_WITH_CONDITIONS
    assert proposal.decisions.get().conditions == "Publish the code."


def test_panel_decision_to_reject_asks_first_then_rejects(client, secretariat):
    proposal, _ = panel_ready(by=secretariat)
    client.force_login(secretariat)
    posted = {
        "action": "decide",
        "decide-outcome": "reject",
        "decide-rationale": "No public benefit shown.",
    }

    asked = client.post(panel_url(proposal), posted)

    page = asked.content.decode()
    assert asked.status_code == 200
    assert "This cannot be undone." in page
    assert "cannot be returned for changes, approved or sent to the panel again" in page
    assert "your rationale: No public benefit shown." in page
    assert 'name="decide-rationale" value="No public benefit shown."' in page
    proposal.refresh_from_db()
    assert proposal.state == State.PANEL_REVIEW  # nothing happens before it is confirmed
    assert not PanelDecision.objects.exists()
    assert not AuditEvent.objects.filter(action="proposal.reject").exists()

    client.post(panel_url(proposal), {**posted, "confirmed": "yes"})

    proposal.refresh_from_db()
    assert proposal.state == State.REJECTED
    assert proposal.decisions.get().rationale == "No public benefit shown."
    assert AuditEvent.objects.filter(action="proposal.reject").count() == 1


def test_panel_decision_to_reject_refused_at_once_before_three_recommendations(client, secretariat):
    proposal = panel_proposal()
    recommended(assigned(proposal, by=secretariat, independent=True))
    client.force_login(secretariat)

    response = client.post(
        panel_url(proposal),
        {"action": "decide", "decide-outcome": "reject", "decide-rationale": "Weak."},
    )

    page = response.content.decode()
    assert "Three reviewers, at least one of them independent" in page
    assert "This cannot be undone." not in page


def test_panel_page_refused_to_secretariat_on_the_team(client, secretariat):
    proposal, _ = panel_ready(by=secretariat)
    member = secretariat_new()
    team_member_add(proposal, member)
    client.force_login(member)

    assert client.get(panel_url(proposal)).status_code == 403


def test_panel_shows_every_recommendation_to_the_secretariat(client, secretariat):
    proposal, _ = panel_ready(by=secretariat)
    client.force_login(secretariat)

    page = client.get(panel_url(proposal)).content.decode()

    assert page.count("A clear public benefit.") == 3


# The reviewer's queue


def test_reviewer_queue_lists_only_own_current_assignments(client, secretariat):
    reviewer = reviewer_new()
    mine = panel_proposal(title="Mine to review")
    assigned(mine, by=secretariat, reviewer=reviewer)
    assigned(panel_proposal(title="Someone else's"), by=secretariat)
    client.force_login(reviewer)

    page = client.get(QUEUE).content.decode()

    assert "Mine to review" in page
    assert "Someone else&#x27;s" not in page
    assert "Conflict of interest to declare" in page


def _queue_queries(client, reviewer):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(QUEUE)
    assert response.status_code == 200
    return len(queries)


def test_reviewer_queue_queries_do_not_grow_with_assignments(client, secretariat):
    reviewer = reviewer_new()
    client.force_login(reviewer)
    for _ in range(2):
        recommended(assigned(panel_proposal(), by=secretariat, reviewer=reviewer))
    # The first page a process serves fills caches (content types, say) the second reuses.
    _queue_queries(client, reviewer)
    with_two = _queue_queries(client, reviewer)

    for _ in range(28):
        assigned(panel_proposal(), by=secretariat, reviewer=reviewer)
    with_thirty = _queue_queries(client, reviewer)

    assert with_thirty == with_two
    assert client.get(QUEUE).content.decode().count("/review/") == 30


# The reviewer's page


def test_review_page_404_for_an_unassigned_reviewer(client, secretariat):
    proposal = panel_proposal()
    assigned(proposal, by=secretariat)
    client.force_login(reviewer_new())

    assert client.get(review_url(proposal)).status_code == 404


def test_review_page_asks_about_conflict_before_recommending(client, secretariat):
    proposal = panel_proposal(title="Earnings and health")
    assignment = assigned(proposal, by=secretariat)
    client.force_login(assignment.reviewer)

    page = client.get(review_url(proposal)).content.decode()
    assert "Do you have a conflict of interest in this proposal?" in page
    assert "Submit recommendation" not in page

    client.post(review_url(proposal), {"action": "conflict", "conflict-conflict": "no"})
    page = client.get(review_url(proposal)).content.decode()
    assert "Submit recommendation" in page


def test_review_page_conflict_declared_then_404(client, secretariat):
    proposal = panel_proposal()
    assignment = assigned(proposal, by=secretariat)
    client.force_login(assignment.reviewer)

    response = client.post(review_url(proposal), {"action": "conflict", "conflict-conflict": "yes"})
    assert "Describe your conflict of interest" in response.content.decode()

    response = client.post(
        review_url(proposal),
        {
            "action": "conflict",
            "conflict-conflict": "yes",
            "conflict-details": "My former student leads it.",
        },
    )
    assert response.status_code == 302
    assert client.get(review_url(proposal)).status_code == 404
    assert "No proposals are assigned to you." in client.get(QUEUE).content.decode()


def test_review_page_keeps_what_was_typed_on_an_error(client, secretariat):
    proposal = panel_proposal()
    assignment = assigned(proposal, by=secretariat)
    recommended_none = assignment
    client.force_login(recommended_none.reviewer)
    client.post(review_url(proposal), {"action": "conflict", "conflict-conflict": "no"})

    response = client.post(
        review_url(proposal),
        recommendation_post(**{"recommend-score_ethics": "", "recommend-comments": "Typed."}),
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert "Give a score for ethics" in page
    assert "Typed." in page
    assert not Recommendation.objects.exists()


def test_review_page_others_recommendations_shown_only_after_own(client, secretariat):
    proposal = panel_proposal()
    first = assigned(proposal, by=secretariat, independent=True)
    second = assigned(proposal, by=secretariat)
    recommended(first, comments="The first reviewer's private view.")
    client.force_login(second.reviewer)
    client.post(review_url(proposal), {"action": "conflict", "conflict-conflict": "no"})

    before = client.get(review_url(proposal)).content.decode()
    assert "The first reviewer&#x27;s private view." not in before

    response = client.post(review_url(proposal), recommendation_post(), follow=True)

    after = response.content.decode()
    assert "Your recommendation has been submitted." in after
    assert "The first reviewer&#x27;s private view." in after


def test_review_page_404_after_unassignment(client, secretariat):
    from projects.panel.services import reviewer_unassign

    proposal = panel_proposal()
    assignment = assigned(proposal, by=secretariat)
    reviewer_unassign(assignment=assignment, reason="Unavailable", by=secretariat)
    client.force_login(assignment.reviewer)

    assert client.get(review_url(proposal)).status_code == 404


def test_dashboard_tells_the_reviewer_how_many_proposals_wait(client, secretariat):
    reviewer = reviewer_new()
    for _ in range(2):
        assigned(panel_proposal(), by=secretariat, reviewer=reviewer)
    recommended(assigned(panel_proposal(), by=secretariat, reviewer=reviewer))
    client.force_login(reviewer)

    page = client.get(reverse("dashboard:home")).content.decode()

    queue = page[page.index('id="queue-reviews"') :]
    assert '<strong class="govuk-tag govuk-tag--blue">2</strong>' in queue
    assert queue.count("Declare any conflict of interest first") == 2
    assert f'href="{QUEUE}"' in queue


def test_panel_asks_for_a_replacement_after_a_conflict(client, secretariat):
    from projects.panel.services import conflict_declare

    proposal = panel_proposal()
    assignments = [assigned(proposal, by=secretariat, independent=True) for _ in range(3)]
    client.force_login(secretariat)
    assert 'id="reviewers-needed"' not in client.get(panel_url(proposal)).content.decode()

    conflict_declare(
        assignment=assignments[0],
        conflict=True,
        details="I co-author with the co-ordinator.",
        by=assignments[0].reviewer,
    )

    page = client.get(panel_url(proposal)).content.decode()
    assert "assign 1 more" in page
    assert "I co-author with the co-ordinator." in page

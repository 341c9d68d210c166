"""Taking the panel-reviewer role away ends the reviewer's assignments, and reviewing needs the
role as well as the assignment."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.test import Client
from django.urls import reverse

from audit.models import AuditEvent
from identity.roles import Role, user_has_role
from notifications.models import Notification
from projects import conditions
from projects.models import Proposal, Recommendation, ReviewerAssignment
from projects.panel import services as panel_services
from projects.panel.permissions import user_can_read_as_reviewer
from researchers import services as role_services
from researchers.models import User
from tests.projects.states import (
    SCORES,
    assigned,
    panel_proposal,
    panel_ready,
    recommended,
    reviewer_new,
    secretariat_new,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def secretariat():
    return secretariat_new()


def review_url(proposal):
    return reverse("projects:review", kwargs={"pk": proposal.pk})


def dpia_url(proposal):
    return reverse("projects:proposal_dpia", kwargs={"pk": proposal.pk})


def panel_url(proposal):
    return reverse("projects:panel", kwargs={"pk": proposal.pk})


def recommendation_post():
    return {
        "action": "recommend",
        "recommend-recommendation": "approve",
        "recommend-comments": "A clear public benefit.",
        "recommend-suggested_conditions": "",
        **{f"recommend-{name}": str(value) for name, value in SCORES.items()},
    }


def signed_in(user):
    client = Client()
    client.force_login(user)
    return client


def fresh(user):
    """``user`` as the next request loads them: no roles or permissions cached."""
    return User.objects.get(pk=user.pk)


def dpia_status(client, proposal):
    response = client.get(dpia_url(proposal))
    if response.streaming:
        b"".join(response.streaming_content)
    return response.status_code


def with_dpia(proposal):
    proposal.dpia_file.save("dpia.pdf", ContentFile(b"%PDF-1.4\n%%EOF\n"), save=True)
    return proposal


def panel_short_notices():
    return Notification.objects.filter(kind="proposal.panel_short")


def test_reviewer_role_removed_on_the_roles_page_closes_review_dpia_and_recommendation(
    secretariat,
):
    proposal = with_dpia(panel_proposal())
    assignment = assigned(proposal, by=secretariat, independent=True)
    reviewer = assignment.reviewer
    # The reviewer's own browser, signed in before the role is taken away.
    reviewer_browser = signed_in(reviewer)
    assert reviewer_browser.get(review_url(proposal)).status_code == 200
    declared = reviewer_browser.post(
        review_url(proposal), {"action": "conflict", "conflict-conflict": "no"}
    )
    assert declared.status_code == 302
    assert dpia_status(reviewer_browser, proposal) == 200

    removed = signed_in(secretariat).post(
        reverse("researchers:person_roles", kwargs={"pk": reviewer.pk}),
        {"roles": [Role.RESEARCHER]},
    )

    assert removed.status_code == 302
    assert reviewer_browser.get(review_url(proposal)).status_code == 404
    assert dpia_status(reviewer_browser, proposal) == 404
    assert reviewer_browser.post(review_url(proposal), recommendation_post()).status_code == 404
    assert reviewer_browser.get(reverse("projects:reviewer_queue")).status_code == 403
    assert not Recommendation.objects.exists()
    assignment.refresh_from_db()
    assert assignment.removed_at is not None
    assert not assignment.recommendation_stands
    assert not user_can_read_as_reviewer(fresh(reviewer), proposal)
    event = AuditEvent.objects.get(action="proposal.reviewer_role_removed")
    assert event.actor == secretariat
    assert event.payload == {
        "assignment": assignment.pk,
        "reviewer": reviewer.pk,
        "recommendation_stands": False,
    }
    assert list(panel_short_notices().values_list("recipient", flat=True)) == [secretariat.pk]


def test_recommendation_submitted_before_the_role_is_removed_still_counts(secretariat):
    proposal, assignments = panel_ready(by=secretariat)
    leaving = assignments[0]

    role_services.role_revoke(user=leaving.reviewer, role=Role.PANEL_REVIEWER, by=secretariat)

    leaving.refresh_from_db()
    assert leaving.removed_at is not None
    assert leaving.recommendation_stands
    assert not user_can_read_as_reviewer(fresh(leaving.reviewer), proposal)
    assert conditions.panel_recommendations_in(proposal)
    assert not panel_short_notices().exists()
    # The panel still has its three, so nobody else can be added, and the decision can be made.
    with pytest.raises(ValidationError, match="already has 3 reviewers"):
        assigned(proposal, by=secretariat)
    decision = panel_services.decision_record(
        proposal=proposal, outcome="approve", rationale="Clear public benefit.", by=secretariat
    )
    assert decision.proposal.state == Proposal.State.APPROVED


def test_recommendation_of_a_former_reviewer_shown_on_the_panel_page(client, secretariat):
    proposal, assignments = panel_ready(by=secretariat)
    role_services.role_revoke(
        user=assignments[0].reviewer, role=Role.PANEL_REVIEWER, by=secretariat
    )
    client.force_login(secretariat)

    page = client.get(panel_url(proposal)).content.decode()

    assert "No longer a panel reviewer: their recommendation still counts." in page
    assert page.count('class="govuk-tag govuk-tag--green">Recommended') == 3


@pytest.mark.usefixtures("eager_celery")
def test_unsubmitted_recommendation_discarded_and_the_secretariat_told_the_panel_is_short(
    secretariat, mailoutbox, django_capture_on_commit_callbacks
):
    proposal = panel_proposal()
    done = [assigned(proposal, by=secretariat, independent=index == 0) for index in range(2)]
    for assignment in done:
        recommended(assignment)
    leaving = assigned(proposal, by=secretariat)
    panel_services.conflict_declare(assignment=leaving, conflict=False, by=leaving.reviewer)

    with django_capture_on_commit_callbacks(execute=True):
        role_services.role_revoke(user=leaving.reviewer, role=Role.PANEL_REVIEWER, by=secretariat)

    leaving.refresh_from_db()
    assert leaving.removed_at is not None
    assert not leaving.recommendation_stands
    assert not conditions.panel_recommendations_in(proposal)
    notice = panel_short_notices().get()
    assert notice.recipient == secretariat
    assert notice.link == panel_url(proposal)
    assert leaving.reviewer.get_full_name() in notice.body
    subjects = [m.subject for m in mailoutbox if secretariat.email in m.to]
    assert "A reviewer has lost the panel-reviewer role: assign a replacement" in subjects
    # The place is free again: a replacement makes the panel whole.
    replacement = assigned(proposal, by=secretariat)
    recommended(replacement)
    assert conditions.panel_recommendations_in(proposal)


def test_role_removed_ends_assignments_on_decided_proposals_without_a_notice(secretariat):
    proposal, assignments = panel_ready(by=secretariat)
    with_dpia(proposal)
    panel_services.decision_record(
        proposal=proposal, outcome="approve", rationale="Clear public benefit.", by=secretariat
    )
    reviewer = assignments[1].reviewer
    pending = assigned(panel_proposal(), by=secretariat, reviewer=reviewer)

    role_services.role_revoke(user=reviewer, role=Role.PANEL_REVIEWER, by=secretariat)

    assert not ReviewerAssignment.objects.filter(reviewer=reviewer, removed_at=None).exists()
    assert not user_can_read_as_reviewer(fresh(reviewer), proposal)
    assert dpia_status(signed_in(reviewer), proposal) == 404
    # Only the proposal still with the panel is short.
    assert [n.link for n in panel_short_notices()] == [panel_url(pending.proposal)]
    assert AuditEvent.objects.filter(action="proposal.reviewer_role_removed").count() == 2


def test_review_needs_the_role_even_with_the_assignment(secretariat):
    proposal = with_dpia(panel_proposal())
    assignment = assigned(proposal, by=secretariat)
    reviewer = assignment.reviewer
    panel_services.conflict_declare(assignment=assignment, conflict=False, by=reviewer)
    # The group alone taken away, past the service: the assignment is left current.
    reviewer.groups.remove(*reviewer.groups.filter(name=Role.PANEL_REVIEWER))
    reviewer = fresh(reviewer)
    assignment.refresh_from_db()
    assert assignment.removed_at is None
    browser = signed_in(reviewer)

    assert browser.get(review_url(proposal)).status_code == 404
    assert dpia_status(browser, proposal) == 404
    assert browser.post(review_url(proposal), recommendation_post()).status_code == 404
    with pytest.raises(PermissionDenied):
        panel_services.recommendation_submit(
            assignment=assignment, recommendation="approve", by=reviewer, **SCORES
        )
    assert not Recommendation.objects.exists()


def test_recommendation_submit_refused_when_the_role_went_while_the_request_ran(secretariat):
    assignment = assigned(panel_proposal(), by=secretariat)
    panel_services.conflict_declare(assignment=assignment, conflict=False, by=assignment.reviewer)
    # The reviewer's request read their roles before the secretariat took the role away.
    in_flight = fresh(assignment.reviewer)
    assert user_has_role(in_flight, Role.PANEL_REVIEWER)

    role_services.role_revoke(
        user=fresh(assignment.reviewer), role=Role.PANEL_REVIEWER, by=secretariat
    )

    with pytest.raises(PermissionDenied):
        panel_services.recommendation_submit(
            assignment=assignment, recommendation="approve", by=in_flight, **SCORES
        )
    assert not Recommendation.objects.exists()


def test_former_reviewer_with_a_standing_recommendation_can_be_unassigned(secretariat):
    proposal, assignments = panel_ready(by=secretariat)
    leaving = assignments[1]
    role_services.role_revoke(user=leaving.reviewer, role=Role.PANEL_REVIEWER, by=secretariat)

    panel_services.reviewer_unassign(
        assignment=leaving, reason="Left the panel under a cloud.", by=secretariat
    )

    leaving.refresh_from_db()
    assert not leaving.recommendation_stands
    assert leaving.removal_reason == "Left the panel under a cloud."
    event = AuditEvent.objects.get(action="proposal.reviewer_unassign")
    assert event.payload["recommendation_discarded"] is True
    assert not conditions.panel_recommendations_in(proposal)


def test_return_ends_a_standing_recommendation_with_the_rest_of_the_panel(secretariat):
    proposal, assignments = panel_ready(by=secretariat)
    role_services.role_revoke(
        user=assignments[0].reviewer, role=Role.PANEL_REVIEWER, by=secretariat
    )

    panel_services.decision_record(
        proposal=proposal, outcome="return", rationale="Say more on privacy.", by=secretariat
    )

    assert not ReviewerAssignment.objects.filter(proposal=proposal).on_panel().exists()


def test_reviewer_assign_refused_once_the_role_is_removed(secretariat):
    reviewer = reviewer_new()
    role_services.role_revoke(user=reviewer, role=Role.PANEL_REVIEWER, by=secretariat)

    with pytest.raises(ValidationError, match="is not a panel reviewer"):
        assigned(panel_proposal(), by=secretariat, reviewer=fresh(reviewer))

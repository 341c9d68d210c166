"""Conflicts of interest on the panel: a reviewer who declared one is never offered again, the
secretariat sees each reviewer's organisation beside the team's, and an assigned reviewer sees
only the outline of a proposal until they have declared that they have no conflict."""

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils.html import escape

from projects.models import ReviewerAssignment
from projects.panel.services import conflict_declare, reviewer_assign, reviewer_unassign
from tests.projects.factories import accredited_researcher
from tests.projects.states import (
    assigned,
    panel_proposal,
    reviewer_new,
    secretariat_new,
    team_member_add,
)
from tests.researchers.profile_factories import OrganisationFactory, ResearcherProfileFactory

pytestmark = pytest.mark.django_db

AIMS = "Measure the link between earnings and health outcomes by region."


@pytest.fixture
def secretariat():
    return secretariat_new()


def panel_url(proposal):
    return reverse("projects:panel", kwargs={"pk": proposal.pk})


def review_url(proposal):
    return reverse("projects:review", kwargs={"pk": proposal.pk})


def dpia_status(client, proposal):
    response = client.get(reverse("projects:proposal_dpia", kwargs={"pk": proposal.pk}))
    if response.streaming:
        b"".join(response.streaming_content)
    return response.status_code


def written_proposal(**kwargs):
    """A proposal with the panel, its aims written and its DPIA uploaded, led by a
    co-ordinator from a named university."""
    proposal = panel_proposal(
        title="Earnings and health",
        lay_summary="How pay relates to health, for the public.",
        aims=AIMS,
        dpia_needed=True,
        dpia_file=ContentFile(b"%PDF-1.4\n%%EOF\n", name="dpia.pdf"),
        **kwargs,
    )
    ResearcherProfileFactory(
        user=proposal.coordinator, organisation=OrganisationFactory(name="University of Leeds")
    )
    return proposal


def declared_conflict(proposal, *, by):
    assignment = assigned(proposal, by=by)
    conflict_declare(
        assignment=assignment,
        conflict=True,
        details="I supervised the co-ordinator's doctorate.",
        by=assignment.reviewer,
    )
    return assignment.reviewer


# Who is offered


def test_reviewer_assign_refuses_a_reviewer_who_declared_a_conflict(secretariat):
    proposal = panel_proposal()
    conflicted = declared_conflict(proposal, by=secretariat)

    with pytest.raises(ValidationError) as refused:
        reviewer_assign(proposal=proposal, reviewer=conflicted, by=secretariat)

    assert "declared a conflict of interest in this proposal" in str(refused.value)
    assert not ReviewerAssignment.objects.filter(removed_at__isnull=True).exists()


def test_panel_reviewer_who_declared_a_conflict_is_not_offered_again(client, secretariat):
    proposal = panel_proposal()
    conflicted = declared_conflict(proposal, by=secretariat)
    other = reviewer_new()
    client.force_login(secretariat)

    page = client.get(panel_url(proposal)).content.decode()

    assert f'<option value="{other.pk}"' in page
    assert f'<option value="{conflicted.pk}"' not in page
    response = client.post(
        panel_url(proposal), {"action": "assign", "assign-reviewer": conflicted.pk}
    )
    assert "Choose a reviewer from the list" in response.content.decode()
    assert not ReviewerAssignment.objects.filter(removed_at__isnull=True).exists()


def test_reviewer_conflicted_on_one_proposal_is_still_offered_for_another(client, secretariat):
    conflicted = declared_conflict(panel_proposal(), by=secretariat)
    another = panel_proposal()
    client.force_login(secretariat)

    page = client.get(panel_url(another)).content.decode()

    assert f'<option value="{conflicted.pk}"' in page


def test_panel_assign_list_names_each_reviewers_organisation(client, secretariat):
    proposal = panel_proposal()
    reviewer_new(full_name="Fiona MacLeod", organisation=OrganisationFactory(name="ONS"))
    reviewer_new(full_name="Rhys Pritchard")
    client.force_login(secretariat)

    page = client.get(panel_url(proposal)).content.decode()

    assert "Fiona MacLeod, ONS</option>" in page
    assert "Rhys Pritchard, organisation not recorded</option>" in page


def test_panel_page_shows_the_team_organisations_and_each_assigned_reviewers(client, secretariat):
    proposal = written_proposal()
    member = accredited_researcher(full_name="Ola Nowak")
    ResearcherProfileFactory(user=member, organisation=OrganisationFactory(name="LSE"))
    team_member_add(proposal, member)
    assigned(
        proposal,
        by=secretariat,
        reviewer=reviewer_new(organisation=OrganisationFactory(name="Cardiff University")),
    )
    client.force_login(secretariat)

    page = client.get(panel_url(proposal)).content.decode()

    outline = page.split('id="proposal-outline"')[1].split("</dl>")[0]
    assert "Ola Nowak" in outline
    assert "University of Leeds" in outline and "LSE" in outline
    reviewers = page.split('id="reviewers"')[1].split("</table>")[0]
    assert "Cardiff University" in reviewers


# What an assigned reviewer sees


def test_review_page_before_declaring_shows_only_title_summary_team_and_organisations(
    client, secretariat
):
    proposal = written_proposal()
    assignment = assigned(proposal, by=secretariat)
    client.force_login(assignment.reviewer)

    page = client.get(review_url(proposal)).content.decode()

    assert "Earnings and health" in page
    assert "How pay relates to health, for the public." in page
    assert escape(proposal.coordinator.get_full_name()) in page
    assert "University of Leeds" in page
    assert AIMS not in page
    assert "Download the data protection impact assessment" not in page
    assert "once you have declared that you have no conflict of interest" in page
    assert dpia_status(client, proposal) == 404


def test_review_page_after_declaring_no_conflict_opens_the_proposal_and_its_dpia(
    client, secretariat
):
    proposal = written_proposal()
    assignment = assigned(proposal, by=secretariat)
    client.force_login(assignment.reviewer)

    client.post(review_url(proposal), {"action": "conflict", "conflict-conflict": "no"})
    page = client.get(review_url(proposal)).content.decode()

    assert AIMS in page
    assert "Download the data protection impact assessment" in page
    assert dpia_status(client, proposal) == 200


@pytest.mark.parametrize("team_size", [1, 8])
@pytest.mark.parametrize("declared", [False, True])
def test_review_page_queries_do_not_grow_with_the_team(
    client, secretariat, team_size, declared, django_assert_max_num_queries
):
    proposal = written_proposal()
    for _ in range(team_size):
        member = accredited_researcher()
        ResearcherProfileFactory(user=member)
        team_member_add(proposal, member)
    assignment = assigned(proposal, by=secretariat)
    client.force_login(assignment.reviewer)
    if declared:
        client.post(review_url(proposal), {"action": "conflict", "conflict-conflict": "no"})
    client.get(review_url(proposal))

    with django_assert_max_num_queries(18):
        response = client.get(review_url(proposal))

    assert response.status_code == 200


@pytest.mark.parametrize("size", [1, 12])
def test_panel_page_queries_do_not_grow_with_the_reviewers_offered_and_assigned(
    client, secretariat, size, django_assert_max_num_queries
):
    proposal = written_proposal()
    member = accredited_researcher()
    ResearcherProfileFactory(user=member)
    team_member_add(proposal, member)
    for _ in range(size):
        reviewer_new(organisation=OrganisationFactory())
    for independent in (True, False):
        assigned(
            proposal,
            by=secretariat,
            independent=independent,
            reviewer=reviewer_new(organisation=OrganisationFactory()),
        )
    client.force_login(secretariat)
    client.get(panel_url(proposal))

    # The decision rules still read each team member's accreditation, so the team stays one
    # member here; and the access mode every submitted proposal has chosen is checked against
    # its datasets.
    with django_assert_max_num_queries(30):
        response = client.get(panel_url(proposal))

    assert response.status_code == 200


def test_review_page_stays_closed_to_a_reviewer_yet_to_declare_when_another_has_declared(
    client, secretariat
):
    proposal = written_proposal()
    declared = assigned(proposal, by=secretariat)
    conflict_declare(assignment=declared, conflict=False, by=declared.reviewer)
    waiting = assigned(proposal, by=secretariat)
    client.force_login(waiting.reviewer)

    page = client.get(review_url(proposal)).content.decode()

    assert AIMS not in page
    assert dpia_status(client, proposal) == 404


def test_reviewer_assigned_again_declares_again_before_the_proposal_opens(client, secretariat):
    proposal = written_proposal()
    first = assigned(proposal, by=secretariat)
    conflict_declare(assignment=first, conflict=False, by=first.reviewer)
    reviewer_unassign(assignment=first, reason="Away until next month.", by=secretariat)
    assigned(proposal, by=secretariat, reviewer=first.reviewer)
    client.force_login(first.reviewer)

    page = client.get(review_url(proposal)).content.decode()

    assert AIMS not in page
    assert "once you have declared that you have no conflict of interest" in page
    assert dpia_status(client, proposal) == 404


def test_review_page_opens_only_to_a_reviewer_on_their_own_current_assignment(client, secretariat):
    proposal = written_proposal()
    assigned(proposal, by=secretariat)
    never_assigned = reviewer_new()
    unassigned = assigned(proposal, by=secretariat)
    conflict_declare(assignment=unassigned, conflict=False, by=unassigned.reviewer)
    reviewer_unassign(assignment=unassigned, reason="Left the panel.", by=secretariat)

    for reviewer in (never_assigned, unassigned.reviewer):
        client.force_login(reviewer)

        assert client.get(review_url(proposal)).status_code == 404
        assert dpia_status(client, proposal) == 404

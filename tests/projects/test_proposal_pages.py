import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from identity.roles import Role
from legislation.access_modes import AccessMode
from projects.models import Proposal, TeamMember
from tests.factories import UserFactory
from tests.legislation.factories import DatasetFactory
from tests.projects.factories import (
    ProposalFactory,
    TeamMemberFactory,
    accredited_researcher,
    proposal_ready_to_submit,
)
from tests.projects.states import proposal_at

pytestmark = pytest.mark.django_db

# Ids a tampered form might post: none names a row, so each is not found, never a server error.
NOT_IDS = ["abc", "1.5", "", "-1", " 1", "9" * 30, "9" * 5000]
PDF = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"


@pytest.fixture
def coordinator():
    return UserFactory(roles=[Role.RESEARCHER])


@pytest.fixture
def proposal(coordinator):
    return ProposalFactory(coordinator=coordinator)


@pytest.fixture
def signed_in(client, coordinator):
    client.force_login(coordinator)
    return client


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def section_url(proposal, section):
    return reverse("projects:proposal_section", kwargs={"pk": proposal.pk, "section": section})


def detail_url(proposal):
    return reverse("projects:proposal_detail", kwargs={"pk": proposal.pk})


def check_url(proposal):
    return reverse("projects:proposal_check", kwargs={"pk": proposal.pk})


ETHICS_POST = {
    "public_good_answer": "yes",
    "confidentiality_answer": "yes",
    "methods_quality_answer": "partly",
    "methods_quality_details": "The survey weights are still being checked.",
    "legal_compliance_answer": "yes",
    "public_views_answer": "no",
    "public_views_details": "A citizens panel is planned for the second year.",
}

SECTION_POSTS = {
    "title": (
        {"title": "Earnings and health", "lay_summary": "How pay affects health."},
        lambda p: (p.title, p.lay_summary) == ("Earnings and health", "How pay affects health."),
    ),
    "purposes": (
        {
            "purposes": ["policy_evidence", "statistics_quality"],
            "purpose_explanation": "Evidence for the minimum wage.",
        },
        lambda p: (
            p.purposes == ["policy_evidence", "statistics_quality"]
            and p.purpose_explanation == "Evidence for the minimum wage."
        ),
    ),
    "methods": (
        {"aims": "Measure it.", "methods": "Regression.", "software": "R"},
        lambda p: (p.aims, p.methods, p.software) == ("Measure it.", "Regression.", "R"),
    ),
    "dates": (
        {
            "start_date_day": "1",
            "start_date_month": "4",
            "start_date_year": "2027",
            "end_date_day": "31",
            "end_date_month": "3",
            "end_date_year": "2029",
        },
        lambda p: (
            (p.start_date, p.end_date) == (datetime.date(2027, 4, 1), datetime.date(2029, 3, 31))
        ),
    ),
    "ethics": (
        ETHICS_POST,
        lambda p: (
            p.ethics["public_views"]
            == {"answer": "no", "details": "A citizens panel is planned for the second year."}
        ),
    ),
    "dpia": ({"dpia_needed": "no"}, lambda p: p.dpia_needed is False),
    "access": (
        {"access_mode": "secure_lab_only"},
        lambda p: p.access_mode == AccessMode.SECURE_LAB_ONLY,
    ),
    "outputs": (
        {"outputs_plan": "Tables.", "publication_plan": "A paper."},
        lambda p: (p.outputs_plan, p.publication_plan) == ("Tables.", "A paper."),
    ),
}


@pytest.mark.parametrize("section", sorted(SECTION_POSTS))
def test_proposal_section_save_stores_the_answers_and_audits(signed_in, proposal, section):
    data, stored = SECTION_POSTS[section]

    response = signed_in.post(section_url(proposal, section), data)

    assert response.status_code == 302
    assert response.url == detail_url(proposal)
    proposal.refresh_from_db()
    assert stored(proposal)
    event = AuditEvent.objects.filter(action="proposal.update_section").get()
    assert event.payload["section"] == section


@pytest.mark.parametrize("section", sorted(SECTION_POSTS))
def test_proposal_section_get_shows_the_saved_answers(signed_in, proposal, section):
    data, _ = SECTION_POSTS[section]
    signed_in.post(section_url(proposal, section), data)

    response = signed_in.get(section_url(proposal, section))

    assert response.status_code == 200
    page = response.content.decode()
    for value in data.values():
        for item in value if isinstance(value, list) else [value]:
            assert f'value="{item}"' in page or f">{item}</textarea>" in page.replace("\n", "")


INVALID_POSTS = {
    "title": ({"title": "Kept title", "lay_summary": ""}, "Enter a lay summary", "Kept title"),
    "purposes": (
        {"purposes": [], "purpose_explanation": "Kept explanation"},
        "Select at least one public-good purpose",
        "Kept explanation",
    ),
    "methods": (
        {"aims": "Kept aims", "methods": "", "software": "R"},
        "Describe the project&#x27;s methods",
        "Kept aims",
    ),
    "dates": (
        {
            "start_date_day": "1",
            "start_date_month": "4",
            "start_date_year": "2029",
            "end_date_day": "31",
            "end_date_month": "3",
            "end_date_year": "2027",
        },
        "The end date must be after the start date",
        'value="2029"',
    ),
    "ethics": (
        {**ETHICS_POST, "public_views_details": ""},
        "Explain your answer on public views",
        "The survey weights are still being checked.",
    ),
    "dpia": ({"dpia_needed": "yes"}, "Upload the DPIA", 'id="id_dpia_needed_0" checked'),
    "access": ({}, "Select how the team will access the data", "How will the team"),
    "outputs": (
        {"outputs_plan": "Kept outputs", "publication_plan": ""},
        "Describe how the results will be published",
        "Kept outputs",
    ),
}


@pytest.mark.parametrize("section", sorted(INVALID_POSTS))
def test_proposal_section_error_keeps_what_was_typed(signed_in, proposal, section):
    data, error, kept = INVALID_POSTS[section]
    before = Proposal.objects.values().get(pk=proposal.pk)

    response = signed_in.post(section_url(proposal, section), data)

    assert response.status_code == 200
    page = response.content.decode()
    assert "govuk-error-summary" in page
    assert error in page
    assert kept in page
    assert Proposal.objects.values().get(pk=proposal.pk) == before


def test_proposal_access_mode_weaker_than_a_dataset_needs_is_refused(signed_in, proposal):
    lab = DatasetFactory(name="Lab Only Survey", access_mode=AccessMode.SECURE_LAB_ONLY)
    proposal.dataset_requests.create(dataset=lab, variables="x", open_data_reason="y")

    response = signed_in.post(section_url(proposal, "access"), {"access_mode": "safe_setting"})

    assert response.status_code == 200
    page = response.content.decode()
    assert "Lab Only Survey needs “On-site secure lab only”" in page
    assert "Choose that access mode or a stricter one." in page
    proposal.refresh_from_db()
    assert proposal.access_mode == ""


def test_proposal_dpia_upload_stored_and_downloadable(signed_in, proposal):
    upload = SimpleUploadedFile("my dpia.pdf", PDF, content_type="application/pdf")

    response = signed_in.post(
        section_url(proposal, "dpia"), {"dpia_needed": "yes", "dpia_file": upload}
    )

    assert response.status_code == 302
    proposal.refresh_from_db()
    assert proposal.dpia_needed is True
    assert proposal.dpia_file.name.startswith("private/dpia/")
    download = signed_in.get(reverse("projects:proposal_dpia", kwargs={"pk": proposal.pk}))
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF


def test_proposal_dpia_refuses_a_file_that_is_not_a_pdf(signed_in, proposal):
    upload = SimpleUploadedFile("dpia.pdf", b"MZ not a pdf at all", content_type="application/pdf")

    response = signed_in.post(
        section_url(proposal, "dpia"), {"dpia_needed": "yes", "dpia_file": upload}
    )

    assert response.status_code == 200
    assert "The selected file must be" in response.content.decode()
    proposal.refresh_from_db()
    assert proposal.dpia_needed is None


def test_proposal_datasets_add_and_remove(signed_in, proposal):
    dataset = DatasetFactory(name="Annual Earnings Survey")
    url = section_url(proposal, "datasets")

    missing = signed_in.post(
        url, {"action": "add", "dataset": dataset.pk, "variables": "Pay, region"}
    )
    assert missing.status_code == 200
    assert "Enter why openly available data cannot be used" in missing.content.decode()
    assert "Pay, region" in missing.content.decode()

    added = signed_in.post(
        url,
        {
            "action": "add",
            "dataset": dataset.pk,
            "variables": "Pay, region",
            "open_data_reason": "The published tables are by country only.",
        },
    )
    assert added.status_code == 302
    request = proposal.dataset_requests.get()
    assert (request.dataset, request.variables) == (dataset, "Pay, region")
    assert "Annual Earnings Survey" in signed_in.get(url).content.decode()

    removed = signed_in.post(url, {"action": "remove", "request": request.pk})
    assert removed.status_code == 302
    assert not proposal.dataset_requests.exists()


@pytest.mark.parametrize("posted", NOT_IDS)
def test_proposal_datasets_remove_with_a_posted_id_that_is_not_a_number_is_not_found(
    signed_in, proposal, posted
):
    dataset = DatasetFactory()
    proposal.dataset_requests.create(dataset=dataset, variables="Pay", open_data_reason="None.")

    response = signed_in.post(
        section_url(proposal, "datasets"), {"action": "remove", "request": posted}
    )

    assert response.status_code == 404
    assert "Page not found" in response.text
    assert proposal.dataset_requests.filter(dataset=dataset).exists()
    assert not AuditEvent.objects.filter(action="proposal.dataset_remove").exists()


@pytest.mark.parametrize("posted", NOT_IDS)
def test_proposal_team_remove_with_a_posted_id_that_is_not_a_number_is_not_found(client, posted):
    member = accredited_researcher()
    proposal = proposal_ready_to_submit(members=[member])
    client.force_login(proposal.coordinator)

    response = client.post(section_url(proposal, "team"), {"action": "remove", "member": posted})

    assert response.status_code == 404
    assert "Page not found" in response.text
    assert proposal.team.filter(user=member).exists()
    assert not AuditEvent.objects.filter(action="proposal.team_remove").exists()


def test_proposal_task_list_marks_sections_complete(signed_in, coordinator):
    proposal = proposal_ready_to_submit(coordinator=coordinator)

    page = signed_in.get(detail_url(proposal)).content.decode()

    assert page.count("Completed") == 10
    assert "Incomplete" not in page


def test_proposal_task_list_says_what_is_missing(signed_in, proposal):
    page = signed_in.get(detail_url(proposal)).content.decode()

    assert "Give the project&#x27;s title and a lay summary." in page
    assert "Request at least one dataset." in page


# Who may open the pages


def test_proposal_pages_refused_to_a_team_member_who_is_not_the_coordinator(client, proposal):
    member = accredited_researcher()
    TeamMember.objects.create(
        proposal=proposal,
        user=member,
        email=member.email,
        invited_by=proposal.coordinator,
        accepted_at=timezone.now(),
    )
    client.force_login(member)

    assert client.get(detail_url(proposal)).status_code == 200
    assert client.get(section_url(proposal, "title")).status_code == 403
    assert client.post(section_url(proposal, "title"), {"title": "Mine now"}).status_code == 403
    assert client.post(check_url(proposal)).status_code == 403
    proposal.refresh_from_db()
    assert proposal.title != "Mine now"


def test_proposal_pages_not_found_for_someone_outside_the_project(client, proposal):
    client.force_login(UserFactory(roles=[Role.RESEARCHER]))

    assert client.get(detail_url(proposal)).status_code == 404
    assert client.get(section_url(proposal, "title")).status_code == 404
    assert client.post(check_url(proposal)).status_code == 404


def test_proposal_pages_not_found_for_someone_invited_who_has_not_accepted(client, proposal):
    invited = UserFactory(roles=[Role.RESEARCHER])
    TeamMember.objects.create(
        proposal=proposal, user=invited, email=invited.email, invited_by=proposal.coordinator
    )
    client.force_login(invited)

    assert client.get(detail_url(proposal)).status_code == 404


def test_proposal_section_cannot_be_changed_once_sent(signed_in, coordinator):
    proposal = proposal_at(Proposal.State.SUBMITTED, coordinator=coordinator)

    response = signed_in.post(
        section_url(proposal, "title"), {"title": "Changed", "lay_summary": "x"}, follow=True
    )

    assert "cannot be changed now" in response.content.decode()
    proposal.refresh_from_db()
    assert proposal.title != "Changed"


# Starting and listing


def test_proposal_start_makes_the_researcher_coordinator(signed_in, coordinator):
    response = signed_in.post(reverse("projects:proposal_start"), {"title": "Pay and health"})

    proposal = Proposal.objects.get()
    assert response.url == detail_url(proposal)
    assert proposal.coordinator == coordinator
    assert proposal.state == Proposal.State.DRAFT
    assert proposal.team.get().role == TeamMember.Role.COORDINATOR
    assert AuditEvent.objects.filter(action="proposal.create").exists()


def test_proposal_start_without_a_title_keeps_the_page(signed_in):
    response = signed_in.post(reverse("projects:proposal_start"), {"title": "  "})

    assert response.status_code == 200
    assert "Enter the project&#x27;s title" in response.content.decode()
    assert not Proposal.objects.exists()


def _list_queries(client):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("projects:proposal_list"))
    assert response.status_code == 200
    return len(queries), response


def test_proposal_list_queries_do_not_grow_with_the_proposals(signed_in, coordinator, settings):
    # The proposals are made past the services, so past the trail the kept list is kept under.
    settings.RESEARCHER_PAGES_KEPT_SECONDS = 0
    ProposalFactory.create_batch(2, coordinator=coordinator, accredited=False)
    few, _ = _list_queries(signed_in)
    ProposalFactory.create_batch(20, coordinator=coordinator, accredited=False)
    many, response = _list_queries(signed_in)

    assert many == few
    assert response.content.decode().count('href="/projects/') >= 22


def test_proposal_list_shows_projects_joined_but_not_others(client):
    member = accredited_researcher()
    joined = ProposalFactory(title="Joined project")
    TeamMember.objects.create(
        proposal=joined,
        user=member,
        email=member.email,
        invited_by=joined.coordinator,
        accepted_at=timezone.now(),
    )
    ProposalFactory(title="Somebody else's project")
    client.force_login(member)

    page = client.get(reverse("projects:proposal_list")).content.decode()

    assert "Joined project" in page
    assert "Somebody else" not in page
    # Both people on the team are counted, not only the one looking.
    assert 'govuk-table__cell--numeric">2</td>' in page


def test_proposal_list_counts_neither_unanswered_invitations_nor_lists_their_projects(client):
    member = accredited_researcher()
    joined = ProposalFactory(title="Joined project")
    TeamMemberFactory(proposal=joined, user=member)
    invitee = accredited_researcher()
    TeamMemberFactory(proposal=joined, user=invitee, accepted_at=None)

    client.force_login(member)
    page = client.get(reverse("projects:proposal_list")).content.decode()
    assert 'govuk-table__cell--numeric">2</td>' in page
    assert 'govuk-table__cell--numeric">3</td>' not in page

    # The invitee is offered the invitation, and has no projects of their own yet.
    client.force_login(invitee)
    page = client.get(reverse("projects:proposal_list")).content.decode()
    assert "Invitations to join a team" in page
    assert "You have no project proposals yet." in page


def test_proposal_detail_leads_the_secretariat_to_screening(client):
    proposal = proposal_at(Proposal.State.SUBMITTED)
    client.force_login(UserFactory(roles=[Role.SECRETARIAT], totp=True))

    page = client.get(detail_url(proposal)).content.decode()

    assert reverse("projects:screen", kwargs={"pk": proposal.pk}) in page
    assert "Screen the proposal" in page


def test_proposal_detail_offers_the_coordinator_to_start_an_approved_project(
    signed_in, coordinator
):
    proposal = proposal_at(
        Proposal.State.APPROVED_WITH_CONDITIONS,
        coordinator=coordinator,
        rationale="A sound design.",
    )

    page = signed_in.get(detail_url(proposal)).content.decode()

    assert reverse("projects:activate", kwargs={"pk": proposal.pk}) in page
    assert "Publish the code." in page
    assert "Approved with conditions" in page


def test_proposal_ethics_unanswered_question_named_in_the_error(signed_in, proposal):
    data = {key: value for key, value in ETHICS_POST.items() if not key.startswith("public_good")}

    response = signed_in.post(section_url(proposal, "ethics"), data)

    assert response.status_code == 200
    assert "Select yes, no or partly for public good" in response.content.decode()

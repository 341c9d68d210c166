import pytest
from django.urls import reverse

from audit.models import AuditEvent
from audit.personal import events_open
from identity.roles import Role
from outputs.models import Publication, PublicationWaiver
from outputs.publication.services import publication_record, waiver_record
from projects.lifecycle.services import project_close
from projects.models import Proposal
from tests.factories import UserFactory
from tests.outputs.states import (
    approved_request,
    current_files,
    publish_all,
    released_request,
)
from tests.projects.factories import accredited_researcher
from tests.projects.states import proposal_at
from tests.refusals import refusal_shown
from workflow.errors import TransitionRefused

pytestmark = pytest.mark.django_db
SENTENCE = "Every released output must be published, or the secretariat must record a waiver."


def test_project_close_refused_with_the_sentence_while_released_outputs_are_unpublished():
    output_request = released_request()
    project = output_request.project

    with pytest.raises(TransitionRefused) as refused:
        project_close(project=project, by=project.coordinator)

    assert refused.value.reasons == [SENTENCE]


def test_close_page_shows_the_sentence_while_released_outputs_are_unpublished(client):
    output_request = released_request()
    client.force_login(output_request.project.coordinator)

    response = client.get(reverse("projects:close", kwargs={"pk": output_request.project.pk}))

    assert SENTENCE in response.content.decode()


def test_project_close_allowed_once_every_released_output_is_published():
    output_request = released_request()
    project = output_request.project
    publish_all(output_request, project.coordinator)

    project = project_close(project=project, by=project.coordinator)

    assert project.state == Proposal.State.CLOSED


def test_project_close_allowed_once_the_secretariat_waives_publication():
    output_request = released_request()
    project = output_request.project
    waiver_record(
        project=project,
        reasons="The journal's embargo runs past the end date.",
        by=UserFactory(roles=[Role.SECRETARIAT], totp=True),
    )

    project = project_close(project=project, by=project.coordinator)

    assert project.state == Proposal.State.CLOSED


def test_project_close_not_held_by_approved_outputs_not_yet_released():
    output_request = approved_request()
    project = output_request.project

    project = project_close(project=project, by=project.coordinator)

    assert project.state == Proposal.State.CLOSED


def test_publication_page_records_a_citation_and_doi_and_audits_it(client):
    member = accredited_researcher()
    output_request = released_request(team=[member])
    table = current_files(output_request)[1]
    client.force_login(member)

    response = client.post(
        reverse("outputs:publication", kwargs={"file_pk": table.pk}),
        {"citation": "Smith J (2027) Earnings by region.", "doi": "https://doi.org/10.1234/ab.5"},
    )

    assert response.status_code == 302
    publication = Publication.objects.get(file=table)
    assert publication.doi == "10.1234/ab.5"
    assert publication.recorded_by == member
    event = AuditEvent.objects.get(action="output.publication_recorded")
    assert event.actor == member
    assert event.object_id == str(table.pk)


def test_publication_page_needs_a_citation_and_a_doi_or_url(client):
    output_request = released_request()
    table = current_files(output_request)[0]
    client.force_login(output_request.project.coordinator)

    response = client.post(
        reverse("outputs:publication", kwargs={"file_pk": table.pk}),
        {"citation": "", "doi": "", "url": ""},
    )
    no_link = client.post(
        reverse("outputs:publication", kwargs={"file_pk": table.pk}),
        {"citation": "Smith J (2027).", "doi": "", "url": ""},
    )

    assert response.status_code == 200
    assert "Enter the citation" in response.content.decode()
    assert "Enter a DOI or a web address" in no_link.content.decode()
    assert "Smith J (2027)." in no_link.content.decode()
    assert not Publication.objects.exists()


def test_publication_page_refuses_a_doi_in_the_wrong_format(client):
    output_request = released_request()
    table = current_files(output_request)[0]
    client.force_login(output_request.project.coordinator)

    response = client.post(
        reverse("outputs:publication", kwargs={"file_pk": table.pk}),
        {"citation": "Smith J (2027).", "doi": "11.12/x"},
    )

    assert response.status_code == 200
    assert "Enter a DOI in the correct format" in response.content.decode()
    assert not Publication.objects.exists()


def test_publication_page_is_404_outside_the_project_and_before_release(client):
    released = released_request()
    approved = approved_request()
    client.force_login(accredited_researcher())
    outsider = client.get(
        reverse("outputs:publication", kwargs={"file_pk": current_files(released)[0].pk})
    )
    client.force_login(approved.project.coordinator)
    early = client.get(
        reverse("outputs:publication", kwargs={"file_pk": current_files(approved)[0].pk})
    )

    assert outsider.status_code == 404
    assert early.status_code == 404


def test_waiver_page_records_the_reasons_and_audits_them(client):
    output_request = released_request()
    project = output_request.project
    secretariat = UserFactory(roles=[Role.SECRETARIAT], totp=True)
    client.force_login(secretariat)

    empty = client.post(reverse("outputs:waiver", kwargs={"project_pk": project.pk}), {})
    response = client.post(
        reverse("outputs:waiver", kwargs={"project_pk": project.pk}),
        {"reasons": "The results were folded into a later project's paper."},
    )

    assert empty.status_code == 200
    assert "Enter the reasons for the waiver" in empty.content.decode()
    assert response.status_code == 302
    waiver = PublicationWaiver.objects.get(project=project)
    assert waiver.recorded_by == secretariat
    (event,) = events_open([AuditEvent.objects.get(action="project.publication_waived")])
    assert event.actor == secretariat
    assert "reasons" not in event.payload
    reasons = event.shown.payload["reasons"]
    assert reasons == "The results were folded into a later project's paper."


def test_waiver_page_refused_to_the_project_team(client):
    output_request = released_request()
    client.force_login(output_request.project.coordinator)

    response = client.post(
        reverse("outputs:waiver", kwargs={"project_pk": output_request.project.pk}),
        {"reasons": "Please."},
    )

    assert refusal_shown(response) == (
        "Only the secretariat, and none of the project's own members, can waive publication."
    )
    assert not PublicationWaiver.objects.exists()


def test_project_outputs_page_lists_released_outputs_with_their_publication_status(client):
    output_request = released_request()
    table, figure = current_files(output_request)[1], current_files(output_request)[0]
    publication_record(
        output_file=table,
        citation="Smith J (2027) Earnings by region.",
        url="https://www.example.org/report",
        by=output_request.project.coordinator,
    )
    client.force_login(output_request.project.coordinator)

    response = client.get(
        reverse("outputs:project_outputs", kwargs={"project_pk": output_request.project.pk})
    )

    page = response.content.decode()
    assert "Smith J (2027) Earnings by region." in page
    assert "Not yet published" in page
    assert reverse("outputs:publication", kwargs={"file_pk": figure.pk}) in page
    assert reverse("outputs:released_zip", kwargs={"pk": output_request.pk}) in page


def test_register_shows_published_outputs_and_nothing_else_of_them(client):
    output_request = released_request()
    project = output_request.project
    table = current_files(output_request)[1]
    publication_record(
        output_file=table,
        citation="Smith J (2027) Earnings by region. Journal of Examples 4(2).",
        doi="10.1234/example.5678",
        url="https://www.example.org/report",
        by=project.coordinator,
    )
    proposal_at(Proposal.State.ACTIVE)

    response = client.get(reverse("project_register:list"))

    page = response.content.decode()
    assert "Published outputs" in page
    assert "Earnings by region: table.csv" in page
    assert "Smith J (2027) Earnings by region. Journal of Examples 4(2)." in page
    assert "https://doi.org/10.1234/example.5678" in page
    assert "https://www.example.org/report" in page
    assert "figure.pdf" not in page
    assert reverse("outputs:released_file", kwargs={"file_pk": table.pk}) not in page
    assert page.count("Published outputs") == 1


@pytest.mark.parametrize("projects", [1, 3])
def test_register_reads_published_outputs_in_one_query_however_many_it_shows(
    client, projects, django_assert_max_num_queries
):
    for _ in range(projects):
        output_request = released_request()
        publish_all(output_request, by=output_request.project.coordinator)

    # The projects, their datasets, the datasets' acts, their team and their published outputs.
    with django_assert_max_num_queries(5):
        response = client.get(reverse("project_register:list"))

    assert response.content.decode().count("Published outputs") == projects


def test_register_csv_lists_published_outputs_with_their_doi_or_web_address(client):
    import csv
    import io

    output_request = released_request()
    project = output_request.project
    figure, table = current_files(output_request)[:2]
    publication_record(
        output_file=table,
        citation="Smith J (2027) Earnings by region.",
        doi="10.1234/example.5678",
        url="",
        by=project.coordinator,
    )
    publication_record(
        output_file=figure,
        citation="Smith J (2027) Blog post.",
        doi="",
        url="https://www.example.org/post",
        by=project.coordinator,
    )

    response = client.get(reverse("project_register:csv"))

    header, *rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    published = rows[0][header.index("Published outputs")]
    assert published == (
        "Smith J (2027) Earnings by region. (https://doi.org/10.1234/example.5678); "
        "Smith J (2027) Blog post. (https://www.example.org/post)"
    )

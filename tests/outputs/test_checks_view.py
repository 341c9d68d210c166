import hashlib

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from identity.roles import Role
from outputs.models import FileGroup, OutputFile, OutputRequest, OutputType
from outputs.request.services import output_request_submit
from outputs.tasks import run_checks
from projects.models import TeamMember
from tests.factories import UserFactory
from tests.outputs.factories import OutputRequestFactory

pytestmark = pytest.mark.django_db

TABLE = b"region,men,women\nNorth,12,4\nSouth,25,30\n"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def checked_file(*, state=OutputRequest.State.SUBMITTED, content=TABLE):
    group = FileGroup.objects.create(
        request=OutputRequestFactory(),
        name="Tables",
        context="Tables for the paper.",
        disclosure_controls="Cells under 10 suppressed.",
    )
    digest = hashlib.sha256(content).hexdigest()
    row = OutputFile(
        group=group,
        name="by-region.csv",
        output_type=OutputType.FREQUENCY_TABLE,
        sha256=digest,
        size=len(content),
        content_type="text/csv",
        uploaded_by=group.request.author,
    )
    row.file.save(digest, ContentFile(content), save=False)
    row.save()
    run_checks(row.pk)
    if state == OutputRequest.State.SUBMITTED:
        output_request_submit(output_request=group.request, by=group.request.author)
    return row


def checker():
    return UserFactory(roles=[Role.OUTPUT_CHECKER], totp=True)


def test_file_checks_highlights_flagged_cell_for_checker(client):
    output_file = checked_file()
    client.force_login(checker())

    response = client.get(reverse("outputs:file_checks", kwargs={"file_pk": output_file.pk}))

    assert response.status_code == 200
    body = response.content.decode()
    assert "1 count is below 10 or zero in the table." in body
    assert body.count("app-flagged-cell") == 1
    [(sheet_name, table)] = response.context["table"]
    assert sheet_name == ""
    assert table[1][2] == (4, True)
    assert table[1][1] == (12, False)


def test_file_checks_shown_to_author_of_draft(client):
    output_file = checked_file(state=OutputRequest.State.DRAFT)
    client.force_login(output_file.group.request.author)

    response = client.get(reverse("outputs:file_checks", kwargs={"file_pk": output_file.pk}))

    assert response.status_code == 200


def test_file_checks_hidden_from_checker_while_draft(client):
    output_file = checked_file(state=OutputRequest.State.DRAFT)
    client.force_login(checker())

    response = client.get(reverse("outputs:file_checks", kwargs={"file_pk": output_file.pk}))

    assert response.status_code == 404


def test_file_checks_hidden_from_other_researcher(client):
    output_file = checked_file()
    client.force_login(UserFactory())

    response = client.get(reverse("outputs:file_checks", kwargs={"file_pk": output_file.pk}))

    assert response.status_code == 404


def test_file_checks_hidden_from_checker_on_project(client):
    output_file = checked_file()
    coordinator = output_file.group.request.project.coordinator
    other = checker()
    TeamMember.objects.create(
        proposal=output_file.group.request.project,
        user=other,
        email=other.email,
        role="member",
        invited_by=coordinator,
        accepted_at=output_file.uploaded_at,
    )
    client.force_login(other)

    response = client.get(reverse("outputs:file_checks", kwargs={"file_pk": output_file.pk}))

    assert response.status_code == 404


def test_file_checks_of_unreadable_file_shows_results_only(client):
    output_file = checked_file(content=b"\xff\xfe\x00binary")
    client.force_login(checker())

    response = client.get(reverse("outputs:file_checks", kwargs={"file_pk": output_file.pk}))

    assert response.status_code == 200
    assert response.context["table"] is None
    assert "needs checking by eye" in response.content.decode()


def test_file_checks_highlights_flagged_cell_of_spreadsheet(client):
    import io

    from openpyxl import Workbook

    workbook = Workbook()
    for row in (["age", "count"], ["16-24", 12], ["25-34", 0]):
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    output_file = checked_file(content=buffer.getvalue())
    OutputFile.objects.filter(pk=output_file.pk).update(
        name="ages.xlsx",
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    client.force_login(checker())

    response = client.get(reverse("outputs:file_checks", kwargs={"file_pk": output_file.pk}))

    [(sheet_name, table)] = response.context["table"]
    assert sheet_name == "Sheet"
    assert table[2][1] == (0, True)
    assert response.content.decode().count("app-flagged-cell") == 1

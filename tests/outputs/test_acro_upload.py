import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from outputs.models import FileGroup, OutputFile
from outputs.request.services import output_request_submit
from tests.factories import UserFactory
from tests.outputs.acro_zips import acro_bomb, acro_zip, results
from tests.outputs.factories import OutputRequestFactory
from tests.outputs.states import output_file_add

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def group():
    return FileGroup.objects.create(
        request=OutputRequestFactory(),
        name="Tables",
        context="Tables for the paper.",
        disclosure_controls="Cells under 10 suppressed.",
    )


def url(group):
    return reverse("outputs:acro_upload", kwargs={"pk": group.request.pk, "group_pk": group.pk})


def upload(buffer):
    return SimpleUploadedFile("outputs.zip", buffer.getvalue(), content_type="application/zip")


def test_acro_upload_adds_files_with_acro_status(client, group):
    client.force_login(group.request.author)

    response = client.post(url(group), {"zip_file": upload(acro_zip("1.0.0"))})

    assert response.status_code == 302
    assert response["Location"] == reverse(
        "outputs:output_request_detail", kwargs={"pk": group.request.pk}
    )
    assert list(group.files.order_by("pk").values_list("acro_uid", "acro_status")) == [
        ("output_0", "fail"),
        ("output_1", "pass"),
    ]


def test_acro_upload_leaves_out_the_session_summary_and_says_so(client, group):
    client.force_login(group.request.author)

    response = client.post(url(group), {"zip_file": upload(acro_zip("1.0.0"))}, follow=True)

    assert not group.files.filter(name__startswith="DO_NOT_RELEASE").exists()
    assert "2 files from the ACRO folder were added" in response.content.decode()
    assert "session summary was left out" in response.content.decode()


def test_acro_upload_tampered_zip_shows_error(client, group):
    client.force_login(group.request.author)

    response = client.post(url(group), {"zip_file": upload(acro_zip(tamper="output_0_0.csv"))})

    assert response.status_code == 200
    assert "output_0_0.csv does not match its checksum" in response.content.decode()
    assert "govuk-error-summary" in response.content.decode()
    assert not OutputFile.objects.exists()


def test_acro_upload_malformed_json_shows_error(client, group):
    client.force_login(group.request.author)

    response = client.post(url(group), {"zip_file": upload(acro_zip(raw_results=b"{"))})

    assert response.status_code == 200
    assert "not valid JSON" in response.content.decode()


def test_acro_upload_too_large_shows_error(client, group, settings):
    settings.ACRO_ZIP_MAX_BYTES = 10
    client.force_login(group.request.author)

    response = client.post(url(group), {"zip_file": upload(acro_zip())})

    assert response.status_code == 200
    assert "must be smaller than" in response.content.decode()


def test_acro_upload_of_a_zip_bomb_shows_error_and_keeps_nothing(client, group, settings):
    settings.OUTPUT_FILE_MAX_BYTES = 1024 * 1024
    client.force_login(group.request.author)

    response = client.post(
        url(group), {"zip_file": upload(acro_bomb(32 * 1024 * 1024, outputs=10))}
    )

    assert response.status_code == 200
    assert "govuk-error-summary" in response.text
    assert (
        "“outputs/big.csv” in the ACRO folder is 32.0 MB once unpacked, and at most 1.0 MB is "
        "accepted, so the folder was refused."
    ) in response.text
    assert not OutputFile.objects.exists()


def test_acro_upload_of_results_nested_200000_deep_shows_error(client, group):
    client.force_login(group.request.author)
    nested = b"[" * 200_000 + b"]" * 200_000
    raw = b'{"version": "0.4.11", "results": {"output_0": {"summary": ' + nested + b"}}}"

    response = client.post(url(group), {"zip_file": upload(acro_zip(raw_results=raw))})

    assert response.status_code == 200
    assert "govuk-error-summary" in response.text
    assert (
        "The ACRO results.json is nested far more deeply than ACRO writes it, so the folder "
        "could not be read."
    ) in response.text
    assert not OutputFile.objects.exists()


@pytest.mark.parametrize(
    "cells",
    [
        [["North", "women"]],
        [[1]],
        [[1, 2, 3]],
        [{"row": 1}],
        [[[1], [2]]],
        [[True, 1]],
        [[1.5, 2]],
        [[-1, 2]],
        [[10**40, 2]],
        "all of them",
    ],
)
def test_acro_upload_with_flagged_cells_not_pairs_of_numbers_shows_error(client, group, cells):
    data = results()
    data["results"]["output_0"]["outcome"] = {}
    data["results"]["output_0"]["files"][0]["sdc"]["cells"] = {"threshold": cells}
    client.force_login(group.request.author)

    response = client.post(url(group), {"zip_file": upload(acro_zip(data=data))})

    assert response.status_code == 200
    assert (
        "The ACRO result “output_0” lists flagged cells that are not pairs of row and column "
        "numbers, so the folder could not be read."
    ) in response.text
    assert not OutputFile.objects.exists()


def test_acro_upload_with_text_no_database_keeps_shows_error(client, group):
    data = results()
    data["results"]["output_0"]["comments"] = ["Counts by region \ud800"]
    client.force_login(group.request.author)

    response = client.post(url(group), {"zip_file": upload(acro_zip(data=data))})

    assert response.status_code == 200
    assert "holds characters that are not text" in response.text
    assert not OutputFile.objects.exists()


def test_acro_upload_with_a_uid_longer_than_kept_shows_error(client, group):
    data = results()
    data["results"]["output_0"]["uid"] = "x" * 201
    client.force_login(group.request.author)

    response = client.post(url(group), {"zip_file": upload(acro_zip(data=data))})

    assert response.status_code == 200
    assert "has an id longer than 200 characters" in response.text
    assert not OutputFile.objects.exists()


def test_acro_upload_with_a_number_too_long_to_read_shows_error(client, group):
    raw = b'{"version": "0.4.11", "results": {}, "n": ' + b"9" * 5000 + b"}"
    client.force_login(group.request.author)

    response = client.post(url(group), {"zip_file": upload(acro_zip(raw_results=raw))})

    assert response.status_code == 200
    assert "The ACRO results.json is not valid JSON" in response.text
    assert not OutputFile.objects.exists()


def test_acro_upload_without_file_shows_error(client, group):
    client.force_login(group.request.author)

    response = client.post(url(group), {})

    assert response.status_code == 200
    assert "Select a zip file" in response.content.decode()


def test_acro_upload_hidden_from_other_researcher(client, group):
    client.force_login(UserFactory())

    assert client.get(url(group)).status_code == 404


def test_acro_upload_refused_once_submitted(client, group):
    output_file_add(group)
    output_request_submit(output_request=group.request, by=group.request.author)
    client.force_login(group.request.author)

    assert client.get(url(group)).status_code == 403

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from outputs.models import FileGroup, OutputFile, OutputRequest
from tests.factories import UserFactory
from tests.outputs.acro_zips import acro_bomb, acro_zip
from tests.outputs.factories import OutputRequestFactory

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
        "outputs:request_detail", kwargs={"pk": group.request.pk}
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


def test_acro_upload_without_file_shows_error(client, group):
    client.force_login(group.request.author)

    response = client.post(url(group), {})

    assert response.status_code == 200
    assert "Select a zip file" in response.content.decode()


def test_acro_upload_hidden_from_other_researcher(client, group):
    client.force_login(UserFactory())

    assert client.get(url(group)).status_code == 404


def test_acro_upload_refused_once_submitted(client, group):
    OutputRequest.objects.filter(pk=group.request.pk).update(state=OutputRequest.State.SUBMITTED)
    client.force_login(group.request.author)

    assert client.get(url(group)).status_code == 403

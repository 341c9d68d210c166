import hashlib
import io
import zipfile

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from audit.models import AuditEvent
from identity.roles import Role
from outputs.models import Download, FileGroup, OutputFile, OutputRequest
from outputs.release.services import output_request_release, released_zip_build
from tests.factories import UserFactory
from tests.outputs.states import (
    FIGURE,
    TABLE,
    approved_request,
    checker,
    current_files,
    released_request,
)
from tests.projects.factories import accredited_researcher
from tests.refusals import refusal_shown
from workflow.errors import TransitionRefused

pytestmark = pytest.mark.django_db
State = OutputRequest.State


def test_request_release_by_an_independent_checker_releases_and_tells_the_members(
    eager_celery, mailoutbox, django_capture_on_commit_callbacks
):
    member = accredited_researcher()
    output_request = approved_request(team=[member])
    by = checker()

    with django_capture_on_commit_callbacks(execute=True):
        output_request = output_request_release(output_request=output_request, by=by)

    assert output_request.state == State.RELEASED
    assert output_request.released_at is not None
    event = AuditEvent.objects.get(action="output_request.release")
    assert event.actor == by
    assert sorted(message.to[0] for message in mailoutbox) == sorted(
        [output_request.project.coordinator.email, member.email]
    )
    assert "has been released" in mailoutbox[0].body


def test_request_release_refused_for_a_checker_on_the_project():
    member_checker = UserFactory(roles=[Role.RESEARCHER, Role.OUTPUT_CHECKER], totp=True)
    output_request = approved_request(team=[member_checker])

    with pytest.raises(PermissionDenied) as refused:
        output_request_release(output_request=output_request, by=member_checker)

    assert str(refused.value) == (
        "“Release” on this output request is for an output checker who is not a member of the "
        "project."
    )

    output_request.refresh_from_db()
    assert output_request.state == State.APPROVED


def test_request_release_refused_before_approval():
    output_request = approved_request()
    released = output_request_release(output_request=output_request, by=checker())

    with pytest.raises(TransitionRefused):
        output_request_release(output_request=released, by=checker())


def test_release_page_releases_for_an_independent_checker(client):
    output_request = approved_request()
    client.force_login(checker())

    page = client.get(reverse("outputs:release", kwargs={"pk": output_request.pk}))
    response = client.post(reverse("outputs:release", kwargs={"pk": output_request.pk}))

    assert "Release outputs" in page.content.decode()
    assert response.status_code == 302
    output_request.refresh_from_db()
    assert output_request.state == State.RELEASED


def test_release_page_refuses_a_checker_on_the_project(client):
    member_checker = UserFactory(roles=[Role.RESEARCHER, Role.OUTPUT_CHECKER], totp=True)
    output_request = approved_request(team=[member_checker])
    client.force_login(member_checker)

    response = client.post(reverse("outputs:release", kwargs={"pk": output_request.pk}))

    assert refusal_shown(response) == (
        "Only an output checker who is not a member of the project can release its outputs."
    )
    output_request.refresh_from_db()
    assert output_request.state == State.APPROVED


def test_released_file_download_by_a_member_is_audited(client):
    member = accredited_researcher()
    output_request = released_request(team=[member])
    table = next(f for f in current_files(output_request) if f.name == "table.csv")
    client.force_login(member)

    response = client.get(reverse("outputs:released_file", kwargs={"file_pk": table.pk}))

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == TABLE
    assert response["X-Content-Type-Options"] == "nosniff"
    event = AuditEvent.objects.get(action="output.downloaded")
    assert event.actor == member
    assert event.payload == {"file_ids": [table.pk], "zip": False}
    download = Download.objects.get()
    assert (download.file, download.user, download.as_zip) == (table, member, False)


def test_released_zip_holds_the_current_files_and_a_manifest_of_their_sha256(client):
    output_request = released_request()
    files = current_files(output_request)
    client.force_login(output_request.project.coordinator)

    response = client.get(reverse("outputs:released_zip", kwargs={"pk": output_request.pk}))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    assert sorted(archive.namelist()) == [
        "Figures/figure.pdf",
        "MANIFEST.txt",
        "Tables/table.csv",
        "release-record.json",
        "release-record.jws",
    ]
    assert archive.read("Tables/table.csv") == TABLE
    assert archive.read("Figures/figure.pdf") == FIGURE
    manifest = archive.read("MANIFEST.txt").decode().splitlines()
    rows = manifest[manifest.index("name\tbytes\tsha256") + 1 :]
    listed = {name: (int(size), digest) for name, size, digest in (r.split("\t") for r in rows)}
    assert listed == {
        "Tables/table.csv": (len(TABLE), hashlib.sha256(TABLE).hexdigest()),
        "Figures/figure.pdf": (len(FIGURE), hashlib.sha256(FIGURE).hexdigest()),
    }
    event = AuditEvent.objects.get(action="output.downloaded")
    assert sorted(event.payload["file_ids"]) == sorted(f.pk for f in files)
    assert event.payload["zip"] is True
    assert Download.objects.filter(as_zip=True).count() == 2


def test_released_downloads_are_404_to_someone_outside_the_project(client):
    output_request = released_request()
    table = current_files(output_request)[0]
    client.force_login(accredited_researcher())

    file_response = client.get(reverse("outputs:released_file", kwargs={"file_pk": table.pk}))
    zip_response = client.get(reverse("outputs:released_zip", kwargs={"pk": output_request.pk}))

    assert file_response.status_code == 404
    assert zip_response.status_code == 404
    assert not AuditEvent.objects.filter(action="output.downloaded").exists()


def test_released_downloads_are_404_before_release(client):
    output_request = approved_request()
    table = current_files(output_request)[0]
    client.force_login(output_request.project.coordinator)

    file_response = client.get(reverse("outputs:released_file", kwargs={"file_pk": table.pk}))
    zip_response = client.get(reverse("outputs:released_zip", kwargs={"pk": output_request.pk}))

    assert file_response.status_code == 404
    assert zip_response.status_code == 404


def test_released_file_replaced_before_release_is_never_served(client):
    output_request = released_request()
    replaced = output_request.groups.get(name="Tables").files.exclude(replaced_at=None).get()
    client.force_login(output_request.project.coordinator)

    response = client.get(reverse("outputs:released_file", kwargs={"file_pk": replaced.pk}))

    assert response.status_code == 404


@pytest.mark.parametrize(
    ("group_name", "file_name"),
    [
        ("..", "table.csv"),
        (".", "table.csv"),
        ("../..", "table.csv"),
        ("..\\..\\Windows", "table.csv"),
        ("\uff0e\uff0e", "table.csv"),
        ("Tables\r\n", "../../table.csv"),
        ("Tables", ".."),
    ],
)
def test_released_zip_names_never_leave_its_folder_whatever_a_group_was_stored_as(
    group_name, file_name
):
    # Stored before group names were checked, or by a path that skips the check.
    output_request = released_request()
    FileGroup.objects.filter(request=output_request, name="Tables").update(name=group_name)
    OutputFile.objects.filter(group__request=output_request, name="table.csv").update(
        name=file_name
    )
    files = current_files(output_request)

    with released_zip_build(output_request=output_request, files=files) as handle:
        names = zipfile.ZipFile(handle).namelist()

    assert len(names) == len(files) + 1  # and MANIFEST.txt
    for name in names:
        parts = name.split("/")
        assert len(parts) <= 2, name
        assert all(part.strip(" .") and part not in {".", ".."} for part in parts), name
        assert "\\" not in name and not any(ord(c) < 32 for c in name), name

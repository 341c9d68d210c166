"""The journeys' files kept in an S3-compatible bucket (moto's server, a real S3 API over HTTP),
as they are when AWS_STORAGE_BUCKET_NAME is set: stored there and nowhere on this machine's disk,
read back from there by the checks, the zip builder and the downloads, and private to the
people a download's permission check lets through."""

import hashlib
import io
import os
import subprocess
import sys
import urllib.error
import urllib.request
import zipfile

import pytest
from django.conf import settings
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from audit.models import AuditEvent
from documents.signing import verify_pdf
from identity.roles import Role
from outputs.models import CheckResult, FileGroup, OutputFile, OutputType
from outputs.release.services import output_request_release
from outputs.request.services import file_add
from reports.models import ReportExport
from reports.services import report_export_render, report_export_request
from researchers.declaration.models import DeclarationVersion
from researchers.models import Qualification
from tests.conftest import s3_storage_options
from tests.factories import UserFactory
from tests.outputs.acro_zips import acro_zip
from tests.outputs.factories import FileGroupFactory, OutputRequestFactory
from tests.outputs.states import FIGURE, TABLE, approved_request, checker
from tests.projects.factories import accredited_researcher
from tests.researchers.profile_factories import PDF_BYTES, QualificationFactory
from tests.researchers.states import declaration_signed

pytestmark = pytest.mark.django_db

# A frequency table with one count under the threshold of 10: North's women.
SMALL_COUNT_TABLE = b"region,men,women\nNorth,12,4\nSouth,25,30\n"


def body(response):
    data = b"".join(response.streaming_content)
    # Closing the response itself would end the test's database connection with the request.
    if getattr(response, "file_to_stream", None) is not None:
        response.file_to_stream.close()
    return data


def refused_to_anyone_unsigned(key):
    """Whether the object store refuses ``key`` to a request that carries no keys, at the
    address the storage gives for it (which is never signed)."""
    url = default_storage.url(key)
    assert "Signature" not in url
    try:
        urllib.request.urlopen(url, timeout=5).close()  # noqa: S310 - the test server's address
    except urllib.error.HTTPError as error:
        return error.code == 403
    return False


def _run_with_settings(environment, code, tmp_path):
    """Run ``code`` in a fresh process whose settings read ``environment``, as a web or worker
    node started with those variables would; return what it printed."""
    variables = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("AWS_", "DATABASE_URL", "REDIS_URL", "DJANGO_ENV"))
    }
    variables.update(environment, VAR_DIR=str(tmp_path / "var"))
    finished = subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        env=variables,
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    return finished


def test_settings_with_a_bucket_named_keep_files_in_it_and_off_the_disk(
    object_storage, s3_server, tmp_path
):
    options = s3_storage_options(s3_server, object_storage.bucket)
    environment = {
        "AWS_STORAGE_BUCKET_NAME": options["bucket_name"],
        "AWS_S3_ENDPOINT_URL": options["endpoint_url"],
        "AWS_S3_REGION_NAME": options["region_name"],
        "AWS_S3_ADDRESSING_STYLE": "path",
        "AWS_ACCESS_KEY_ID": options["access_key"],
        "AWS_SECRET_ACCESS_KEY": options["secret_key"],
    }

    finished = _run_with_settings(
        environment,
        "from django.core.files.base import ContentFile; "
        "from django.core.files.storage import default_storage as s; "
        "print(s.save('private/check/note.txt', ContentFile(b'kept')))",
        tmp_path,
    )

    assert finished.returncode == 0, finished.stderr
    assert finished.stdout.strip() == "private/check/note.txt"
    assert object_storage.objects() == ["private/check/note.txt"]
    assert object_storage.read("private/check/note.txt") == b"kept"
    assert refused_to_anyone_unsigned("private/check/note.txt")
    assert not (tmp_path / "var" / "media").exists()


def test_settings_refuse_an_addressing_style_s3_does_not_have(tmp_path):
    finished = _run_with_settings(
        {"AWS_STORAGE_BUCKET_NAME": "ars-files", "AWS_S3_ADDRESSING_STYLE": "paths"}, "", tmp_path
    )

    assert finished.returncode != 0
    assert "AWS_S3_ADDRESSING_STYLE must be 'path', 'virtual' or 'auto', not 'paths'." in (
        finished.stderr
    )


def test_evidence_uploaded_goes_to_the_bucket_and_downloads_to_its_researcher_only(
    client, object_storage
):
    researcher = UserFactory(roles=[Role.RESEARCHER], full_name="Amira Khan")
    client.force_login(researcher)

    response = client.post(
        reverse("researchers:qualification_add") + "?kind=degree",
        {
            "level": "bachelor",
            "subject": "Economics with Econometrics",
            "institution": "Cardiff University",
            "classification": "lower_second",
            "quantitative": "yes",
            "evidence": SimpleUploadedFile("degree.pdf", PDF_BYTES),
        },
    )

    assert response.status_code == 302
    qualification = Qualification.objects.get(user=researcher)
    key = qualification.evidence.name
    assert key.startswith("private/researchers/evidence/")
    assert object_storage.objects() == [key]
    assert object_storage.read(key) == PDF_BYTES
    url = reverse("researchers:evidence_download", kwargs={"pk": qualification.pk})
    download = client.get(url)
    assert download.status_code == 200
    assert download["Content-Disposition"] == 'attachment; filename="degree.pdf"'
    assert download["X-Content-Type-Options"] == "nosniff"
    assert download["Cache-Control"] == "private, no-store"
    assert download["Content-Length"] == str(len(PDF_BYTES))
    assert download.streaming
    assert body(download) == PDF_BYTES
    client.force_login(UserFactory(roles=[Role.RESEARCHER]))
    assert client.get(url).status_code == 404
    assert refused_to_anyone_unsigned(key)
    assert object_storage.local_files() == []


def test_download_of_a_file_gone_from_the_bucket_is_not_found(client, object_storage):
    qualification = QualificationFactory(with_evidence=True)
    object_storage.client.delete_object(
        Bucket=object_storage.bucket, Key=qualification.evidence.name
    )
    client.force_login(qualification.user)

    response = client.get(reverse("researchers:evidence_download", kwargs={"pk": qualification.pk}))

    assert response.status_code == 404


def test_output_uploaded_twice_is_kept_once_at_its_content_address_and_checked_from_it(
    client, object_storage, eager_celery, django_capture_on_commit_callbacks
):
    first = FileGroupFactory(request=OutputRequestFactory())
    author = first.request.author
    second = FileGroupFactory(request=first.request)
    client.force_login(author)

    for group, name in ((first, "by-region.csv"), (second, "copy.csv")):
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                reverse("outputs:file_add", kwargs={"pk": group.request_id, "group_pk": group.pk}),
                {
                    "output_type": OutputType.FREQUENCY_TABLE,
                    "file": SimpleUploadedFile(name, SMALL_COUNT_TABLE),
                },
            )
        assert response.status_code == 302

    digest = hashlib.sha256(SMALL_COUNT_TABLE).hexdigest()
    key = f"private/outputs/{digest[:2]}/{digest[2:4]}/{digest}"
    files = list(OutputFile.objects.order_by("pk"))
    assert [f.file.name for f in files] == [key, key]
    assert object_storage.objects() == [key]
    # The checks ran in the worker's task, reading the table back from the bucket.
    for output_file in files:
        threshold = output_file.checks.get(check_name=CheckResult.Check.THRESHOLD)
        assert threshold.outcome == CheckResult.Outcome.FAIL
        assert threshold.flagged_cells == [[1, 2]]
    checks_page = client.get(reverse("outputs:file_checks", kwargs={"file_pk": files[0].pk}))
    assert checks_page.text.count("app-flagged-cell") == 1
    download = client.get(reverse("outputs:file_download", kwargs={"file_pk": files[1].pk}))
    assert download["Content-Disposition"] == 'attachment; filename="copy.csv"'
    assert body(download) == SMALL_COUNT_TABLE
    assert refused_to_anyone_unsigned(key)
    assert object_storage.local_files() == []


def test_output_stored_by_the_service_is_not_written_again_when_it_is_there(object_storage):
    group = FileGroupFactory(request=OutputRequestFactory())
    author = group.request.author
    file_add(
        group=group,
        by=author,
        upload_file=SimpleUploadedFile("a.csv", SMALL_COUNT_TABLE),
        output_type=OutputType.FREQUENCY_TABLE,
    )
    [key] = object_storage.objects()
    written = object_storage.client.head_object(Bucket=object_storage.bucket, Key=key)

    file_add(
        group=group,
        by=author,
        upload_file=SimpleUploadedFile("b.csv", SMALL_COUNT_TABLE),
        output_type=OutputType.FREQUENCY_TABLE,
    )

    again = object_storage.client.head_object(Bucket=object_storage.bucket, Key=key)
    assert object_storage.objects() == [key]
    assert again["LastModified"] == written["LastModified"]
    assert again["ETag"] == written["ETag"]


def test_acro_folder_files_go_to_the_bucket_by_content(client, object_storage):
    group = FileGroup.objects.create(
        request=OutputRequestFactory(),
        name="Tables",
        context="Tables for the paper.",
        disclosure_controls="Cells under 10 suppressed.",
    )
    client.force_login(group.request.author)

    response = client.post(
        reverse("outputs:acro_upload", kwargs={"pk": group.request.pk, "group_pk": group.pk}),
        {"zip_file": SimpleUploadedFile("outputs.zip", acro_zip("1.0.0").getvalue())},
    )

    assert response.status_code == 302
    files = list(group.files.order_by("pk"))
    assert len(files) == 2
    assert object_storage.objects() == sorted(f.file.name for f in files)
    for output_file in files:
        assert hashlib.sha256(object_storage.read(output_file.file.name)).hexdigest() == (
            output_file.sha256
        )
    assert object_storage.local_files() == []


def test_released_zip_is_built_from_the_bucket_for_a_project_member_only(client, object_storage):
    member = accredited_researcher()
    output_request = approved_request(team=[member])
    output_request = output_request_release(output_request=output_request, by=checker())
    # The table, the figure and the replaced table that is never released.
    assert len(object_storage.objects()) == 3
    client.force_login(member)

    response = client.get(reverse("outputs:released_zip", kwargs={"pk": output_request.pk}))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(body(response)))
    assert sorted(archive.namelist()) == [
        "Figures/figure.pdf",
        "MANIFEST.txt",
        "Tables/table.csv",
        "release-record.json",
        "release-record.jws",
    ]
    assert archive.read("Tables/table.csv") == TABLE
    assert archive.read("Figures/figure.pdf") == FIGURE
    assert f"Tables/table.csv\t{len(TABLE)}\t{hashlib.sha256(TABLE).hexdigest()}" in (
        archive.read("MANIFEST.txt").decode()
    )
    table = OutputFile.objects.get(
        group__request=output_request, name="table.csv", replaced_at=None
    )
    single = client.get(reverse("outputs:released_file", kwargs={"file_pk": table.pk}))
    assert body(single) == TABLE
    client.force_login(accredited_researcher())
    assert (
        client.get(reverse("outputs:released_zip", kwargs={"pk": output_request.pk})).status_code
        == 404
    )
    assert object_storage.local_files() == []


def test_declaration_rendered_signed_and_kept_in_the_bucket_downloads_intact(
    client, object_storage
):
    researcher = UserFactory(roles=[Role.RESEARCHER], full_name="Amara Okafor")
    # The first version is loaded by a migration, which a transactional test run earlier empties.
    DeclarationVersion.objects.current() or DeclarationVersion.objects.create(
        number=1, text="I will keep the data confidential."
    )

    declaration = declaration_signed(researcher)

    key = declaration.pdf.name
    assert key.startswith("private/declarations/")
    assert object_storage.objects() == [key]
    stored = object_storage.read(key)
    assert hashlib.sha256(stored).hexdigest() == declaration.sha256
    client.force_login(researcher)
    response = client.get(
        reverse("researchers:declaration_download", kwargs={"pk": declaration.pk})
    )
    assert response.status_code == 200
    downloaded = body(response)
    assert downloaded == stored
    assert verify_pdf(downloaded).valid
    client.force_login(UserFactory(roles=[Role.RESEARCHER]))
    assert (
        client.get(
            reverse("researchers:declaration_download", kwargs={"pk": declaration.pk})
        ).status_code
        == 404
    )
    assert refused_to_anyone_unsigned(key)
    assert object_storage.local_files() == []


def test_report_pdf_kept_in_the_bucket_downloads_to_the_secretariat_only(client, object_storage):
    secretariat = UserFactory(roles=[Role.SECRETARIAT], totp=True)
    export = report_export_request(
        filters={"date_from": "2026-01-01", "date_to": "2026-03-31", "organisation": None},
        by=secretariat,
    )

    export = report_export_render(export=export)

    assert export.state == ReportExport.State.READY
    key = export.file.name
    assert key.startswith("private/reports/")
    assert object_storage.objects() == [key]
    client.force_login(secretariat)
    response = client.get(reverse("reports:export_download", kwargs={"pk": export.pk}))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    pdf = body(response)
    assert pdf.startswith(b"%PDF-")
    assert pdf == object_storage.read(key)
    assert AuditEvent.objects.filter(action="report.pdf_downloaded").count() == 1
    client.force_login(UserFactory(roles=[Role.OUTPUT_CHECKER], totp=True))
    assert (
        client.get(reverse("reports:export_download", kwargs={"pk": export.pk})).status_code == 403
    )
    assert object_storage.local_files() == []

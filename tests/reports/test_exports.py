import csv
import io
import json
import re
import tracemalloc
import zlib

import pytest
import time_machine
from django.db import connection
from django.http import StreamingHttpResponse
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from audit.models import AuditEvent
from identity.roles import Role
from outputs.models import OutputRequest
from reports.models import ReportExport
from reports.rows import HEADER, report_rows
from reports.services import report_export_fail, report_export_request
from reports.tasks import report_export_render_task
from tests.factories import UserFactory
from tests.projects.states import proposal_at
from tests.reports.fixtures import DATE_FROM, DATE_TO, at, report_world
from tests.reports.helpers import export_ready

pytestmark = pytest.mark.django_db

APRIL_TO_MAY = {
    "date_from_day": "1",
    "date_from_month": "4",
    "date_from_year": "2026",
    "date_to_day": "31",
    "date_to_month": "5",
    "date_to_year": "2026",
}
FILTERS = {"date_from": "2026-04-01", "date_to": "2026-05-31", "organisation": None}


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel("2026-06-15 10:00", tick=False):
        yield


@pytest.fixture
def world():
    return report_world()


@pytest.fixture
def secretariat_client(client, world):
    client.force_login(world.secretariat)
    return client


def _csv(response):
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))


# CSV ------------------------------------------------------------------------------------------


def test_report_csv_has_a_row_per_record_with_its_stage_times(secretariat_client, world):
    response = secretariat_client.get(reverse("reports:report_csv"), APRIL_TO_MAY)

    assert isinstance(response, StreamingHttpResponse)
    assert response["Content-Disposition"] == (
        'attachment; filename="accreditation-report-2026-04-01-to-2026-05-31.csv"'
    )
    rows = _csv(response)
    assert rows[0] == HEADER
    kinds = [row[0] for row in rows[1:]]
    assert kinds.count("Accreditation application") == 5
    assert kinds.count("Proposal") == 3
    assert kinds.count("Output request") == 4
    panel = next(
        row for row in rows[1:] if row[1] == str(world.proposals[0].pk) and row[0] == "Proposal"
    )
    by_column = dict(zip(HEADER, panel, strict=True))
    assert by_column["organisation"] == "Northern University"
    assert by_column["month"] == "2026-04"
    assert by_column["state"] == "Approved"
    assert by_column["days, Proposal: submitted to screening"] == "1.50"
    assert by_column["days, Proposal: panel review to decision"] == "10.00"
    assert by_column["days, Application: submitted to decided"] == ""


def test_report_csv_download_is_audited_with_its_filters(secretariat_client, world):
    secretariat_client.get(reverse("reports:report_csv"), APRIL_TO_MAY)

    event = AuditEvent.objects.get(action="report.csv_exported")
    assert event.actor == world.secretariat
    assert event.payload == {"filters": FILTERS}


def test_report_csv_never_starts_a_cell_with_a_formula(secretariat_client, world):
    world.north.name = "=HYPERLINK(1)"
    world.north.save()

    rows = _csv(secretariat_client.get(reverse("reports:report_csv"), APRIL_TO_MAY))

    assert "'=HYPERLINK(1)" in [row[2] for row in rows]
    assert not any(cell.startswith("=") for row in rows for cell in row)


@pytest.mark.parametrize("hostile", [" =HYPERLINK(1)", "North;=cmd|' /C calc'!A0"])
def test_report_csv_neutralises_a_formula_after_spaces_or_a_separator(
    secretariat_client, world, hostile
):
    world.north.name = hostile
    world.north.save()

    rows = _csv(secretariat_client.get(reverse("reports:report_csv"), APRIL_TO_MAY))

    assert "'" + hostile in [row[2] for row in rows]
    assert hostile not in [cell for row in rows for cell in row]


def test_report_csv_of_thousands_of_rows_streams_in_batches(client, django_assert_max_num_queries):
    project = proposal_at("active")
    author = project.coordinator
    # The rows the report reads of submitted requests, thousands of them, in bulk.
    OutputRequest.objects.bulk_create(
        OutputRequest(
            project=project,
            author=author,
            state=OutputRequest.State.SUBMITTED,
            submitted_at=at(4, 1 + index % 28, 9),
        )
        for index in range(4500)
    )
    client.force_login(UserFactory(roles=[Role.SECRETARIAT], totp=True))

    with CaptureQueriesContext(connection) as before_reading:
        response = client.get(reverse("reports:report_csv"), APRIL_TO_MAY)
    assert isinstance(response, StreamingHttpResponse)
    # Nothing is read from the report's tables until the body is consumed.
    assert not any("outputs_outputrequest" in query["sql"] for query in before_reading)

    # 4,500 rows in three batches of 2,000, each read in one query with its audit moments; one
    # query finds no application and one no proposal.
    with django_assert_max_num_queries(5):
        lines = sum(1 for _ in response.streaming_content)
    assert lines == 4500 + 1


def _submitted_requests(project, count):
    OutputRequest.objects.bulk_create(
        OutputRequest(
            project=project,
            author=project.coordinator,
            state=OutputRequest.State.SUBMITTED,
            submitted_at=at(4, 1 + index % 28, 9),
        )
        for index in range(count)
    )


def _read_rows(batch_size):
    """How many rows the report has, the queries reading them took, and the most memory
    reading them held at once (measured in a second reading, as keeping the queries' text
    takes memory of its own)."""

    def read():
        return sum(
            1 for _ in report_rows(date_from=DATE_FROM, date_to=DATE_TO, batch_size=batch_size)
        )

    with CaptureQueriesContext(connection) as queries:
        rows = read()
    tracemalloc.start()
    try:
        read()
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    return rows, len(queries), peak


def test_report_rows_take_one_query_a_batch_and_the_same_memory_at_any_size():
    project = proposal_at("active")
    # Warm up what the first read loads once (translations, compiled queries).
    _read_rows(500)

    _submitted_requests(project, 1000)
    small_rows, small_queries, small_peak = _read_rows(500)
    _submitted_requests(project, 4000)
    big_rows, big_queries, big_peak = _read_rows(500)

    assert (small_rows, big_rows) == (1000, 5000)
    # One query for the applications and one for the proposals (none of either here), then one
    # for each batch of 500 output requests, and one more that finds the last batch was the end.
    assert small_queries == 2 + 1000 // 500 + 1
    assert big_queries == 2 + 5000 // 500 + 1
    # Five times the rows, one batch in memory at a time either way: read all at once, they
    # would take about five times the memory. Twice leaves room for what the test process's
    # other threads (pytest-xdist's messages) allocate while it is measured.
    assert big_peak <= 2 * small_peak


def test_report_rows_read_one_batch_at_a_time():
    project = proposal_at("active")
    # The rows the report reads of submitted requests, hundreds of them, in bulk.
    OutputRequest.objects.bulk_create(
        OutputRequest(
            project=project,
            author=project.coordinator,
            state=OutputRequest.State.SUBMITTED,
            submitted_at=at(4, 2, 9),
        )
        for _ in range(250)
    )
    rows = report_rows(date_from=DATE_FROM, date_to=DATE_TO, batch_size=100)

    with CaptureQueriesContext(connection) as first:
        next(rows)
    # Applications and proposals (none here), then the first 100 output requests with their
    # audit moments: nothing more is read yet.
    assert len(first) == 3
    assert sum(1 for _ in rows) == 249


# PDF ------------------------------------------------------------------------------------------


def _page_contents(pdf):
    """The decompressed drawing instructions of every stream in the PDF."""
    streams = re.findall(rb"stream\r?\n(.*?)\r?\nendstream", pdf, flags=re.S)
    out = []
    for stream in streams:
        try:
            out.append(zlib.decompress(stream))
        except zlib.error:
            continue
    return b"\n".join(out)


def test_report_pdf_task_renders_the_report_with_its_charts(
    secretariat_client, world, eager_celery, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = secretariat_client.post(reverse("reports:export_list"), APRIL_TO_MAY)

    export = ReportExport.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("reports:export_detail", kwargs={"pk": export.pk})
    assert export.state == ReportExport.State.READY
    assert export.progress == 100
    assert export.filters == FILTERS
    assert export.file.name.startswith("private/reports/")
    with export.file.open("rb") as handle:
        pdf = handle.read()
    assert pdf.startswith(b"%PDF-")
    contents = _page_contents(pdf)
    # Bars filled with the charts' own colours are drawn: the 90th percentile's purple
    # (#4c2c92) and the output requests' and service levels' green (#00703c).
    for colour in (rb"0\.298039 0\.172549 0\.572549", rb"0 0\.439216 0\.235294"):
        assert re.search(colour + rb" rg\n(?:[^\n]*\n){0,6}?[-\d. ]+ re\nf\n", contents)
    actions = list(
        AuditEvent.objects.filter(object_id=str(export.pk)).values_list("action", "actor")
    )
    assert ("report.pdf_requested", world.secretariat.pk) in actions
    assert ("report_export.start", None) in actions
    assert ("report_export.finish", None) in actions


def test_report_pdf_status_page_refreshes_itself_without_inline_script(secretariat_client):
    export = report_export_request(filters=FILTERS, by=UserFactory(roles=[Role.SECRETARIAT]))

    html = secretariat_client.get(reverse("reports:export_detail", kwargs={"pk": export.pk})).text

    assert 'src="/static/reports/export_status.mjs"' in html
    assert "<script>" not in html
    assert f'data-status-url="{reverse("reports:export_status", kwargs={"pk": export.pk})}"' in html
    assert ">Refresh</a>" in html
    assert "Waiting to start" in html
    assert "Download the PDF report" in html  # hidden until ready
    status = json.loads(
        secretariat_client.get(reverse("reports:export_status", kwargs={"pk": export.pk})).content
    )
    assert status == {
        "state": "queued",
        "state_label": "Waiting to start",
        "progress": 0,
        "finished": False,
        "download_url": None,
        "error": "",
    }


def test_report_pdf_download_waits_until_ready(secretariat_client):
    export = report_export_request(filters=FILTERS, by=UserFactory(roles=[Role.SECRETARIAT]))

    response = secretariat_client.get(reverse("reports:export_download", kwargs={"pk": export.pk}))

    assert response.status_code == 404


def test_report_pdf_download_by_another_member_of_the_secretariat_is_audited(
    secretariat_client, world
):
    export = export_ready(by=UserFactory(roles=[Role.SECRETARIAT]), filters=FILTERS)

    response = secretariat_client.get(reverse("reports:export_download", kwargs={"pk": export.pk}))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Cache-Control"] == "private, no-store"
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    event = AuditEvent.objects.get(action="report.pdf_downloaded")
    assert (event.actor, event.object_id) == (world.secretariat, str(export.pk))
    status = secretariat_client.get(reverse("reports:export_status", kwargs={"pk": export.pk}))
    assert status.json()["download_url"] == reverse(
        "reports:export_download", kwargs={"pk": export.pk}
    )


def test_report_pdf_refused_to_an_output_checker(client):
    export = export_ready(by=UserFactory(roles=[Role.SECRETARIAT]))
    client.force_login(UserFactory(roles=[Role.OUTPUT_CHECKER], totp=True))

    for name in ("export_detail", "export_status", "export_download"):
        response = client.get(reverse(f"reports:{name}", kwargs={"pk": export.pk}))
        assert response.status_code == 403
    assert client.post(reverse("reports:export_list"), APRIL_TO_MAY).status_code == 403
    assert not AuditEvent.objects.filter(action="report.pdf_downloaded").exists()


def test_report_pdf_with_bad_filters_shows_the_errors_and_queues_nothing(secretariat_client):
    query = {**APRIL_TO_MAY, "date_to_year": "2025"}

    response = secretariat_client.post(reverse("reports:export_list"), query)

    assert response.status_code == 200
    assert not ReportExport.objects.exists()
    assert "govuk-error-summary" in response.text
    assert "The end date must be the same as or after the start date" in response.text
    assert 'name="date_to_year" type="text" inputmode="numeric" value="2025"' in response.text


def test_report_pdf_task_failing_every_retry_marks_the_export_failed(eager_celery, monkeypatch):
    export = ReportExport.objects.create(
        requested_by=UserFactory(roles=[Role.SECRETARIAT]),
        filters={**FILTERS, "date_from": "not a date"},
    )
    eager_celery.conf.task_eager_propagates = False

    report_export_render_task.delay(str(export.pk))

    export.refresh_from_db()
    assert export.state == ReportExport.State.FAILED
    assert "ValueError" in export.error
    assert AuditEvent.objects.filter(action="report_export.fail", actor=None).exists()


def test_report_export_fail_leaves_a_ready_export_alone():
    export = export_ready(by=UserFactory(roles=[Role.SECRETARIAT]))

    report_export_fail(export=export, reason="late failure")

    export.refresh_from_db()
    assert export.state == ReportExport.State.READY


def test_report_pdf_list_shows_recent_exports(secretariat_client, world):
    export_ready(by=world.secretariat, filters=FILTERS)

    html = secretariat_client.get(reverse("reports:export_list")).text

    assert "2026-04-01 to 2026-05-31" in html
    assert "Ready" in html


def test_report_pdf_without_filters_is_refused_with_the_errors(secretariat_client):
    response = secretariat_client.post(reverse("reports:export_list"), {})

    assert response.status_code == 200
    assert not ReportExport.objects.exists()
    assert "Enter the date the report starts from" in response.text


def test_report_exports_requeue_stale_prepares_only_those_waiting_too_long(eager_celery):
    from reports.tasks import report_exports_requeue_stale

    by = UserFactory(roles=[Role.SECRETARIAT])
    with time_machine.travel("2026-06-15 09:30", tick=False):
        lost = ReportExport.objects.create(requested_by=by, filters=FILTERS)
    just_asked = ReportExport.objects.create(requested_by=by, filters=FILTERS)

    assert report_exports_requeue_stale() == 1

    lost.refresh_from_db()
    just_asked.refresh_from_db()
    assert lost.state == ReportExport.State.READY
    assert just_asked.state == ReportExport.State.QUEUED
    assert report_exports_requeue_stale() == 0


def test_report_exports_requeue_beat_entry_runs_hourly(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["requeue-stale-report-exports"]

    assert entry["task"] == "reports.tasks.report_exports_requeue_stale"
    assert entry["schedule"].minute == {35}

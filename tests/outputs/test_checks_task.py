import hashlib

import pytest
from celery.exceptions import Retry
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile

from audit.models import AuditEvent
from outputs.check.services import acro_import
from outputs.models import CheckResult, FileGroup, OutputFile, OutputType
from outputs.request.services import output_request_submit
from outputs.tasks import MAX_RETRIES, run_checks
from tests.factories import UserFactory
from tests.outputs.acro_zips import TABLE, acro_zip
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


def stored_file(group, content, *, output_type=OutputType.FREQUENCY_TABLE, **fields):
    digest = hashlib.sha256(content).hexdigest()
    row = OutputFile(
        group=group,
        name="table.csv",
        output_type=output_type,
        sha256=digest,
        size=len(content),
        content_type="text/csv",
        uploaded_by=group.request.author,
        **fields,
    )
    row.file.save(digest, ContentFile(content), save=False)
    row.save()
    return row


def test_run_checks_stores_flagged_cells(group, eager_celery):
    output_file = stored_file(group, b"region,men,women\nNorth,12,4\nSouth,25,0\n")

    run_checks.delay(output_file.pk)

    [result] = output_file.checks.all()
    assert result.check_name == CheckResult.Check.THRESHOLD
    assert result.outcome == CheckResult.Outcome.FAIL
    assert result.flagged_cells == [[1, 2], [2, 2]]


def test_run_checks_twice_replaces_results(group):
    output_file = stored_file(group, b"region,n\nNorth,120\n")

    run_checks(output_file.pk)
    run_checks(output_file.pk)

    assert output_file.checks.count() == 1
    assert output_file.checks.get().outcome == CheckResult.Outcome.PASS


def test_run_checks_magnitude_table_uses_counts_file(group):
    counts = stored_file(group, b"group,n\nA,50\nB,3\n")
    table = stored_file(
        group,
        b"group,mean income\nA,20100.5\nB,3.5\n",
        output_type=OutputType.MAGNITUDE_TABLE,
        counts_file=counts,
    )

    run_checks(table.pk)

    [result] = table.checks.all()
    assert result.check_name == CheckResult.Check.DOMINANCE
    assert result.outcome == CheckResult.Outcome.FAIL
    assert result.flagged_cells == [[2, 1]]


def test_run_checks_regression_uses_given_degrees_of_freedom(group):
    output_file = stored_file(
        group, b"term,coef\nage,0.3\n", output_type=OutputType.REGRESSION, degrees_of_freedom=5
    )

    run_checks(output_file.pk)

    assert output_file.checks.get().outcome == CheckResult.Outcome.FAIL


def test_run_checks_histogram_needs_review(group):
    output_file = stored_file(group, b"bin,n\n1,500\n", output_type=OutputType.HISTOGRAM)

    run_checks(output_file.pk)

    assert output_file.checks.get().outcome == CheckResult.Outcome.REVIEW


def test_run_checks_keeps_acro_result(group):
    output_file = stored_file(group, b"region,n\nNorth,120\n")
    CheckResult.objects.create(file=output_file, check_name="acro", outcome="fail")

    run_checks(output_file.pk)

    assert sorted(output_file.checks.values_list("check_name", flat=True)) == [
        "acro",
        "threshold",
    ]


def test_run_checks_missing_file_row_does_nothing():
    run_checks(0)


@pytest.mark.parametrize("version", ["0.4.11", "1.0.0"])
def test_acro_import_creates_files_with_acro_results(
    group, version, eager_celery, django_capture_on_commit_callbacks
):
    author = group.request.author

    with django_capture_on_commit_callbacks(execute=True):
        imported = acro_import(
            request=group.request, group=group, zip_file=acro_zip(version), by=author
        )

    table, regression = imported.files
    assert table.acro_uid == "output_0"
    assert table.acro_status == "fail"
    assert table.acro_comments == "Counts of people by region and sex."
    assert table.acro_exception == "The small cell is a published national figure."
    assert table.output_type == OutputType.FREQUENCY_TABLE
    with table.file.open("rb") as stored:
        assert stored.read() == TABLE
    acro_result = table.checks.get(check_name="acro")
    assert acro_result.outcome == "fail"
    assert acro_result.flagged_cells == [[1, 2]]
    threshold = table.checks.get(check_name="threshold")
    assert threshold.flagged_cells == [[1, 2]]
    assert regression.output_type == OutputType.REGRESSION
    assert regression.acro_status == "pass"
    assert AuditEvent.objects.filter(action="output_acro_imported").count() == 1


def test_acro_import_tampered_zip_refused_and_nothing_kept(group):
    with pytest.raises(ValidationError, match="does not match its checksum"):
        acro_import(
            request=group.request,
            group=group,
            zip_file=acro_zip(tamper="output_0_0.csv"),
            by=group.request.author,
        )

    assert not OutputFile.objects.exists()


def test_acro_import_refused_for_someone_else(group):
    with pytest.raises(PermissionDenied):
        acro_import(request=group.request, group=group, zip_file=acro_zip(), by=UserFactory())


def test_acro_import_refused_once_submitted(group):
    output_file_add(group)
    output_request_submit(output_request=group.request, by=group.request.author)

    with pytest.raises(ValidationError, match="draft or returned"):
        acro_import(
            request=group.request, group=group, zip_file=acro_zip(), by=group.request.author
        )


def test_acro_import_twice_stores_content_once(group):
    author = group.request.author

    first = acro_import(request=group.request, group=group, zip_file=acro_zip(), by=author).files
    second = acro_import(request=group.request, group=group, zip_file=acro_zip(), by=author).files

    assert first[0].file.name == second[0].file.name
    assert first[0].file.name.endswith(first[0].sha256)


def test_files_awaiting_checks_until_task_has_run(group):
    from outputs.check.selectors import files_awaiting_checks

    table = stored_file(group, b"region,n\nNorth,120\n")
    stored_file(group, b"a figure", output_type=OutputType.FIGURE)
    CheckResult.objects.create(file=table, check_name="acro", outcome="pass")

    assert list(files_awaiting_checks(group.request)) == [table]

    run_checks(table.pk)

    assert not files_awaiting_checks(group.request).exists()


def test_run_checks_failing_on_every_retry_marks_the_file_for_checking_by_hand(
    group, eager_celery, caplog
):
    from outputs.check.selectors import files_awaiting_checks
    from outputs.review.selectors import approval_comment_needed

    table = stored_file(group, b"region,n\nNorth,120\n")
    # The stored content is lost, so every attempt to read it fails.
    table.file.storage.delete(table.file.name)

    # A failure before the last retry asks for another attempt and records nothing.
    with pytest.raises(Retry):
        run_checks.apply(args=(table.pk,), retries=0)
    assert not table.checks.exists()
    assert files_awaiting_checks(group.request).exists()

    run_checks.apply(args=(table.pk,), retries=MAX_RETRIES)

    result = table.checks.get()
    assert result.check_name == CheckResult.Check.NOT_RUN
    assert result.outcome == CheckResult.Outcome.REVIEW
    assert "check every cell by hand" in result.message
    assert not files_awaiting_checks(group.request).exists()
    assert approval_comment_needed(table)
    assert "could not run" in caplog.text

"""Reads for the check results pages."""

from django.shortcuts import get_object_or_404

from . import checks
from .models import CheckResult, FileGroup, OutputFile, OutputType

# Rows of a table shown on its page: enough to check by eye; the file has the rest.
TABLE_ROWS_SHOWN = 500
_TABLE_TYPES = {"text/csv", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


def file_for_checks(*, pk):
    return get_object_or_404(
        OutputFile.objects.select_related(
            "group__request__project", "group__request__author", "counts_file"
        ).prefetch_related("checks"),
        pk=pk,
    )


def group_for_upload(*, request_pk, pk):
    return get_object_or_404(
        FileGroup.objects.select_related("request__project", "request__author"),
        pk=pk,
        request_id=request_pk,
    )


def file_table(output_file):
    """The file's sheets as ``(name, rows)``, each row a list of cells ``(value, flagged)``, up
    to ``TABLE_ROWS_SHOWN`` rows a sheet; None when the file is not a table (or cannot be read
    as one). A CSV is one sheet with no name.

    A magnitude table's counts checks flag cells of its counts file, so they are not marked
    on the table itself.
    """
    if output_file.content_type not in _TABLE_TYPES and not output_file.name.lower().endswith(
        (".csv", ".xlsx")
    ):
        return None
    try:
        with output_file.file.open("rb") as handle:
            if checks.table_too_large(handle):
                return None
            sheets = checks.read_sheets(handle, max_rows=TABLE_ROWS_SHOWN)
    except (checks.TableError, OSError, ValueError):
        return None
    if not sheets:
        return None
    flagged = {
        (cell[0], cell[1], cell[2] if len(cell) > 2 else 0)
        for result in output_file.checks.all()
        if result.check_name != checks.COUNTS
        for cell in result.flagged_cells
    }
    return [
        (
            name,
            [
                [(value, (r, c, index) in flagged) for c, value in enumerate(row)]
                for r, row in enumerate(rows)
            ],
        )
        for name, index, rows in sheets
    ]


# Output types with an automated check; figures and other outputs are left to the checkers.
CHECKED_TYPES = (
    OutputType.FREQUENCY_TABLE,
    OutputType.MAGNITUDE_TABLE,
    OutputType.REGRESSION,
    OutputType.HISTOGRAM,
)


# What the automated checks say of a file, in three outcomes kept apart (and "still running").
FAILED = "failed"
BY_EYE = "by_eye"
PASSED = "passed"
RUNNING = "running"


def check_summary(output_file, results):
    """One of FAILED, BY_EYE, PASSED or RUNNING for ``output_file``, from its stored check
    ``results`` (ACRO's included): failed when any check or ACRO failed; needs checking by eye
    when any check could not run or could not decide, or the type has no automated check;
    passed only when every check ran and passed."""
    results = list(results)
    if output_file.acro_status == "fail" or any(r.outcome == checks.FAIL for r in results):
        return FAILED
    if output_file.output_type not in CHECKED_TYPES:
        return BY_EYE
    automated = [r for r in results if r.check_name != CheckResult.Check.ACRO]
    if not automated:
        return RUNNING
    if output_file.acro_status == "review" or any(r.outcome != checks.PASS for r in results):
        return BY_EYE
    return PASSED


def check_summary_set(output_file, results):
    """Give ``output_file`` what the pages show of its checks: ``check_outcome`` (see
    ``check_summary``) and ``checks_not_run``, from its stored ``results``."""
    output_file.check_outcome = check_summary(output_file, results)
    output_file.checks_not_run = any(r.check_name == CheckResult.Check.NOT_RUN for r in results)


def files_awaiting_checks(output_request):
    """The request's current files whose automated checks have not stored a result yet."""
    return (
        OutputFile.objects.filter(
            group__request=output_request,
            replaced_at__isnull=True,
            output_type__in=CHECKED_TYPES,
        )
        .exclude(checks__check_name__in=[c for c in CheckResult.Check.values if c != "acro"])
        .distinct()
    )

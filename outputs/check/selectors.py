"""Reads for the check results pages."""

from django.shortcuts import get_object_or_404

from outputs.check import checks as checks
from outputs.models import CheckResult, FileGroup, OutputFile, OutputType

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


def file_check_results(output_file):
    """The file's stored check results, each with ``flagged_total``; the file is given what the
    pages show of its checks (``check_summary_set``)."""
    results = list(output_file.checks.all())
    for result in results:
        result.flagged_total = result_flagged_total(result)
    check_summary_set(output_file, results)
    return results


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


def result_flagged_total(result):
    """How many cells one check flagged: all of them, though only ``MAX_FLAGGED_KEPT`` are kept."""
    return (result.details or {}).get("flagged_total", len(result.flagged_cells or []))


def flagged_cells_count(results):
    """How many cells of the file its checks flagged, each cell counted once however many
    checks (ACRO's included) flagged it. The counts check flags cells of the counts file
    behind a magnitude table, not of the table, so its cells are not counted here."""
    cells = set()
    largest = 0
    for result in results:
        if result.check_name == checks.COUNTS:
            continue
        cells |= {
            (cell[0], cell[1], cell[2] if len(cell) > 2 else 0)
            for cell in result.flagged_cells or []
        }
        # A check keeps only so many cells; the count of them all is the lower bound.
        largest = max(largest, result_flagged_total(result))
    return max(len(cells), largest)


def check_reasons(output_file, results, outcome=None):
    """Why the file failed or needs checking by eye, in sentences: what each check that did
    not pass said, or that its type has no automated check. Empty when it passed or its checks
    are still running."""
    outcome = check_summary(output_file, results) if outcome is None else outcome
    if outcome == FAILED:
        reasons = [r.message for r in results if r.outcome == checks.FAIL and r.message]
        if output_file.acro_status == "fail" and not any(
            r.check_name == CheckResult.Check.ACRO for r in results
        ):
            reasons.append("ACRO failed this output.")
        return reasons or ["An automated check failed."]
    if outcome != BY_EYE:
        return []
    reasons = []
    if output_file.output_type not in CHECKED_TYPES:
        reasons.append(
            f"There is no automated check for a {output_file.get_output_type_display().lower()}."
        )
    reasons += [r.message for r in results if r.outcome != checks.PASS and r.message]
    if output_file.acro_status == "review" and not any(
        r.check_name == CheckResult.Check.ACRO for r in results
    ):
        reasons.append("ACRO asks for this output to be checked by eye.")
    return reasons or ["The automated checks could not decide."]


def check_summary_set(output_file, results):
    """Give ``output_file`` what the pages show of its checks, from its stored ``results``:
    ``check_outcome`` (see ``check_summary``), ``checks_not_run``, ``flagged_count`` (see
    ``flagged_cells_count``) and ``check_reasons`` (see ``check_reasons``). Every page takes
    these from here, so no two pages can disagree about a file."""
    results = list(results)
    output_file.check_outcome = check_summary(output_file, results)
    output_file.checks_not_run = any(r.check_name == CheckResult.Check.NOT_RUN for r in results)
    output_file.flagged_count = flagged_cells_count(results)
    output_file.check_reasons = check_reasons(output_file, results, output_file.check_outcome)


def files_needing_attention(groups):
    """The files of ``groups`` (each with ``current_files`` given ``check_summary_set``) that
    failed the automated checks or need checking by eye, in page order: what the author is
    warned of before submitting."""
    return [
        output_file
        for group in groups
        for output_file in group.current_files
        if output_file.check_outcome in (FAILED, BY_EYE)
    ]


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

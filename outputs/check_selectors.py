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
    """The file's table as rows of cells, each ``(value, flagged)``, or None when the file is
    not a table (or cannot be read as one).

    A magnitude table's counts checks flag cells of its counts file, so they are not marked
    on the table itself.
    """
    if output_file.content_type not in _TABLE_TYPES and not output_file.name.lower().endswith(
        (".csv", ".xlsx")
    ):
        return None
    try:
        with output_file.file.open("rb") as handle:
            rows = checks.read_table(handle)
    except (checks.TableError, OSError, ValueError):
        return None
    flagged = {
        tuple(cell)
        for result in output_file.checks.all()
        if result.check_name != checks.COUNTS
        for cell in result.flagged_cells
    }
    return [
        [(value, (r, c) in flagged) for c, value in enumerate(row)]
        for r, row in enumerate(rows[:TABLE_ROWS_SHOWN])
    ]


# Output types with an automated check; figures and other outputs are left to the checkers.
CHECKED_TYPES = (
    OutputType.FREQUENCY_TABLE,
    OutputType.MAGNITUDE_TABLE,
    OutputType.REGRESSION,
    OutputType.HISTOGRAM,
)


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

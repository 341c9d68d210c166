"""Streamed CSV downloads that a spreadsheet opens safely.

Any list page offering "Download as CSV" builds its response with ``csv_response``: rows are
written as they are read, so a long export never sits whole in memory, and every cell is made
safe with ``csv_cell`` first.
"""

import csv

from django.http import StreamingHttpResponse

# A spreadsheet runs a cell starting with one of these as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


class _Echo:
    """A file-like object whose write hands the line straight back, for streaming."""

    def write(self, value):
        return value


def csv_cell(value):
    """``value`` as text a spreadsheet shows as typed and never runs as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in FORMULA_STARTS else text


def csv_response(*, header, rows, filename):
    """A streamed CSV download of ``header`` then ``rows`` (iterables of values)."""
    writer = csv.writer(_Echo())

    def lines():
        yield writer.writerow([csv_cell(value) for value in header])
        for row in rows:
            yield writer.writerow([csv_cell(value) for value in row])

    return StreamingHttpResponse(
        lines(),
        content_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )

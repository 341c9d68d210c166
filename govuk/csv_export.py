"""Streamed CSV downloads that a spreadsheet opens safely.

Any list page offering "Download as CSV" builds its response with ``csv_response``: rows are
written as they are read, so a long export never sits whole in memory, and every cell is made
safe with ``csv_cell`` first. Every CSV the service writes goes through these two.
"""

import csv
import re
from decimal import Decimal

from django.http import StreamingHttpResponse

# A spreadsheet runs a cell as a formula when it starts with one of these, even after spaces;
# the fullwidth forms too, which some spreadsheets read as the ordinary ones.
FORMULA_STARTS = ("=", "+", "-", "@", "\uff1d", "\uff0b", "\uff0d", "\uff20")
# A tab or carriage return first can move what follows into a cell of its own.
CONTROL_STARTS = ("\t", "\r", "\n")
# A spreadsheet that splits a line at a separator other than the comma (a semicolon, a tab)
# makes a new cell start after it: "a;=cmd" becomes "a" and "=cmd".
FORMULA_AFTER_SEPARATOR = re.compile(r"[,;\t|\r\n]\s*[=+\-@\uff1d\uff0b\uff0d\uff20]")


class _Echo:
    """A file-like object whose write hands the line straight back, for streaming."""

    def write(self, value):
        return value


def csv_cell(value):
    """``value`` as text a spreadsheet shows as typed and never runs as a formula: a cell a
    spreadsheet could evaluate gets a single quote before it. Numbers are kept as numbers."""
    if value is None:
        return ""
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        return str(value)
    text = str(value)
    if (
        text.startswith(CONTROL_STARTS)
        or text.lstrip().startswith(FORMULA_STARTS)
        or FORMULA_AFTER_SEPARATOR.search(text)
    ):
        return "'" + text
    return text


def csv_response(*, header, rows, filename):
    """A streamed CSV download of ``header`` then ``rows`` (iterables of values).

    Every cell is quoted, so a spreadsheet splitting lines at another separator still keeps
    each cell whole."""
    writer = csv.writer(_Echo(), quoting=csv.QUOTE_ALL)

    def lines():
        yield writer.writerow([csv_cell(value) for value in header])
        for row in rows:
            yield writer.writerow([csv_cell(value) for value in row])

    return StreamingHttpResponse(
        lines(),
        content_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )

"""Automated disclosure checks on an output file's table.

Pure functions: they take a parsed table (a list of rows, each a list of cells) and give back
``Result`` values; nothing here touches the database. A table's first row is its headers and
any cell that is not a number is a label, so only numbers are checked. A flagged cell is
``[row, column]``, counted from 0 over the whole table, headers included, so the table view
can highlight exactly the cell it shows.
"""

import csv
import io
import re
from dataclasses import dataclass, field

from django.conf import settings

THRESHOLD = "threshold"
COUNTS = "dominance"  # the name the stored results use for the counts check
DEGREES_OF_FREEDOM = "degrees_of_freedom"
HISTOGRAM = "histogram"
MANUAL = "manual"

PASS = "pass"  # noqa: S105 (an outcome, not a secret)
FAIL = "fail"
REVIEW = "review"

# The number of rows and columns read from one table: enough for any output a person checks
# by eye, and a bound on the work a hostile file can cause.
MAX_ROWS = 5000
MAX_COLUMNS = 200

_NUMBER = re.compile(r"^[-+]?(\d{1,3}(,\d{3})+|\d+)?(\.\d+)?$")
_DF_LABELS = {
    "df",
    "df resid",
    "df residuals",
    "df_resid",
    "residual df",
    "residual degrees of freedom",
    "degrees of freedom",
}


class TableError(ValueError):
    """The file could not be read as a table; the message says why, in plain words."""


@dataclass(frozen=True)
class Result:
    check: str
    outcome: str
    message: str
    flagged_cells: list = field(default_factory=list)
    details: dict = field(default_factory=dict)


def read_table(file):
    """The rows of a CSV or XLSX file (the first sheet), each a list of cells.

    ``file`` is an open binary file. A cell is a number when the file holds one, else text.
    """
    file.seek(0)
    head = file.read(4)
    file.seek(0)
    if head == b"PK\x03\x04":
        return _read_xlsx(file)
    return _read_csv(file.read())


def _read_csv(data):
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise TableError("The file is not a CSV in UTF-8 text.") from error
    try:
        dialect = csv.Sniffer().sniff(text[:8192], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    rows = []
    try:
        for row in csv.reader(io.StringIO(text), dialect):
            if len(rows) >= MAX_ROWS:
                break
            rows.append([_cell(value) for value in row[:MAX_COLUMNS]])
    except csv.Error as error:
        raise TableError(f"The CSV could not be read: {error}.") from error
    return rows


def _read_xlsx(file):
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(file, read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for a damaged workbook
        raise TableError("The spreadsheet could not be opened.") from error
    try:
        sheet = workbook.worksheets[0]
        rows = []
        for row in sheet.iter_rows(max_row=MAX_ROWS, max_col=MAX_COLUMNS, values_only=True):
            cells = [_cell(value) for value in row]
            # Read-only sheets pad rows to the widest one they were told of.
            while cells and cells[-1] == "":
                cells.pop()
            rows.append(cells)
    finally:
        workbook.close()
    while rows and not rows[-1]:
        rows.pop()
    return rows


def _cell(value):
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int | float):
        return value
    text = str(value).strip()
    number = number_in(text)
    return text if number is None else number


def number_in(value):
    """The number a cell holds, or None when it is a label or empty."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return value
    text = str(value).strip()
    if not text or not _NUMBER.match(text) or not any(c.isdigit() for c in text):
        return None
    number = float(text.replace(",", ""))
    return int(number) if number.is_integer() else number


def _body_cells(rows):
    """(row, column, number) for every number below the header row."""
    for r, row in enumerate(rows[1:], start=1):
        for c, value in enumerate(row):
            number = number_in(value)
            if number is not None:
                yield r, c, number


def _disclosive(number, *, threshold, zeros_disclosive):
    if number == 0:
        return zeros_disclosive
    return abs(number) < threshold


def _threshold_result(rows, *, check, subject, threshold=None, zeros_disclosive=None):
    threshold = settings.OUTPUT_MIN_THRESHOLD if threshold is None else threshold
    if zeros_disclosive is None:
        zeros_disclosive = settings.OUTPUT_ZEROS_DISCLOSIVE
    cells = list(_body_cells(rows))
    details = {"threshold": threshold, "zeros_disclosive": zeros_disclosive}
    if not cells:
        return Result(
            check,
            REVIEW,
            f"No counts were found in {subject}, so it needs checking by eye.",
            [],
            details,
        )
    flagged = [
        [r, c]
        for r, c, number in cells
        if _disclosive(number, threshold=threshold, zeros_disclosive=zeros_disclosive)
    ]
    if not flagged:
        return Result(
            check,
            PASS,
            f"Every count in {subject} is at least {threshold}.",
            [],
            details,
        )
    zeros = " or zero" if zeros_disclosive else ""
    noun = "count is" if len(flagged) == 1 else "counts are"
    return Result(
        check,
        FAIL,
        f"{len(flagged)} {noun} below {threshold}{zeros} in {subject}.",
        flagged,
        details,
    )


def frequency_threshold(rows, *, threshold=None, zeros_disclosive=None):
    """Every count in a frequency table must reach the threshold; zeros fail when disclosive."""
    return _threshold_result(
        rows,
        check=THRESHOLD,
        subject="the table",
        threshold=threshold,
        zeros_disclosive=zeros_disclosive,
    )


def magnitude_counts(counts_rows, *, threshold=None, zeros_disclosive=None):
    """The counts behind a magnitude table must each reach the threshold.

    ``counts_rows`` is the underlying counts file's table, or None when none was given.
    """
    if counts_rows is None:
        return Result(
            COUNTS,
            FAIL,
            "A magnitude table needs the file of counts behind it, and none was given.",
        )
    return _threshold_result(
        counts_rows,
        check=COUNTS,
        subject="the counts behind the table",
        threshold=threshold,
        zeros_disclosive=zeros_disclosive,
    )


def degrees_of_freedom_in(rows):
    """The residual degrees of freedom a regression table states, with its cell, or None."""
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if not isinstance(value, str):
                continue
            label = value.strip().lower().rstrip(":").strip()
            if label not in _DF_LABELS:
                continue
            for number_cell in ((r, c + 1), (r + 1, c)):
                nr, nc = number_cell
                if nr < len(rows) and nc < len(rows[nr]):
                    number = number_in(rows[nr][nc])
                    if number is not None:
                        return number, [nr, nc]
    return None


def residual_degrees_of_freedom(*, given=None, rows=None, minimum=10):
    """A regression's residual degrees of freedom must be at least 10 where they are given.

    ``given`` is the number the researcher entered; without it the table is searched for a
    "df" or "degrees of freedom" cell.
    """
    flagged = []
    value = given
    if value is None and rows is not None:
        found = degrees_of_freedom_in(rows)
        if found is not None:
            value, cell = found
            flagged = [cell]
    details = {"minimum": minimum, "degrees_of_freedom": value}
    if value is None:
        return Result(
            DEGREES_OF_FREEDOM,
            REVIEW,
            "The residual degrees of freedom were not given, so the regression needs checking "
            "by eye.",
            [],
            details,
        )
    if value >= minimum:
        return Result(
            DEGREES_OF_FREEDOM,
            PASS,
            f"The residual degrees of freedom ({value}) are at least {minimum}.",
            [],
            details,
        )
    return Result(
        DEGREES_OF_FREEDOM,
        FAIL,
        f"The residual degrees of freedom ({value}) are fewer than {minimum}.",
        flagged,
        details,
    )


def histogram():
    """A histogram never passes automatically: a checker looks at every bar."""
    return Result(
        HISTOGRAM,
        REVIEW,
        "Histograms are never passed automatically: check every bar and the range by eye.",
    )


def manual(output_type_label):
    """Figures and other outputs have no automated check."""
    return Result(
        MANUAL,
        REVIEW,
        f"There is no automated check for a {output_type_label.lower()}: check it by eye.",
    )


def _unreadable(check, error):
    return Result(check, REVIEW, f"{error} It needs checking by eye.")


def run_checks(output_type, *, file=None, counts_file=None, degrees_of_freedom=None):
    """The results of every automated check for one output file of ``output_type``.

    ``file`` and ``counts_file`` are open binary files (or None).
    """
    if output_type == "frequency_table":
        try:
            return [frequency_threshold(read_table(file))]
        except TableError as error:
            return [_unreadable(THRESHOLD, error)]
    if output_type == "magnitude_table":
        if counts_file is None:
            return [magnitude_counts(None)]
        try:
            return [magnitude_counts(read_table(counts_file))]
        except TableError as error:
            return [_unreadable(COUNTS, error)]
    if output_type == "regression":
        rows = None
        if degrees_of_freedom is None and file is not None:
            try:
                rows = read_table(file)
            except TableError:
                rows = None
        return [residual_degrees_of_freedom(given=degrees_of_freedom, rows=rows)]
    if output_type == "histogram":
        return [histogram()]
    label = {"survival_table": "survival table", "figure": "figure"}.get(output_type, "output")
    return [manual(label)]

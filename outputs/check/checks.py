"""Automated disclosure checks on an output file's tables.

Pure functions: they take a table read from a file (``open_table``) or a list of rows, and give
back ``Result`` values; nothing here touches the database. Every cell of every sheet is read,
streaming, so the work and the memory a file costs do not depend on where in it a disclosive
cell sits; a file holding more table data than ``settings.OUTPUT_TABLE_MAX_READ_BYTES`` is
refused at upload (``table_too_large``), never checked in part. What cannot be read (a damaged
file, a chart sheet, a formula whose result the file does not store) makes the outcome "needs
checking by eye" with the reason, never "passed".

Each sheet's first row is its headers and any cell that is not a number is a label, so only
numbers are checked. A flagged cell is ``[row, column]``, counted from 0 over its whole sheet,
headers included, so the table view can highlight exactly the cell it shows; on a workbook's
second or later sheet it is ``[row, column, sheet]``, the sheet counted from 0.
"""

import csv
import io
import re
import zipfile
from contextlib import contextmanager
from dataclasses import dataclass, field
from itertools import zip_longest
from typing import IO, Any

from django.conf import settings

THRESHOLD = "threshold"
COUNTS = "dominance"  # the name the stored results use for the counts check
DEGREES_OF_FREEDOM = "degrees_of_freedom"
HISTOGRAM = "histogram"
MANUAL = "manual"

PASS = "pass"  # noqa: S105 (an outcome, not a secret)
FAIL = "fail"
REVIEW = "review"

# The kinds of upload (uploads.kinds) the checks read as tables: each read whole, or refused.
TABLE_KINDS = ("csv", "xlsx")
# Flagged cells kept with a result: the message counts them all, the table view marks these.
MAX_FLAGGED_KEPT = 1000
# How much of a CSV the dialect is guessed from.
_SNIFF_CHARACTERS = 8192

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
# The parts of a workbook the checks read: its worksheets and the text they share.
_XLSX_CELL_PARTS = re.compile(r"^xl/(worksheets/[^/]+\.xml|sharedStrings\.xml)$")


class TableError(ValueError):
    """The file could not be read as a table; the message says why, in plain words."""


@dataclass(frozen=True)
class Result:
    check: str
    outcome: str
    message: str
    flagged_cells: list[list[int]] = field(default_factory=list)
    details: dict[str, Any] = field(default_factory=dict)


@dataclass
class Sheet:
    """One table of a file: a CSV's only one, or a worksheet. ``rows`` streams its rows, each a
    list of cells, and raises ``TableError`` on reaching a part it cannot read."""

    name: str
    index: int
    rows: object


@dataclass
class Table:
    sheets: list
    problems: list = field(default_factory=list)  # parts of the file no check can read


def _is_xlsx(file):
    file.seek(0)
    head = file.read(4)
    file.seek(0)
    return head == b"PK\x03\x04"


def table_read_bytes(file):
    """How much table data the checks would read from ``file``: a CSV's size, or what a
    workbook's sheets and shared text take once unpacked (the sizes its zip declares, which
    reading enforces)."""
    if not _is_xlsx(file):
        file.seek(0, io.SEEK_END)
        size = file.tell()
        file.seek(0)
        return size
    try:
        with zipfile.ZipFile(file) as archive:
            return sum(
                info.file_size
                for info in archive.infolist()
                if _XLSX_CELL_PARTS.match(info.filename)
            )
    except (zipfile.BadZipFile, OSError, ValueError):
        return 0  # not a workbook after all: the checks will say it needs checking by eye
    finally:
        file.seek(0)


def table_too_large(file: IO[bytes]) -> str:
    """A sentence saying why the checks will not read ``file``, or "" when they read it whole."""
    limit = settings.OUTPUT_TABLE_MAX_READ_BYTES
    size = table_read_bytes(file)
    if size <= limit:
        return ""
    return (
        f"The file holds {size / 1_000_000:.1f} MB of table data once unpacked, and the "
        f"automated checks read at most {limit / 1_000_000:.1f} MB, every cell of it: split "
        "the table into smaller files."
    )


@contextmanager
def open_table(file):
    """The sheets of a CSV or XLSX file (an open binary file), read as they are iterated.

    Raises ``TableError`` when the file cannot be opened as a table at all.
    """
    if _is_xlsx(file):
        with _open_xlsx(file) as table:
            yield table
    else:
        yield Table([Sheet("", 0, _csv_rows(file))])


def _csv_rows(file):
    file.seek(0)
    sample = file.read(_SNIFF_CHARACTERS * 4).decode("utf-8-sig", errors="ignore")
    file.seek(0)
    try:
        dialect = csv.Sniffer().sniff(sample[:_SNIFF_CHARACTERS], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    text = io.TextIOWrapper(file, encoding="utf-8-sig", newline="")
    try:
        for row in csv.reader(text, dialect):
            yield [_cell(value) for value in row]
    except UnicodeDecodeError as error:
        raise TableError("The file is not a CSV in UTF-8 text.") from error
    except csv.Error as error:
        raise TableError(f"The CSV could not be read: {error}.") from error
    finally:
        text.detach()  # leave the caller's file open


@contextmanager
def _open_xlsx(file):
    from openpyxl import load_workbook

    content = file.read()
    file.seek(0)
    try:
        # Two readings in step: one gives the values the file stores, the other shows which
        # cells are formulas, so a formula whose result was never stored is not taken for an
        # empty cell.
        values = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        formulas = None
        if _holds_formulas(content):
            formulas = load_workbook(io.BytesIO(content), read_only=True, data_only=False)
    except Exception as error:  # openpyxl raises many kinds for a damaged workbook
        raise TableError("The spreadsheet could not be opened.") from error
    try:
        sheets, problems = [], []
        for index, name in enumerate(values.sheetnames):
            sheet = values[name]
            if not hasattr(sheet, "iter_rows"):
                problems.append(f"The sheet “{name}” is a chart, which the checks cannot read.")
                continue
            written = formulas[name] if formulas is not None else None
            sheets.append(Sheet(name, index, _xlsx_rows(name, sheet, written)))
        yield Table(sheets, problems)
    finally:
        values.close()
        if formulas is not None:
            formulas.close()


_FORMULA_ELEMENT = re.compile(rb"<(?:\w+:)?f[\s>/]")


def _holds_formulas(content):
    """Whether any worksheet of the workbook holds a formula element: only then is the second
    reading, which shows the formulas, needed."""
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        for info in archive.infolist():
            if not info.filename.startswith("xl/worksheets/"):
                continue
            with archive.open(info) as part:
                tail = b""
                for chunk in iter(lambda: part.read(1 << 20), b""):
                    if _FORMULA_ELEMENT.search(tail + chunk):
                        return True
                    tail = chunk[-16:]
    return False


def _xlsx_rows(name, values, formulas):
    # A sheet may declare a smaller size than it has: read every row and cell it holds.
    values.reset_dimensions()
    if formulas is not None:
        formulas.reset_dimensions()
    try:
        pairs = zip_longest(
            values.iter_rows(values_only=True),
            formulas.iter_rows(values_only=True) if formulas is not None else (),
            fillvalue=(),
        )
        for r, (row, written) in enumerate(pairs):
            cells = [_cell(value) for value in row]
            for c, formula in enumerate(written):
                if isinstance(formula, str) and formula.startswith("=") and _empty_at(cells, c):
                    raise TableError(
                        f"The cell {_cell_name(r, c)} of the sheet “{name}” holds a formula "
                        "whose result the file does not store."
                    )
            while cells and cells[-1] == "":
                cells.pop()
            yield cells
    except TableError:
        raise
    except Exception as error:  # a damaged sheet: openpyxl raises many kinds
        raise TableError(f"The sheet “{name}” could not be read.") from error


def _empty_at(cells, c):
    return c >= len(cells) or cells[c] == ""


def _cell_name(r, c):
    from openpyxl.utils import get_column_letter

    return f"{get_column_letter(c + 1)}{r + 1}"


def read_sheets(file, *, max_rows=None):
    """Every sheet of ``file`` as ``(name, index, rows)``, up to ``max_rows`` rows each: for showing
    a table, not for checking it. Raises ``TableError`` as ``open_table`` does."""
    shown = []
    with open_table(file) as table:
        for sheet in table.sheets:
            rows = []
            try:
                for row in sheet.rows:
                    if max_rows is not None and len(rows) >= max_rows:
                        break
                    rows.append(row)
            except TableError:
                pass  # show what could be read; the checks say what could not
            if rows:
                shown.append((sheet.name, sheet.index, rows))
    return shown


def _as_table(table):
    """A ``Table``, or a list of rows taken as a one-sheet table."""
    return table if isinstance(table, Table) else Table([Sheet("", 0, iter(table))])


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
    if text.isascii() and text.isdigit():
        return int(text)  # the common case, quickly
    if not text or not _NUMBER.match(text) or not any(c.isdigit() for c in text):
        return None
    number = float(text.replace(",", ""))
    return int(number) if number.is_integer() else number


def _body_cells(rows):
    """(row, column, number) for every number below the header row, streaming."""
    for r, row in enumerate(rows):
        if r == 0:
            continue
        for c, value in enumerate(row):
            number = number_in(value)
            if number is not None:
                yield r, c, number


def _disclosive(number, *, threshold, zeros_disclosive):
    if number == 0:
        return zeros_disclosive
    return abs(number) < threshold


def _subject(subject, table):
    sheets = len(table.sheets) + len(table.problems)
    return f"{subject} ({sheets} sheets)" if sheets > 1 else subject


def _threshold_result(table, *, check, subject, threshold=None, zeros_disclosive=None):
    threshold = settings.OUTPUT_MIN_THRESHOLD if threshold is None else threshold
    if zeros_disclosive is None:
        zeros_disclosive = settings.OUTPUT_ZEROS_DISCLOSIVE
    table = _as_table(table)
    subject = _subject(subject, table)
    problems = list(table.problems)
    counted = flagged_total = 0
    flagged = []
    for sheet in table.sheets:
        try:
            for r, c, number in _body_cells(sheet.rows):
                counted += 1
                if not _disclosive(number, threshold=threshold, zeros_disclosive=zeros_disclosive):
                    continue
                flagged_total += 1
                if len(flagged) < MAX_FLAGGED_KEPT:
                    flagged.append([r, c, sheet.index] if sheet.index else [r, c])
        except TableError as error:
            problems.append(str(error))
    details = {"threshold": threshold, "zeros_disclosive": zeros_disclosive}
    unread = " ".join(problems)
    if flagged_total:
        zeros = " or zero" if zeros_disclosive else ""
        noun = "count is" if flagged_total == 1 else "counts are"
        message = f"{flagged_total:,} {noun} below {threshold}{zeros} in {subject}."
        if unread:
            message += f" The rest needs checking by eye: {unread}"
        return Result(check, FAIL, message, flagged, details | {"flagged_total": flagged_total})
    if unread:
        return Result(check, REVIEW, f"{unread} It needs checking by eye.", [], details)
    if not counted:
        return Result(
            check,
            REVIEW,
            f"No counts were found in {subject}, so it needs checking by eye.",
            [],
            details,
        )
    return Result(check, PASS, f"Every count in {subject} is at least {threshold}.", [], details)


def frequency_threshold(table, *, threshold=None, zeros_disclosive=None):
    """Every count in a frequency table must reach the threshold; zeros fail when disclosive.

    ``table`` is a ``Table`` from ``open_table``, or a list of rows.
    """
    return _threshold_result(
        table,
        check=THRESHOLD,
        subject="the table",
        threshold=threshold,
        zeros_disclosive=zeros_disclosive,
    )


def magnitude_counts(counts_table, *, threshold=None, zeros_disclosive=None):
    """The counts behind a magnitude table must each reach the threshold.

    ``counts_table`` is the underlying counts file's table, or None when none was given.
    """
    if counts_table is None:
        return Result(
            COUNTS,
            FAIL,
            "A magnitude table needs the file of counts behind it, and none was given.",
        )
    return _threshold_result(
        counts_table,
        check=COUNTS,
        subject="the counts behind the table",
        threshold=threshold,
        zeros_disclosive=zeros_disclosive,
    )


def _df_label(value):
    return isinstance(value, str) and value.strip().lower().rstrip(":").strip() in _DF_LABELS


def degrees_of_freedom_in(rows):
    """The residual degrees of freedom a regression table states, with its cell, or None:
    the number beside a "df" or "degrees of freedom" label, or below it."""
    below = []  # columns of the row before whose label may have its number underneath
    for r, row in enumerate(rows):
        for c in below:
            if c < len(row) and number_in(row[c]) is not None:
                return number_in(row[c]), [r, c]
        below = []
        for c, value in enumerate(row):
            if not _df_label(value):
                continue
            if c + 1 < len(row) and number_in(row[c + 1]) is not None:
                return number_in(row[c + 1]), [r, c + 1]
            below.append(c)
    return None


def _degrees_of_freedom_in_table(table):
    for sheet in _as_table(table).sheets:
        found = degrees_of_freedom_in(sheet.rows)
        if found is not None:
            value, cell = found
            return value, [*cell, sheet.index] if sheet.index else cell
    return None


def residual_degrees_of_freedom(*, given=None, rows=None, minimum=10):
    """A regression's residual degrees of freedom must be at least 10 where they are given.

    ``given`` is the number the researcher entered; without it the table (a ``Table`` or a
    list of rows) is searched for a "df" or "degrees of freedom" cell.
    """
    flagged = []
    value = given
    if value is None and rows is not None:
        try:
            found = _degrees_of_freedom_in_table(rows)
        except TableError:
            found = None
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


def _too_large(check, file):
    reason = table_too_large(file)
    return Result(check, REVIEW, f"{reason} It needs checking by eye.") if reason else None


def _table_check(check, file, run):
    """``run`` on the table in ``file``, read whole, or why it needs checking by eye."""
    too_large = _too_large(check, file)
    if too_large is not None:
        return too_large
    try:
        with open_table(file) as table:
            return run(table)
    except TableError as error:
        return _unreadable(check, error)


def run_checks(
    output_type: str,
    *,
    file: IO[bytes] | None = None,
    counts_file: IO[bytes] | None = None,
    degrees_of_freedom: int | None = None,
) -> list[Result]:
    """The results of every automated check for one output file of ``output_type``.

    ``file`` and ``counts_file`` are open binary files (or None).
    """
    if output_type == "frequency_table":
        return [_table_check(THRESHOLD, file, frequency_threshold)]
    if output_type == "magnitude_table":
        if counts_file is None:
            return [magnitude_counts(None)]
        return [_table_check(COUNTS, counts_file, magnitude_counts)]
    if output_type == "regression":
        if degrees_of_freedom is not None or file is None:
            return [residual_degrees_of_freedom(given=degrees_of_freedom)]
        return [
            _table_check(
                DEGREES_OF_FREEDOM, file, lambda table: residual_degrees_of_freedom(rows=table)
            )
        ]
    if output_type == "histogram":
        return [histogram()]
    label = {"survival_table": "survival table", "figure": "figure"}.get(output_type, "output")
    return [manual(label)]

import csv
import io
from decimal import Decimal

import pytest

from govuk.csv_export import csv_cell, csv_response


@pytest.mark.parametrize(
    ("value", "written"),
    [
        # What a spreadsheet runs as a formula, by its first character.
        ("=1+1", "'=1+1"),
        ("+44 20 7946 0000", "'+44 20 7946 0000"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1:A2)", "'@SUM(A1:A2)"),
        ("\uff1dHYPERLINK(1)", "'\uff1dHYPERLINK(1)"),
        # ... after spaces, or after a tab, return or line break.
        (" =1+1", "' =1+1"),
        ("   +1", "'   +1"),
        ("\u00a0=1+1", "'\u00a0=1+1"),
        ("\t=1+1", "'\t=1+1"),
        ("\r=1+1", "'\r=1+1"),
        ("\n-1", "'\n-1"),
        ("\tNorth", "'\tNorth"),
        ("\rNorth", "'\rNorth"),
        # ... and where a spreadsheet splitting at another separator starts a new cell.
        ("North;=cmd|' /C calc'!A0", "'North;=cmd|' /C calc'!A0"),
        ("North,=1+1", "'North,=1+1"),
        ("North\t=1+1", "'North\t=1+1"),
        ("North; @SUM(A1)", "'North; @SUM(A1)"),
        ("North|-1", "'North|-1"),
        ("North\n+1", "'North\n+1"),
        # Text a spreadsheet shows as it is.
        ("Ada Lovelace", "Ada Lovelace"),
        ("University of Exeter", "University of Exeter"),
        ("Smith - Jones", "Smith - Jones"),
        ("a=b", "a=b"),
        ("2026-04-01", "2026-04-01"),
        ("North, South", "North, South"),
        ("", ""),
        (None, ""),
        # Numbers are numbers, never formulas.
        (-5, "-5"),
        (3.5, "3.5"),
        (Decimal("-1.25"), "-1.25"),
        (True, "True"),
    ],
)
def test_csv_cell_neutralises_every_cell_a_spreadsheet_could_evaluate(value, written):
    assert csv_cell(value) == written


def test_csv_response_quotes_every_cell_and_neutralises_each():
    response = csv_response(
        header=["name", "count"], rows=[["North;=1+1", 12], [" =1+1", -3]], filename="t.csv"
    )

    text = b"".join(response.streaming_content).decode()

    assert text.splitlines() == [
        '"name","count"',
        '"\'North;=1+1","12"',
        '"\' =1+1","-3"',
    ]
    assert list(csv.reader(io.StringIO(text)))[1:] == [["'North;=1+1", "12"], ["' =1+1", "-3"]]

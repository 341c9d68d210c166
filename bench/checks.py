"""Time the automated output checks on the largest tables the service accepts, with the
disclosive cell first and last, and measure their peak memory:
``uv run --frozen python bench/checks.py``. The two times should be the same and the peak
should not grow with the table (the checks stream every cell)."""

import argparse
import io
import os
import sys
import time
import tracemalloc
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")


@dataclass
class Measured:
    name: str
    megabytes: float
    seconds: float
    peak_mib: float
    outcome: str


def csv_table(rows, *, small_at):
    lines = ["area,a,b,c,d,e,f,g,h"]
    for n in range(rows):
        first = 3 if n == small_at else 120
        lines.append(f"area {n},{first},130,140,150,160,170,180,190")
    return ("\n".join(lines) + "\n").encode()


def workbook(rows):
    """A workbook of ``rows`` rows, with its one small count on a second sheet."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["area", *"abcdefgh"])
    for n in range(rows):
        sheet.append([f"area {n}"] + [120] * 8)
    second = book.create_sheet("Second")
    second.append(["region", "people"])
    second.append(["Wales", 3])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def measure(name, content):
    from outputs.check import checks as checks

    started = time.perf_counter()
    [result] = checks.run_checks("frequency_table", file=io.BytesIO(content))
    seconds = time.perf_counter() - started
    # Peak memory in a second run: tracing slows Python down several times.
    file = io.BytesIO(content)
    tracemalloc.start()
    try:
        checks.run_checks("frequency_table", file=file)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return Measured(name, len(content) / 1e6, seconds, peak / 2**20, result.outcome)


def measure_all(*, csv_rows, workbook_rows):
    return [
        measure("CSV, small count in the first row", csv_table(csv_rows, small_at=0)),
        measure("CSV, small count in the last row", csv_table(csv_rows, small_at=csv_rows - 1)),
        measure("Workbook, small count on its second sheet", workbook(workbook_rows)),
    ]


def table(results):
    lines = ["| case | size (MB) | time (s) | peak (MiB) | outcome |", "|---|---|---|---|---|"]
    lines += [
        f"| {r.name} | {r.megabytes:.1f} | {r.seconds:.2f} | {r.peak_mib:.1f} | {r.outcome} |"
        for r in results
    ]
    return "\n".join(lines)


def main():
    import django

    parser = argparse.ArgumentParser(description=__doc__)
    # 250,000 rows make a CSV of 10.9 MB, the upload limit's size; 100,000 rows make a
    # workbook of about 35 MB unpacked, near the checks' read limit.
    parser.add_argument("--csv-rows", type=int, default=250_000)
    parser.add_argument("--workbook-rows", type=int, default=100_000)
    options = parser.parse_args()
    django.setup()
    print(table(measure_all(csv_rows=options.csv_rows, workbook_rows=options.workbook_rows)))


if __name__ == "__main__":
    main()

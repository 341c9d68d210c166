"""The automated checks read every cell of every sheet, or say the file needs checking by eye;
a table larger than they read is refused at upload."""

import io
import re
import tracemalloc
import zipfile

import pytest
from django.urls import reverse
from openpyxl import Workbook
from openpyxl.chart import BarChart, Reference

from outputs.check import checks as checks
from outputs.models import CheckResult, OutputFile, OutputType
from tests.outputs.factories import OutputFileFactory, upload
from tests.outputs.states import (
    checker,
    files_of,
    group_form,
    group_url,
    request_with_files,
    submitted_request,
)


def csv_bytes(rows):
    return "".join(",".join(str(cell) for cell in row) + "\n" for row in rows).encode()


def xlsx_bytes(*sheets, formulas=None):
    """A workbook with one sheet per list of rows; ``formulas`` maps a cell name of the first
    sheet to a formula, which openpyxl stores without its result."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    for n, rows in enumerate(sheets, start=1):
        sheet = workbook.create_sheet(f"Table {n}")
        for row in rows:
            sheet.append(row)
    for cell, formula in (formulas or {}).items():
        workbook.worksheets[0][cell] = formula
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def frequency_checks(content):
    [result] = checks.run_checks("frequency_table", file=io.BytesIO(content))
    return result


def test_a_small_count_in_the_last_row_of_6001_fails():
    rows = [["area", "people"]] + [[f"area {n}", 120] for n in range(1, 6001)] + [["last", 3]]

    result = frequency_checks(csv_bytes(rows))

    assert result.outcome == checks.FAIL
    assert result.flagged_cells == [[6001, 1]]
    assert result.message == "1 count is below 10 or zero in the table."


def test_a_small_count_on_a_workbooks_second_sheet_fails():
    first = [["age", "people"], ["16-24", 120], ["25-34", 240]]
    second = [["region", "people"], ["North", 150], ["Wales", 3]]

    result = frequency_checks(xlsx_bytes(first, second))

    assert result.outcome == checks.FAIL
    assert result.flagged_cells == [[2, 1, 1]]
    assert "in the table (2 sheets)" in result.message


def test_a_small_count_in_the_last_of_250_columns_fails():
    header = ["area"] + [f"group {n}" for n in range(1, 250)]
    body = ["North"] + [100] * 248 + [4]

    result = frequency_checks(csv_bytes([header, body]))

    assert result.outcome == checks.FAIL
    assert result.flagged_cells == [[1, 249]]


def test_a_sheet_that_declares_fewer_rows_than_it_holds_is_read_whole():
    rows = [["area", "people"], ["North", 150], ["South", 160], ["Wales", 2]]
    content = xlsx_bytes(rows)
    source = zipfile.ZipFile(io.BytesIO(content))
    rewritten = io.BytesIO()
    with zipfile.ZipFile(rewritten, "w") as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename.startswith("xl/worksheets/"):
                data = re.sub(rb'<dimension ref="[^"]+"', b'<dimension ref="A1:B2"', data)
            target.writestr(info, data)

    result = frequency_checks(rewritten.getvalue())

    assert result.outcome == checks.FAIL
    assert result.flagged_cells == [[3, 1]]


def test_a_formula_whose_result_is_not_stored_needs_checking_by_eye():
    rows = [["area", "people"], ["North", 150], ["South", 160], ["Total", None]]

    result = frequency_checks(xlsx_bytes(rows, formulas={"B4": "=B2-B3+1"}))

    assert result.outcome == checks.REVIEW
    assert "The cell B4 of the sheet “Table 1” holds a formula" in result.message
    assert result.message.endswith("It needs checking by eye.")


def test_a_chart_sheet_needs_checking_by_eye():
    workbook = Workbook()
    for row in (["area", "people"], ["North", 150]):
        workbook.active.append(row)
    chart = BarChart()
    chart.add_data(Reference(workbook.active, min_col=2, min_row=1, max_row=2))
    workbook.create_chartsheet("Chart of people").add_chart(chart)
    buffer = io.BytesIO()
    workbook.save(buffer)

    result = frequency_checks(buffer.getvalue())

    assert result.outcome == checks.REVIEW
    assert "“Chart of people” is a chart" in result.message


def test_an_unreadable_part_does_not_hide_a_small_count_read_before_it():
    rows = [["area", "people"], ["North", 4]] + [[f"area {n}", 120] for n in range(10_000)]
    content = csv_bytes(rows) + b"South,\xff\xfe\n"  # past what is decoded at first

    result = frequency_checks(content)

    assert result.outcome == checks.FAIL
    assert "The rest needs checking by eye: The file is not a CSV in UTF-8 text." in result.message


def test_a_table_larger_than_the_checks_read_needs_checking_by_eye(settings):
    settings.OUTPUT_TABLE_MAX_READ_BYTES = 100
    rows = [["area", "people"]] + [[f"area {n}", 120] for n in range(20)]

    result = frequency_checks(csv_bytes(rows))

    assert result.outcome == checks.REVIEW
    assert "the automated checks read at most" in result.message


def _peak_memory_checking(content):
    file = io.BytesIO(content)
    tracemalloc.start()
    try:
        [result] = checks.run_checks("frequency_table", file=file)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert result.outcome == checks.FAIL
    return peak


def test_checking_streams_so_memory_does_not_grow_with_the_rows():
    def table(rows):
        body = [[f"area {n}", 120, 130, 140] for n in range(rows)]
        return csv_bytes([["area", "a", "b", "c"], *body, ["last", 1, 2, 3]])

    small, large = table(6_000), table(60_000)

    small_peak = _peak_memory_checking(small)
    large_peak = _peak_memory_checking(large)

    # Ten times the rows; the file itself is the caller's, so only the reading is counted.
    assert large_peak < 2 * small_peak + 256 * 1024, (small_peak, large_peak)


# At upload --------------------------------------------------------------------------------


@pytest.fixture
def upload_limit(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.OUTPUT_TABLE_MAX_READ_BYTES = 2000


def _post(client, content, name):
    output_file = OutputFileFactory()
    group = output_file.group
    client.force_login(group.request.author)
    response = client.post(
        reverse("outputs:file_add", kwargs={"pk": group.request_id, "group_pk": group.pk}),
        {
            "output_type": OutputType.FREQUENCY_TABLE,
            "file": upload(content, name),
            "degrees_of_freedom": "37",
        },
    )
    return response, group


@pytest.mark.django_db
def test_a_csv_past_the_limit_is_refused_at_upload_with_a_message(client, upload_limit):
    rows = [["area", "people"]] + [[f"area {n}", 120] for n in range(200)]

    response, group = _post(client, csv_bytes(rows), "areas.csv")

    assert response.status_code == 200
    body = response.content.decode()
    assert "govuk-error-summary" in body
    assert "the automated checks read at most" in body
    assert 'value="37"' in body  # what was typed is kept
    assert OutputFile.objects.filter(group=group).count() == 1


@pytest.mark.django_db
def test_a_workbook_past_the_limit_once_unpacked_is_refused_at_upload(
    client, settings, upload_limit
):
    rows = [["area", "people"]] + [["North", 120]] * 2000
    content = xlsx_bytes(rows)
    settings.OUTPUT_TABLE_MAX_READ_BYTES = 2 * len(content)
    # Within the limit as uploaded, past it once unpacked.
    assert checks.table_read_bytes(io.BytesIO(content)) > 2 * len(content)

    response, group = _post(client, content, "areas.xlsx")

    assert "MB of table data once unpacked" in response.content.decode()
    assert OutputFile.objects.filter(group=group).count() == 1


@pytest.mark.django_db
def test_a_table_within_the_limit_is_accepted_at_upload(client, upload_limit):
    rows = [["area", "people"], ["North", 120]]

    response, group = _post(client, csv_bytes(rows), "areas.csv")

    assert response.status_code == 302
    assert OutputFile.objects.filter(group=group).count() == 2


# What the pages say -------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("outcome", "tag"),
    [
        (CheckResult.Outcome.PASS, "Automated checks passed"),
        (CheckResult.Outcome.FAIL, "Automated checks failed"),
        (CheckResult.Outcome.REVIEW, "Needs checking by eye"),
    ],
)
def test_the_review_page_shows_the_three_outcomes_apart(client, outcome, tag):
    output_request = submitted_request()
    [output_file] = files_of(output_request)
    output_file.checks.update(outcome=outcome)
    client.force_login(checker())

    body = client.get(reverse("outputs:review", kwargs={"pk": output_request.pk})).content
    text = body.decode()

    assert tag in text
    others = {"Automated checks passed", "Automated checks failed", "Needs checking by eye"}
    assert not [other for other in others - {tag} if other in text]


@pytest.mark.django_db
def test_the_submit_page_shows_what_the_checks_say_of_each_file(client):
    output_request = request_with_files(files_per_group=3)
    first, second, third = files_of(output_request)
    second.checks.update(outcome=CheckResult.Outcome.REVIEW)
    third.checks.update(outcome=CheckResult.Outcome.FAIL)
    OutputFile.objects.filter(pk=first.pk).update(output_type=OutputType.FIGURE)
    first.checks.all().delete()
    client.force_login(output_request.author)

    text = client.get(
        reverse("outputs:output_request_submit", kwargs={"pk": output_request.pk})
    ).content.decode()

    # Each in the warning before the Submit button, and again in its group.
    assert text.count("Needs checking by eye") == 2 * 2  # the figure and the undecided table
    assert text.count("Automated checks failed") == 1 * 2
    assert "Automated checks passed" not in text


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("output_type", "outcome"),
    [
        (OutputType.FIGURE, None),
        (OutputType.FREQUENCY_TABLE, CheckResult.Outcome.REVIEW),
    ],
)
def test_approving_a_file_checked_by_eye_needs_the_checkers_record(client, output_type, outcome):
    output_request = submitted_request()
    [output_file] = files_of(output_request)
    OutputFile.objects.filter(pk=output_file.pk).update(output_type=output_type)
    if outcome is None:
        output_file.checks.all().delete()
    else:
        output_file.checks.update(outcome=outcome)
    client.force_login(checker())
    refused = client.post(
        group_url(output_file.group), group_form(output_file.group, {output_file: ("approve", "")})
    )

    assert refused.status_code == 200
    assert "Say what you checked by eye and why this file is safe" in refused.content.decode()
    assert not output_file.votes.exists()

    recorded = client.post(
        group_url(output_file.group),
        group_form(
            output_file.group, {output_file: ("approve", "Every bar checked: all above 10.")}
        ),
    )

    assert recorded.status_code == 302
    assert output_file.votes.get().comment == "Every bar checked: all above 10."


@pytest.mark.django_db
def test_a_checker_finds_the_rule_for_checking_by_eye_from_their_home(client, settings):
    settings.OUTPUT_MIN_THRESHOLD = 10
    client.force_login(checker())

    def link(page, text):
        html = page.content.decode()
        match = re.search(rf'<a [^>]*href="([^"]+)"[^>]*>\s*{re.escape(text)}', html)
        assert match, f"no link {text!r}"
        return client.get(match.group(1))

    home = client.get(reverse("dashboard:home"))
    queue = link(home, "Output checking")
    rule = link(queue, "How to check outputs the automated checks cannot check")

    assert rule.status_code == 200
    text = rule.content.decode()
    assert "Outputs the automated checks cannot check" in text
    assert "figures, survival tables and other outputs" in text
    assert "two independent output checkers" in text
    assert "Approving a file the automated checks did not pass needs a comment" in text


def test_the_checks_benchmark_runs_and_finds_the_small_count_wherever_it_is():
    import importlib.util
    from pathlib import Path

    path = Path(__file__).resolve().parents[2] / "bench" / "checks.py"
    spec = importlib.util.spec_from_file_location("bench_checks", path)
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)

    results = bench.measure_all(csv_rows=50, workbook_rows=50)

    assert [r.outcome for r in results] == [checks.FAIL] * 3
    assert bench.table(results).splitlines()[0].startswith("| case")

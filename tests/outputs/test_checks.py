import io

from openpyxl import Workbook

from outputs.check import checks as checks


def csv_file(text):
    return io.BytesIO(text.encode("utf-8"))


def xlsx_file(rows):
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    buffer.seek(0)
    return buffer


def first_sheet(file):
    [(_, _, rows)] = checks.read_sheets(file)
    return rows


def test_read_table_csv_numbers_and_labels():
    rows = first_sheet(csv_file('region,2019,2020\nNorth,1,200\nSouth,"1,500",x\n'))

    assert rows == [["region", 2019, 2020], ["North", 1, 200], ["South", 1500, "x"]]


def test_read_table_xlsx_first_sheet():
    rows = first_sheet(xlsx_file([["age", "count"], ["16-24", 12], ["25-34", 3.0]]))

    assert rows == [["age", "count"], ["16-24", 12], ["25-34", 3.0]]


def test_frequency_threshold_flags_small_cells_of_csv():
    rows = first_sheet(csv_file("region,men,women\nNorth,12,4\nSouth,25,30\n"))

    result = checks.frequency_threshold(rows)

    assert result.outcome == checks.FAIL
    assert result.flagged_cells == [[1, 2]]
    assert "1 count is below 10" in result.message


def test_frequency_threshold_flags_zero_when_zeros_disclosive(settings):
    settings.OUTPUT_ZEROS_DISCLOSIVE = True
    rows = first_sheet(xlsx_file([["area", "cases"], ["A", 0], ["B", 40]]))

    result = checks.frequency_threshold(rows)

    assert result.outcome == checks.FAIL
    assert result.flagged_cells == [[1, 1]]
    assert "or zero" in result.message


def test_frequency_threshold_passes_zero_when_zeros_not_disclosive(settings):
    settings.OUTPUT_ZEROS_DISCLOSIVE = False

    result = checks.frequency_threshold([["area", "cases"], ["A", 0], ["B", 40]])

    assert result.outcome == checks.PASS
    assert result.flagged_cells == []


def test_frequency_threshold_follows_threshold_setting(settings):
    settings.OUTPUT_MIN_THRESHOLD = 20
    rows = [["area", "cases"], ["A", 15], ["B", 40]]

    result = checks.frequency_threshold(rows)

    assert result.outcome == checks.FAIL
    assert result.flagged_cells == [[1, 1]]
    assert result.details["threshold"] == 20


def test_frequency_threshold_ignores_header_row_and_labels():
    rows = [[1, 2, 3], ["label", 10, 11], ["5 or fewer", 12, 13]]

    result = checks.frequency_threshold(rows)

    assert result.outcome == checks.PASS


def test_frequency_threshold_without_numbers_asks_for_review():
    result = checks.frequency_threshold([["a", "b"], ["x", "y"]])

    assert result.outcome == checks.REVIEW


def test_magnitude_counts_flags_counts_file_cells():
    counts = first_sheet(csv_file("group,n\nA,50\nB,6\n"))

    result = checks.magnitude_counts(counts)

    assert result.check == checks.COUNTS
    assert result.outcome == checks.FAIL
    assert result.flagged_cells == [[2, 1]]


def test_magnitude_counts_missing_counts_file_fails():
    result = checks.magnitude_counts(None)

    assert result.outcome == checks.FAIL
    assert "counts" in result.message


def test_run_checks_magnitude_reads_counts_file_not_table():
    table = csv_file("group,mean income\nA,1.5\nB,2.5\n")
    counts = csv_file("group,n\nA,50\nB,60\n")

    [result] = checks.run_checks("magnitude_table", file=table, counts_file=counts)

    assert result.outcome == checks.PASS


def test_residual_degrees_of_freedom_given_below_ten_fails():
    result = checks.residual_degrees_of_freedom(given=8)

    assert result.outcome == checks.FAIL
    assert "(8)" in result.message


def test_residual_degrees_of_freedom_given_ten_passes():
    assert checks.residual_degrees_of_freedom(given=10).outcome == checks.PASS


def test_residual_degrees_of_freedom_found_in_table_cell():
    rows = first_sheet(csv_file("term,coef\nage,0.3\nDf Residuals:,7\n"))

    result = checks.residual_degrees_of_freedom(rows=rows)

    assert result.outcome == checks.FAIL
    assert result.flagged_cells == [[2, 1]]


def test_residual_degrees_of_freedom_unknown_asks_for_review():
    result = checks.residual_degrees_of_freedom(rows=[["term", "coef"], ["age", 0.3]])

    assert result.outcome == checks.REVIEW


def test_run_checks_regression_prefers_given_number():
    table = csv_file("term,coef\ndf,3\n")

    [result] = checks.run_checks("regression", file=table, degrees_of_freedom=40)

    assert result.outcome == checks.PASS


def test_histogram_never_passes():
    [result] = checks.run_checks("histogram", file=csv_file("bin,n\n1,500\n"))

    assert result.outcome == checks.REVIEW


def test_figure_and_other_need_review():
    assert checks.run_checks("figure")[0].outcome == checks.REVIEW
    assert checks.run_checks("other")[0].outcome == checks.REVIEW


def test_run_checks_unreadable_table_asks_for_review():
    [result] = checks.run_checks("frequency_table", file=io.BytesIO(b"\xff\xfe\x00binary"))

    assert result.outcome == checks.REVIEW
    assert "UTF-8" in result.message


def test_run_checks_damaged_spreadsheet_asks_for_review():
    [result] = checks.run_checks("frequency_table", file=io.BytesIO(b"PK\x03\x04broken"))

    assert result.outcome == checks.REVIEW
    assert "spreadsheet" in result.message

"""The secretariat opens the accreditation report, mistypes a date range and corrects it to one
month, downloads the month's rows as CSV, and asks for a PDF: the status page updates itself
while the PDF is prepared and then offers it for download. In Chromium, every page checked with
axe.

No worker runs beside the live server, so the test prepares the PDF itself, as the worker
would, while the page is open: the page's own script notices and offers the download.
"""

import csv
import io

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from reports.models import ReportExport
from reports.services import report_export_render
from tests.browser.sessions import session_cookie
from tests.reports.fixtures import report_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def world(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return report_world()


def test_secretariat_filters_the_report_to_a_month_and_downloads_csv_and_pdf(
    checked_page, live_server, world
):
    page = checked_page
    page.context.add_cookies([session_cookie(world.secretariat, live_server)])

    def fill_range(start, end):
        for name, day in (("date_from", start), ("date_to", end)):
            for part, value in zip(("day", "month", "year"), day, strict=True):
                page.locator(f'input[type="text"][name="{name}_{part}"]').fill(value)
        page.follow(page.get_by_role("button", name="Apply filters"))
        page.check_accessibility()

    page.goto(live_server.url + reverse("dashboard:home"))
    page.follow(page.get_by_role("link", name="Reports", exact=True))
    page.check_accessibility()
    expect(page.locator("h1")).to_have_text("Accreditation report")
    expect(page.locator("svg.app-chart")).to_have_count(3)

    # The end typed before the start: the error summary, and what was typed is kept.
    fill_range(("1", "4", "2026"), ("30", "3", "2026"))
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "The end date must be the same as or after the start date"
    )
    expect(page.locator('input[type="text"][name="date_to_month"]')).to_have_value("3")

    # April 2026 only.
    fill_range(("1", "4", "2026"), ("30", "4", "2026"))
    expect(page.locator("h2").first).to_contain_text("1 April 2026 to 30 April 2026")
    expect(page.locator("#by-month tbody tr")).to_have_count(1)
    expect(page.locator("#by-month")).to_contain_text("April 2026")

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download the rows of this report as a CSV file").click()
    download = download_info.value
    assert download.suggested_filename == "accreditation-report-2026-04-01-to-2026-04-30.csv"
    rows = list(csv.reader(io.StringIO(download.path().read_text())))
    assert {row[3] for row in rows[1:]} == {"2026-04"}
    assert [row[0] for row in rows[1:]].count("Accreditation application") == 2

    page.follow(page.get_by_role("button", name="Prepare a PDF of this report"))
    page.check_accessibility()
    expect(page.locator("h1")).to_have_text("PDF report")
    expect(page.get_by_role("link", name="Refresh")).to_be_visible()
    expect(page.get_by_role("link", name="Download the PDF report")).to_be_hidden()

    export = ReportExport.objects.get()
    assert export.filters["date_to"] == "2026-04-30"
    report_export_render(export=export)

    download_link = page.get_by_role("link", name="Download the PDF report")
    expect(download_link).to_be_visible(timeout=15_000)
    expect(page.locator("#export-state-label")).to_have_text("Ready")
    expect(page.get_by_role("link", name="Refresh")).to_be_hidden()
    page.check_accessibility()
    with page.expect_download() as download_info:
        download_link.click()
    download = download_info.value
    assert download.suggested_filename == "accreditation-report-2026-04-01-to-2026-04-30.pdf"
    assert download.path().read_bytes().startswith(b"%PDF-")

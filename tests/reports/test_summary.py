"""The summary of the default report the worker keeps, and the report page reading it."""

import datetime
import re
from urllib.parse import urljoin

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from identity.roles import Role
from reports.figures import report_build, report_from_figures
from reports.models import ReportSummary
from reports.tasks import report_summary_refresh_task
from tests.factories import UserFactory
from tests.reports.fixtures import LONDON, bigger_world, report_world

pytestmark = pytest.mark.django_db

# The default range on 15 June 2026: July 2025 to today.
DEFAULT_FROM = datetime.date(2025, 7, 1)
TODAY = datetime.date(2026, 6, 15)
NOW = datetime.datetime(2026, 6, 15, 10, 0, tzinfo=LONDON)


@pytest.fixture
def world(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return report_world()


@pytest.fixture
def secretariat_client(client, world):
    client.force_login(world.secretariat)
    return client


@pytest.fixture(autouse=True)
def _now():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def _one_more_output_request(world):
    from outputs.models import OutputRequest
    from tests.outputs.states import output_request_at

    output_request_at(
        OutputRequest.State.SUBMITTED,
        on=datetime.datetime(2026, 5, 20, 12, 0, tzinfo=LONDON),
    )


def _output_requests(html):
    return int(re.search(r"Output requests: (\d+)", html).group(1))


def _figures(html):
    """The page's figures: everything from the first count to the end of the main content."""
    start = html.index("Counts by state")
    return html[start : html.index("</main>", start)]


def test_report_summary_refresh_task_keeps_the_default_report(world):
    report_summary_refresh_task()

    summary = ReportSummary.objects.get()
    assert (summary.date_from, summary.date_to) == (DEFAULT_FROM, TODAY)
    assert summary.computed_at == NOW


def _output_requests_kept():
    figures = ReportSummary.objects.get().figures
    return next(
        group["total"] for group in figures["state_counts"] if group["label"] == "Output requests"
    )


def test_report_summary_refresh_task_replaces_the_figures_kept(world, _now):
    report_summary_refresh_task()
    before = _output_requests_kept()
    _one_more_output_request(world)
    _now.shift(datetime.timedelta(minutes=15))

    report_summary_refresh_task()

    assert ReportSummary.objects.get().computed_at == NOW + datetime.timedelta(minutes=15)
    assert _output_requests_kept() == before + 1


def test_report_summary_gives_the_same_figures_as_working_them_out(world):
    bigger_world()
    report_summary_refresh_task()

    kept = report_from_figures(ReportSummary.objects.get().figures)
    live = report_build(date_from=DEFAULT_FROM, date_to=TODAY, today=TODAY)

    assert kept == live
    assert kept.by_organisation_top == live.by_organisation_top


def test_report_page_shows_the_summary_with_its_time_and_the_same_figures(secretariat_client):
    bigger_world()
    live = secretariat_client.get(reverse("reports:report")).text
    assert "Figures as of" not in live

    report_summary_refresh_task()
    kept = secretariat_client.get(reverse("reports:report")).text

    assert "Figures as of 10:00" in kept
    assert _figures(kept) == _figures(live)


def test_report_page_work_them_out_again_now_counts_live(secretariat_client, world, _now):
    report_summary_refresh_task()
    before = _output_requests_kept()
    _one_more_output_request(world)
    _now.shift(datetime.timedelta(minutes=5))

    kept = secretariat_client.get(reverse("reports:report")).text
    assert "Figures as of 10:00" in kept
    assert _output_requests(kept) == before
    href = re.search(r'<a class="govuk-link" href="([^"]+)">Work them out again now</a>', kept)
    live = secretariat_client.get(href.group(1).replace("&amp;", "&")).text

    assert "Figures as of" not in live
    assert _output_requests(live) == before + 1


def test_report_page_shows_the_new_figures_once_the_summary_is_refreshed(
    secretariat_client, world, _now
):
    # The page keeps its figures' HTML while they come from the same summary: a refresh must
    # replace them on the page at once, not when the kept HTML expires.
    report_summary_refresh_task()
    before = _output_requests(secretariat_client.get(reverse("reports:report")).text)
    _one_more_output_request(world)
    _now.shift(datetime.timedelta(minutes=5))
    assert _output_requests(secretariat_client.get(reverse("reports:report")).text) == before

    _now.shift(datetime.timedelta(minutes=10))
    report_summary_refresh_task()
    html = secretariat_client.get(reverse("reports:report")).text

    assert "Figures as of 10:15" in html
    assert _output_requests(html) == before + 1


def test_report_page_keeps_the_expiring_accreditations_current_under_kept_figures(
    secretariat_client, world, _now
):
    from accreditation.models import Accreditation
    from accreditation.services import accreditation_suspend

    report_summary_refresh_task()
    kept = secretariat_client.get(reverse("reports:report")).text
    expiring = Accreditation.objects.filter(
        state=Accreditation.State.ACTIVE,
        valid_until__range=(TODAY, TODAY + datetime.timedelta(days=90)),
    )
    assert expiring.exists(), "the world needs an accreditation expiring soon"
    # Suspended through the service, as the secretariat would: a step the trail records, which
    # sets aside the kept page of accreditations expiring.
    by = UserFactory(roles=[Role.SECRETARIAT])
    for accreditation in expiring:
        accreditation_suspend(accreditation=accreditation, reasons="Under investigation.", by=by)
    _now.shift(datetime.timedelta(seconds=1))

    html = secretariat_client.get(reverse("reports:report")).text

    assert "Figures as of 10:00" in html
    assert (
        _figures(html).split("Accreditations expiring")[0]
        == _figures(kept).split("Accreditations expiring")[0]
    )
    assert "No accreditation expires in the next 90 days." in html
    assert "No accreditation expires in the next 90 days." not in kept


@pytest.mark.parametrize(
    "later",
    [
        pytest.param(datetime.timedelta(minutes=61), id="over an hour old"),
        pytest.param(datetime.timedelta(minutes=-1), id="from the future"),
    ],
)
def test_report_page_does_not_use_a_stale_summary(secretariat_client, world, _now, later):
    report_summary_refresh_task()
    before = _output_requests_kept()
    _one_more_output_request(world)
    _now.shift(later)

    html = secretariat_client.get(reverse("reports:report")).text

    assert "Figures as of" not in html
    assert _output_requests(html) == before + 1


def test_report_page_does_not_use_a_summary_of_another_range(secretariat_client, world, _now):
    # Kept at 23:55 on 14 June, for the range to 14 June; ten minutes later it is 15 June.
    _now.move_to(datetime.datetime(2026, 6, 14, 23, 55, tzinfo=LONDON))
    report_summary_refresh_task()
    _now.move_to(datetime.datetime(2026, 6, 15, 0, 5, tzinfo=LONDON))

    html = secretariat_client.get(reverse("reports:report")).text

    assert "Figures as of" not in html
    assert "1 July 2025 to 15 June 2026" in html


def test_report_page_does_not_use_a_summary_of_another_service_level(secretariat_client, settings):
    report_summary_refresh_task()
    settings.OUTPUT_SERVICE_LEVEL_WORKING_DAYS += 1

    html = secretariat_client.get(reverse("reports:report")).text

    assert "Figures as of" not in html


def test_report_page_with_other_filters_counts_live(secretariat_client, world):
    report_summary_refresh_task()
    _one_more_output_request(world)
    query = {
        "date_from_day": "1",
        "date_from_month": "7",
        "date_from_year": "2025",
        "date_to_day": "15",
        "date_to_month": "6",
        "date_to_year": "2026",
    }

    same_range = secretariat_client.get(reverse("reports:report"), query).text
    one_organisation = secretariat_client.get(
        reverse("reports:report"), {**query, "organisation": world.north.pk}
    ).text
    narrower = secretariat_client.get(
        reverse("reports:report"), {**query, "date_from_month": "8"}
    ).text

    # The default range typed in is still the default report.
    assert "Figures as of 10:00" in same_range
    for html in (one_organisation, narrower):
        assert "Figures as of" not in html
    assert _output_requests(narrower) == _output_requests(same_range) + 1


def test_report_page_with_a_summary_takes_a_few_queries_whatever_the_records(
    secretariat_client, django_assert_max_num_queries, settings
):
    # The records change below past the services, so past the trail the kept parts of the
    # page are kept under: every visit works them out.
    settings.STAFF_LISTS_KEPT_SECONDS = 0
    url = reverse("reports:report")
    report_summary_refresh_task()
    # The session, the user, their roles and the page header; the organisation filter's list;
    # the summary's moment (whether its figures' HTML is kept), then the summary; the latest
    # events the kept parts of the page are kept under; the page of expiring accreditations
    # (how many, and the rows).
    with django_assert_max_num_queries(12), CaptureQueriesContext(connection) as few:
        html = secretariat_client.get(url).text
    assert "Figures as of" in html

    bigger_world()
    report_summary_refresh_task()

    with django_assert_max_num_queries(len(few)):
        html = secretariat_client.get(url).text
    assert "Figures as of" in html
    assert "Extra organisation 5" in html


# The counts by organisation -----------------------------------------------------------------


def _row_labels(html):
    table = html[html.index('id="by-organisation"') :]
    table = table[: table.index("</table>")]
    return re.findall(r'<th scope="row" class="govuk-table__header">([^<]+)</th>', table)


def _rows(html):
    """The by-organisation table's rows: the label and the text of each cell."""
    table = html[html.index('id="by-organisation"') :]
    table = table[: table.index("</table>")]
    return [
        (
            label,
            [" ".join(cell.split()) for cell in re.findall(r"<td[^>]*>(.*?)</td>", cells, re.S)],
        )
        for label, cells in re.findall(
            r'<th scope="row" class="govuk-table__header">([^<]+)</th>(.*?)</tr>', table, re.S
        )
    ]


def _expected_row(row):
    level = (
        "None decided"
        if row.output_percent is None
        else f"{row.output_met} of {row.output_met + row.output_missed} ({row.output_percent}%)"
    )
    counts = (row.applications, row.accreditations, row.proposals, row.output_requests)
    return (row.label, [*map(str, counts), level])


@pytest.fixture
def few_at_a_time(monkeypatch):
    import reports.figures
    import reports.views

    monkeypatch.setattr(reports.figures, "BY_ORGANISATION_TOP", 4)
    monkeypatch.setattr(reports.views, "BY_ORGANISATION_PER_PAGE", 4)


@pytest.mark.parametrize("summary", [True, False], ids=["summary", "live"])
def test_report_page_shows_the_busiest_organisations_and_links_to_all(
    secretariat_client, few_at_a_time, summary
):
    bigger_world()
    if summary:
        report_summary_refresh_task()
    report = report_build(date_from=DEFAULT_FROM, date_to=TODAY, today=TODAY)

    html = secretariat_client.get(reverse("reports:report")).text

    # Northern University and Southern Institute have the most records, then the six new
    # organisations with five each, in the order of their names.
    assert _row_labels(html) == [
        "Northern University",
        "Southern Institute",
        "Extra organisation 0",
        "Extra organisation 1",
    ]
    assert "The 4 organisations with the most records, most first, of 9." in html
    link = re.search(r'href="([^"]+)">See the counts for all 9 organisations</a>', html)
    address = link.group(1).replace("&amp;", "&")
    pages = [secretariat_client.get(address)]
    while 'rel="next"' in pages[-1].text:
        following = re.search(r'href="([^"]+)" rel="next"', pages[-1].text).group(1)
        address = urljoin(address, following.replace("&amp;", "&"))
        pages.append(secretariat_client.get(address))

    assert len(pages) == 3
    assert all(page.status_code == 200 for page in pages)
    listed = [label for page in pages for label in _row_labels(page.text)]
    assert listed == [row.label for row in report.by_organisation]
    assert listed[-1] == "No organisation given"
    # The same figures as the report's, row by row.
    assert [row for page in pages for row in _rows(page.text)] == [
        _expected_row(row) for row in report.by_organisation
    ]


def test_report_page_shows_every_organisation_when_few(secretariat_client):
    html = secretariat_client.get(reverse("reports:report")).text

    assert _row_labels(html) == [
        "Northern University",
        "Southern Institute",
        "No organisation given",
    ]
    assert "See the counts for all" not in html


def test_organisation_list_with_bad_filters_goes_back_to_the_report(secretariat_client):
    response = secretariat_client.get(
        reverse("reports:organisation_list"), {"date_from_day": "31", "date_from_month": "2"}
    )

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("reports:report") + "?")


def test_report_summary_beat_entry_runs_every_quarter_of_an_hour(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["refresh-report-summary"]

    assert entry["task"] == "reports.tasks.report_summary_refresh_task"
    assert entry["schedule"].minute == {0, 15, 30, 45}
    assert settings.CELERY_TASK_ROUTES[entry["task"]] == {"queue": "sweeps"}


def test_report_page_reads_no_figures_while_their_html_is_kept(secretariat_client, _now):
    url = reverse("reports:report")
    report_summary_refresh_task()
    first = secretariat_client.get(url).text
    _now.shift(datetime.timedelta(minutes=1))

    with CaptureQueriesContext(connection) as queries:
        kept = secretariat_client.get(url).text

    assert _figures(kept) == _figures(first)
    summary_reads = [q["sql"] for q in queries if "reports_reportsummary" in q["sql"]]
    assert len(summary_reads) == 1
    assert '"figures"' not in summary_reads[0]

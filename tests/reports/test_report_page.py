import datetime
import re

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.reports.fixtures import LONDON, bigger_world, report_world

pytestmark = pytest.mark.django_db

APRIL_TO_MAY = {
    "date_from_day": "1",
    "date_from_month": "4",
    "date_from_year": "2026",
    "date_to_day": "31",
    "date_to_month": "5",
    "date_to_year": "2026",
}


@pytest.fixture
def world(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return report_world()


@pytest.fixture
def secretariat_client(client, world):
    client.force_login(world.secretariat)
    return client


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel("2026-06-15 10:00", tick=False):
        yield


def test_report_page_shows_charts_each_followed_by_its_table(secretariat_client):
    html = secretariat_client.get(reverse("reports:report"), APRIL_TO_MAY).text

    charts = re.findall(r"<svg [^>]*class=\"app-chart\".*?</svg>", html, flags=re.S)
    assert len(charts) == 3
    for chart in charts:
        assert "<title id=" in chart and "<desc id=" in chart
        # The content security policy forbids inline style: presentation attributes only.
        assert "style" not in chart
    for table in ("by-month", "stage-times", "compliance", "by-organisation", "expiring"):
        assert f'id="{table}"' in html
    assert html.index('id="chart-by-month"') < html.index('id="by-month"')
    assert "Northern University" in html
    assert "Ben North" in html


def test_report_page_without_filters_shows_the_last_twelve_months(secretariat_client):
    response = secretariat_client.get(reverse("reports:report"))

    assert response.status_code == 200
    html = response.text
    assert "1 July 2025 to 15 June 2026" in html
    assert 'name="date_from_month" type="text" inputmode="numeric" value="7"' in html


def test_report_page_filter_by_organisation(secretariat_client, world):
    html = secretariat_client.get(
        reverse("reports:report"), {**APRIL_TO_MAY, "organisation": world.south.pk}
    ).text

    assert "Southern Institute" in html
    assert '<th scope="row" class="govuk-table__header">Northern University</th>' not in html


@pytest.mark.parametrize(
    "changes, message",
    [
        (
            {"date_to_day": "31", "date_to_month": "3", "date_to_year": "2026"},
            "The end date must be the same as or after the start date",
        ),
        ({"date_from_day": "31", "date_from_month": "2"}, "The start date must be a real date"),
        ({"date_to_year": "twenty"}, "The end date must be a real date"),
        ({"date_from_year": "1990"}, "The report can cover at most 10 years"),
        ({"organisation": "999999"}, "Choose an organisation from the list"),
    ],
)
def test_report_page_bad_filters_show_the_error_summary_and_keep_input(
    secretariat_client, changes, message
):
    query = {**APRIL_TO_MAY, **changes}

    response = secretariat_client.get(reverse("reports:report"), query)

    assert response.status_code == 200
    html = response.text
    assert "govuk-error-summary" in html
    assert message in html
    assert "<title>Error:" in html
    for name, value in changes.items():
        if name != "organisation":
            assert f'name="{name}" type="text" inputmode="numeric" value="{value}"' in html
    assert "app-chart" not in html
    assert "Correct the filters to see the report." in html


def test_report_csv_with_bad_filters_goes_back_to_the_page_with_them(secretariat_client):
    query = {**APRIL_TO_MAY, "date_to_month": "3"}

    response = secretariat_client.get(reverse("reports:report_csv"), query)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("reports:report") + "?")
    assert "date_to_month=3" in response["Location"]


def test_report_page_queries_are_the_same_for_a_few_records_or_many(
    secretariat_client, django_assert_max_num_queries, settings
):
    # The records change below past the services, so past the trail the kept parts of the
    # page are kept under: every visit works them out.
    settings.STAFF_LISTS_KEPT_SECONDS = 0
    url = reverse("reports:report")
    # Fifteen for the report itself (three for each kind of record, three for accreditations,
    # one for the panel, two for the page of expiring accreditations), one for the organisation
    # filter's list, one for the latest events the kept parts of the page are kept under; the
    # rest are the session, the user, their roles and what the page header shows.
    with django_assert_max_num_queries(23), CaptureQueriesContext(connection) as few:
        assert secretariat_client.get(url, APRIL_TO_MAY).status_code == 200

    bigger_world()

    with django_assert_max_num_queries(len(few)):
        html = secretariat_client.get(url, APRIL_TO_MAY).text
    assert "Extra organisation 5" in html
    assert "7 accreditations expiring by 13 September 2026" in html


def _expiring_rows(html):
    table = html[html.index('id="expiring"') : html.index("</table>", html.index('id="expiring"'))]
    return re.findall(r'<td class="govuk-table__cell govuk-table__cell--numeric">(\d+)</td>', table)


def test_report_page_lists_expiring_accreditations_a_page_at_a_time(
    secretariat_client, monkeypatch
):
    import reports.figures

    monkeypatch.setattr(reports.figures, "EXPIRING_PER_PAGE", 4)
    bigger_world()
    url = reverse("reports:report")

    first = secretariat_client.get(url, APRIL_TO_MAY).text
    second = secretariat_client.get(url, {**APRIL_TO_MAY, "page": "2"}).text

    # Seven expiring in all, soonest first: Ben North's in 16 days, then the new ones from 20
    # July (35 days) onwards.
    for html in (first, second):
        assert "7 accreditations expiring by 13 September 2026" in html
        assert 'class="govuk-pagination"' in html
    assert _expiring_rows(first) == ["16", "35", "36", "37"]
    assert _expiring_rows(second) == ["38", "39", "40"]
    # The page links keep the report's filters.
    assert "date_from_month=4&amp;" in first and "page=2" in first
    assert 'aria-label="Page 2" aria-current="page"' in second


def test_report_page_refused_to_other_roles(client):
    from identity.roles import Role
    from tests.factories import UserFactory

    client.force_login(UserFactory(roles=[Role.OUTPUT_CHECKER], totp=True))

    assert client.get(reverse("reports:report")).status_code == 403


def test_report_page_dates_are_london_days(secretariat_client):
    # A request submitted at 00:30 on 1 June in London is 23:30 on 31 May in UTC: June's.
    from outputs.models import OutputRequest
    from tests.outputs.states import output_request_at

    output_request_at(
        OutputRequest.State.SUBMITTED, on=datetime.datetime(2026, 6, 1, 0, 30, tzinfo=LONDON)
    )
    html = secretariat_client.get(reverse("reports:report"), APRIL_TO_MAY).text
    assert "Output requests: 4" in html


def test_report_page_for_one_organisation_keeps_it_chosen_and_counts_its_expiring(
    secretariat_client, world
):
    bigger_world()

    html = secretariat_client.get(
        reverse("reports:report"), {**APRIL_TO_MAY, "organisation": world.north.pk}
    ).text

    assert f'<option value="{world.north.pk}" selected>Northern University</option>' in html
    assert html.count(" selected>") == 1
    # Of the seven expiring, only Ben North's is at Northern University.
    assert "1 accreditation expiring by 13 September 2026" in html

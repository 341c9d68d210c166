"""The helpers long lists use to work out their rows in Python give what the template tags and
filters they stand in for give."""

import datetime

import pytest
from django.template import engines
from django.urls import reverse
from django.utils import timezone

from govuk.links import url_for_ids
from govuk.rows import short_date


@pytest.mark.parametrize(
    "value",
    [
        # Late on a summer evening in UTC is the next day in London.
        datetime.datetime(2026, 6, 30, 23, 30, tzinfo=datetime.UTC),
        datetime.datetime(2026, 12, 6, 9, 5, tzinfo=datetime.UTC),
        datetime.date(2027, 9, 1),
    ],
)
def test_short_date_writes_a_day_as_the_date_filter_does(value):
    written = engines["django"].from_string('{{ value|date:"j M Y" }}').render({"value": value})

    assert short_date(value) == written
    assert short_date(None) == ""


def test_short_date_reads_a_time_in_the_time_zone_of_the_page():
    with timezone.override("Pacific/Auckland"):
        assert short_date(datetime.datetime(2026, 6, 30, 13, 0, tzinfo=datetime.UTC)) == (
            "1 Jul 2026"
        )


@pytest.mark.parametrize("pk", [1, 42, 918273645])
def test_url_for_ids_gives_what_reverse_gives_for_the_lists_pages(pk):
    assert url_for_ids("projects:screen")(pk) == reverse("projects:screen", kwargs={"pk": pk})
    assert url_for_ids("accreditation:screen")(pk) == (
        reverse("accreditation:screen", kwargs={"pk": pk})
    )

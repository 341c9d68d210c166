"""The report's figures against values worked out by hand from tests/reports/fixtures.py."""

import pytest
from django.db import connection

from reports.figures import Distribution, percentile, report_build
from tests.reports.fixtures import DATE_FROM, DATE_TO, TODAY, report_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return report_world()


@pytest.fixture
def report(world):
    return report_build(date_from=DATE_FROM, date_to=DATE_TO, today=TODAY)


def _counts(report, label):
    group = next(group for group in report.state_counts if group.label == label)
    return {state: count for state, count in group.counts if count}, group.total


def _stage(report, key):
    return next(time.distribution for time in report.stage_times if time.stage.key == key)


# The percentile method ------------------------------------------------------------------------


def test_percentile_interpolates_linearly_between_closest_ranks():
    # Sorted 1, 2, 3, 4: the median's rank is 1.5, half way from 2 to 3; the 90th percentile's
    # is 2.7, seven tenths of the way from 3 to 4.
    assert percentile([4, 1, 3, 2], 0.5) == 2.5
    assert percentile([4, 1, 3, 2], 0.9) == pytest.approx(3.7)
    # 15, 20, 35, 40, 50: ranks 2 and 3.6.
    assert percentile([15, 20, 35, 40, 50], 0.5) == 35
    assert percentile([15, 20, 35, 40, 50], 0.9) == pytest.approx(46)
    assert percentile([7], 0.9) == 7
    assert percentile([], 0.5) is None


def test_distribution_of_no_values_has_no_median():
    assert Distribution.of([]) == Distribution(0, None, None)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs percentile_cont")
def test_percentile_matches_postgresql_percentile_cont():
    values = [3.5, 1.0, 12.0, 7.25, 7.25, 30.0, 2.0]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY v), "
            "percentile_cont(0.9) WITHIN GROUP (ORDER BY v) FROM unnest(%s::float8[]) AS v",
            [values],
        )
        median, p90 = cursor.fetchone()
    assert percentile(values, 0.5) == pytest.approx(median)
    assert percentile(values, 0.9) == pytest.approx(p90)


# Counts ---------------------------------------------------------------------------------------


def test_report_counts_applications_by_state_within_the_range(report):
    counts, total = _counts(report, "Researcher accreditation applications")

    assert counts == {"Approved": 2, "Rejected": 1, "Submitted": 1, "Draft": 1}
    assert total == 5


def test_report_counts_accreditations_granted_within_the_range(report):
    assert _counts(report, "Accreditations granted") == ({"Active": 2}, 2)


def test_report_counts_proposals_and_output_requests_by_state(report):
    assert _counts(report, "Project proposals") == ({"Approved": 2, "Screening": 1}, 3)
    assert _counts(report, "Output requests") == (
        {"Draft": 1, "Submitted": 1, "Returned for changes": 1, "Released": 1},
        4,
    )


# Processing times -----------------------------------------------------------------------------


def test_report_application_decision_time_median_and_p90(report):
    # 2, 4.5 and 10 days: the median is 4.5; the 90th percentile's rank is 1.8, so
    # 4.5 + 0.8 * (10 - 4.5) = 8.9.
    distribution = _stage(report, "application_decision")

    assert distribution.count == 3
    assert distribution.median == pytest.approx(4.5)
    assert distribution.p90 == pytest.approx(8.9)


def test_report_proposal_stage_times_from_the_audit_trail(report):
    # To screening: 1.5, 1 and 3 days; median 1.5, p90 1.5 + 0.8 * 1.5 = 2.7.
    assert _stage(report, "proposal_screening") == Distribution(
        3, pytest.approx(1.5), pytest.approx(2.7)
    )
    # Only the panel proposal went to the panel: 3 days there from screening, 10 to decision.
    assert _stage(report, "proposal_panel") == Distribution(1, pytest.approx(3), pytest.approx(3))
    assert _stage(report, "proposal_panel_decision") == Distribution(
        1, pytest.approx(10), pytest.approx(10)
    )
    # Submitted to decision: 14.5 and 3 days; median 8.75, p90 3 + 0.9 * 11.5 = 13.35.
    decision = _stage(report, "proposal_decision")
    assert decision.count == 2
    assert decision.median == pytest.approx(8.75)
    assert decision.p90 == pytest.approx(13.35)


def test_report_output_request_stage_times(report):
    # Reviewed after 2 and 8 days: median 5, p90 2 + 0.9 * 6 = 7.4.
    review = _stage(report, "output_review")
    assert (review.count, review.median, review.p90) == (2, pytest.approx(5), pytest.approx(7.4))
    assert _stage(report, "output_decision").median == pytest.approx(1)
    assert _stage(report, "output_release").median == pytest.approx(1)
    assert _stage(report, "output_total").median == pytest.approx(3)


# Service levels -------------------------------------------------------------------------------


def test_report_output_service_level_counts_late_and_overdue_requests_as_missed(report):
    # Decided in 3 days over Easter (met); returned a day after its due day (missed); still
    # waiting past its due day (missed); the draft is left out.
    outputs = report.compliance[0]

    assert (outputs.met, outputs.missed, outputs.percent) == (1, 2, 33.3)


def test_report_panel_recommendations_in_by_their_due_date(report):
    # A day early (met), two days late (missed), never in and past due (missed); the one due
    # after the range is left out.
    panel = report.compliance[1]

    assert (panel.met, panel.missed, panel.percent) == (1, 2, 33.3)


# By month and by organisation ------------------------------------------------------------------


def test_report_by_month_lists_every_month_of_the_range(report):
    rows = {row.label: row for row in report.by_month}

    assert list(rows) == ["April 2026", "May 2026"]
    april, may = rows["April 2026"], rows["May 2026"]
    assert (april.applications, april.accreditations, april.proposals, april.output_requests) == (
        2,
        1,
        1,
        1,
    )
    assert (april.output_met, april.output_missed) == (1, 0)
    assert (may.applications, may.accreditations, may.proposals, may.output_requests) == (
        3,
        1,
        2,
        3,
    )
    assert (may.output_met, may.output_missed, may.output_percent) == (0, 2, 0)


def test_report_by_organisation(report):
    rows = {row.label: row for row in report.by_organisation}

    assert list(rows) == ["Northern University", "Southern Institute"]
    north, south = rows["Northern University"], rows["Southern Institute"]
    assert (north.applications, north.accreditations, north.proposals, north.output_requests) == (
        3,
        1,
        1,
        3,
    )
    assert (north.output_met, north.output_missed, north.output_percent) == (1, 1, 50)
    assert (south.applications, south.accreditations, south.proposals, south.output_requests) == (
        2,
        1,
        2,
        1,
    )


def test_report_for_one_organisation_counts_only_its_records(world):
    report = report_build(
        date_from=DATE_FROM, date_to=DATE_TO, organisation=world.south, today=TODAY
    )

    assert _counts(report, "Researcher accreditation applications") == (
        {"Approved": 1, "Submitted": 1},
        2,
    )
    assert _stage(report, "application_decision").median == pytest.approx(4.5)
    assert [row.label for row in report.by_organisation] == ["Southern Institute"]
    assert report.compliance[0].missed == 1
    assert report.compliance[1].total == 0


def test_report_narrower_range_leaves_out_records_outside_it(world):
    report = report_build(
        date_from=DATE_FROM.replace(day=1), date_to=DATE_FROM.replace(day=30), today=TODAY
    )

    assert [row.label for row in report.by_month] == ["April 2026"]
    assert _counts(report, "Researcher accreditation applications")[1] == 2


# Expiring accreditations ----------------------------------------------------------------------


def test_report_lists_active_accreditations_expiring_in_90_days_soonest_first(report):
    # Ben North's provisional accreditation ends on 1 July (16 days); Di South's on 1 October is
    # 108 days away, and the suspended one does not count.
    assert [(row.name, row.organisation, row.days_left) for row in report.expiring] == [
        ("Ben North", "Northern University", 16)
    ]
    assert report.expiring[0].level == "Provisional"


def test_report_by_organisation_sorts_names_whatever_their_case_with_no_organisation_last(world):
    import datetime

    from tests.accreditation.factories import AccreditationFactory, ApplicantFactory
    from tests.factories import UserFactory
    from tests.researchers.profile_factories import OrganisationFactory

    lower_case = OrganisationFactory(name="all souls research")
    AccreditationFactory(
        researcher=ApplicantFactory(ready__organisation=lower_case),
        valid_from=datetime.date(2026, 4, 20),
        valid_until=datetime.date(2031, 4, 19),
    )
    AccreditationFactory(
        researcher=UserFactory(),
        valid_from=datetime.date(2026, 5, 2),
        valid_until=datetime.date(2031, 5, 1),
    )

    report = report_build(date_from=DATE_FROM, date_to=DATE_TO, today=TODAY)

    rows = {row.label: row for row in report.by_organisation}
    assert list(rows) == [
        "all souls research",
        "Northern University",
        "Southern Institute",
        "No organisation given",
    ]
    assert (
        rows["No organisation given"].accreditations,
        rows["No organisation given"].applications,
    ) == (1, 0)
    # Southern Institute's one request is still waiting past its due day.
    south = rows["Southern Institute"]
    assert (south.output_met, south.output_missed, south.output_percent) == (0, 1, 0)

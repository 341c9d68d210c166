import re

import pytest

from reports.charts import axis_scale, bar_chart, horizontal_bar_chart


@pytest.mark.parametrize(
    "peak, expected",
    [(0, (4, 1)), (3, (3, 1)), (5, (6, 2)), (13, (15, 5)), (250, (300, 100)), (1234, (1500, 500))],
)
def test_axis_scale_steps_in_whole_numbers_above_the_peak(peak, expected):
    assert axis_scale(peak) == expected


def test_bar_chart_is_a_titled_image_styled_by_attributes_only():
    svg = bar_chart(
        chart_id="chart-test",
        title="Submissions <by> month",
        description="Counts & more",
        categories=["Apr 2026", "May 2026"],
        series=[("Applications", [2, 3], "#1d70b8"), ("Proposals", [1, 0], "#f47738")],
    )

    assert svg.startswith('<svg xmlns="http://www.w3.org/2000/svg" class="app-chart" role="img"')
    assert 'aria-labelledby="chart-test-title chart-test-desc"' in svg
    assert '<title id="chart-test-title">Submissions &lt;by&gt; month</title>' in svg
    assert '<desc id="chart-test-desc">Counts &amp; more</desc>' in svg
    assert "style" not in svg
    # One bar per series and month, each with its figure as a tooltip.
    assert len(re.findall(r'<rect [^>]*fill="#1d70b8">', svg)) == 2
    assert "<title>May 2026, Applications: 3</title>" in svg


def test_horizontal_bar_chart_says_no_data_instead_of_a_bar():
    svg = horizontal_bar_chart(
        chart_id="chart-test",
        title="Stages",
        description="Days",
        labels=["Screening", "Panel"],
        series=[("Median", [1.5, None], "#1d70b8")],
        unit=" d",
    )

    assert "Median: no data" in svg
    assert ">1.5 d</text>" in svg

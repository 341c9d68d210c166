"""Charts drawn on the server as SVG, so the page and the PDF show the very same picture.

Only presentation attributes (``fill=``, ``stroke=``, ``font-size=``) style them: the content
security policy refuses ``style`` attributes and ``<style>`` blocks. Each chart is an image with
a title and a description (``role="img"``, ``aria-labelledby``); the page follows each with a
table of the same figures, which is how screen readers and people copying numbers read them.
"""

import math
from typing import TYPE_CHECKING

from django.utils.html import escape
from django.utils.safestring import mark_safe

if TYPE_CHECKING:
    from .figures import Report

# GOV.UK Frontend's colours, distinguishable from each other and against white.
BLUE = "#1d70b8"
ORANGE = "#f47738"
GREEN = "#00703c"
PURPLE = "#4c2c92"
GREY = "#b1b4b6"
TEXT = "#0b0c0c"
FONT = 'font-family="Helvetica, Arial, sans-serif"'


def nice_ceiling(value):
    """The smallest of 1, 2, 2.5 or 5 times a power of ten that is at least ``value``."""
    if value <= 0:
        return 1
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if step * power >= value:
            return step * power
    return 10 * power


def axis_scale(peak, *, ticks=4):
    """(top of the axis, step between gridlines) for counts up to ``peak``: whole-number steps
    of 1, 2 or 5 times a power of ten, so no gridline falls between two counts."""
    if peak <= 0:
        return ticks, 1
    raw = peak / ticks
    power = 10 ** max(0, math.floor(math.log10(raw))) if raw >= 1 else 1
    step = next((factor * power for factor in (1, 2, 5, 10) if factor * power >= raw), 10 * power)
    return step * math.ceil(peak / step), step


def _number(value):
    if value is None:
        return ""
    if float(value).is_integer():
        return f"{int(value)}"
    return f"{value:.1f}"


def _open(chart_id, title, description, width, height):
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="app-chart" role="img" '
        f'width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc" id="{chart_id}">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(description)}</desc>',
        f'<rect x="0" y="0" width="{width}" height="{height}" fill="#ffffff"/>',
    ]


def _legend(series, *, x, y):
    parts = []
    for name, _, colour in series:
        parts.append(f'<rect x="{x}" y="{y - 10}" width="12" height="12" fill="{colour}"/>')
        parts.append(
            f'<text x="{x + 17}" y="{y}" {FONT} font-size="12" fill="{TEXT}">{escape(name)}</text>'
        )
        x += 24 + 7 * len(name)
    return parts


def bar_chart(*, chart_id, title, description, categories, series, width=640, height=320):
    """Vertical bars grouped by category (a month, say), one bar per series.

    ``series`` is a list of (name, values, colour) with one value per category.
    """
    left, right, top, bottom = 44, 8, 34, 48
    plot_width, plot_height = width - left - right, height - top - bottom
    peak = max((value or 0 for _, values, _ in series for value in values), default=0)
    ceiling, step = axis_scale(peak)
    parts = _open(chart_id, title, description, width, height)
    parts += _legend(series, x=left, y=16)

    for index in range(round(ceiling / step) + 1):
        value = step * index
        y = top + plot_height - plot_height * value / ceiling
        parts.append(
            f'<line x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}" '
            f'stroke="{GREY}" stroke-width="1"/>'
        )
        parts.append(
            f'<text x="{left - 6}" y="{y + 4:.1f}" {FONT} font-size="11" fill="{TEXT}" '
            f'text-anchor="end">{_number(value)}</text>'
        )

    count = max(len(categories), 1)
    group = plot_width / count
    bar = group * 0.8 / max(len(series), 1)
    every = max(1, math.ceil(count / 12))
    for index, category in enumerate(categories):
        x0 = left + group * index + group * 0.1
        for position, (name, values, colour) in enumerate(series):
            value = values[index] or 0
            bar_height = plot_height * value / ceiling
            parts.append(
                f'<rect x="{x0 + bar * position:.1f}" y="{top + plot_height - bar_height:.1f}" '
                f'width="{max(bar - 1, 1):.1f}" height="{bar_height:.1f}" fill="{colour}">'
                f"<title>{escape(category)}, {escape(name)}: {_number(value)}</title></rect>"
            )
        if index % every == 0:
            parts.append(
                f'<text x="{left + group * (index + 0.5):.1f}" y="{height - bottom + 16}" '
                f'{FONT} font-size="11" fill="{TEXT}" text-anchor="middle">'
                f"{escape(category)}</text>"
            )
    parts.append(
        f'<line x1="{left}" y1="{top + plot_height}" x2="{width - right}" '
        f'y2="{top + plot_height}" stroke="{TEXT}" stroke-width="1"/>'
    )
    parts.append("</svg>")
    # Every text put in the markup above went through escape(); numbers are formatted here.
    return mark_safe("".join(parts))  # noqa: S308


def horizontal_bar_chart(
    *,
    chart_id,
    title,
    description,
    labels,
    series,
    unit="",
    maximum=None,
    width=640,
    label_width=300,
):
    """Horizontal bars, one row per label and one bar per series in each row; a missing value
    is written as "no data" instead of a bar. ``series`` is a list of (name, values, colour);
    ``maximum`` fixes the scale (100 for percentages)."""
    row_height = 10 + 14 * len(series)
    top, bottom, right = 30, 10, 60
    height = top + bottom + row_height * max(len(labels), 1)
    plot_width = width - label_width - right
    peak = max((value or 0 for _, values, _ in series for value in values), default=0)
    ceiling = maximum or nice_ceiling(peak)
    parts = _open(chart_id, title, description, width, height)
    parts += _legend(series, x=label_width, y=16)
    for index, label in enumerate(labels):
        y0 = top + row_height * index
        parts.append(
            f'<text x="{label_width - 8}" y="{y0 + row_height / 2 + 4:.1f}" {FONT} '
            f'font-size="11" fill="{TEXT}" text-anchor="end">{escape(label)}</text>'
        )
        for position, (name, values, colour) in enumerate(series):
            value = values[index]
            y = y0 + 5 + 14 * position
            if value is None:
                parts.append(
                    f'<text x="{label_width + 2}" y="{y + 10}" {FONT} font-size="10" '
                    f'fill="{TEXT}">{escape(name)}: no data</text>'
                )
                continue
            bar_width = plot_width * value / ceiling
            parts.append(
                f'<rect x="{label_width}" y="{y}" width="{bar_width:.1f}" height="12" '
                f'fill="{colour}"><title>{escape(label)}, {escape(name)}: '
                f"{_number(value)}{escape(unit)}</title></rect>"
            )
            parts.append(
                f'<text x="{label_width + bar_width + 4:.1f}" y="{y + 10}" {FONT} '
                f'font-size="10" fill="{TEXT}">{_number(value)}{escape(unit)}</text>'
            )
    parts.append(
        f'<line x1="{label_width}" y1="{top}" x2="{label_width}" y2="{height - bottom}" '
        f'stroke="{TEXT}" stroke-width="1"/>'
    )
    parts.append("</svg>")
    # Every text put in the markup above went through escape(); numbers are formatted here.
    return mark_safe("".join(parts))  # noqa: S308


def report_charts(report: "Report") -> dict[str, str]:
    """The report's three charts, as SVG markup for a template."""
    months = [month.strftime("%b %Y") for month in report.months]
    by_month = bar_chart(
        chart_id="chart-by-month",
        title="Submissions by month",
        description=(
            "Bar chart of researcher accreditation applications, project proposals and output "
            "requests in each month of the report. The table below gives the same figures."
        ),
        categories=months,
        series=[
            ("Applications", [row.applications for row in report.by_month], BLUE),
            ("Proposals", [row.proposals for row in report.by_month], ORANGE),
            ("Output requests", [row.output_requests for row in report.by_month], GREEN),
        ],
    )
    stages = horizontal_bar_chart(
        chart_id="chart-stage-times",
        title="Processing time per stage, in days",
        description=(
            "Bar chart of the median and 90th percentile number of days each stage took. "
            "The table below gives the same figures."
        ),
        labels=[time.stage.label for time in report.stage_times],
        series=[
            ("Median", [time.distribution.median for time in report.stage_times], BLUE),
            ("90th percentile", [time.distribution.p90 for time in report.stage_times], PURPLE),
        ],
        unit=" d",
    )
    compliance = horizontal_bar_chart(
        chart_id="chart-compliance",
        title="Service levels met, per cent",
        description=(
            "Bar chart of the share of output requests decided within the service level and of "
            "panel recommendations in by their due date. The table below gives the same figures."
        ),
        labels=[item.label for item in report.compliance],
        series=[("Met", [item.percent for item in report.compliance], GREEN)],
        unit="%",
        maximum=100,
    )
    return {"by_month": by_month, "stage_times": stages, "compliance": compliance}

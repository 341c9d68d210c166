import datetime
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.shortcuts import get_object_or_404
from django.utils import timezone

from researchers.models import Organisation

from .figures import Report, report_build, report_from_figures
from .forms import default_range
from .models import ReportExport, ReportSummary

RECENT_EXPORTS = 20
# The worker refreshes the summary every quarter of an hour; one older than this means the
# worker has stopped, and the page works the figures out itself rather than show old ones.
SUMMARY_MAX_AGE = datetime.timedelta(hours=1)


def exports_recent(*, limit=RECENT_EXPORTS):
    """The latest PDF exports, newest first, with who asked for them, in one query."""
    return list(ReportExport.objects.select_related("requested_by")[:limit])


def export_get(*, pk):
    return get_object_or_404(ReportExport.objects.select_related("requested_by"), pk=pk)


def filters_resolve(filters: Mapping[str, Any]) -> dict[str, Any]:
    """The keyword arguments of ``report_build`` from filters kept as JSON."""
    organisation_id = filters.get("organisation")
    organisation = (
        Organisation.objects.filter(pk=organisation_id).first() if organisation_id else None
    )
    return {
        "date_from": datetime.date.fromisoformat(filters["date_from"]),
        "date_to": datetime.date.fromisoformat(filters["date_to"]),
        "organisation": organisation,
    }


def report_summary_current(*, now: datetime.datetime | None = None) -> ReportSummary | None:
    """The kept summary of the default report when it can stand for the live figures: worked
    out within ``SUMMARY_MAX_AGE``, for today's default range and the service level in force.
    None otherwise (never kept yet, the worker stopped, or a new day began), in one query."""
    return _summaries_current(now=now).first()


def report_summary_moment(*, now: datetime.datetime | None = None) -> datetime.datetime | None:
    """When the summary ``report_summary_current`` finds was worked out, read without its
    figures; None when there is none."""
    return _summaries_current(now=now).values_list("computed_at", flat=True).first()


def _summaries_current(*, now):
    now = timezone.now() if now is None else now
    date_from, date_to = default_range(timezone.localdate(now))
    return ReportSummary.objects.filter(
        name=ReportSummary.DEFAULT,
        date_from=date_from,
        date_to=date_to,
        working_days=settings.OUTPUT_SERVICE_LEVEL_WORKING_DAYS,
        computed_at__gt=now - SUMMARY_MAX_AGE,
        computed_at__lte=now,
    )


def summary_stands_for(*, date_from, date_to, organisation, live) -> bool:
    """Whether the summary, when current, stands for the report asked for: the default one
    (today's default range, all organisations), not asked to be worked out now."""
    return not live and organisation is None and (date_from, date_to) == default_range()


def report_for_page(
    *,
    date_from: datetime.date,
    date_to: datetime.date,
    organisation: Organisation | None = None,
    expiring_page: int | str | None = None,
    live: bool = False,
) -> tuple[Report, datetime.datetime | None]:
    """The report for a page of the site, and the moment its figures were worked out when they
    come from the summary the worker keeps (None when worked out now).

    The default report (today's default range, all organisations) comes from the summary while
    it is current, unless ``live`` asks for the figures worked out now; every other report, and
    the default one without a current summary, is worked out now. The expiring accreditations
    are always read now.
    """
    if summary_stands_for(
        date_from=date_from, date_to=date_to, organisation=organisation, live=live
    ):
        summary = report_summary_current()
        if summary is not None:
            report = report_from_figures(summary.figures, expiring_page=expiring_page)
            return report, summary.computed_at
    report = report_build(
        date_from=date_from,
        date_to=date_to,
        organisation=organisation,
        expiring_page=expiring_page,
    )
    return report, None

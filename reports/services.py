"""Exporting the accreditation report, each step audited: a CSV download, a PDF asked for,
prepared in the background (the export's own state machine, whose steps the service takes with
no person as their actor), failed or downloaded. And keeping the summary of the report the
secretariat's page opens with, which the worker refreshes."""

import datetime
import hashlib
import logging
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from audit.services import audit_record
from documents.rendering import render_pdf
from researchers.models import User
from workflow.services import transition_fire

from .charts import report_charts
from .figures import Report, report_build, report_figures
from .forms import default_range
from .models import ReportExport, ReportSummary
from .selectors import filters_resolve

logger = logging.getLogger(__name__)


def report_csv_record(
    *, filters: Mapping[str, Any], by: User, request: HttpRequest | None = None
) -> None:
    """Audit that ``by`` downloaded the report's rows as CSV with ``filters``."""
    with transaction.atomic():
        audit_record(
            actor=by, action="report.csv_exported", payload={"filters": filters}, request=request
        )


def report_export_request(
    *, filters: Mapping[str, Any], by: User, request: HttpRequest | None = None
) -> ReportExport:
    """Queue a PDF of the report with ``filters`` for ``by``; the task starts after commit."""
    with transaction.atomic():
        export = ReportExport.objects.create(requested_by=by, filters=filters)
        audit_record(
            actor=by,
            action="report.pdf_requested",
            obj=export,
            to_state=export.state,
            payload={"filters": filters},
            request=request,
        )
        export_id = str(export.pk)
        transaction.on_commit(lambda: _queue_render(export_id))
    return export


def _queue_render(export_id: str) -> None:
    from .tasks import report_export_render_task

    try:
        report_export_render_task.delay(export_id)
    except Exception:
        # The export is saved: the hourly sweep queues it again, and the status page says it
        # is waiting, which beats an error page for a request that was recorded.
        logger.exception("Could not queue report export %s; the sweep will retry", export_id)


def _progress(export: ReportExport, progress: int, **fields: Any) -> None:
    # Outside any transaction of the render, so the status page sees each step at once.
    ReportExport.objects.filter(pk=export.pk).update(progress=progress, **fields)


def report_pdf_context(
    report: Report,
    *,
    requested_by: User | None = None,
    generated_at: datetime.datetime | None = None,
) -> dict[str, Any]:
    return {
        "report": report,
        "charts": report_charts(report),
        "requested_by": requested_by,
        "generated_at": generated_at or timezone.now(),
    }


def _start(export: ReportExport) -> ReportExport:
    """Take ``export`` from the queue, recorded as its own step. A retry of one already being
    prepared starts its work again; one finished meanwhile is returned as it is."""
    with transaction.atomic():
        export = ReportExport.objects.select_for_update().get(pk=export.pk)
        if export.state == ReportExport.State.QUEUED:
            return transition_fire(obj=export, transition="start", by=None)
    if export.state == ReportExport.State.RUNNING:
        _progress(export, 5, started_at=timezone.now())
    return export


def report_export_render(*, export: ReportExport) -> ReportExport:
    """Build the report, render it to PDF and store it privately. Safe to run again: an export
    already ready or failed is returned as it is."""
    export = ReportExport.objects.select_related("requested_by").get(pk=export.pk)
    if export.finished:
        return export
    requested_by = export.requested_by
    export = _start(export)
    if export.finished:
        return export
    report = report_build(**filters_resolve(export.filters))
    _progress(export, 40)
    context = report_pdf_context(report, requested_by=requested_by)
    _progress(export, 60)
    pdf = render_pdf("reports/report_pdf.html", context, stylesheets=PDF_STYLESHEETS)
    _progress(export, 90)
    with transaction.atomic():
        export = ReportExport.objects.select_for_update().get(pk=export.pk)
        if export.state != ReportExport.State.RUNNING:
            return export
        return transition_fire(
            obj=export,
            transition="finish",
            by=None,
            pdf=pdf,
            payload={
                "filters": export.filters,
                "requested_by": export.requested_by_id,
                "sha256": hashlib.sha256(pdf).hexdigest(),
                "size": len(pdf),
            },
        )


PDF_STYLESHEETS = ("documents/print.css", "reports/report_print.css")


def report_export_fail(*, export: ReportExport, reason: str) -> ReportExport:
    """Record that an export could not be prepared, with the reason for the secretariat. An
    export already finished is returned as it is."""
    with transaction.atomic():
        export = ReportExport.objects.select_for_update().get(pk=export.pk)
        if export.finished:
            return export
        return transition_fire(
            obj=export,
            transition="fail",
            by=None,
            reason=reason,
            payload={"reason": reason[:500]},
        )


def report_export_download_record(
    *, export: ReportExport, by: User, request: HttpRequest | None = None
) -> None:
    """Audit that ``by`` downloaded the PDF of ``export``."""
    with transaction.atomic():
        audit_record(
            actor=by,
            action="report.pdf_downloaded",
            obj=export,
            payload={"filters": export.filters},
            request=request,
        )


def report_summary_refresh(*, today: datetime.date | None = None) -> ReportSummary:
    """Work out the figures of the report the secretariat's page opens with (the default range,
    all organisations) and keep them, replacing those kept before.

    The figures are worked out before the row is written, so no transaction stays open while
    the database counts; the moment kept is when the counting started, so the page never says
    the figures are newer than they are.
    """
    computed_at = timezone.now()
    date_from, date_to = default_range(today)
    working_days = settings.OUTPUT_SERVICE_LEVEL_WORKING_DAYS
    report = report_build(
        date_from=date_from, date_to=date_to, today=date_to, working_days=working_days
    )
    summary, _ = ReportSummary.objects.update_or_create(
        name=ReportSummary.DEFAULT,
        defaults={
            "date_from": date_from,
            "date_to": date_to,
            "working_days": working_days,
            "figures": report_figures(report),
            "computed_at": computed_at,
        },
    )
    return summary

import logging
from datetime import timedelta

from celery import shared_task
from django.utils import timezone

from .models import ReportExport
from .services import report_export_fail, report_export_render, report_summary_refresh

logger = logging.getLogger(__name__)

MAX_RETRIES = 3


@shared_task(bind=True, acks_late=True, max_retries=MAX_RETRIES, default_retry_delay=15)
def report_export_render_task(self, export_id):
    """Prepare a report PDF; retried with back-off a few times, then marked as failed."""
    export = ReportExport.objects.filter(pk=export_id).first()
    if export is None or export.finished:
        return
    try:
        export = report_export_render(export=export)
    except Exception as error:
        if self.request.retries >= MAX_RETRIES:
            logger.exception("Report export %s could not be prepared", export_id)
            report_export_fail(export=export, reason=f"{type(error).__name__}: {error}")
            return
        raise self.retry(exc=error, countdown=15 * (2**self.request.retries)) from error
    logger.info("Report export %s ready, %s bytes", export_id, export.size)


REQUEUE_AFTER = timedelta(minutes=15)


@shared_task(acks_late=True)
def report_exports_requeue_stale():
    """Hourly: queue again every PDF export still waiting or being prepared after a while.

    Asking for a PDF queues its task once the request commits; if the broker was down then, or
    a worker died past its retries, the export would wait for ever. Queuing one twice is
    harmless: the task does nothing for an export already finished, and storing the PDF locks
    the row and skips one finished meanwhile.
    """
    cutoff = timezone.now() - REQUEUE_AFTER
    stale = [
        str(pk)
        for pk in ReportExport.objects.filter(
            state__in=ReportExport.UNDER_WAY,
            created_at__lt=cutoff,
        )
        .order_by("created_at")
        .values_list("pk", flat=True)
    ]
    for export_id in stale:
        report_export_render_task.delay(export_id)
    if stale:
        logger.warning("Queued %d report export(s) again", len(stale))
    return len(stale)


@shared_task(acks_late=True)
def report_summary_refresh_task():
    """Every quarter of an hour: work out again the figures the secretariat's report page opens
    with, so the page reads them instead of counting every record on each visit."""
    summary = report_summary_refresh()
    logger.info("Report summary of %s to %s refreshed", summary.date_from, summary.date_to)
    return summary.computed_at.isoformat()

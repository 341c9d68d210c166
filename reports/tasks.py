import logging

from celery import shared_task

from .models import ReportExport
from .services import report_export_fail, report_export_render

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

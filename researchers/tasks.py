import logging
from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from documents.keys import SigningNotConfigured
from researchers.data_export.models import DataExport
from researchers.data_export.services import (
    data_export_build,
    data_export_fail,
    data_exports_expire,
    data_exports_stale,
)
from researchers.declaration.models import Declaration, DeclarationVersion
from researchers.declaration.services import (
    declaration_fail,
    declaration_render_and_sign,
    declaration_version_announce,
)

logger = logging.getLogger(__name__)

MAX_RETRIES = 5


@shared_task(bind=True, acks_late=True, max_retries=MAX_RETRIES, default_retry_delay=30)
def declaration_render_and_sign_task(self, declaration_id):
    """Prepare a signed declaration's PDF; retried a few times, then marked as failed."""
    declaration = Declaration.objects.filter(pk=declaration_id).first()
    if declaration is None or declaration.state != Declaration.State.PENDING:
        return
    try:
        declaration_render_and_sign(declaration=declaration)
    except SigningNotConfigured as error:
        # Retrying cannot help until an operator configures the key.
        logger.error("Declaration %s cannot be signed: %s", declaration.reference, error)
        declaration_fail(declaration=declaration, reason=str(error))
    except Exception as error:
        if self.request.retries >= MAX_RETRIES:
            logger.exception("Declaration %s could not be prepared", declaration.reference)
            declaration_fail(declaration=declaration, reason=f"{type(error).__name__}: {error}")
            return
        raise self.retry(exc=error, countdown=30 * (2**self.request.retries)) from error


@shared_task(ignore_result=True, acks_late=True)
def declarations_requeue_pending():
    """Hourly: queue again the PDF of every declaration still waiting for it after a while.

    Signing queues the PDF only once the signature commits; if the broker was down then, the
    task was never queued. Queuing one twice is harmless: the task does nothing for a
    declaration no longer pending, and preparing it locks the row and skips one already signed.
    """
    cutoff = timezone.now() - timedelta(minutes=settings.DECLARATION_REQUEUE_AFTER_MINUTES)
    pending = list(
        Declaration.objects.filter(state=Declaration.State.PENDING, signed_at__lt=cutoff)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    for declaration_id in pending:
        declaration_render_and_sign_task.delay(declaration_id)
    if pending:
        logger.warning("Queued the PDF of %d pending declaration(s) again", len(pending))
    return len(pending)


@shared_task(ignore_result=True, acks_late=True)
def declaration_version_announce_task(version_id):
    """Tell everyone a newly published declaration version concerns that they must sign it."""
    version = DeclarationVersion.objects.filter(pk=version_id).first()
    if version is None:
        return 0
    told = declaration_version_announce(version=version)
    logger.info("Told %d people to sign version %d of the declaration", told, version.number)
    return told


@shared_task(bind=True, acks_late=True, max_retries=3, default_retry_delay=15)
def data_export_build_task(self, export_id):
    """Prepare a person's copy of their data; retried with back-off a few times, then marked as
    failed, which tells them to ask again."""
    export = DataExport.objects.filter(pk=export_id).first()
    if export is None or export.state not in DataExport.UNDER_WAY:
        return
    try:
        export = data_export_build(export=export)
    except Exception as error:
        if self.request.retries >= self.max_retries:
            logger.exception("Data export %s could not be prepared", export_id)
            data_export_fail(export=export, reason=f"{type(error).__name__}: {error}")
            return
        raise self.retry(exc=error, countdown=15 * (2**self.request.retries)) from error
    logger.info("Data export %s ready, %s bytes", export_id, export.size)


@shared_task(ignore_result=True, acks_late=True)
def data_exports_sweep():
    """Hourly: delete every copy of a person's data whose days are up, and queue again any
    whose task was lost. Queuing one twice is harmless: the task does nothing for an export
    already finished."""
    expired = data_exports_expire()
    stale = data_exports_stale()
    for export_id in stale:
        data_export_build_task.delay(export_id)
    if stale:
        logger.warning("Queued %d data export(s) again", len(stale))
    return {"expired": expired, "queued_again": len(stale)}

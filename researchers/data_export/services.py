"""A person's copy of their data: asked for, prepared in the background (the export's own state
machine, whose steps the service takes with no person as their actor), downloaded by that
person alone, and deleted once its days are up; each step audited."""

import logging
import tempfile
from datetime import datetime, timedelta

from django.core.files import File
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from audit.services import audit_record
from researchers.models import User
from uploads.storage import delete_after_commit
from uploads.validators import sha256_and_size
from workflow.services import transition_fire

from .archive import archive_write
from .models import DataExport
from .permissions import check_user_can_download_data_export

logger = logging.getLogger(__name__)

DATA_EXPORT_REQUESTED = "data_export.requested"
DATA_EXPORT_DOWNLOADED = "data_export.downloaded"


def data_export_request(*, person: User, request: HttpRequest | None = None) -> DataExport:
    """Queue a copy of ``person``'s data; the worker starts once this commits. One already
    being prepared is returned instead of a second."""
    with transaction.atomic():
        # Lock the person, so two clicks at once queue one export.
        User.objects.select_for_update().filter(pk=person.pk).first()
        export = DataExport.objects.filter(person=person, state__in=DataExport.UNDER_WAY).first()
        if export is not None:
            return export
        export = DataExport.objects.create(person=person)
        audit_record(
            actor=person,
            action=DATA_EXPORT_REQUESTED,
            obj=export,
            to_state=export.state,
            request=request,
        )
        export_id = str(export.pk)
        transaction.on_commit(lambda: _queue_build(export_id))
    return export


def _queue_build(export_id: str) -> None:
    from researchers.tasks import data_export_build_task

    try:
        data_export_build_task.delay(export_id)
    except Exception:
        # The export is saved: the hourly sweep queues it again, and the page says it is being
        # prepared, which beats an error page for a request that was recorded.
        logger.exception("Could not queue data export %s; the sweep will retry", export_id)


def data_export_build(*, export: DataExport) -> DataExport:
    """Write the zip of the person's data to a temporary file, then store it privately and tell
    the person. Safe to run again: an export no longer being prepared is returned as it is."""
    export = DataExport.objects.select_related("person").get(pk=export.pk)
    if export.state not in DataExport.UNDER_WAY:
        return export
    with tempfile.TemporaryFile() as spool:
        counts = archive_write(person=export.person, into=spool)
        sha256, size = sha256_and_size(spool)
        with transaction.atomic():
            export = DataExport.objects.select_for_update().get(pk=export.pk)
            if export.state not in DataExport.UNDER_WAY:
                return export
            return transition_fire(
                obj=export,
                transition="finish",
                by=None,
                zip_file=File(spool),
                size=size,
                sha256=sha256,
                payload={"person": export.person_id, "sha256": sha256, "size": size, **counts},
            )


def data_export_fail(*, export: DataExport, reason: str) -> DataExport:
    """Record that an export could not be prepared, and tell the person. One finished
    meanwhile is returned as it is."""
    with transaction.atomic():
        export = DataExport.objects.select_for_update().get(pk=export.pk)
        if export.state not in DataExport.UNDER_WAY:
            return export
        return transition_fire(
            obj=export, transition="fail", by=None, reason=reason, payload={"reason": reason[:500]}
        )


def data_export_download_record(
    *, export: DataExport, by: User, request: HttpRequest | None = None
) -> None:
    """Audit that ``by`` downloaded ``export``: only its person may."""
    check_user_can_download_data_export(by, export)
    with transaction.atomic():
        audit_record(
            actor=by,
            action=DATA_EXPORT_DOWNLOADED,
            obj=export,
            payload={"sha256": export.sha256, "size": export.size},
            request=request,
        )


def data_exports_expire(*, now: datetime | None = None) -> int:
    """Delete every ready zip whose days are up, each its own step. Returns how many."""
    now = now or timezone.now()
    due = list(
        DataExport.objects.filter(state__in=DataExport.DOWNLOADABLE, expires_at__lte=now)
        .order_by("expires_at")
        .values_list("pk", flat=True)
    )
    expired = 0
    for pk in due:
        with transaction.atomic():
            export = DataExport.objects.select_for_update().get(pk=pk)
            if export.state not in DataExport.DOWNLOADABLE:
                continue
            storage, name = export.file.storage, export.file.name
            transition_fire(
                obj=export, transition="expire", by=None, payload={"sha256": export.sha256}
            )
            delete_after_commit(storage, name)
            expired += 1
    return expired


REQUEUE_AFTER = timedelta(minutes=15)


def data_exports_stale(*, now: datetime | None = None) -> list[str]:
    """The exports still being prepared a while after they were asked for: their task was lost
    (the broker down when asked, or a worker gone past its retries)."""
    cutoff = (now or timezone.now()) - REQUEUE_AFTER
    return [
        str(pk)
        for pk in DataExport.objects.filter(
            state__in=DataExport.UNDER_WAY, created_at__lt=cutoff
        ).values_list("pk", flat=True)
    ]

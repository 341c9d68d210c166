"""A person's copy of everything the service holds about them, prepared in the background."""

import datetime
import uuid

from django.conf import settings
from django.core.files import File
from django.db import models
from django.utils import timezone
from django_fsm import FSMField, transition

from uploads.storage import PrivateUploadTo
from workflow.models import StateGroup, StateMachineModel
from workflow.permissions import is_the_service


class DataExport(StateMachineModel):
    """A zip of a person's data, prepared by the worker for that person alone, kept privately and
    deleted a few days after it is ready (``DATA_EXPORT_KEEP_DAYS``).

    The worker stores the zip (``finish``) or gives up after its retries (``fail``); the hourly
    sweep queues again one left waiting too long, and deletes the zip of one past its time
    (``expire``). A failed or expired export stays so: the person asks for another.
    """

    class State(models.TextChoices):
        QUEUED = "queued", "Being prepared"
        READY = "ready", "Ready to download"
        FAILED = "failed", "Could not be prepared"
        EXPIRED = "expired", "Deleted"

    STATE_OWNERS = {
        # The service prepares and deletes the zip in the background: no person has a step.
        State.QUEUED: None,
        State.READY: None,
        State.FAILED: None,
        State.EXPIRED: None,
    }
    UNDER_WAY = StateGroup([State.QUEUED], meaning="Under way: being prepared")
    DOWNLOADABLE = StateGroup([State.READY], meaning="Downloadable until it is deleted")
    STATE_TAG_COLOURS = {
        State.QUEUED: "blue",
        State.READY: "green",
        State.FAILED: "red",
        State.EXPIRED: "grey",
    }
    audit_label = "data_export"

    # A random identifier: the address of an export says nothing about how many there are.
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="data_exports"
    )
    state = FSMField(choices=State.choices, default=State.QUEUED, protected=True)
    file = models.FileField(upload_to=PrivateUploadTo("data-exports"), max_length=255, blank=True)
    size = models.PositiveBigIntegerField(null=True, blank=True)
    sha256 = models.CharField("SHA-256 of the zip", max_length=64, blank=True)
    error = models.TextField(blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(
        null=True, blank=True, help_text="When the zip is deleted; set once it is ready."
    )

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["person", "-created_at"], name="data_export_recent")]

    def __str__(self):
        return f"Copy of personal data of {self.created_at:%d %B %Y %H:%M}"

    @property
    def download_name(self):
        return f"your-data-{self.created_at:%Y-%m-%d}.zip"

    @property
    def is_downloadable(self):
        return self.state in self.DOWNLOADABLE and (
            self.expires_at is None or self.expires_at > timezone.now()
        )

    @transition(
        field=state,
        source=State.QUEUED,
        target=State.READY,
        permission=is_the_service,
        custom={
            "label": "Store the finished zip",
            "refused": "Only an export being prepared can be stored as ready.",
        },
    )
    def finish(self, zip_file: File, *, size: int, sha256: str) -> None:
        """Store ``zip_file``, the finished zip, read from where the worker wrote it."""
        self.file.save(self.download_name, zip_file, save=False)
        self.size = size
        self.sha256 = sha256
        self.finished_at = timezone.now()
        self.expires_at = self.finished_at + datetime.timedelta(days=settings.DATA_EXPORT_KEEP_DAYS)
        self.error = ""

    @transition(
        field=state,
        source=State.QUEUED,
        target=State.FAILED,
        permission=is_the_service,
        custom={
            "label": "Record that the zip could not be prepared",
            "refused": "Only an export being prepared can fail.",
        },
    )
    def fail(self, reason=""):
        self.error = reason[:2000]
        self.finished_at = timezone.now()

    @transition(
        field=state,
        source=State.READY,
        target=State.EXPIRED,
        permission=is_the_service,
        custom={
            "label": "Delete the zip once its days are up",
            "refused": "Only a ready export is deleted when its days are up.",
        },
    )
    def expire(self):
        # The stored zip itself goes once this step commits (services.data_exports_expire).
        self.file = ""

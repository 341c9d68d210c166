import uuid

from django.conf import settings
from django.db import models

from uploads.storage import PrivateUploadTo


class ReportExport(models.Model):
    """A PDF of the accreditation report, prepared in the background for one member of the
    secretariat and kept privately; any member of the secretariat may download it."""

    class State(models.TextChoices):
        QUEUED = "queued", "Waiting to start"
        RUNNING = "running", "Being prepared"
        READY = "ready", "Ready"
        FAILED = "failed", "Failed"

    # The export's page changes the words of its tag as the PDF is prepared, not its colour, so
    # every state keeps the one colour.
    STATE_TAG_COLOURS = {
        State.QUEUED: "blue",
        State.RUNNING: "blue",
        State.READY: "blue",
        State.FAILED: "blue",
    }

    # A random identifier: the address of an export says nothing about how many there are.
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="report_exports"
    )
    filters = models.JSONField(
        default=dict,
        help_text="The report's filters as ISO dates and an organisation id: date_from, "
        "date_to, organisation.",
    )
    state = models.CharField(max_length=10, choices=State.choices, default=State.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0, help_text="Per cent done, 0 to 100.")
    file = models.FileField(upload_to=PrivateUploadTo("reports"), max_length=255, blank=True)
    size = models.PositiveBigIntegerField(null=True, blank=True)
    error = models.TextField(blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(progress__lte=100),
                name="report_export_progress_at_most_100",
            ),
        ]

    def __str__(self):
        return f"Report PDF of {self.created_at:%d %B %Y %H:%M} ({self.get_state_display()})"

    @property
    def finished(self):
        return self.state in (self.State.READY, self.State.FAILED)

    @property
    def download_name(self):
        date_from = self.filters.get("date_from", "")
        date_to = self.filters.get("date_to", "")
        return f"accreditation-report-{date_from}-to-{date_to}.pdf"

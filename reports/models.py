import uuid

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import models
from django.utils import timezone
from django_fsm import FSMField, transition

from uploads.storage import PrivateUploadTo
from workflow.models import StateGroup, StateMachineModel
from workflow.permissions import is_the_service


class ReportExport(StateMachineModel):
    """A PDF of the accreditation report, prepared in the background for one member of the
    secretariat and kept privately; any member of the secretariat may download it.

    The worker takes it from the queue (``start``) and stores the PDF (``finish``), or gives up
    after its retries (``fail``); the hourly sweep queues again one left waiting or being
    prepared too long. A failed export stays failed: the secretariat asks for another.
    """

    class State(models.TextChoices):
        QUEUED = "queued", "Waiting to start"
        RUNNING = "running", "Being prepared"
        READY = "ready", "Ready"
        FAILED = "failed", "Failed"

    STATE_OWNERS = {
        # The service prepares the PDF in the background: no person has a step to take.
        State.QUEUED: None,
        State.RUNNING: None,
        State.READY: None,
        State.FAILED: None,
    }
    UNDER_WAY = StateGroup(
        [State.QUEUED, State.RUNNING], meaning="Under way: waiting to start, or being prepared"
    )
    FINISHED = StateGroup([State.READY, State.FAILED], meaning="Finished: ready, or failed")
    audit_label = "report_export"
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
    state = FSMField(choices=State.choices, default=State.QUEUED, protected=True)
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
        return self.state in self.FINISHED

    @property
    def download_name(self):
        date_from = self.filters.get("date_from", "")
        date_to = self.filters.get("date_to", "")
        return f"accreditation-report-{date_from}-to-{date_to}.pdf"

    @transition(
        field=state,
        source=State.QUEUED,
        target=State.RUNNING,
        permission=is_the_service,
        custom={
            "label": "Start preparing the PDF",
            "refused": "Only an export waiting to start can be started: a failed export is not "
            "tried again, the secretariat asks for a new one.",
        },
    )
    def start(self):
        self.started_at = timezone.now()
        self.progress = 5

    @transition(
        field=state,
        source=State.RUNNING,
        target=State.READY,
        permission=is_the_service,
        custom={
            "label": "Store the finished PDF",
            "refused": "Only an export being prepared can be stored as ready.",
        },
    )
    def finish(self, pdf):
        """Store ``pdf``, the rendered report."""
        self.file.save(self.download_name, ContentFile(pdf), save=False)
        self.size = len(pdf)
        self.progress = 100
        self.finished_at = timezone.now()
        self.error = ""

    @transition(
        field=state,
        source=UNDER_WAY,
        target=State.FAILED,
        permission=is_the_service,
        custom={
            "label": "Record that the PDF could not be prepared",
            "refused": "An export already ready or failed cannot fail.",
        },
    )
    def fail(self, reason=""):
        self.error = reason[:2000]
        self.finished_at = timezone.now()


class ReportSummary(models.Model):
    """The figures of the report the secretariat's page opens with (the default range, all
    organisations), worked out by the worker every quarter of an hour so that the page need not
    work them out on every visit. One row for each report kept; the page uses it only while it
    is recent and covers today's default range, and works the figures out itself otherwise."""

    DEFAULT = "default"

    name = models.CharField(max_length=50, unique=True, default=DEFAULT)
    date_from = models.DateField()
    date_to = models.DateField()
    working_days = models.PositiveSmallIntegerField(
        help_text="The output service level, in working days, the figures were counted with."
    )
    figures = models.JSONField(help_text="The report's figures, as reports.figures keeps them.")
    computed_at = models.DateTimeField()

    class Meta:
        verbose_name_plural = "report summaries"

    def __str__(self):
        return (
            f"Report of {self.date_from} to {self.date_to}, as of {self.computed_at:%d %B %Y %H:%M}"
        )

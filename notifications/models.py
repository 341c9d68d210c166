"""What the service has told people: in-app notifications, and the ledger of reminders sent."""

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone


class Notification(models.Model):
    """One entry in a person's notification list, shown with an unread count in the header."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(
        max_length=100,
        help_text="What caused it: a transition such as 'proposal.submit', or a reminder kind.",
    )
    subject = models.CharField(max_length=200)
    body = models.TextField(blank=True)
    link = models.CharField(max_length=500, blank=True, help_text="Path of the page to act on.")
    about = models.CharField(
        max_length=300,
        blank=True,
        help_text="What it is about, naming the object and its person: “Census linkage”, "
        "from Amara Okafor.",
    )
    object_key = models.CharField(
        max_length=100,
        blank=True,
        help_text="The object it is about, as 'app_label.model:pk', so work done on it can "
        "close it.",
    )
    needs_action = models.BooleanField(
        default=False, help_text="Whether it asks its recipient to do something."
    )
    done_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When the object it asked about moved on, so nothing is waiting any more.",
    )
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["recipient", "read_at"], name="notification_unread"),
            models.Index(fields=["recipient", "-created_at"], name="notification_recent"),
            models.Index(
                fields=["object_key"],
                condition=models.Q(needs_action=True, done_at__isnull=True),
                name="notification_waiting_on",
            ),
            models.Index(
                fields=["recipient", "-created_at"],
                condition=models.Q(needs_action=True, done_at__isnull=True),
                name="notification_action_recent",
            ),
        ]

    def __str__(self):
        return self.subject

    @property
    def is_unread(self):
        return self.read_at is None

    @property
    def is_waiting(self):
        """It asks for something that has not been done yet."""
        return self.needs_action and self.done_at is None


class ReminderSent(models.Model):
    """One reminder of one kind about one object for one due date: the row makes sweeps idempotent.

    The unique constraint is the guarantee: a re-run sweep, a retried task or two workers at
    once insert the same key, and only the insert that wins sends anything.
    """

    kind = models.CharField(max_length=100)
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT)
    object_id = models.PositiveBigIntegerField()
    due_date = models.DateField()
    sent_at = models.DateTimeField(default=timezone.now)
    recipients = models.PositiveIntegerField(default=0)
    # The sweep run that inserted the row: after a bulk insert that ignores conflicts, a sweep
    # reads back the rows carrying its own token, and sends only those.
    sweep = models.UUIDField(null=True, blank=True, editable=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "content_type", "object_id", "due_date"], name="reminder_sent_once"
            )
        ]
        indexes = [models.Index(fields=["kind", "due_date"], name="reminder_kind_due")]

    def __str__(self):
        return f"{self.kind} {self.content_type_id}:{self.object_id} due {self.due_date}"

"""The machine clients of the API: named service accounts and the tokens issued to them."""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone


class Scope(models.TextChoices):
    """What a token may read. A token carries only the scopes it was issued with."""

    ENTITLEMENTS_READ = "entitlements:read", "Read entitlements"
    REGISTERS_READ = "registers:read", "Read the public registers"


class ServiceAccount(models.Model):
    """A system that reads the API, such as the secure research environment: a name people
    recognise in the audit trail, never a person."""

    name = models.CharField(max_length=100, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    # What DRF and the audit trail ask of whoever made a request.
    is_authenticated = True
    is_anonymous = False


class ApiTokenQuerySet(models.QuerySet["ApiToken"]):
    def usable(self, *, now=None):
        """Tokens neither revoked nor past their expiry."""
        now = now or timezone.now()
        return self.filter(revoked_at__isnull=True, expires_at__gt=now)


class ApiToken(models.Model):
    """A secret a service account presents as ``Authorization: Bearer <token>``.

    The token is shown once, when it is made; only its SHA-256 is kept, with its first
    characters (``prefix``) to find it by and to name it on pages. A token is long and random,
    so a plain hash is enough: nobody can guess one to test against the hash.
    """

    account = models.ForeignKey(ServiceAccount, on_delete=models.PROTECT, related_name="tokens")
    prefix = models.CharField(max_length=16, unique=True)
    digest = models.CharField(max_length=64)
    scopes = models.JSONField(default=list)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Empty when an operator made it with manage.py api_token_create.",
    )
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    last_used_at = models.DateTimeField(null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.account} token {self.prefix}…"

    def has_scope(self, scope):
        return scope in self.scopes

    @property
    def expired(self):
        return self.expires_at <= timezone.now()


class EntitlementRecord(models.Model):
    """An entitlement as last published to the webhook endpoints: one row per person, project
    and dataset, kept after it ends so that a later grant is told as such and the history stays.

    Only ``entitlements_publish`` writes these, comparing them with the entitlements derived
    from the records (``selectors.entitlements_current``); they are what was said, not what
    holds: the API derives what holds afresh on every request.
    """

    class State(models.TextChoices):
        IN_FORCE = "in_force", "In force"
        ENDED = "ended", "Ended"

    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    project = models.ForeignKey(
        "projects.Proposal", on_delete=models.CASCADE, related_name="entitlement_records"
    )
    dataset_slug = models.SlugField(max_length=100)
    person_email = models.EmailField()
    person_name = models.CharField(max_length=200, blank=True)
    project_title = models.CharField(max_length=300, blank=True)
    dataset_name = models.CharField(max_length=200, blank=True)
    variables = models.TextField(blank=True)
    access_mode = models.CharField(max_length=50, blank=True)
    valid_from = models.DateField()
    valid_until = models.DateField()
    state = models.CharField(max_length=10, choices=State.choices, default=State.IN_FORCE)
    granted_at = models.DateTimeField()
    changed_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)
    end_reason = models.CharField(max_length=200, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["person", "project", "dataset_slug"], name="entitlement_record_unique"
            )
        ]
        indexes = [models.Index(fields=["project", "state"], name="entitlement_record_project")]

    def __str__(self):
        return f"{self.person_email} on project {self.project_id}, {self.dataset_slug}"

    @property
    def key(self):
        return (self.person_id, self.project_id, self.dataset_slug)


class WebhookEndpoint(models.Model):
    """A URL the secretariat asked to be told of every entitlement granted, changed or ended.

    The secret signs every request to it. Unlike an API token the service must keep it to sign
    with, so it is stored; it is shown once, when the endpoint is added, and never again.
    """

    url = models.URLField(max_length=500)
    secret = models.CharField(max_length=100)
    description = models.CharField(max_length=200)
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    deactivated_at = models.DateTimeField(null=True, blank=True)
    deactivated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-active", "description", "pk"]

    def __str__(self):
        return f"{self.description} ({self.url})"


class WebhookEvent(models.Model):
    """The outbox: one entitlement granted, changed or ended, written in the transaction of the
    change and sent to every active endpoint by the worker afterwards."""

    class Kind(models.TextChoices):
        GRANTED = "granted", "Granted"
        CHANGED = "changed", "Changed"
        ENDED = "ended", "Ended"

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    record = models.ForeignKey(
        EntitlementRecord, null=True, on_delete=models.SET_NULL, related_name="events"
    )
    body = models.JSONField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"entitlement.{self.kind} {self.uid}"


class WebhookDelivery(models.Model):
    """One event to one endpoint: whether it arrived, how often it was tried, what went wrong."""

    class State(models.TextChoices):
        PENDING = "pending", "Pending"
        DELIVERED = "delivered", "Delivered"
        FAILED = "failed", "Failed"

    event = models.ForeignKey(WebhookEvent, on_delete=models.CASCADE, related_name="deliveries")
    # No index of its own: the (endpoint, state) index below begins with it.
    endpoint = models.ForeignKey(
        WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries", db_index=False
    )
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    last_status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-pk"]
        constraints = [
            models.UniqueConstraint(fields=["event", "endpoint"], name="webhook_delivery_unique")
        ]
        indexes = [
            models.Index(fields=["state", "next_attempt_at"], name="webhook_delivery_due"),
            # The webhooks page counts each endpoint's pending and failed deliveries on it.
            models.Index(fields=["endpoint", "state"], name="webhook_delivery_endpoint"),
        ]

    def __str__(self):
        return f"{self.event} to {self.endpoint.url}"

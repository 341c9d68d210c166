"""The machine clients of the API: named service accounts and the tokens issued to them."""

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

"""Reads that the people pages share, each in a fixed number of queries."""

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.db.models import Exists, OuterRef
from django.shortcuts import get_object_or_404

from audit.models import AuditEvent
from audit.personal import events_open

from .models import User

RECENT_EVENTS = 20

# What counts as a second factor: an authenticator app or a passkey. Recovery codes only stand in
# for one of these when it is lost, so they never count on their own.
SECOND_FACTORS = (Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN)


def second_factors():
    return Authenticator.objects.filter(type__in=SECOND_FACTORS)


def _with_security_facts(queryset):
    return queryset.annotate(
        email_verified=Exists(
            EmailAddress.objects.filter(
                user=OuterRef("pk"), email__iexact=OuterRef("email")
            ).filter(verified=True)
        ),
        has_second_factor=Exists(second_factors().filter(user=OuterRef("pk"))),
    )


def people_list():
    """Everyone with an account, their roles prefetched, whatever the page size."""
    return _with_security_facts(User.objects.prefetch_related("groups")).order_by(
        "full_name", "email"
    )


def person_get(*, pk):
    return get_object_or_404(_with_security_facts(User.objects.prefetch_related("groups")), pk=pk)


def person_audit_events(*, user, limit=RECENT_EVENTS):
    """The most recent audit events recorded about ``user``, newest first, their personal
    values opened (``shown``) where the key remains."""
    return events_open(
        AuditEvent.objects.filter(object_type=User._meta.label_lower, object_id=str(user.pk))
        .select_related("actor")
        .order_by("-created_at", "-id")[:limit]
    )


def user_has_second_factor(user: User) -> bool:
    """Whether ``user`` has set up two-factor authentication: an authenticator app or a
    passkey."""
    return second_factors().filter(user_id=user.pk).exists()


def users_without_second_factor(users):
    """Those of ``users`` who have set up neither an authenticator app nor a passkey, in the
    order given, in one query."""
    users = list(users)
    having = set(
        second_factors()
        .filter(user_id__in=[user.pk for user in users])
        .values_list("user_id", flat=True)
    )
    return [user for user in users if user.pk not in having]

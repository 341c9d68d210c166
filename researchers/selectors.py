"""Reads that the people pages share, each in a fixed number of queries."""

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.db.models import Exists, OuterRef
from django.shortcuts import get_object_or_404

from audit.models import AuditEvent

from .models import User

RECENT_EVENTS = 20


def _with_security_facts(queryset):
    return queryset.annotate(
        email_verified=Exists(
            EmailAddress.objects.filter(
                user=OuterRef("pk"), email__iexact=OuterRef("email")
            ).filter(verified=True)
        ),
        has_totp=Exists(
            Authenticator.objects.filter(user=OuterRef("pk"), type=Authenticator.Type.TOTP)
        ),
    )


def people_list():
    """Everyone with an account, their roles prefetched, whatever the page size."""
    return _with_security_facts(User.objects.prefetch_related("groups")).order_by(
        "full_name", "email"
    )


def person_get(*, pk):
    return get_object_or_404(_with_security_facts(User.objects.prefetch_related("groups")), pk=pk)


def person_audit_events(*, user, limit=RECENT_EVENTS):
    """The most recent audit events recorded about ``user``, newest first."""
    return list(
        AuditEvent.objects.filter(object_type=User._meta.label_lower, object_id=str(user.pk))
        .select_related("actor")
        .order_by("-created_at", "-id")[:limit]
    )


def user_has_totp(user):
    return Authenticator.objects.filter(user_id=user.pk, type=Authenticator.Type.TOTP).exists()

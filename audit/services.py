import ipaddress
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.db import models, transaction
from django.http import HttpRequest

from .models import AuditEvent

if TYPE_CHECKING:
    # The stubs' name for settings.AUTH_USER_MODEL, which audit, below every app, cannot import.
    from django.contrib.auth.models import _User as User


def _ip_address(text: str) -> str | None:
    try:
        return str(ipaddress.ip_address(text.strip().strip("[]")))
    except ValueError:
        return None


def client_ip(request: HttpRequest | None) -> str | None:
    """The client's address, as the service's own proxies saw it, or None.

    Behind ``settings.TRUSTED_PROXY_COUNT`` proxies it is the address the outermost of them
    appended to X-Forwarded-For, counted from the right: whatever a client writes into the
    header itself stands to the left of it and is never believed. Otherwise, or when the
    header holds no valid address there, it is the socket's address.
    """
    if request is None:
        return None
    proxies: int = settings.TRUSTED_PROXY_COUNT
    if proxies > 0:
        hops = request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
        if len(hops) >= proxies:
            address = _ip_address(hops[-proxies])
            if address:
                return address
    return _ip_address(request.META.get("REMOTE_ADDR", ""))


def audit_record(
    *,
    actor: "User | AnonymousUser | None",
    action: str,
    obj: models.Model | None = None,
    from_state: str | None = "",
    to_state: str | None = "",
    payload: dict[str, Any] | None = None,
    request: HttpRequest | None = None,
) -> AuditEvent:
    """Record one audit event. Call it inside the transaction of the change it records."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("Audit events are written inside the transaction of their change.")
    if actor is not None and not actor.is_authenticated:
        actor = None
    return AuditEvent.objects.create(
        actor=actor,
        action=action,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        object_repr=str(obj)[:200] if obj is not None else "",
        from_state=from_state or "",
        to_state=to_state or "",
        payload=payload or {},
        ip_address=client_ip(request),
    )

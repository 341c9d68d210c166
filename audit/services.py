from django.db import transaction

from .models import AuditEvent


def client_ip(request):
    """The client's address: the first X-Forwarded-For hop behind the load balancer."""
    if request is None:
        return None
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    address = forwarded.split(",")[0].strip() if forwarded else request.META.get("REMOTE_ADDR")
    return address or None


def audit_record(
    *,
    actor,
    action,
    obj=None,
    from_state="",
    to_state="",
    payload=None,
    request=None,
):
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

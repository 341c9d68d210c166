import ipaddress
from collections import defaultdict
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.db import models, transaction
from django.http import HttpRequest
from django.utils import timezone

from .hooks import people_concerned
from .models import AuditEvent, PersonEvent, PersonKey
from .personal import IP_ADDRESS, OBJECT_REPR, seal

PERSON_ERASED = "audit.person_erased"

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


def _owner(obj: models.Model | None) -> int | None:
    """The person whose data the object's title is: the user itself, or the person its model
    names by ``audit_person_id`` (a proposal's coordinator, who wrote its title), or None."""
    if obj is None:
        return None
    if obj._meta.label_lower == settings.AUTH_USER_MODEL.lower():
        return int(obj.pk)
    owner: int | None = getattr(obj, "audit_person_id", None)
    return owner


def audit_record(
    *,
    actor: "User | AnonymousUser | None",
    action: str,
    obj: models.Model | None = None,
    from_state: str | None = "",
    to_state: str | None = "",
    payload: dict[str, Any] | None = None,
    request: HttpRequest | None = None,
    person: int | None = None,
    personal: dict[str, Any] | None = None,
) -> AuditEvent:
    """Record one audit event. Call it inside the transaction of the change it records.

    ``payload`` is kept as given: put ids there, never personal data. What must be said about a
    person beyond their id (their email address, free text they wrote or that was written
    about them) goes in ``personal`` (payload keys and values) about ``person`` (a user's id),
    sealed under that person's key so that ``audit_erase_person`` can erase it without
    touching the event. The object's title is sealed too when it names a person or is their
    free text: under the user's key for a user, and under ``audit_person_id`` for a model that
    has one. ``person`` defaults to that same person. A signed-in actor's address is sealed
    under the actor's key.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("Audit events are written inside the transaction of their change.")
    if actor is not None and not actor.is_authenticated:
        actor = None
    owner = _owner(obj)
    if person is None:
        person = owner
    if personal and person is None:
        raise ValueError("Personal values need the person they are about.")
    if personal and payload and set(personal) & set(payload):
        raise ValueError("A payload key is either in the clear or sealed, not both.")
    object_repr = str(obj)[:200] if obj is not None else ""
    ip_address = client_ip(request)
    to_seal: dict[int, dict[str, Any]] = defaultdict(dict)
    if person is not None and personal:
        to_seal[person].update(personal)
    if owner is not None and object_repr:
        to_seal[owner][OBJECT_REPR] = object_repr
        object_repr = ""
    if actor is not None and ip_address:
        to_seal[actor.pk][IP_ADDRESS] = ip_address
        ip_address = None
    sealed = {}
    for someone, values in to_seal.items():
        entry = seal(someone, values) if values else None
        if entry is not None:
            sealed[str(someone)] = entry
    event = AuditEvent.objects.create(
        actor=actor,
        action=action,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        object_repr=object_repr,
        from_state=from_state or "",
        to_state=to_state or "",
        payload=payload or {},
        sealed=sealed or None,
        ip_address=ip_address,
    )
    _people_moved(event, obj=obj, owner=owner, actor=actor, person=person)
    return event


def _people_moved(
    event: AuditEvent,
    *,
    obj: models.Model | None,
    owner: int | None,
    actor: "User | None",
    person: int | None,
) -> None:
    """Record ``event`` as about the pages of everyone it concerns: whoever acted, the person the
    object or the event names, and whoever the object's app says it concerns
    (``hooks.people_concerned``). One insert, in the event's transaction."""
    people = {someone for someone in (owner, person) if someone is not None}
    if actor is not None:
        people.add(actor.pk)
    if obj is not None:
        people |= people_concerned(obj)
    if people:
        PersonEvent.objects.bulk_create(
            [PersonEvent(person_id=someone, event_id=event.pk) for someone in sorted(people)]
        )


def audit_erase_person(
    *,
    person_id: int,
    by: "User | None",
    reason: str,
    request: HttpRequest | None = None,
) -> PersonKey:
    """Erase the personal values of ``person_id`` from every audit event by destroying their
    key; no event is changed or removed, so every one still counts.

    Recorded as an event of its own holding the person's id and ``reason`` (the grounds, such
    as the reference of the erasure decision: never the person's name). Erasing twice changes
    nothing more. Nothing personal about the person is sealed after this.
    """
    with transaction.atomic():
        key, _ = PersonKey.objects.select_for_update().get_or_create(person_id=person_id)
        if key.destroyed_at is not None:
            return key
        key.key = None
        key.destroyed_at = timezone.now()
        key.save(update_fields=["key", "destroyed_at"])
        audit_record(
            actor=by,
            action=PERSON_ERASED,
            payload={"person": person_id, "reason": reason},
            request=request,
        )
    return key

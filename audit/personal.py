"""Personal data in audit events, erasable without touching an event (crypto-shredding).

The trail is append-only, so a person's data cannot be erased by rewriting the events that
hold it. Instead each person has their own random 256-bit key (``PersonKey``); what an event
must say about a person beyond their id (an email address, the name in the object's title,
the address they acted from) is encrypted under that person's key with AES-GCM and kept in the
event's ``sealed`` column: ``{"<person id>": {"fields": [names], "ct": "<base64 of version,
nonce and ciphertext>"}}``.
Destroying the key (``audit_erase_person``) leaves every event in place, still counted and
still saying who did what to which object by id, while what was sealed under the key can never
be read again.
"""

import base64
import json
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from .models import PersonKey

ERASED = "(erased)"
# Names of sealed values that are the event's own columns; every other name is a payload key.
OBJECT_REPR = "object_repr"
IP_ADDRESS = "ip_address"
_VERSION = b"\x01"
_NONCE_BYTES = 12
KEY_BYTES = 32


def _associated_data(person_id: int) -> bytes:
    # Binds a sealed value to its person: it cannot be moved under another person's entry.
    return f"audit-person:{person_id}".encode()


def key_for_writing(person_id: int) -> bytes | None:
    """The person's key, made on first need; None once it has been destroyed (the person has
    been erased, and nothing more personal about them is written)."""
    key, _ = PersonKey.objects.get_or_create(
        person_id=person_id, defaults={"key": os.urandom(KEY_BYTES)}
    )
    return bytes(key.key) if key.key is not None else None


def seal(person_id: int, values: Mapping[str, Any]) -> dict[str, Any] | None:
    """``values`` encrypted under the person's key, with their names in the clear (the names
    say what was recorded, never about whom), or None when that key is destroyed."""
    key = key_for_writing(person_id)
    if key is None:
        return None
    nonce = os.urandom(_NONCE_BYTES)
    plain = json.dumps(values, sort_keys=True, ensure_ascii=False).encode()
    sealed = AESGCM(key).encrypt(nonce, plain, _associated_data(person_id))
    return {
        "fields": sorted(values),
        "ct": base64.b64encode(_VERSION + nonce + sealed).decode("ascii"),
    }


def _open(person_id: int, text: str, key: bytes | None) -> dict[str, Any] | None:
    if key is None:
        return None
    raw = base64.b64decode(text)
    nonce, sealed = raw[1 : 1 + _NONCE_BYTES], raw[1 + _NONCE_BYTES :]
    try:
        plain = AESGCM(key).decrypt(nonce, sealed, _associated_data(person_id))
    except InvalidTag:
        return None
    return json.loads(plain)


@dataclass
class Opened:
    """What an event shows: its own columns with the sealed values put back where their key
    still exists, and ``ERASED`` where it does not."""

    object_repr: str = ""
    ip_address: str | None = None
    payload: dict[str, Any] = field(default_factory=dict)
    erased: bool = False


def keys_for(events: Iterable[Any]) -> dict[int, bytes | None]:
    """The keys of every person with sealed values in ``events``, in one query."""
    people = {int(person) for event in events for person in (event.sealed or {})}
    if not people:
        return {}
    found = dict(PersonKey.objects.filter(person_id__in=people).values_list("person_id", "key"))
    return {person: bytes(found[person]) if found.get(person) else None for person in people}


def event_open(event: Any, keys: Mapping[int, bytes | None]) -> Opened:
    opened = Opened(
        object_repr=event.object_repr,
        ip_address=event.ip_address,
        payload=dict(event.payload or {}),
    )
    for person, entry in sorted((event.sealed or {}).items()):
        values = _open(int(person), entry["ct"], keys.get(int(person)))
        if values is None:
            # The names of what was sealed stay readable; the values are gone for good.
            opened.erased = True
            values = dict.fromkeys(entry["fields"], ERASED)
        for name, value in values.items():
            if name == OBJECT_REPR:
                opened.object_repr = value
            elif name == IP_ADDRESS:
                opened.ip_address = value
            else:
                opened.payload[name] = value
    return opened


def person_key(person_id: int) -> bytes | None:
    """The person's key as it is now, or None (never made, or destroyed)."""
    key = PersonKey.objects.filter(person_id=person_id).values_list("key", flat=True).first()
    return bytes(key) if key is not None else None


def sealed_for_person(
    sealed: Mapping[str, Any] | None, person_id: int, key: bytes | None
) -> dict[str, Any]:
    """What ``sealed`` holds about ``person_id`` alone, opened with their ``key`` (empty when
    erased or none): for giving a person their own data without anyone else's."""
    entry = (sealed or {}).get(str(person_id))
    if entry is None:
        return {}
    return _open(person_id, entry["ct"], key) or {}


def events_open(events: Iterable[Any]) -> list[Any]:
    """``events`` each with ``shown`` (an ``Opened``), reading every key in one query."""
    events = list(events)
    keys = keys_for(events)
    for event in events:
        event.shown = event_open(event, keys)
    return events

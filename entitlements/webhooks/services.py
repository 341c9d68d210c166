"""Publishing entitlements to the secretariat's webhook endpoints.

``entitlements_publish`` compares the entitlements derived from the records with those last
published (``EntitlementRecord``) and, in the transaction of the change that asked for it,
writes the records, one event per entitlement granted, changed or ended (the outbox) and one
pending delivery per active endpoint; the deliveries are queued once that transaction commits,
so a change rolled back is never announced and one committed always is. The worker then sends
each delivery (``webhook_delivery_attempt``), retrying with a growing wait, and records every
try.

Each request is a POST of the event as JSON with three headers: ``Webhook-Id`` (the event's id,
the same on every retry, so a receiver can ignore one it has seen), ``Webhook-Timestamp`` (Unix
seconds) and ``Webhook-Signature: v1=<hex HMAC-SHA256 of "<timestamp>.<body>" with the
endpoint's secret>``.

Endpoints are ``https://`` addresses on the public internet. The host is looked up when an
endpoint is added and again before every try; an address that is loopback, private, link-local
(a cloud's metadata service at 169.254.169.254) or otherwise not public is refused, and the
request goes to the address checked, never to whatever the name resolves to a moment later. So
nobody who may add an endpoint can make the service reach into the network it runs in. The
settings ``WEBHOOK_ALLOW_HTTP`` and ``WEBHOOK_ALLOW_PRIVATE_ADDRESSES`` lift the two rules for
development and tests, whose receivers listen on plain HTTP on the same machine. What went
wrong with a try is logged; the delivery records only "Could not reach the endpoint" or the
status answered, so the page that shows it cannot be used to map ports inside that network.
"""

import hashlib
import hmac
import http.client
import ipaddress
import json
import logging
import secrets
import socket
import ssl
import time
import urllib.parse
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from audit.services import audit_record

from ..models import EntitlementRecord, WebhookDelivery, WebhookEndpoint, WebhookEvent
from ..selectors import Entitlement, entitlements_current

if TYPE_CHECKING:
    from researchers.models import User

logger = logging.getLogger(__name__)

# Eight tries in all, the waits between them doubling from a minute: the last is some two hours
# after the first, long enough to ride out a receiver's restart or a short outage. The longest
# wait, 64 minutes, is a task's countdown: it must stay shorter than the time Redis lets a worker
# hold a task (settings.REDIS_VISIBILITY_TIMEOUT), or another worker runs it too.
WEBHOOK_ATTEMPTS = 8
WEBHOOK_FIRST_RETRY_SECONDS = 60
WEBHOOK_TIMEOUT_SECONDS = 10
# How long a try keeps its delivery to itself: far longer than a try takes (a connection and
# an answer, each given WEBHOOK_TIMEOUT_SECONDS), so no second task sends it meanwhile. If the
# worker dies mid-try, the delivery is due again once the lease ends.
WEBHOOK_LEASE = timedelta(minutes=5)
# Pending deliveries this long past their time were lost (the broker was down when they were
# queued, or a worker died): the sweep queues them again.
WEBHOOK_REQUEUE_AFTER = timedelta(minutes=10)
SECRET_START = "whsec_"  # noqa: S105 (a marker, not a secret)

# The fields of an entitlement a record keeps, besides the person, project and dataset naming it.
_FIELDS = (
    "person_email",
    "person_name",
    "project_title",
    "dataset_name",
    "variables",
    "access_mode",
    "valid_from",
    "valid_until",
)


@dataclass(frozen=True)
class Published:
    """How many entitlements one publication found granted, changed and ended."""

    granted: int = 0
    changed: int = 0
    ended: int = 0


def _body(
    *, uid: uuid.UUID, kind: str, record: EntitlementRecord, reason: str, at: Any
) -> dict[str, Any]:
    """What an event says: the entitlement as the API shows it, and what happened to it."""
    return {
        "id": str(uid),
        "type": f"entitlement.{kind}",
        "occurred_at": at.isoformat(),
        "reason": reason,
        "entitlement": {
            "person": {
                "id": record.person_id,
                "email": record.person_email,
                "name": record.person_name,
            },
            "project": {"id": record.project_id, "title": record.project_title},
            "dataset": {"slug": record.dataset_slug, "name": record.dataset_name},
            "variables": record.variables,
            "access_mode": record.access_mode,
            "valid_from": record.valid_from.isoformat(),
            "valid_until": record.valid_until.isoformat(),
            "state": record.state,
            "ended_at": record.ended_at.isoformat() if record.ended_at else None,
        },
    }


def _copy(entitlement: Entitlement, record: EntitlementRecord) -> bool:
    """Copy ``entitlement``'s fields onto ``record``; True if any differed."""
    changed = False
    for name in _FIELDS:
        value = getattr(entitlement, name)
        if getattr(record, name) != value:
            setattr(record, name, value)
            changed = True
    return changed


def entitlements_publish(
    *,
    people: Iterable[Any] | None = None,
    projects: Iterable[Any] | None = None,
    reason: str = "",
) -> Published:
    """Publish the entitlements of ``people`` and of everyone on ``projects`` (users and
    proposals, or their ids), or of everybody when neither is given: each one granted, changed
    or ended since last published becomes an event for every active endpoint, sent once the
    caller's transaction commits. Publishing what is already published writes nothing. A fixed
    number of queries, however many people and projects."""
    now = timezone.now()
    today = timezone.localdate(now)
    with transaction.atomic():
        # One publication at a time, from before deriving until commit: one running at the same
        # time (the sweep, another change) waits and derives after this one commits, so neither
        # announces what the other's change has just undone, nor grants the same entitlement.
        _publication_lock()
        everyone = people is None and projects is None
        people = list(people or ())
        projects = list(projects or ())
        stored = EntitlementRecord.objects.all()
        if everyone:
            # What is in force, not every record ever published: those ended long ago are read
            # below only for the entitlements granted again.
            stored = stored.filter(state=EntitlementRecord.State.IN_FORCE)
        else:
            stored = stored.filter(Q(person__in=people) | Q(project__in=projects))
        records = {record.key: record for record in stored.order_by("pk")}
        if everyone:
            derived = entitlements_current(on=today)
        else:
            derived = []
            if people:
                derived += entitlements_current(on=today, people=people)
            if projects:
                derived += entitlements_current(on=today, projects=projects)

        if everyone:
            records.update(_ended_records(derived, known=records))
        created: list[EntitlementRecord] = []
        updated: list[EntitlementRecord] = []
        events: list[tuple[str, EntitlementRecord]] = []
        seen = set()
        for entitlement in derived:
            if entitlement.key in seen:
                continue
            seen.add(entitlement.key)
            record = records.get(entitlement.key)
            if record is None:
                record = EntitlementRecord(
                    person_id=entitlement.person_id,
                    project_id=entitlement.project_id,
                    dataset_slug=entitlement.dataset_slug,
                    granted_at=now,
                    changed_at=now,
                )
                _copy(entitlement, record)
                created.append(record)
                events.append((WebhookEvent.Kind.GRANTED, record))
            elif record.state == EntitlementRecord.State.ENDED:
                _copy(entitlement, record)
                record.state = EntitlementRecord.State.IN_FORCE
                record.granted_at = record.changed_at = now
                record.ended_at = None
                record.end_reason = ""
                updated.append(record)
                events.append((WebhookEvent.Kind.GRANTED, record))
            elif _copy(entitlement, record):
                record.changed_at = now
                updated.append(record)
                events.append((WebhookEvent.Kind.CHANGED, record))
        for key, record in records.items():
            if key in seen or record.state != EntitlementRecord.State.IN_FORCE:
                continue
            record.state = EntitlementRecord.State.ENDED
            record.changed_at = record.ended_at = now
            # An ending found by the sweep has no change to name: its dates say why.
            record.end_reason = (
                reason or ("Its last day has passed" if record.valid_until < today else "")
            )[:200]
            updated.append(record)
            events.append((WebhookEvent.Kind.ENDED, record))

        if not events:
            return Published()
        EntitlementRecord.objects.bulk_create(created)
        EntitlementRecord.objects.bulk_update(
            updated,
            [*_FIELDS, "state", "granted_at", "changed_at", "ended_at", "end_reason"],
        )
        outbox = []
        for kind, record in events:
            uid = uuid.uuid4()
            body = _body(
                uid=uid, kind=kind, record=record, reason=record.end_reason or reason, at=now
            )
            outbox.append(
                WebhookEvent(uid=uid, kind=kind, record=record, body=body, created_at=now)
            )
        WebhookEvent.objects.bulk_create(outbox)
        endpoints = list(WebhookEndpoint.objects.filter(active=True))
        deliveries = WebhookDelivery.objects.bulk_create(
            WebhookDelivery(event=event, endpoint=endpoint, next_attempt_at=now)
            for event in outbox
            for endpoint in endpoints
        )
        delivery_ids = [delivery.pk for delivery in deliveries]
        if delivery_ids:
            transaction.on_commit(lambda: webhook_deliveries_queue(delivery_ids), robust=True)
    kinds = [kind for kind, _ in events]
    return Published(
        granted=kinds.count(WebhookEvent.Kind.GRANTED),
        changed=kinds.count(WebhookEvent.Kind.CHANGED),
        ended=kinds.count(WebhookEvent.Kind.ENDED),
    )


# The key of the PostgreSQL advisory lock that serialises publications (any fixed number the
# service uses for nothing else).
PUBLICATION_LOCK = 0x454E5449544C  # "ENTITL"


def _publication_lock() -> None:
    """Wait for any other publication to commit, then hold the lock until this transaction
    ends. SQLite needs none: its transactions here begin IMMEDIATE, one writer at a time."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [PUBLICATION_LOCK])


def _ended_records(
    derived: list[Entitlement], *, known: dict[tuple[int, int, str], EntitlementRecord]
) -> dict[tuple[int, int, str], EntitlementRecord]:
    """The ended records of the ``derived`` entitlements not among those ``known``: those
    granted again. One query, for the people of those entitlements only."""
    missing = {entitlement.key for entitlement in derived} - known.keys()
    if not missing:
        return {}
    ended = EntitlementRecord.objects.filter(
        state=EntitlementRecord.State.ENDED, person_id__in={key[0] for key in missing}
    )
    return {record.key: record for record in ended if record.key in missing}


def webhook_deliveries_queue(delivery_ids: Iterable[int]) -> None:
    """Hand each delivery to the worker. Called once the change commits, as a robust callback:
    with the broker down the change stands (no error page, and the callbacks after this one
    still run), the failure is logged, and the five-minutely sweep queues what was not."""
    from ..tasks import webhook_deliver

    for delivery_id in delivery_ids:
        webhook_deliver.delay(delivery_id)


def webhook_deliveries_requeue_lost() -> int:
    """Queue again every pending delivery well past its time, whose task was lost; return how
    many. Sending one twice is harmless: a receiver knows an event by its ``Webhook-Id``."""
    due = list(
        WebhookDelivery.objects.filter(
            state=WebhookDelivery.State.PENDING,
            next_attempt_at__lte=timezone.now() - WEBHOOK_REQUEUE_AFTER,
        )
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    webhook_deliveries_queue(due)
    return len(due)


# Sending


def webhook_signature(*, secret: str, timestamp: str, body: bytes) -> str:
    """The ``Webhook-Signature`` header's value for ``body`` sent at ``timestamp``."""
    signed = timestamp.encode() + b"." + body
    return "v1=" + hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()


# What a delivery records when no status came back; why is logged, never shown.
UNREACHABLE = "Could not reach the endpoint"


class EndpointRefused(Exception):
    """An endpoint address the service will not send to: the message says why, in words for
    the secretariat; ``detail`` says more, for the log only."""

    def __init__(self, message: str, *, detail: str = "") -> None:
        super().__init__(message)
        self.detail = detail or message


def _address_public(address: str) -> bool:
    """Whether ``address`` (an IP address as the resolver gives it) is on the public internet:
    not loopback, private, link-local, shared, reserved or multicast, nor an IPv6 address that
    stands for an IPv4 one that is any of those."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    candidates: list[ipaddress.IPv4Address | ipaddress.IPv6Address] = [ip]
    if isinstance(ip, ipaddress.IPv6Address):
        # IPv4-mapped (::ffff:a.b.c.d), 6to4 (2002::/16) and NAT64 (64:ff9b::/96) addresses
        # reach the IPv4 address inside them.
        if ip.ipv4_mapped:
            candidates.append(ip.ipv4_mapped)
        if ip.sixtofour:
            candidates.append(ip.sixtofour)
        if ip in ipaddress.IPv6Network("64:ff9b::/96"):
            candidates.append(ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF))
    return all(each.is_global and not each.is_multicast for each in candidates)


@dataclass(frozen=True)
class _Destination:
    """Where a URL's requests go: its scheme, host and port as named (for the Host header and
    the certificate check), its path, and the addresses checked, in the resolver's order."""

    https: bool
    host: str
    port: int
    path: str
    addresses: list[tuple[int, tuple[Any, ...]]]


def _destination(url: str, *, look_up: bool = True) -> _Destination:
    """Check ``url`` may be sent to and say where: raises ``EndpointRefused`` when it is not
    https (unless ``WEBHOOK_ALLOW_HTTP``), or its host cannot be found or has an address that
    is not public (unless ``WEBHOOK_ALLOW_PRIVATE_ADDRESSES``). ``look_up=False`` checks only
    what the URL says, and leaves ``addresses`` empty."""
    parts = urllib.parse.urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme != "https" and not (scheme == "http" and settings.WEBHOOK_ALLOW_HTTP):
        raise EndpointRefused("Enter an address starting https://, so that events go encrypted")
    malformed = EndpointRefused("Enter the address of the endpoint, starting https://")
    try:
        port = parts.port or (443 if scheme == "https" else 80)
    except ValueError as error:
        raise malformed from error
    host = parts.hostname
    if not host:
        raise malformed
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    addresses: list[tuple[int, tuple[Any, ...]]] = []
    if look_up:
        unknown = f"No host called {host} could be found: check the address"
        try:
            found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except (OSError, UnicodeError) as error:
            raise EndpointRefused(unknown) from error
        for family, _, _, _, address in found:
            if family not in (socket.AF_INET, socket.AF_INET6) or (family, address) in addresses:
                continue
            allowed = settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES or _address_public(str(address[0]))
            if not allowed:
                # Which address it is goes to the log only: the form must not map the names
                # of the network the service runs in.
                raise EndpointRefused(
                    f"Enter an address on the public internet: {host} leads inside a private "
                    "or local network",
                    detail=f"{host} resolves to {address[0]}, which is not a public address",
                )
            addresses.append((family, address))
        if not addresses:
            raise EndpointRefused(unknown)
    return _Destination(
        https=scheme == "https", host=host, port=port, path=path, addresses=addresses
    )


def webhook_url_refusal(url: str) -> str:
    """Why the service will not send to ``url``, or "" when it will. Looks the host up, unless
    ``WEBHOOK_ALLOW_PRIVATE_ADDRESSES`` leaves nothing to check about its addresses."""
    try:
        _destination(url, look_up=not settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES)
    except EndpointRefused as refused:
        return str(refused)
    return ""


def _connect(addresses: list[tuple[int, tuple[Any, ...]]], timeout: float | None) -> socket.socket:
    """A TCP connection to the first of ``addresses`` that answers."""
    failure = OSError("No address to connect to")
    for family, address in addresses:
        connection = socket.socket(family, socket.SOCK_STREAM)
        connection.settimeout(timeout)
        try:
            connection.connect(address)
        except OSError as error:
            connection.close()
            failure = error
            continue
        return connection
    raise failure


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """HTTP to the host a URL names (its Host header), connected to the addresses checked for
    it: a name that resolves elsewhere by the time of the connection changes nothing."""

    def __init__(self, destination: _Destination, timeout: float) -> None:
        super().__init__(destination.host, destination.port, timeout=timeout)
        self.addresses = destination.addresses

    def connect(self) -> None:
        self.sock = _connect(self.addresses, self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    """HTTPS likewise, the certificate checked against the host name as usual."""

    def __init__(self, destination: _Destination, timeout: float) -> None:
        self.tls = ssl.create_default_context()
        super().__init__(destination.host, destination.port, timeout=timeout, context=self.tls)
        self.addresses = destination.addresses

    def connect(self) -> None:
        connection = _connect(self.addresses, self.timeout)
        try:
            self.sock = self.tls.wrap_socket(connection, server_hostname=self.host)
        except BaseException:
            connection.close()
            raise


def _post(*, endpoint: WebhookEndpoint, event: WebhookEvent) -> tuple[int | None, str]:
    """Send ``event`` to ``endpoint`` once: the status code answered (None when none was) and
    what went wrong ("" when it arrived). A redirect is a failure like any answer outside 2xx:
    following one would send the event elsewhere."""
    body = json.dumps(event.body, separators=(",", ":"), sort_keys=True).encode()
    timestamp = str(int(time.time()))
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "Approved Researcher Service webhooks",
        "Webhook-Id": str(event.uid),
        "Webhook-Timestamp": timestamp,
        "Webhook-Signature": webhook_signature(
            secret=endpoint.secret, timestamp=timestamp, body=body
        ),
    }
    try:
        # Looked up and checked again now: what the name led to when the endpoint was added
        # may have changed since.
        destination = _destination(endpoint.url)
        connection = (_PinnedHTTPSConnection if destination.https else _PinnedHTTPConnection)(
            destination, WEBHOOK_TIMEOUT_SECONDS
        )
        try:
            connection.request("POST", destination.path, body=body, headers=headers)
            status = connection.getresponse().status
        finally:
            connection.close()
    except (EndpointRefused, OSError, http.client.HTTPException, ValueError) as error:
        # EndpointRefused: the host now leads somewhere it may not; HTTPException: an answer
        # that is not HTTP (another kind of server on the port); ValueError: an address
        # http.client will not send to. Each is a failed try like a refused connection,
        # counted and tried again, never a crash of the task that would leave it uncounted.
        logger.warning(
            "Webhook event %s to endpoint %s (%s) failed: %s",
            event.uid,
            endpoint.pk,
            endpoint.url,
            error.detail if isinstance(error, EndpointRefused) else repr(error),
        )
        return None, UNREACHABLE
    if not 200 <= status < 300:
        logger.warning(
            "Webhook event %s to endpoint %s (%s) answered %s",
            event.uid,
            endpoint.pk,
            endpoint.url,
            status,
        )
        return status, f"The endpoint answered {status}"
    return status, ""


def webhook_delivery_attempt(*, delivery_id: int) -> int | None:
    """Try one delivery once, if it is pending and its time has come, and record how it went.
    Returns the seconds to wait before trying again, or None when there is nothing more to do:
    it arrived, it has been tried ``WEBHOOK_ATTEMPTS`` times and so failed, it was no longer
    pending, or it was not yet due (another task is trying it, or its retry is later)."""
    with transaction.atomic():
        delivery = (
            WebhookDelivery.objects.select_for_update(of=("self",))
            .select_related("event", "endpoint")
            .filter(pk=delivery_id)
            .first()
        )
        now = timezone.now()
        if (
            delivery is None
            or delivery.state != WebhookDelivery.State.PENDING
            or delivery.next_attempt_at > now
        ):
            return None
        if not delivery.endpoint.active:
            return _attempt_record(
                delivery,
                at=now,
                status=None,
                error="The endpoint was deactivated before the event could be sent",
                give_up=True,
            )
        # Claim the try before making it: until the lease ends, another task for this delivery
        # (the broker handing it out twice, the sweep's re-queue) finds it not yet due.
        delivery.next_attempt_at = now + WEBHOOK_LEASE
        delivery.save(update_fields=["next_attempt_at"])
    # Outside the transaction: no row stays locked while a slow receiver answers.
    status, error = _post(endpoint=delivery.endpoint, event=delivery.event)
    with transaction.atomic():
        delivery = WebhookDelivery.objects.select_for_update().get(pk=delivery_id)
        if delivery.state != WebhookDelivery.State.PENDING:
            return None  # the endpoint was deactivated meanwhile
        return _attempt_record(
            delivery, at=timezone.now(), status=status, error=error, give_up=False
        )


def _attempt_record(
    delivery: WebhookDelivery, *, at: datetime, status: int | None, error: str, give_up: bool
) -> int | None:
    """Count one try of the locked ``delivery``; the seconds until the next, if there is one."""
    retry_in = None
    delivery.attempts += 1
    delivery.last_attempt_at = at
    delivery.last_status_code = status
    delivery.last_error = error[:500]
    if not error:
        delivery.state = WebhookDelivery.State.DELIVERED
        delivery.delivered_at = at
    elif give_up or delivery.attempts >= WEBHOOK_ATTEMPTS:
        delivery.state = WebhookDelivery.State.FAILED
    else:
        retry_in = WEBHOOK_FIRST_RETRY_SECONDS * 2 ** (delivery.attempts - 1)
        delivery.next_attempt_at = at + timedelta(seconds=retry_in)
    delivery.save()
    return retry_in


# The secretariat's endpoints


def webhook_endpoint_create(
    *, url: str, description: str, by: "User | None"
) -> tuple[WebhookEndpoint, str]:
    """A new endpoint told of every entitlement from now on, at an https address on the public
    internet (see the module's docstring). Returns it and its secret, shown this once."""
    url = url.strip()
    description = description.strip()
    errors = {}
    try:
        URLValidator(schemes=["http", "https"])(url)
    except ValidationError:
        errors["url"] = "Enter the address of the endpoint, starting https://"
    else:
        refusal = webhook_url_refusal(url)
        if refusal:
            errors["url"] = refusal
    if not description:
        errors["description"] = "Enter what the endpoint is, like “Secure environment”"
    if errors:
        raise ValidationError(errors)
    secret = SECRET_START + secrets.token_urlsafe(32)
    with transaction.atomic():
        endpoint = WebhookEndpoint.objects.create(
            url=url, description=description, secret=secret, created_by=by
        )
        audit_record(
            actor=by,
            action="webhook_endpoint.created",
            obj=endpoint,
            payload={"url": url, "description": description},
        )
    return endpoint, secret


def webhook_endpoint_deactivate(*, endpoint: WebhookEndpoint, by: "User | None") -> WebhookEndpoint:
    """Stop telling ``endpoint`` anything, at once; what was still pending for it fails.
    Deactivating an inactive endpoint changes nothing."""
    with transaction.atomic():
        endpoint = WebhookEndpoint.objects.select_for_update().get(pk=endpoint.pk)
        if endpoint.active:
            endpoint.active = False
            endpoint.deactivated_at = timezone.now()
            endpoint.deactivated_by = by
            endpoint.save(update_fields=["active", "deactivated_at", "deactivated_by"])
            endpoint.deliveries.filter(state=WebhookDelivery.State.PENDING).update(
                state=WebhookDelivery.State.FAILED,
                last_error="The endpoint was deactivated before the event could be sent",
            )
            audit_record(
                actor=by,
                action="webhook_endpoint.deactivated",
                obj=endpoint,
                payload={"url": endpoint.url},
            )
    return endpoint

"""Reads of the audit trail, each in a fixed number of queries whatever its size."""

from django.core.cache import cache
from django.db import connection
from django.db.models import CharField, OuterRef, Subquery
from django.db.models.functions import Cast
from django.shortcuts import get_object_or_404
from django.utils import timezone

from .models import AuditEvent, PersonEvent


def events_for_browse():
    """Every event, newest first, with its actor fetched in the same query."""
    return AuditEvent.objects.select_related("actor").order_by("-created_at", "-id")


def audit_latest_id(*object_types):
    """The key of the latest event recorded (0 before the first), read from an index alone;
    with ``object_types`` (``app_label.model`` labels in lower case), the latest event about an
    object of one of them. Every change the services make is recorded, so a figure worked out
    from the records can be kept until this moves."""
    if not object_types:
        return AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    with connection.cursor() as cursor:
        parts, parameters = _latest_of_types(object_types)
        cursor.execute("SELECT " + ", ".join(parts), parameters)
        return max(value or 0 for value in cursor.fetchone())


# Larger than any event's key.
_BEYOND_EVERY_EVENT = 2**63 - 1


def _latest_of_types(object_types):
    """A scalar subquery for each of ``object_types`` giving its latest event (None for a type
    with none), and their parameters.

    Each is one step back from the end of that type's entries in the index on ``(object_type,
    id)``: the last entry at or before ``(type, a key beyond every event)`` in the index's own
    order, kept when it is of that type. Only that index can answer it. Asked as the largest key
    of the type, the planner may walk back through the primary key instead, past every later
    event of other types: 27,000 events, 3 ms, for applications at 10,000 researchers.
    """
    table = connection.ops.quote_name(AuditEvent._meta.db_table)
    column = connection.ops.quote_name(AuditEvent._meta.get_field("object_type").column)
    one = (
        f"(SELECT CASE WHEN {column} = %s THEN id END FROM {table}"  # noqa: S608 - the model's
        f" WHERE ({column}, id) <= (%s, %s) ORDER BY {column} DESC, id DESC LIMIT 1)"
    )
    parameters = []
    for object_type in object_types:
        parameters += [object_type, object_type, _BEYOND_EVERY_EVENT]
    return [one] * len(object_types), parameters


def person_generation(person_id, *object_types, today=None):
    """What a person's own page, once worked out, is kept under: the latest event about
    something it shows of theirs (``PersonEvent``), the latest event about any object of
    ``object_types`` (what it shows of everyone's, such as the declaration in force) and the
    day. One query, each part read from the end of an index.

    Event keys are handed out as events are written, not as their transactions end: an event
    whose transaction ends after that of a later event about the same person moves nothing,
    and shows once what is kept expires."""
    today = today or timezone.localdate()
    people = connection.ops.quote_name(PersonEvent._meta.db_table)
    parts, parameters = _latest_of_types(object_types)
    parts.insert(0, f"(SELECT MAX(event_id) FROM {people} WHERE person_id = %s)")  # noqa: S608
    parameters.insert(0, person_id)
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(parts), parameters)
        row = cursor.fetchone()
    return ":".join([*(str(value or 0) for value in row), today.isoformat()])


def audit_generation(*object_types, today=None, latest=None):
    """What a list or figure worked out from the records (of ``object_types``, or of all) is
    kept under: the latest event of those records (``audit_latest_id``, or ``latest`` when the
    caller has read it) and the day, since what is due, overdue or ending moves with it.
    Whatever the trail does not record (a new name) shows once what is kept expires."""
    today = today or timezone.localdate()
    latest = audit_latest_id(*object_types) if latest is None else latest
    return f"{latest}:{today.isoformat()}"


def event_get(*, pk):
    return get_object_or_404(AuditEvent.objects.select_related("actor"), pk=pk)


def _distinct_values(column):
    """The different non-empty values of ``column`` (an indexed column of the audit table), in
    order, in one query.

    Asks the index for the smallest value, then the smallest above it, and so on: one short
    index look-up per value, where DISTINCT would read every event (a million of them on a busy
    service) on each visit to the list. Both databases the service runs on accept it.
    """
    table = connection.ops.quote_name(AuditEvent._meta.db_table)
    column = connection.ops.quote_name(AuditEvent._meta.get_field(column).column)
    sql = f"""
        WITH RECURSIVE present(value) AS (
            SELECT MIN({column}) FROM {table} WHERE {column} > ''
            UNION ALL
            SELECT (SELECT MIN({column}) FROM {table} WHERE {column} > present.value)
            FROM present WHERE present.value IS NOT NULL
        )
        SELECT value FROM present WHERE value IS NOT NULL
    """  # noqa: S608 - names from the model, no user input
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return [value for (value,) in cursor.fetchall()]


def actions_present():
    """The actions recorded so far, for choosing one in a filter."""
    return _distinct_values("action")


def object_types_present():
    """The object types recorded so far (empty for system events), for choosing one."""
    return _distinct_values("object_type")


# How long the values recorded are kept at most: a new event sets them aside sooner.
VALUES_PRESENT_KEPT_SECONDS = 600


def values_present(*, latest=None):
    """``(actions_present(), object_types_present())``, kept in the cache under the latest
    event's key (``latest``, when the caller has read it): new values come only with new
    events, so they are read again once an event is recorded (or after
    ``VALUES_PRESENT_KEPT_SECONDS``), not on every visit to the list."""
    latest = audit_latest_id() if latest is None else latest
    return cache.get_or_set(
        f"audit:values-present:{latest}",
        lambda: (actions_present(), object_types_present()),
        timeout=VALUES_PRESENT_KEPT_SECONDS,
    )


def audit_moment(object_type, states):
    """A subquery for the outer query's records (of ``object_type``, an ``app_label.model``
    label in lower case): when the latest transition event took each into one of ``states``
    (a state, or several), or None."""
    states = [states] if isinstance(states, str) else list(states)
    return Subquery(
        AuditEvent.objects.filter(
            object_type=object_type,
            object_id=Cast(OuterRef("pk"), CharField()),
            to_state__in=states,
        )
        .order_by("-created_at")
        .values("created_at")[:1]
    )

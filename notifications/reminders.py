"""Reminders sent on schedule, each kind a small declared rule: who, when, which template.

Each domain app declares its rules (``hooks.ReminderRule``) in its own ``reminders.py`` and
registers them in ``notifications.hooks`` from its ``AppConfig.ready()``, so this module never
imports a domain app. ``reminders_sweep`` runs every
rule (Celery beat calls it daily through ``notifications.tasks.reminders_send``).

Idempotency comes from the ``ReminderSent`` ledger, unique on kind, object and due date. For
each batch of candidates a sweep inserts the ledger rows carrying its own token, ignoring
conflicts, reads back the rows with its token (the ones it won) and tells only those people,
all in one transaction. A re-run sweep, a retried task or two workers at once therefore insert
the same keys, and only the first insert sends anything; a batch that fails rolls back its
ledger rows with its notifications, so the next run sends them.

Candidates are read in batches by primary key (keyset, not offset), each rule fetching what its
messages need with ``select_related``/``prefetch_related``, or in its ``batch_prepare`` for what
those cannot fetch (a digest of other objects for each person), so a batch costs the same number
of queries whatever its size.
"""

import logging
import uuid
from datetime import datetime, time, timedelta

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from .hooks import reminder_rules
from .models import ReminderSent
from .services import Message, notify

logger = logging.getLogger(__name__)


# Helpers for the rules' querysets.


def day_start(day):
    """The first moment of ``day`` in the service's time zone, to compare with a timestamp."""
    return timezone.make_aware(datetime.combine(day, time.min))


def untouched_since(day):
    """Timestamps on or before ``day`` (local), as a ``__lt`` bound: ``updated_at__lt=...``."""
    return day_start(day + timedelta(days=1))


def reminded(kind, model, *, sent_before=None, sent_after_field=None, objects_after=None):
    """An ``Exists`` that is true for objects of ``model`` already reminded of ``kind``.

    ``sent_before``: only reminders sent before the start of that day count, for steps that
    must wait a while after their notice (an automatic withdrawal 30 days after its warning).
    ``sent_after_field``: only reminders sent after the object's own timestamp in that field
    count (a warning about a draft counts only if nobody has touched the draft since).
    ``objects_after``: only the ledger rows of objects with a greater primary key, for a query
    that reads only those objects.
    """
    ledger = ReminderSent.objects.filter(
        kind=kind,
        content_type=ContentType.objects.get_for_model(model),
        object_id=OuterRef("pk"),
    )
    if objects_after is not None:
        ledger = ledger.filter(object_id__gt=objects_after)
    if sent_before is not None:
        ledger = ledger.filter(sent_at__lt=day_start(sent_before))
    if sent_after_field is not None:
        ledger = ledger.filter(sent_at__gt=OuterRef(sent_after_field))
    return Exists(ledger)


# The sweep.


def reminders_sweep(*, today=None, kinds=None, batch_size=None):
    """Send every reminder due on ``today`` (default: today) not yet sent; return counts by kind.

    ``kinds`` limits the sweep to some kinds. Each count is the number of objects reminded
    (or acted on) by this run; a second run on the same day returns zeros.
    """
    today = timezone.localdate() if today is None else today
    batch_size = batch_size or settings.REMINDER_BATCH_SIZE
    rules = reminder_rules()
    if kinds is not None:
        unknown = set(kinds) - set(rules)
        if unknown:
            raise ValueError(f"Unknown reminder kinds: {', '.join(sorted(unknown))}")
        rules = {kind: rule for kind, rule in rules.items() if kind in kinds}
    counts = {}
    failed = None
    for kind, rule in rules.items():
        # One kind failing (a database hiccup, a broken template) does not hold the others
        # back; the sweep still fails at the end, so a retry sends what this run could not.
        try:
            counts[kind] = _rule_sweep(rule, today=today, batch_size=batch_size)
        except Exception as error:
            logger.exception("Reminder %s failed for %s", kind, today.isoformat())
            failed = failed or error
    logger.info(
        "Reminder sweep for %s sent %d: %s",
        today.isoformat(),
        sum(counts.values()),
        ", ".join(f"{kind}={count}" for kind, count in counts.items()) or "no rules",
    )
    if failed is not None:
        raise failed
    return counts


def _rule_sweep(rule, *, today, batch_size):
    queryset = rule.candidates(today)
    model = queryset.model
    content_type = ContentType.objects.get_for_model(model)
    audience = rule.audience() if rule.audience is not None else None
    sent = 0
    after = 0
    batches = 0
    while True:
        ahead = queryset.filter(pk__gt=after)
        if rule.once_per_object:
            # Only the ledger rows of objects ahead of the batch can match. Leaving the rest out
            # (this run's own rows among them) keeps each batch's check to what is still to
            # come, however many rows this run has written since the ledger's statistics.
            ahead = ahead.exclude(reminded(rule.kind, model, objects_after=after))
        batch = list(ahead.order_by("pk")[:batch_size])
        if not batch:
            break
        after = batch[-1].pk
        batches += 1
        sent += _batch_send(rule, batch, today=today, content_type=content_type, audience=audience)
        if len(batch) < batch_size:
            break
    if batches:
        logger.info("Reminder %s: %d sent in %d batch(es)", rule.kind, sent, batches)
    return sent


def _batch_send(rule, batch, *, today, content_type, audience):
    if rule.batch_prepare is not None:
        rule.batch_prepare(batch, today)
    due = {}
    for obj in batch:
        day = rule.due_date(obj)
        if day is None or day > today:
            continue
        people = _people(rule, obj, audience)
        # Nobody to tell yet (no checker free to check, say): record nothing, so a later sweep
        # tells whoever there is then. A rule with an action acts whoever is told.
        if people or rule.action is not None:
            due[obj.pk] = (obj, day, people)
    if not due:
        return 0
    token = uuid.uuid4()
    with transaction.atomic():
        ReminderSent.objects.bulk_create(
            [
                ReminderSent(
                    kind=rule.kind,
                    content_type=content_type,
                    object_id=pk,
                    due_date=day,
                    sweep=token,
                    recipients=len(people),
                )
                for pk, (obj, day, people) in due.items()
            ],
            ignore_conflicts=True,
        )
        # The rows this run inserted, found through the unique constraint's index.
        won = set(
            ReminderSent.objects.filter(
                kind=rule.kind, content_type=content_type, object_id__in=list(due), sweep=token
            ).values_list("object_id", flat=True)
        )
        objects = [obj for pk, (obj, _, _) in due.items() if pk in won]
        if objects and rule.action is not None:
            objects = list(rule.action(objects))
        notify(_message(rule, obj, due[obj.pk][2]) for obj in objects)
    return len(objects)


def _people(rule, obj, audience):
    return [user for user in dict.fromkeys(rule.recipients(obj, audience)) if user is not None]


def _text(value, obj):
    return value(obj) if callable(value) else value


def _message(rule, obj, people):
    link = rule.link(obj)
    return Message(
        to=tuple(people),
        kind=rule.kind,
        subject=_text(rule.subject, obj),
        template=rule.template,
        context={
            "object": obj,
            "action_url": link,
            "action_text": rule.action_text,
            **(rule.context(obj) if rule.context else {}),
        },
        link=link,
        summary=_text(rule.summary, obj),
    )

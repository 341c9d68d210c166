"""Who is told about each step of a state machine, and what they are told.

Each domain app declares its notices in its own ``notices.py``, a dict keyed by
``(model label, transition name)``, and registers it from its ``AppConfig.ready()``, so this
module never imports a domain app. Once the transaction that fired a transition commits,
``workflow.services.transition_fire`` calls ``transition_notices_send`` (registered in
``workflow.hooks`` by ``NotificationsConfig.ready()``), which looks up the
transition's notices and tells their people through ``notify_many``: an entry in each person's
notification list and an email each, queued after that insert commits.

Every transition has a rule, even one that tells nobody (a test holds every machine to it), and
every transition tells each person at most once: when two notices of one rule name the same
person, the first one listed tells them. The person who fired the transition is left out unless
a notice says the confirmation is what they need (``tell_actor``).
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass

from django.db import transaction

from .services import Message, notifications_done, notify_many, object_about, object_key

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Notice:
    """One thing to tell some people when a transition has happened.

    ``to(event)``: the users to tell (None and repeats are dropped).
    ``subject``: the email's subject and the notification's heading; a string, or a function
    of the event.
    ``template``: ``notifications/email/<template>.txt`` and ``.html``.
    ``link``: the path of the page the person acts on, or reads the outcome on; a string, or
    a function of the event.
    ``context(event)``: more for the template; the template always gets ``person`` (the
    recipient), ``action_url`` (the link) and ``action_text``.
    ``person_context(event, user)``: more for one person's message (a data owner's own
    department, say).
    ``summary``: one line for the notification list; a string, or a function of the event.
    ``tell_actor``: whether the person who fired the transition is told too (a confirmation).
    ``asks``: whether it asks its people to do something (screen, check, decide, change): it
    waits in their list under "Needs action" until the object moves on.
    """

    to: Callable
    subject: object
    template: str
    link: object
    action_text: str = "Open the service"
    context: Callable | None = None
    person_context: Callable | None = None
    summary: object = ""
    tell_actor: bool = False
    asks: bool = False

    def text(self, value, event):
        return value(event) if callable(value) else value


_rules = {}


def notices_register(notices):
    """Add ``{(model label, transition): Notice or (Notice, ...)}`` to the table.

    Registering a key twice with different notices is an error: each step has one rule.
    """
    for key, value in notices.items():
        rule = tuple(value) if isinstance(value, list | tuple) else (value,)
        existing = _rules.get(key)
        if existing is not None and existing != rule:
            raise ValueError(f"Notices for {key[0]} {key[1]!r} are already registered.")
        _rules[key] = rule


_added = {}


def notices_add(notices):
    """Add ``{(model label, transition): Notice or (Notice, ...)}`` after a step's own rule.

    For an app above the machine's own, whose people a step also concerns: a researcher's
    accreditation is suspended, and the co-ordinators of their projects must know. Told after
    the rule's own notices, each person still at most once.
    """
    for key, value in notices.items():
        added = tuple(value) if isinstance(value, list | tuple) else (value,)
        existing = _added.get(key, ())
        _added[key] = existing + tuple(n for n in added if n not in existing)


def notice_rule(label, transition):
    """The notices for ``transition`` of the model labelled ``label``, or None without a rule."""
    rule = _rules.get((label, transition))
    if rule is None:
        return None
    return rule + _added.get((label, transition), ())


def notice_rules():
    return dict(_rules)


def transition_messages(event):
    """The messages a committed transition sends: one per person, each person once."""
    rule = notice_rule(event.label, event.transition)
    if rule is None:
        logger.warning("No notice rule for %s %r: nobody was told.", event.label, event.transition)
        return []
    actor = getattr(event.by, "pk", None)
    told = set()
    messages = []
    about = object_about(event.instance)
    key = object_key(event.instance)
    for notice in rule:
        people = [user for user in notice.to(event) if user is not None]
        if not people:
            continue
        link = notice.text(notice.link, event) or ""
        extra = notice.context(event) if notice.context else {}
        subject = notice.text(notice.subject, event)
        summary = notice.text(notice.summary, event)
        for user in people:
            if user.pk in told or (user.pk == actor and not notice.tell_actor):
                continue
            told.add(user.pk)
            messages.append(
                Message(
                    to=(user,),
                    kind=event.action,
                    subject=subject,
                    template=notice.template,
                    context={
                        "action_url": link,
                        "action_text": notice.action_text,
                        **extra,
                        **(notice.person_context(event, user) if notice.person_context else {}),
                        "person": user,
                    },
                    link=link,
                    summary=summary,
                    about=about,
                    object_key=key,
                    needs_action=notice.asks,
                )
            )
    return messages


def transition_notices_send(event):
    """Tell the people a committed transition concerns; registered in ``workflow.hooks`` by
    ``NotificationsConfig.ready()``.

    It runs after the step's own commit, so the step has happened whatever happens here: a
    failure is logged, never raised into the page of the person who took the step.
    """
    try:
        with transaction.atomic():
            # Whatever was asked about the object before this step is done or overtaken.
            notifications_done(event.instance)
            notifications = notify_many(transition_messages(event))
    except Exception:
        logger.exception("Could not tell people about %s on %s", event.action, event.instance.pk)
        return []
    if notifications:
        logger.info(
            "Told %d people about %s %s", len(notifications), event.action, event.instance.pk
        )
    return notifications

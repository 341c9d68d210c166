"""Who is told about each step of a state machine, and what they are told.

Each domain app declares its notices in its own ``notices.py``, a dict keyed by
``(model label, transition name)``, and registers it in ``notifications.hooks`` from its
``AppConfig.ready()``, so this module never imports a domain app. Once the transaction that
fired a transition commits, ``workflow.services.transition_fire`` calls
``transition_notices_send`` (registered in ``workflow.hooks`` by ``NotificationsConfig.ready()``),
which looks up the transition's notices and tells their people through ``notify``: an
entry in each person's notification list and an email each, queued after that insert commits.

Every transition has a rule, even one that tells nobody (a test holds every machine to it), and
every transition tells each person at most once: when two notices of one rule name the same
person, the first one listed tells them. The person who fired the transition is left out unless
a notice says the confirmation is what they need (``tell_actor``).
"""

import logging

from django.db import transaction

from .hooks import notice_rule
from .services import Message, notifications_done, notify, object_about, object_key

logger = logging.getLogger(__name__)


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
            told = notify(transition_messages(event))
    except Exception:
        logger.exception("Could not tell people about %s on %s", event.action, event.instance.pk)
        return 0
    if told:
        logger.info("Told %d people about %s %s", told, event.action, event.instance.pk)
    return told

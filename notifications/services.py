"""Telling the people a change concerns: an entry in their notification list, and an email
sent only once that change has committed.

A service calls ``notify`` inside its ``transaction.atomic()`` with messages its app
declares in ``notices.py`` (a step's notices reach it through ``transitions.py``, reminders
through ``reminders.py``). Each email is rendered at once (so a broken template fails the step,
not a worker later), and handed to a Celery task only after the commit (``email_on_commit``),
so a rolled-back change never tells anyone anything.
"""

import functools
import logging
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import connection, models, transaction
from django.template import Context, Template, engines
from django.template.loader import render_to_string
from django.utils import timezone

from .models import Notification
from .tasks import email_send, emails_send

if TYPE_CHECKING:
    # The stubs' name for settings.AUTH_USER_MODEL, which notifications, below every app, cannot
    # import.
    from django.contrib.auth.models import _User as User

logger = logging.getLogger(__name__)

# Emails one task carries when one step tells many people different things: the daily
# reminders, in batches of hundreds.
EMAILS_PER_TASK = 100


def _addresses(to: Iterable["User | str | None"]) -> list[str]:
    """Email addresses from users or strings, each once, in the order given."""
    # A dict keeps the order and finds a repeat at once, for a message to hundreds of people.
    seen: dict[str, None] = {}
    for recipient in to:
        address: str | None = (
            recipient if isinstance(recipient, str) else getattr(recipient, "email", "")
        )
        address = (address or "").strip()
        if address:
            seen[address] = None
    return list(seen)


# Every email template extends its layout and fills its one block, and nothing else.
_EMAIL_LAYOUT_BLOCK = "{% block body %}{% endblock %}"
_EMAIL_BODY = re.compile(
    r'\A\{% extends "(?P<layout>notifications/email/base\.(?:txt|html))" %\}\s*'
    r"\{% block body %\}(?P<body>.*)\{% endblock %\}\s*\Z",
    re.DOTALL,
)


@functools.cache
def _email_template_flat(name: str) -> Template | None:
    """The email template ``name`` with its body written into its layout, as one template that
    renders exactly as the two would: a sweep writes thousands of emails, and a template that
    extends another costs nearly twice as much to render. None for a template of another shape,
    which is rendered as it is. Kept for the life of the process, so only when templates are
    not reloaded as they change (``DEBUG`` off)."""
    engine = engines["django"].engine  # type: ignore[attr-defined]
    child = _EMAIL_BODY.match(engine.get_template(name).source)
    if child is None:
        return None
    layout = engine.get_template(child["layout"]).source
    if layout.count(_EMAIL_LAYOUT_BLOCK) != 1:
        return None
    flat: Template = engine.from_string(layout.replace(_EMAIL_LAYOUT_BLOCK, child["body"]))
    return flat


def _email_part(name: str, context: Mapping[str, Any]) -> str:
    flat = None if settings.DEBUG else _email_template_flat(name)
    if flat is None:
        return render_to_string(name, context)
    return flat.render(Context(context))


def email_render(*, template: str, context: Mapping[str, Any]) -> tuple[str, str]:
    """(plain text, HTML) of ``notifications/email/<template>.txt`` and ``.html``."""
    context = {
        "service_name": settings.SERVICE_NAME,
        "site_url": settings.SITE_URL,
        "service_contact_email": settings.SERVICE_CONTACT_EMAIL,
        **context,
    }
    text = _email_part(f"notifications/email/{template}.txt", context)
    html = _email_part(f"notifications/email/{template}.html", context)
    return text.strip() + "\n", html


def email_on_commit(
    *,
    to: Iterable["User | str | None"],
    subject: str,
    template: str,
    context: Mapping[str, Any] | None = None,
) -> list[str]:
    """Queue one email to each of ``to`` (users or addresses) once the transaction commits.

    Each person gets their own message, so nobody sees who else was told. Returns the
    addresses queued for, which is empty when nobody has an address. The email half of
    ``notify``, which is what services call.
    """
    email = _email_written(to=to, subject=subject, template=template, context=context or {})
    if email is None:
        return []
    # One task for all of them, which sends each their own message: a reminder to every
    # output checker is one message on the queue, not one per checker.
    # A function with a name, not a partial: Django names the function when it logs a failure.
    transaction.on_commit(lambda: _queue(**email), robust=True)
    addresses: list[str] = email["to"]
    return addresses


def _email_written(
    *,
    to: Iterable["User | str | None"],
    subject: str,
    template: str,
    context: Mapping[str, Any],
) -> dict[str, Any] | None:
    """The email to ``to`` (users or addresses), as ``email_send`` takes it: their addresses,
    each once, with its subject, text and HTML. None when nobody has an address."""
    addresses = _addresses(to)
    if not addresses:
        return None
    text, html = email_render(template=template, context={"subject": subject, **context})
    return {"to": addresses, "subject": subject, "text": text, "html": html}


def _queue(*, to: list[str], subject: str, text: str, html: str) -> None:
    # robust=True: a broker that is down is logged, and never turns a committed step into an
    # error page for the person who took it.
    email_send.delay(to=to, subject=subject, text=text, html=html)
    logger.info("Queued email %r to %s", subject, ", ".join(to))


@dataclass(frozen=True)
class Message:
    """One thing to tell some people: an in-app notification each, and an email each."""

    to: tuple[
        "User | str | None", ...
    ]  # users; an address nobody has an account for gets the email alone
    kind: str
    subject: str
    template: str
    context: dict[str, Any] = field(default_factory=dict)
    link: str = ""
    summary: str = ""
    about: str = ""  # the object and its person, in words
    object_key: str = ""  # ``object_key(obj)`` of the object it is about
    needs_action: bool = False  # it asks its people to do something


def object_key(obj: models.Model | None) -> str:
    """``app_label.model:pk``: how a notification names the object it is about."""
    if obj is None:
        return ""
    return f"{obj._meta.label_lower}:{obj.pk}"


def object_about(obj: models.Model | None) -> str:
    """The object in words for a notification: its ``notice_about``, else its name."""
    if obj is None:
        return ""
    about = getattr(obj, "notice_about", None)
    return str(about if about is not None else obj)[:300]


def notifications_done(obj: models.Model | None, *, kinds: Iterable[str] | None = None) -> int:
    """Close the notifications that asked for something about ``obj`` (only those of ``kinds``
    when given): it has moved on, so whatever they asked is done, or no longer anyone's to do.
    Each is marked read as well. Returns how many were closed."""
    from django.db.models.functions import Coalesce

    waiting = Notification.objects.filter(
        object_key=object_key(obj), needs_action=True, done_at__isnull=True
    )
    if kinds is not None:
        waiting = waiting.filter(kind__in=kinds)
    now = timezone.now()
    return waiting.update(done_at=now, read_at=Coalesce("read_at", now))


def notify(messages: Iterable[Message]) -> int:
    """Add each message to its people's notification lists; email them once the change commits.

    One insert for all the notification rows, whatever the number of messages or people; each
    row waits for it as two numbers (the person and the message), so a message to every output
    checker holds one copy of its words. The emails are queued only after the commit, so a
    rolled-back change tells nobody anything. An email address in ``to`` instead of a user
    (someone invited who has no account yet) has no list, so it gets the email alone. Returns
    the number of notifications created.
    """
    pending = _NotificationRows()
    emails = []
    for message in messages:
        recipients = [person for person in dict.fromkeys(message.to) if person is not None]
        pending.add(message, [user.pk for user in recipients if not isinstance(user, str)])
        email = _email_written(
            to=recipients,
            subject=message.subject,
            template=message.template,
            context={"link": message.link, "summary": message.summary, **message.context},
        )
        if email is not None:
            emails.append(email)
    if emails:
        transaction.on_commit(lambda: _queue_emails(emails), robust=True)
    return pending.insert()


def _queue_emails(emails: list[dict[str, Any]]) -> None:
    """Queue ``emails`` (as ``email_send`` takes each): one alone as it is; many, as a sweep
    of reminders writes, ``EMAILS_PER_TASK`` to a task, so the broker is not asked once for
    each. The tasks' descriptions, which the broker and its monitors show, name how many
    emails they carry rather than repeat what the emails say."""
    if len(emails) == 1:
        _queue(**emails[0])
        return
    for start in range(0, len(emails), EMAILS_PER_TASK):
        batch = emails[start : start + EMAILS_PER_TASK]
        emails_send.apply_async(
            kwargs={"emails": batch}, kwargsrepr=f"{{'emails': <{len(batch)} emails>}}"
        )
        logger.info(
            "Queued %d emails to %d addresses",
            len(batch),
            sum(len(email["to"]) for email in batch),
        )


class _NotificationRows:
    """Notification rows waiting for their insert: each message's own columns once, and the
    people it goes to, so a message to two hundred people holds one copy of its words."""

    def __init__(self) -> None:
        self.messages: list[Message] = []
        self.recipients: list[int] = []
        # For each person, which of ``messages`` they are told, counting from 1.
        self.message_numbers: list[int] = []

    def add(self, message: Message, recipients: list[int]) -> None:
        if not recipients:
            return
        self.messages.append(message)
        self.recipients.extend(recipients)
        self.message_numbers.extend([len(self.messages)] * len(recipients))

    def insert(self) -> int:
        """Write the rows in one insert; returns how many were written."""
        count = len(self.recipients)
        if not count:
            return 0
        if connection.vendor == "postgresql":
            self._insert_unnest()
        else:
            Notification.objects.bulk_create(
                Notification(
                    recipient_id=recipient,
                    kind=message.kind,
                    subject=message.subject[:200],
                    body=message.summary,
                    link=message.link,
                    about=message.about[:300],
                    object_key=message.object_key,
                    needs_action=message.needs_action,
                )
                for recipient, message in zip(
                    self.recipients,
                    (self.messages[number - 1] for number in self.message_numbers),
                    strict=True,
                )
            )
        return count

    def _insert_unnest(self) -> None:
        # bulk_create builds a model instance and prepares each of its values for every row,
        # which is most of a sweep's time when a reminder goes to every output checker. Here
        # each message's words travel once, and each row is two numbers: the person and the
        # message, joined in the database. The order of the rows, which breaks ties in the
        # notification list, is the order of the messages. Lazy translations become text here,
        # as the driver cannot send them.
        messages = self.messages
        with connection.cursor() as cursor:
            cursor.execute(
                """
                INSERT INTO notifications_notification
                    (recipient_id, kind, subject, body, link, about, object_key, needs_action,
                     created_at)
                SELECT r.recipient_id, m.kind, m.subject, m.body, m.link, m.about, m.object_key,
                       m.needs_action, %s
                FROM unnest(%s::bigint[], %s::bigint[]) WITH ORDINALITY
                    AS r(recipient_id, message, position)
                JOIN unnest(%s::text[], %s::text[], %s::text[], %s::text[], %s::text[],
                            %s::text[], %s::boolean[]) WITH ORDINALITY
                    AS m(kind, subject, body, link, about, object_key, needs_action, number)
                    ON m.number = r.message
                ORDER BY r.position
                """,
                [
                    timezone.now(),
                    self.recipients,
                    self.message_numbers,
                    [str(message.kind) for message in messages],
                    [str(message.subject)[:200] for message in messages],
                    [str(message.summary) for message in messages],
                    [str(message.link) for message in messages],
                    [str(message.about)[:300] for message in messages],
                    [str(message.object_key) for message in messages],
                    [message.needs_action for message in messages],
                ],
            )

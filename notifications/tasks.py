import logging
from datetime import date
from smtplib import SMTPException, SMTPRecipientsRefused

from celery import shared_task
from celery.utils.time import get_exponential_backoff_interval
from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import DatabaseError

logger = logging.getLogger(__name__)


@shared_task(bind=True, ignore_result=True, max_retries=5)
def email_send(self, *, to, subject, text, html):
    """Send one email to each address in ``to``, plain text with an HTML alternative, through
    Django's email backend.

    Each address gets a message of its own, so nobody sees who else was told; one task carries
    them all, so telling every output checker about a request is one task, not one each.

    A mail server that cannot be reached, or that fails part-way, is tried again later for the
    addresses not yet sent to, so nobody gets the email twice. An address the server refuses
    for good is logged and left out, and the others are still sent to; one it refuses for now
    (a full mailbox, greylisting) is tried again later with whatever else is left.
    """
    left = _emails_deliver([{"to": to, "subject": subject, "text": text, "html": html}])
    if left is not None:
        error, (email,) = left
        raise self.retry(exc=error, countdown=_backoff(self), kwargs=email) from error


@shared_task(bind=True, ignore_result=True, max_retries=5)
def emails_send(self, *, emails):
    """Send several emails, each as ``email_send`` sends one (``to``, ``subject``, ``text`` and
    ``html``): the daily reminders are tens of thousands of different emails, and a task each
    cost the sweep more than writing them. Retried, as ``email_send`` is, with only the emails
    and addresses not yet sent to."""
    left = _emails_deliver(emails)
    if left is not None:
        error, emails = left
        raise self.retry(exc=error, countdown=_backoff(self), kwargs={"emails": emails}) from error


def _emails_deliver(emails):
    """Send ``emails`` over one connection to the mail server. None when nothing is left to
    try again; otherwise the error and the emails still to send, those refused for now first,
    each with only its addresses not yet sent to."""
    emails = [dict(email, to=list(email["to"])) for email in emails]
    done = 0  # emails every address of which has been tried
    sent = 0  # addresses of emails[done] tried
    later = {}  # index of an email: its addresses refused for now, to try again
    refused_for_now = None
    try:
        # Opening the connection can fail as sending can (the server is down or restarting), so
        # it is inside the try: the whole list is then tried again, not lost.
        with get_connection() as connection:
            for index, email in enumerate(emails):
                for address in email["to"]:
                    message = EmailMultiAlternatives(
                        subject=email["subject"],
                        body=email["text"],
                        from_email=settings.DEFAULT_FROM_EMAIL,
                        to=[address],
                        connection=connection,
                    )
                    message.attach_alternative(email["html"], "text/html")
                    try:
                        message.send()
                    except SMTPRecipientsRefused as refusal:
                        # The server said no to this address alone, and stays ready for the next.
                        if _refused_for_now(refusal, address):
                            later.setdefault(index, []).append(address)
                            refused_for_now = refusal
                        else:
                            logger.warning(
                                "The mail server refused %s for good, so the email %r is not "
                                "sent to it: %s",
                                address,
                                email["subject"],
                                refusal.recipients.get(address),
                            )
                    sent += 1
                done += 1
                sent = 0
    except (OSError, SMTPException) as error:
        unsent = []
        if done < len(emails):
            unsent = [dict(emails[done], to=emails[done]["to"][sent:]), *emails[done + 1 :]]
        return _left(error, emails, later, unsent)
    if refused_for_now is not None:
        return _left(refused_for_now, emails, later, [])
    return None


def _left(error, emails, later, unsent):
    left = [dict(emails[index], to=addresses) for index, addresses in later.items()]
    left += [email for email in unsent if email["to"]]
    if not left:
        # Every message went; only saying goodbye to the server failed.
        subjects = ", ".join(repr(email["subject"]) for email in emails)
        logger.warning("The mail server failed after the email %s was sent: %s", subjects, error)
        return None
    return error, left


def _refused_for_now(refusal, address):
    """Whether the server's refusal of ``address`` is temporary: a 4xx reply, not a 5xx."""
    code, _ = refusal.recipients.get(address, (550, b""))
    return 400 <= code < 500


def _backoff(task):
    return get_exponential_backoff_interval(
        factor=1, retries=task.request.retries, maximum=600, full_jitter=True
    )


@shared_task(
    ignore_result=True,
    acks_late=True,
    autoretry_for=(DatabaseError, OSError),
    retry_backoff=60,
    retry_backoff_max=30 * 60,
    retry_jitter=True,
    max_retries=5,
)
def reminders_send(*, today=None, kinds=None):
    """Daily: send every reminder due, each once (a retry sends only what a failed run did not).

    ``today`` is an ISO date, for a run standing in for a missed day.
    """
    from .reminders import reminders_sweep

    day = date.fromisoformat(today) if today else None
    counts = reminders_sweep(today=day, kinds=kinds)
    logger.info("Reminders sent: %s", counts)
    return counts

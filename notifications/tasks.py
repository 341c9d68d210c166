import logging
from datetime import date
from smtplib import SMTPException

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
    them all, so telling every output checker about a request is one task, not one each. When
    sending fails part-way, the task is retried later for the addresses not yet sent to, so
    nobody gets the email twice.
    """
    to = list(to)
    with get_connection() as connection:
        for sent, address in enumerate(to):
            message = EmailMultiAlternatives(
                subject=subject,
                body=text,
                from_email=settings.DEFAULT_FROM_EMAIL,
                to=[address],
                connection=connection,
            )
            message.attach_alternative(html, "text/html")
            try:
                message.send()
            except (OSError, SMTPException) as error:
                countdown = get_exponential_backoff_interval(
                    factor=1, retries=self.request.retries, maximum=600, full_jitter=True
                )
                raise self.retry(
                    exc=error,
                    countdown=countdown,
                    kwargs={"to": to[sent:], "subject": subject, "text": text, "html": html},
                ) from error


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

import logging
from datetime import date
from smtplib import SMTPException

from celery import shared_task
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import DatabaseError

logger = logging.getLogger(__name__)


@shared_task(
    ignore_result=True,
    autoretry_for=(OSError, SMTPException),
    retry_backoff=True,
    max_retries=5,
)
def email_send(*, to, subject, text, html):
    """Send one email, plain text with an HTML alternative, through Django's email backend."""
    message = EmailMultiAlternatives(
        subject=subject, body=text, from_email=settings.DEFAULT_FROM_EMAIL, to=list(to)
    )
    message.attach_alternative(html, "text/html")
    message.send()


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

from celery import shared_task

from .services import accreditations_expire_lapsed


@shared_task(ignore_result=True)
def expire_lapsed_accreditations():
    """Daily: expire every active accreditation past its end date (safe to run twice)."""
    return accreditations_expire_lapsed()

import logging

from celery import shared_task
from django.db import transaction

from outputs.check.services import file_checks_not_run, file_checks_run

from .models import OutputFile

logger = logging.getLogger(__name__)

MAX_RETRIES = 3


@shared_task(bind=True, acks_late=True, max_retries=MAX_RETRIES, default_retry_delay=10)
def run_checks(self, file_id):
    """Run the automated checks on one output file; a second run replaces the first's results.

    When they fail on every retry, the file is marked as not checked automatically, so its
    request is not held back for ever and a checker knows to check it by hand.
    """
    file = OutputFile.objects.select_related("counts_file").filter(pk=file_id).first()
    if file is None:
        return
    try:
        file_checks_run(file=file)
    except Exception as error:
        if self.request.retries >= MAX_RETRIES:
            logger.exception("The automated checks on output file %s could not run", file_id)
            file_checks_not_run(file=file)
            return
        raise self.retry(exc=error, countdown=10 * (2**self.request.retries)) from error


def run_checks_on_commit(file: OutputFile) -> None:
    """Queue the checks on ``file`` once the transaction that stored it has committed."""
    file_id = file.pk
    transaction.on_commit(lambda: run_checks.delay(file_id))

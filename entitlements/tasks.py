from celery import shared_task

from .webhooks.services import (
    entitlements_publish,
    webhook_deliveries_requeue_lost,
    webhook_delivery_attempt,
)


@shared_task(bind=True, acks_late=True, ignore_result=True, max_retries=None)
def webhook_deliver(self, delivery_id):
    """Send one event to one endpoint, and again after a growing wait while it fails; the
    delivery's row counts the tries and says when to stop, so a re-queued task carries on."""
    retry_in = webhook_delivery_attempt(delivery_id=delivery_id)
    if retry_in is not None:
        raise self.retry(countdown=retry_in)


@shared_task(ignore_result=True, acks_late=True)
def entitlements_sweep():
    """Every five minutes: publish every entitlement, so those that end by their dates (an
    accreditation's or a project's last day passing) are announced within five minutes, and
    queue again any delivery whose task was lost."""
    entitlements_publish()
    webhook_deliveries_requeue_lost()

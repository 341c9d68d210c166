import socket
from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from .models import Heartbeat

# A worker that has not beaten for this long has gone (scaled down, renamed, replaced).
FORGET_WORKERS_AFTER = timedelta(days=7)


@shared_task(bind=True, ignore_result=True)
def heartbeat(self, queue=None):
    """Record that a worker is alive and taking work from ``queue``. Beat sends one into every
    queue each minute; one sent without a queue is routed, and counted, as the sweeps'."""
    worker = self.request.hostname or socket.gethostname()
    delivered_from = (self.request.delivery_info or {}).get("routing_key")
    queue = queue or delivered_from or settings.CELERY_TASK_ROUTES[self.name]["queue"]
    now = timezone.now()
    Heartbeat.objects.update_or_create(worker=worker, queue=queue, defaults={"beat_at": now})
    Heartbeat.objects.filter(beat_at__lt=now - FORGET_WORKERS_AFTER).delete()
    return worker

import socket
from datetime import timedelta

from celery import shared_task
from django.utils import timezone

from .models import Heartbeat

# A worker that has not beaten for this long has gone (scaled down, renamed, replaced).
FORGET_WORKERS_AFTER = timedelta(days=7)


@shared_task(bind=True, ignore_result=True)
def heartbeat(self):
    """Record that a worker is alive and picking up scheduled work (beat runs it every minute)."""
    worker = self.request.hostname or socket.gethostname()
    now = timezone.now()
    Heartbeat.objects.update_or_create(worker=worker, defaults={"beat_at": now})
    Heartbeat.objects.filter(beat_at__lt=now - FORGET_WORKERS_AFTER).delete()
    return worker

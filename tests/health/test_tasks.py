from datetime import timedelta

import pytest
from django.utils import timezone

from health.models import Heartbeat
from health.tasks import FORGET_WORKERS_AFTER, heartbeat

pytestmark = pytest.mark.django_db


def test_heartbeat_records_the_worker_and_the_time():
    before = timezone.now()

    heartbeat.apply()

    beat = Heartbeat.objects.get()
    assert beat.worker
    assert beat.beat_at >= before


def test_heartbeat_keeps_one_row_per_worker():
    heartbeat.apply()
    first = Heartbeat.objects.get().beat_at

    heartbeat.apply()
    heartbeat.apply()

    assert Heartbeat.objects.count() == 1
    assert Heartbeat.objects.get().beat_at >= first


def test_heartbeat_records_the_queue_it_was_taken_from_one_row_per_worker_and_queue():
    heartbeat.apply(args=["email"])
    heartbeat.apply(args=["pdf"])
    heartbeat.apply(args=["email"])
    heartbeat.apply()

    queues = sorted(Heartbeat.objects.values_list("queue", flat=True))
    # One sent without a queue is routed to the sweeps queue, and counted as its.
    assert queues == ["email", "pdf", "sweeps"]
    assert len(set(Heartbeat.objects.values_list("worker", flat=True))) == 1


def test_heartbeat_forgets_workers_gone_for_a_week():
    now = timezone.now()
    Heartbeat.objects.create(worker="celery@retired", beat_at=now - FORGET_WORKERS_AFTER * 2)
    Heartbeat.objects.create(worker="celery@resting", beat_at=now - timedelta(hours=1))

    heartbeat.apply()

    workers = set(Heartbeat.objects.values_list("worker", flat=True))
    assert "celery@retired" not in workers
    assert "celery@resting" in workers
    assert len(workers) == 2

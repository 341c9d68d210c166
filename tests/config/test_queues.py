"""Celery work is split into queues, so that one kind of task never waits behind another.

The routes live in ``config/settings.py``. These tests send real tasks through the configured
broker (Redis when REDIS_URL is set, the embedded filesystem broker otherwise) and read where
the broker keeps each queue: the Redis list named after it, or the broker folder's files named
after it. Nothing is mocked. With no worker running, each message stays where routing put it
until the test takes it away again; then the worker `make run` starts takes one from each queue.
"""

import json
import os
import subprocess
import tempfile
import time
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from config.celery import app
from tests.config.workers import QUEUES, procfile_worker_command, project_tasks, worker_queues
from tests.health.test_worker import database_url_for, stop

# One task of each kind, and the queue it belongs on.
ONE_OF_EACH_KIND = [
    ("researchers.tasks.declaration_render_and_sign_task", "pdf", [0], {}),
    ("reports.tasks.report_export_render_task", "pdf", [str(uuid.UUID(int=0))], {}),
    ("outputs.tasks.run_checks", "checks", [0], {}),
    (
        "notifications.tasks.email_send",
        "email",
        [],
        {"to": ["nobody@example.org"], "subject": "Routing", "text": "t", "html": "h"},
    ),
    (
        "notifications.tasks.emails_send",
        "email",
        [],
        {
            "emails": [
                {"to": ["nobody@example.org"], "subject": "Routing", "text": "t", "html": "h"}
            ]
        },
    ),
    # Posting an event to a webhook endpoint, which may wait on a slow receiver: never in the
    # way of an email.
    ("entitlements.tasks.webhook_deliver", "webhooks", [0], {}),
    ("notifications.tasks.reminders_send", "sweeps", [], {}),
    ("health.tasks.heartbeat", "sweeps", [], {}),
    # Nothing routes Celery's own tasks: they take the default queue.
    ("celery.backend_cleanup", "default", [], {}),
]


def test_every_task_of_the_project_is_routed_by_name_to_a_declared_queue():
    routes = settings.CELERY_TASK_ROUTES
    tasks = project_tasks()

    assert tasks, "found no tasks"
    unrouted = [name for name in tasks if name not in routes]
    assert not unrouted, (
        "Route these tasks to a queue in CELERY_TASK_ROUTES (config/settings.py): "
        + ", ".join(unrouted)
    )
    stale = sorted(set(routes) - set(tasks))
    assert not stale, "CELERY_TASK_ROUTES names tasks that do not exist: " + ", ".join(stale)
    undeclared = {name: route["queue"] for name, route in routes.items()}
    undeclared = {name: queue for name, queue in undeclared.items() if queue not in QUEUES}
    assert not undeclared, f"routed to queues not in CELERY_TASK_QUEUES: {undeclared}"


def test_beat_sends_every_scheduled_task_to_the_sweeps_queue_and_a_heartbeat_into_each():
    router = app.amqp.router
    heartbeats = set()

    for entry, schedule in settings.CELERY_BEAT_SCHEDULE.items():
        queue = router.route(dict(schedule.get("options", {})), schedule["task"])["queue"].name
        if schedule["task"] == "health.tasks.heartbeat":
            # The heartbeat names the queue it went into, so a worker records which it took.
            assert schedule["args"] == (queue,), entry
            heartbeats.add(queue)
        else:
            assert queue == "sweeps", f"beat entry {entry} goes to {queue}"
    assert heartbeats == QUEUES


class Broker:
    """The messages waiting in each queue, read where the configured broker keeps them."""

    def __init__(self):
        url = settings.CELERY_BROKER_URL
        if url.startswith("redis://"):
            import redis

            self.redis = redis.Redis.from_url(url)
            self.folder = None
        else:
            assert url == "filesystem://", f"no way to read the queues of {url}"
            self.redis = None
            self.folder = Path(settings.CELERY_BROKER_TRANSPORT_OPTIONS["data_folder_out"])

    def waiting(self, queue):
        """{task id: (task name, where the message is)} for the messages in ``queue``."""
        if self.redis is not None:
            raw_messages = [(raw, raw) for raw in self.redis.lrange(queue, 0, -1)]
        else:
            raw_messages = [
                (path.read_bytes(), path) for path in self.folder.glob(f"*.{queue}.msg")
            ]
        found = {}
        for raw, where in raw_messages:
            headers = json.loads(raw)["headers"]
            found[headers["id"]] = (headers["task"], where)
        return found

    def take(self, queue, where):
        if self.redis is not None:
            self.redis.lrem(queue, 1, where)
        else:
            where.unlink(missing_ok=True)


@pytest.mark.parametrize(("task", "queue", "args", "kwargs"), ONE_OF_EACH_KIND)
def test_a_task_sent_through_the_broker_waits_in_its_own_queue_only(task, queue, args, kwargs):
    broker = Broker()

    sent = app.send_task(task, args=args, kwargs=kwargs).id
    try:
        where_it_waits = {name for name in QUEUES if sent in broker.waiting(name)}
    finally:
        for name in QUEUES:
            message = broker.waiting(name).get(sent)
            if message:
                broker.take(name, message[1])

    assert where_it_waits == {queue}
    for name in QUEUES:
        assert sent not in broker.waiting(name)


def test_the_development_worker_takes_every_queue():
    assert worker_queues(procfile_worker_command()) == QUEUES


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_the_development_worker_runs_a_task_from_every_queue(tmp_path):
    environment = {
        **os.environ,
        "DATABASE_URL": database_url_for(connection.settings_dict),
        "DJANGO_SETTINGS_MODULE": "config.settings",
    }
    # Beat's schedule file goes beside the test, not into the checkout's var/.
    command = [*procfile_worker_command(), "--schedule", str(tmp_path / "beat-schedule")]
    with tempfile.TemporaryFile(mode="w+") as log:
        worker = subprocess.Popen(
            command,
            cwd=settings.BASE_DIR,
            env=environment,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            sent = {
                app.send_task(task, args=args, kwargs=kwargs).id: (task, queue)
                for task, queue, args, kwargs in ONE_OF_EACH_KIND
            }
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline and worker.poll() is None:
                log.seek(0)
                output = log.read()
                if all(f"[{task_id}] succeeded" in output for task_id in sent):
                    break
                time.sleep(0.5)
        finally:
            stop(worker)
        log.seek(0)
        output = log.read()

    not_run = [
        f"{task} ({queue})"
        for task_id, (task, queue) in sent.items()
        if f"[{task_id}] succeeded" not in output
    ]
    assert not not_run, f"The worker ran nothing from: {', '.join(not_run)}. Its log:\n{output}"

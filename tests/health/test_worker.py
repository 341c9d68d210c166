"""A real Celery worker, on the configured broker, runs a task against the test database.

Redis when REDIS_URL is set (as in CI), the embedded filesystem broker otherwise: the same
wiring `make run` and production use, nothing eager or mocked.
"""

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection

from health.models import Heartbeat
from health.tasks import heartbeat

# Generous: a loaded CI machine can take several seconds just to start the worker.
WAIT_FOR_HEARTBEAT_SECONDS = 60


def database_url_for(settings_dict):
    """The URL of the database this test runs on (the test database), for another process."""
    if settings_dict["ENGINE"] == "django.db.backends.sqlite3":
        return f"sqlite:///{Path(settings_dict['NAME']).resolve()}"
    credentials = quote(settings_dict["USER"] or "", safe="")
    if settings_dict["PASSWORD"]:
        credentials += ":" + quote(settings_dict["PASSWORD"], safe="")
    host = settings_dict["HOST"] or "localhost"
    port = f":{settings_dict['PORT']}" if settings_dict["PORT"] else ""
    return f"postgres://{credentials}@{host}{port}/{quote(settings_dict['NAME'], safe='')}"


def stop(worker):
    if worker.poll() is None:
        worker.terminate()
        try:
            worker.wait(timeout=15)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait(timeout=5)


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_worker_runs_the_heartbeat_task_into_the_database():
    environment = {
        **os.environ,
        "DATABASE_URL": database_url_for(connection.settings_dict),
        "DJANGO_SETTINGS_MODULE": "config.settings",
    }
    with tempfile.TemporaryFile(mode="w+") as log:
        worker = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "config",
                "worker",
                "--pool=solo",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                "-Q",
                settings.CELERY_TASK_ROUTES["health.tasks.heartbeat"]["queue"],
                "--loglevel=INFO",
            ],
            cwd=settings.BASE_DIR,
            env=environment,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            heartbeat.delay()

            deadline = time.monotonic() + WAIT_FOR_HEARTBEAT_SECONDS
            while not Heartbeat.objects.exists():
                if worker.poll() is not None or time.monotonic() > deadline:
                    break
                time.sleep(0.25)

            beat = Heartbeat.objects.first()
        finally:
            stop(worker)
        log.seek(0)
        assert beat is not None, "The worker recorded no heartbeat. Its log:\n" + log.read()

    assert beat.worker.startswith("celery@")

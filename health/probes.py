"""Probes of the parts the service depends on.

Each probe answers ``True`` or ``False`` and never raises: a health page that crashes when the
database is down tells the operator nothing. Failures are logged with their cause; the pages only
say which part failed, so nothing about the infrastructure leaks to the public.
"""

import logging
import shutil
import subprocess
import tomllib
import uuid
from dataclasses import dataclass
from datetime import timedelta
from functools import lru_cache

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.utils import timezone

from .models import Heartbeat

logger = logging.getLogger(__name__)

# Beat sends a heartbeat every 60 seconds; allow for one missed beat and a slow queue.
HEARTBEAT_RECENT_WITHIN = timedelta(minutes=3)


def database_ok():
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except Exception:
        logger.exception("Health probe: the database did not answer")
        return False


def cache_ok():
    key = f"health-probe-{uuid.uuid4().hex}"
    try:
        cache.set(key, "ok", timeout=10)
        answer = cache.get(key)
        cache.delete(key)
        return answer == "ok"
    except Exception:
        logger.exception("Health probe: the cache did not answer")
        return False


def broker_ok(timeout=3):
    from config.celery import app

    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, interval_start=0, timeout=timeout)
        return True
    except Exception:
        logger.exception("Health probe: the Celery broker did not answer")
        return False


@dataclass(frozen=True)
class WorkerHeartbeat:
    worker: str
    beat_at: object
    recent: bool


def latest_heartbeat(*, now=None):
    """The most recent worker heartbeat, or None when no worker has ever beaten."""
    try:
        beat = Heartbeat.objects.order_by("-beat_at").first()
    except Exception:
        logger.exception("Health probe: could not read worker heartbeats")
        return None
    if beat is None:
        return None
    now = now or timezone.now()
    return WorkerHeartbeat(
        worker=beat.worker,
        beat_at=beat.beat_at,
        recent=now - beat.beat_at <= HEARTBEAT_RECENT_WITHIN,
    )


@lru_cache(maxsize=1)
def app_version():
    """``git describe`` of the checkout when there is one, else the version in pyproject.toml."""
    git = shutil.which("git")
    if git and (settings.BASE_DIR / ".git").exists():
        try:
            described = subprocess.run(  # noqa: S603 - fixed arguments, no user input
                [git, "describe", "--tags", "--always", "--dirty"],
                cwd=settings.BASE_DIR,
                capture_output=True,
                text=True,
                timeout=5,
                check=True,
            ).stdout.strip()
            if described:
                return described
        except (OSError, subprocess.SubprocessError):
            logger.warning("Health probe: git describe failed; using the package version")
    try:
        with open(settings.BASE_DIR / "pyproject.toml", "rb") as pyproject:
            return tomllib.load(pyproject)["project"]["version"]
    except (OSError, KeyError, tomllib.TOMLDecodeError):
        return "unknown"

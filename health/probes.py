"""Probes of the parts the service depends on.

Each probe answers ``True`` or ``False`` and never raises: a health page that crashes when the
database is down tells the operator nothing. Failures are logged with their cause; the pages only
say which part failed, so nothing about the infrastructure leaks to the public.
"""

import contextlib
import hashlib
import logging
import os
import shutil
import subprocess
import time
import tomllib
import uuid
from dataclasses import dataclass
from datetime import timedelta
from functools import lru_cache

import botocore.exceptions
from django.conf import settings
from django.core.cache import cache
from django.core.files.storage import FileSystemStorage, storages
from django.db import connection
from django.utils import timezone

from uploads.storage import PrivateS3Storage

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


# A health check must answer quickly: one try, a few seconds, even when the store is down.
OBJECT_STORE_TIMEOUT_SECONDS = 3


@dataclass(frozen=True)
class ObjectStore:
    """Where files are kept, in words for the secretariat, and whether it can be used now.
    ``problem`` says why not, in words, when it cannot."""

    where: str
    ok: bool
    problem: str = ""


def object_store():
    """Whether the service can keep and read files now: a HEAD on the bucket when files go to
    an S3-compatible store (an answer up to ``BUCKET_ANSWER_KEPT_SECONDS`` old), whether the
    folder is writable when they go to the local disk."""
    storage = storages["default"]
    if isinstance(storage, PrivateS3Storage):
        return _bucket_answers_kept(storage)
    if isinstance(storage, FileSystemStorage):
        return _folder_writable(storage)
    return ObjectStore(where=type(storage).__name__, ok=True)


def object_store_ok():
    return object_store().ok


# Load balancers ask /health/ every few seconds on every node: the bucket's answer is kept in the
# cache all nodes share, so the bucket is asked about once in this many seconds, and an outage
# neither hammers it nor fills the log with the same failure. (The local folder is each node's
# own, and cheap to check, so it is checked every time.)
BUCKET_ANSWER_KEPT_SECONDS = 30


def _bucket_answers_kept(storage):
    # Named by the endpoint and bucket, so a change of either is asked about at once.
    where = f"{storage.endpoint_url or ''} {storage.bucket_name}"
    key = f"health-bucket-{hashlib.sha256(where.encode()).hexdigest()[:32]}"
    kept = None
    # A cache that does not answer is the cache probe's to report: the bucket is then asked now.
    with contextlib.suppress(Exception):
        kept = cache.get(key)
    # The age is checked here as well as by the cache's expiry, so that the answer is never older
    # than promised, whatever clock the cache keeps.
    if kept is not None and 0 <= time.time() - kept[0] < BUCKET_ANSWER_KEPT_SECONDS:
        return kept[1]
    store = _bucket_answers(storage)
    with contextlib.suppress(Exception):
        cache.set(key, (time.time(), store), timeout=BUCKET_ANSWER_KEPT_SECONDS)
    return store


def _bucket_answers(storage):
    where = f"S3 bucket “{storage.bucket_name}”"
    try:
        storage.bucket_head(timeout=OBJECT_STORE_TIMEOUT_SECONDS)
    except botocore.exceptions.ClientError as error:
        logger.exception("Health probe: the object store refused a HEAD on its bucket")
        status = error.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
        problem = {
            404: "The bucket does not exist: create it, or correct AWS_STORAGE_BUCKET_NAME.",
            403: "The object store refused the service's access keys for this bucket.",
        }.get(status, f"The object store answered with an error ({status}).")
        return ObjectStore(where=where, ok=False, problem=problem)
    except (botocore.exceptions.ConnectTimeoutError, botocore.exceptions.ReadTimeoutError):
        logger.exception("Health probe: the object store did not answer in time")
        return ObjectStore(
            where=where,
            ok=False,
            problem=f"The object store did not answer within {OBJECT_STORE_TIMEOUT_SECONDS} "
            "seconds.",
        )
    except botocore.exceptions.NoCredentialsError:
        logger.exception("Health probe: no access keys for the object store")
        return ObjectStore(
            where=where, ok=False, problem="No access keys for the object store are configured."
        )
    except botocore.exceptions.EndpointConnectionError:
        logger.exception("Health probe: the object store could not be reached")
        return ObjectStore(
            where=where,
            ok=False,
            problem="The object store could not be reached at its endpoint "
            "(AWS_S3_ENDPOINT_URL): files can be neither stored nor downloaded.",
        )
    except Exception:
        logger.exception("Health probe: the object store could not be asked about its bucket")
        return ObjectStore(
            where=where,
            ok=False,
            problem="The object store could not be asked about its bucket; the service's log "
            "says why.",
        )
    return ObjectStore(where=where, ok=True)


def _folder_writable(storage):
    where = "A folder on the local disk (no object store is configured)"
    folder = storage.location
    # The storage makes the folder when it first saves a file: until then, its parent counts.
    existing = folder
    while not os.path.exists(existing) and os.path.dirname(existing) != existing:
        existing = os.path.dirname(existing)
    if os.path.isdir(existing) and os.access(existing, os.W_OK | os.X_OK):
        return ObjectStore(where=where, ok=True)
    logger.error("Health probe: the media folder %s is not writable", folder)
    return ObjectStore(
        where=where,
        ok=False,
        problem="The service cannot write to its files folder (MEDIA_ROOT).",
    )


# What each queue carries, in the secretariat's words, in the order the status page lists them.
QUEUE_PURPOSES = {
    "email": "Emails",
    "webhooks": "Webhook events to the secretariat's systems",
    "checks": "Automated output checks",
    "pdf": "Signed declarations and report PDFs",
    "sweeps": "Nightly expiries and closures, daily reminders",
    "default": "Anything else",
}


@dataclass(frozen=True)
class WorkerHeartbeat:
    worker: str
    beat_at: object
    recent: bool


@dataclass(frozen=True)
class QueueStatus:
    """One queue of background work: what it carries, the latest heartbeat a worker took from
    it (None when none ever did), and how many tasks wait in it (None when the broker could
    not be asked)."""

    name: str
    purpose: str
    heartbeat: WorkerHeartbeat | None
    waiting: int | None

    @property
    def ok(self):
        return self.heartbeat is not None and self.heartbeat.recent


def queues(*, now=None):
    """Each queue the settings declare, with its latest heartbeat and the tasks waiting in it."""
    now = now or timezone.now()
    names = sorted(settings.WORKER_QUEUES, key=lambda name: list(QUEUE_PURPOSES).index(name))
    latest = {}
    try:
        for beat in Heartbeat.objects.order_by("beat_at"):
            latest[beat.queue] = beat
    except Exception:
        logger.exception("Health probe: could not read worker heartbeats")
    waiting = queue_lengths(names)
    return [
        QueueStatus(
            name=name,
            purpose=QUEUE_PURPOSES[name],
            heartbeat=_heartbeat(latest.get(name), now),
            waiting=waiting.get(name),
        )
        for name in names
    ]


def _heartbeat(beat, now):
    if beat is None:
        return None
    recent = now - beat.beat_at <= HEARTBEAT_RECENT_WITHIN
    return WorkerHeartbeat(worker=beat.worker, beat_at=beat.beat_at, recent=recent)


def queue_lengths(names, timeout=3):
    """{queue: tasks waiting in it} as the broker counts them (a Redis list's length, the
    filesystem broker's files); empty when the broker does not answer."""
    from config.celery import app

    lengths = {}
    try:
        with app.connection_for_read() as conn:
            conn.ensure_connection(max_retries=1, interval_start=0, timeout=timeout)
            channel = conn.default_channel
            for name in names:
                lengths[name] = channel.queue_declare(queue=name, passive=False).message_count
    except Exception:
        logger.exception("Health probe: could not count the tasks waiting in the queues")
        return {}
    return lengths


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

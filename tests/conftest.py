import os
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.run_guard import pytest_configure  # noqa: F401 -- a run that tests nothing fails

# Playwright's sync API runs an event loop in the test thread; the ORM calls made beside it are
# still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # Argon2 is right for production and too slow for hundreds of test logins.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _cache_emptied():
    """Each test starts with an empty cache, as its database starts empty: a page fragment kept
    by one test must not be served to the next, whose database no longer holds what it shows."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def _registers_read_afresh(settings):
    # A test that changes a record and reads a register again must see the change at once;
    # the tests of keeping the registers' results set this back (tests/test_registers_kept.py).
    settings.REGISTER_RESULTS_KEPT_SECONDS = 0


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": "/usr/bin/chromium",
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    }


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    # Transactional tests end by emptying every table with TRUNCATE, which the audit table
    # refuses unless the session allows it (audit/migrations/0002). Only test databases do.
    from django.db import connection

    if connection.vendor == "postgresql":
        with django_db_blocker.unblock():
            name = connection.ops.quote_name(connection.settings_dict["NAME"])
            with connection.cursor() as cursor:
                cursor.execute(f"ALTER DATABASE {name} SET ars.audit_truncate = 'allow'")
            # The setting applies to new sessions only.
            connection.close()
    yield
    if connection.vendor == "postgresql":
        # A process or thread a test started may still hold a connection to the test database
        # as the run ends, and the database cannot be dropped while one does.
        with django_db_blocker.unblock():
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                    " WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )
            connection.close()


@pytest.fixture(scope="session")
def declaration_signing_keys(tmp_path_factory):
    """A self-signed key and certificate made once per run, in place of the configured ones."""
    from documents.keys import self_signed_pair_write

    folder = tmp_path_factory.mktemp("signing")
    return self_signed_pair_write(
        key_path=folder / "declaration-key.pem", cert_path=folder / "declaration-cert.pem"
    )


@pytest.fixture(autouse=True)
def _declaration_signing_settings(settings, declaration_signing_keys):
    # Every test signs with a throwaway pair, never with a key under var/ or a configured one.
    key_path, cert_path = declaration_signing_keys
    settings.DECLARATION_SIGNING_KEY = str(key_path)
    settings.DECLARATION_SIGNING_CERT = str(cert_path)
    settings.DECLARATION_SIGNING_KEY_PASSPHRASE = ""
    settings.DECLARATION_TIMESTAMP_URL = ""


@pytest.fixture(autouse=True)
def _webhook_receivers_on_this_machine(settings):
    # The tests' webhook receivers listen on plain HTTP at 127.0.0.1, and with private addresses
    # allowed no endpoint's name is looked up when it is added, so no test needs DNS. The tests
    # of those checks turn them off (tests/entitlements/test_webhook_addresses.py).
    settings.WEBHOOK_ALLOW_HTTP = True
    settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = True


@pytest.fixture
def eager_celery():
    """Run tasks in the test's own process, as a worker would, so their emails can be read."""
    from config.celery import app

    before = (app.conf.task_always_eager, app.conf.task_eager_propagates)
    app.conf.task_always_eager = True
    app.conf.task_eager_propagates = True
    yield app
    app.conf.task_always_eager, app.conf.task_eager_propagates = before


@pytest.fixture
def sent(eager_celery, mailoutbox, django_capture_on_commit_callbacks):
    """Emails actually sent by the steps taken inside ``with sent.capture():``."""

    class Sent:
        outbox = mailoutbox

        def capture(self):
            return django_capture_on_commit_callbacks(execute=True)

        def to(self, address):
            return [message for message in mailoutbox if address in message.to]

        @property
        def subjects(self):
            return [message.subject for message in mailoutbox]

    return Sent()


# Object storage: moto's standalone S3 server, a real S3 API over HTTP in a process of its own.
S3_REGION = "eu-west-2"
S3_KEYS = {"access_key": "ars-test-key", "secret_key": "ars-test-secret"}


@pytest.fixture(scope="session")
def s3_server():
    """The address of moto's S3 server, started once per run on a free port of 127.0.0.1."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    address = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            urllib.request.urlopen(f"{address}/moto-api/", timeout=1).close()  # noqa: S310
            break
        except OSError:
            if server.poll() is not None or time.monotonic() > deadline:
                server.kill()
                pytest.fail("moto's S3 server did not start")
            time.sleep(0.1)
    yield address
    server.terminate()
    server.wait(timeout=10)


@dataclass
class ObjectStorage:
    """The bucket a test's files go to, and the local media folder nothing may reach."""

    client: object
    bucket: str
    media_root: Path

    def objects(self):
        listing = self.client.list_objects_v2(Bucket=self.bucket)
        return sorted(entry["Key"] for entry in listing.get("Contents", []))

    def read(self, key):
        return self.client.get_object(Bucket=self.bucket, Key=key)["Body"].read()

    def local_files(self):
        return sorted(p for p in self.media_root.rglob("*") if p.is_file())


def s3_storage_options(address, bucket):
    return {
        "bucket_name": bucket,
        "endpoint_url": address,
        "region_name": S3_REGION,
        "addressing_style": "path",
        **S3_KEYS,
    }


@pytest.fixture
def object_storage(s3_server, settings, tmp_path):
    """Files go to a new, empty bucket on moto's server, as they do when
    AWS_STORAGE_BUCKET_NAME is set; MEDIA_ROOT points at an empty folder to prove it stays so."""
    import boto3

    bucket = f"ars-test-{uuid.uuid4().hex[:16]}"
    client = boto3.client(
        "s3",
        endpoint_url=s3_server,
        region_name=S3_REGION,
        aws_access_key_id=S3_KEYS["access_key"],
        aws_secret_access_key=S3_KEYS["secret_key"],
    )
    client.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": S3_REGION})
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "uploads.storage.PrivateS3Storage",
            "OPTIONS": s3_storage_options(s3_server, bucket),
        },
    }
    store = ObjectStorage(client=client, bucket=bucket, media_root=tmp_path / "media")
    yield store
    for key in store.objects():
        client.delete_object(Bucket=bucket, Key=key)
    client.delete_bucket(Bucket=bucket)


def pytest_itemcollected(item):
    # A transactional test ends by emptying every table, taking the rows the migrations load
    # with them. `make mutate` keeps one test database across its many short sessions, so it
    # leaves these tests out by this marker (pyproject.toml, [tool.mutmut]).
    marker = item.get_closest_marker("django_db")
    transactional = marker is not None and bool(
        marker.kwargs.get("transaction") or (marker.args and marker.args[0])
    )
    fixtures = set(getattr(item, "fixturenames", ()))
    if transactional or fixtures & {"transactional_db", "live_server"}:
        item.add_marker("transactional")
    if "object_storage" in fixtures or "s3_server" in fixtures:
        # moto's S3 server runs as a process of its own, started once per run.
        item.add_marker("object_storage")
        item.add_marker("slow")
    # A browser test starts Chromium: a quick run (`pytest -m "not slow"`) leaves it out with
    # the other tests that start a process of their own.
    if item.get_closest_marker("browser"):
        item.add_marker("slow")

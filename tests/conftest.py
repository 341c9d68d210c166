import os

import pytest

from tests.run_guard import pytest_configure  # noqa: F401 -- a run that tests nothing fails

# Playwright's sync API runs an event loop in the test thread; the ORM calls made beside it are
# still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # Argon2 is right for production and too slow for hundreds of test logins.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


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
    # A browser test starts Chromium: a quick run (`pytest -m "not slow"`) leaves it out with
    # the other tests that start a process of their own.
    if item.get_closest_marker("browser"):
        item.add_marker("slow")

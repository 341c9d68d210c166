"""The processes docker-compose.yml runs, run natively: gunicorn, a Celery worker per group of
queues (each with the command its compose service gives) and beat, against PostgreSQL and Redis.

No container engine runs here. A researcher signs the declaration and then submits their
application, both through gunicorn: the first queues the signed PDF, which only the PDF worker
may prepare, and the application can only be submitted once it is ready; the second queues an
email, which only the email worker may send. Beat sends a heartbeat into every queue, and each
is answered by the worker that takes that queue. Connections are pooled (DATABASE_POOL), and
each process's connections are counted in PostgreSQL's own list of them.
"""

import contextlib
import os
import re
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from datetime import timedelta
from http.cookies import SimpleCookie

import pytest
from celery.beat import PersistentScheduler
from django.conf import settings
from django.db import connection
from django.test import Client
from django.urls import reverse

from accreditation.models import AccreditationApplication
from config.celery import app
from health.models import Heartbeat
from identity.roles import Role
from notifications.models import Notification
from researchers.declaration.models import Declaration, DeclarationVersion
from tests.accreditation.factories import AccreditationApplicationFactory
from tests.config.test_compose import celery_services, compose
from tests.config.workers import QUEUES, worker_queues
from tests.factories import DEFAULT_PASSWORD, UserFactory
from tests.health.test_worker import database_url_for
from tests.researchers.profile_factories import (
    OrganisationFactory,
    QualificationFactory,
    ResearcherProfileFactory,
    TrainingRecordFactory,
)

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        not settings.DATABASES["default"]["ENGINE"].endswith("postgresql"),
        reason="The deployment runs on PostgreSQL: set DATABASE_URL to a PostgreSQL database "
        "(and REDIS_URL) to run it natively.",
    ),
    pytest.mark.skipif(
        not settings.REDIS_URL,
        reason="The deployment's broker is Redis: set REDIS_URL to run it natively.",
    ),
]

GUNICORN_WORKERS = 2
# Starting nine Python processes on two shared cores takes a while, and longer on a busy machine.
WAIT_SECONDS = 180


class Process:
    """One process the deployment runs, started in a session of its own, its output in a file."""

    def __init__(self, name, command, *, environment, folder):
        self.name = name
        self.log_path = folder / f"{name}.log"
        self.log = self.log_path.open("w+")
        self.popen = subprocess.Popen(
            command,
            cwd=settings.BASE_DIR,
            env={**environment, "PGAPPNAME": name},
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def output(self):
        return self.log_path.read_text()

    def terminate(self):
        # The process and the children it started (gunicorn's and Celery's workers) share its
        # session's process group, whose id is the process's own.
        if self.popen.poll() is None:
            os.killpg(self.popen.pid, signal.SIGTERM)

    def kill(self):
        """Wait for the process to end, then end whatever of its group is left."""
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.popen.wait(timeout=20)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.popen.pid, signal.SIGKILL)
        self.popen.wait(timeout=5)
        self.log.close()


def stop(processes):
    """Stop them all at once: each Celery worker takes a few seconds to shut down warmly."""
    for process in processes:
        process.terminate()
    for process in processes:
        process.kill()


def wait_for(what, check, processes, seconds=WAIT_SECONDS):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        result = check()
        if result:
            return result
        dead = [process.name for process in processes if process.popen.poll() is not None]
        if dead:
            break
        time.sleep(0.5)
    logs = "\n".join(f"--- {process.name}\n{process.output()[-3000:]}" for process in processes)
    pytest.fail(f"Waited in vain for {what}. Logs:\n{logs}")


class NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Browser:
    """A signed-in person's requests to the server, with their cookies and the CSRF token."""

    def __init__(self, base_url, cookies):
        self.base_url = base_url
        self.cookies = dict(cookies)
        self.opener = urllib.request.build_opener(NoRedirects)

    def request(self, path, data=None):
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        # Only ever the gunicorn this test started, on 127.0.0.1.
        request = urllib.request.Request(self.base_url + path, data=body)  # noqa: S310
        request.add_header("Cookie", "; ".join(f"{k}={v}" for k, v in self.cookies.items()))
        try:
            # Generous: the first request of a cold gunicorn worker, on a loaded machine, has
            # been seen to take longer than 30 seconds.
            response = self.opener.open(request, timeout=WAIT_SECONDS)
        except urllib.error.HTTPError as error:
            response = error
        with response:
            for header in response.headers.get_all("Set-Cookie") or []:
                for name, morsel in SimpleCookie(header).items():
                    self.cookies[name] = morsel.value
            return response.status, response.headers, response.read().decode()

    def post_form(self, path, fields, *, action=None):
        """Open the page at ``path`` and send its form, to ``action`` if the form names one."""
        status, _, page = self.request(path)
        assert status == 200, f"{path} answered {status}:\n{page}"
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        assert token, f"no form on {path}:\n{page}"
        return self.request(action or path, {"csrfmiddlewaretoken": token.group(1), **fields})


def worker_command(arguments, name):
    """A compose worker's command, run by this Python, named for its service."""
    assert arguments[0] == "celery"
    return [sys.executable, "-m", "celery", *arguments[1:], "--hostname", f"{name}@%h"]


def heartbeat_due_at_start(schedule_file):
    """Beat's schedule file, written as if the last heartbeats were sent minutes ago, so beat sends
    one into every queue as it starts instead of a minute later."""
    schedule_file.parent.mkdir(parents=True, exist_ok=True)
    scheduler = PersistentScheduler(app=app, schedule_filename=str(schedule_file), lazy=False)
    for name, entry in scheduler.schedule.items():
        if name.startswith("worker-heartbeat-"):
            entry.last_run_at = app.now() - timedelta(minutes=5)
    scheduler.close()


def connections_by_process():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT application_name, count(*) FROM pg_stat_activity "
            "WHERE datname = current_database() GROUP BY application_name"
        )
        return dict(cursor.fetchall())


def applicant_without_a_signature(settings):
    """A researcher with everything a full application needs except the signed declaration."""
    # Hashed as the server hashes it: a password in another hash is rehashed when the server
    # checks it, which signs the person out of their other sessions, this one included.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.Argon2PasswordHasher"]
    if DeclarationVersion.objects.current() is None:
        DeclarationVersion.objects.create(number=1, text="I will keep the data confidential.")
    researcher = UserFactory(full_name="Ada Lovelace", roles=[Role.RESEARCHER])
    ResearcherProfileFactory(user=researcher, organisation=OrganisationFactory())
    QualificationFactory(user=researcher)
    TrainingRecordFactory(user=researcher)
    AccreditationApplicationFactory(applicant=researcher)
    return researcher


@pytest.mark.django_db(transaction=True)
def test_compose_processes_run_natively_each_queue_served_by_its_own_worker(
    tmp_path, settings, declaration_signing_keys
):
    key_path, cert_path = declaration_signing_keys
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": database_url_for(connection.settings_dict),
        "DATABASE_POOL": "true",
        "VAR_DIR": str(tmp_path / "var"),
        "DECLARATION_SIGNING_KEY": str(key_path),
        "DECLARATION_SIGNING_CERT": str(cert_path),
    }
    environment.pop("DATABASE_CONN_MAX_AGE", None)
    heartbeat_due_at_start(tmp_path / "var" / "celery" / "beat-schedule")
    document = compose()
    beat_command = celery_services(document, "beat")["beat"]
    commands = {
        "web": [
            *[sys.executable, "-m", "gunicorn", "config.wsgi", "--bind", "127.0.0.1:0"],
            *["--workers", str(GUNICORN_WORKERS), "--no-control-socket"],
        ],
        **{
            name: worker_command(arguments, name)
            for name, arguments in celery_services(document, "worker").items()
        },
        "beat": [sys.executable, "-m", "celery", *beat_command[1:]],
    }
    processes = []
    try:
        for name, command in commands.items():
            processes.append(Process(name, command, environment=environment, folder=tmp_path))
        by_name = {process.name: process for process in processes}

        researcher = applicant_without_a_signature(settings)
        client = Client()
        client.force_login(researcher)
        cookies = {settings.SESSION_COOKIE_NAME: client.cookies[settings.SESSION_COOKIE_NAME].value}

        listening = wait_for(
            "gunicorn to listen",
            lambda: re.search(r"Listening at: (http://127\.0\.0\.1:\d+)", by_name["web"].output()),
            processes,
        )
        browser = Browser(listening.group(1), cookies)

        status, _, page = browser.post_form(
            reverse("researchers:declaration"),
            {"typed_name": researcher.full_name, "agree": "on", "password": DEFAULT_PASSWORD},
        )
        assert status == 302, page
        declaration = Declaration.objects.get(user=researcher)
        wait_for(
            "the signed declaration's PDF",
            lambda: Declaration.objects.filter(
                pk=declaration.pk, state=Declaration.State.SIGNED
            ).exists(),
            processes,
        )

        status, _, page = browser.post_form(
            reverse("accreditation:application_detail"),
            {},
            action=reverse("accreditation:application_submit"),
        )
        assert status == 302, page
        application = AccreditationApplication.objects.get(applicant=researcher)
        assert application.state == AccreditationApplication.State.SUBMITTED
        subject = Notification.objects.get(recipient=researcher).subject
        wait_for(
            "the email about the submitted application",
            lambda: f"Subject: {subject}" in by_name["worker-email"].output(),
            processes,
        )
        wait_for(
            "a heartbeat from every queue",
            lambda: Heartbeat.objects.values("queue").distinct().count() == len(QUEUES),
            processes,
        )
        beats = {beat.queue: beat.worker.split("@")[0] for beat in Heartbeat.objects.all()}
        held = connections_by_process()
        logs = {process.name: process.output() for process in processes}
    finally:
        stop(processes)

    ran = {
        name: set(re.findall(r"Task ([\w.]+)\[[\w-]+\] succeeded", log))
        for name, log in logs.items()
    }
    assert "researchers.tasks.declaration_render_and_sign_task" in ran["worker-pdf"]
    assert "notifications.tasks.email_send" in ran["worker-email"]
    # Each queue's heartbeat was answered by the compose worker that takes that queue.
    taken_by = {
        queue: name
        for name, arguments in celery_services(document, "worker").items()
        for queue in worker_queues(arguments)
    }
    assert beats == taken_by
    assert "ready." in logs["worker-checks"]
    # Each worker ran only what is routed to its own queues (beat may have sent another sweep
    # if the test crossed the hour's fifth or thirty-fifth minute).
    router = app.amqp.router
    for name, arguments in celery_services(document, "worker").items():
        strays = {
            task
            for task in ran[name] - {"health.tasks.heartbeat"}
            if router.route({}, task)["queue"].name not in worker_queues(arguments)
        }
        assert not strays, f"{name} ran {strays}"
    assert not [
        name
        for name, log in logs.items()
        if name != "worker-email" and f"Subject: {subject}" in log
    ]
    # Beat holds no database connection. Each gunicorn worker keeps the one its pool lent to
    # the requests it served, and never opens a second.
    assert held.get("beat", 0) == 0
    assert 1 <= held.get("web", 0) <= GUNICORN_WORKERS, held

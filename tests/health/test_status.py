import re
import uuid
from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from config.celery import app
from health.models import Heartbeat
from health.probes import app_version
from identity.roles import Role
from tests.config.test_queues import Broker
from tests.factories import UserFactory
from tests.health.test_live import CLOSED_ENDPOINT, files_in_bucket

pytestmark = pytest.mark.django_db


def beat_every_queue(worker="celery@worker-1", at=None):
    for queue in settings.WORKER_QUEUES:
        Heartbeat.objects.create(worker=worker, queue=queue, beat_at=at or timezone.now())


def queue_row(page, queue):
    """The status page's table row of ``queue``, as text without tags."""
    row = re.search(rf"<tr[^>]*>(?:(?!</tr>).)*queue “{queue}”.*?</tr>", page, flags=re.DOTALL)
    assert row, f"no row for the {queue} queue"
    return " ".join(re.sub(r"<[^>]+>", " ", row.group(0)).split())


def staff_client(client, *roles):
    # Staff pages open only to people who have set up two-factor authentication.
    client.force_login(UserFactory(roles=list(roles), totp=True))
    return client


def test_status_sends_anonymous_visitors_to_sign_in(client):
    response = client.get(reverse("health:status"))

    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


@pytest.mark.parametrize(
    "role", [Role.RESEARCHER, Role.PANEL_REVIEWER, Role.OUTPUT_CHECKER, Role.DATA_OWNER]
)
def test_status_refused_for_roles_other_than_secretariat(client, role):
    response = staff_client(client, role).get(reverse("health:status"))

    assert response.status_code == 403


def test_status_shows_every_part_reachable_for_the_secretariat(client):
    beat_every_queue()

    response = staff_client(client, Role.SECRETARIAT).get(reverse("health:status"))

    assert response.status_code == 200
    page = response.text
    assert "Service status" in page
    assert "Every part of the service is working." in page
    for part in ("Database", "Cache", "Task broker", "Object store"):
        assert part in page
    assert "A folder on the local disk (no object store is configured)" in page
    assert "Not reachable" not in page
    for purpose in ("Emails", "Automated output checks", "Signed declarations and report PDFs"):
        assert purpose in page
    assert "celery@worker-1" in queue_row(page, "email")
    assert "Running" in queue_row(page, "email")
    assert app_version() in page


def test_status_warns_when_no_worker_has_ever_reported(client):
    response = staff_client(client, Role.SECRETARIAT).get(reverse("health:status"))

    assert response.status_code == 200
    assert "No heartbeat yet" in response.text
    assert "Part of the service is not working." in response.text


def test_status_warns_when_the_last_heartbeat_is_stale(client):
    beat_every_queue()

    with time_machine.travel(timezone.now() + timedelta(minutes=10)):
        response = staff_client(client, Role.SECRETARIAT).get(reverse("health:status"))

    assert response.status_code == 200
    assert "Not reporting" in queue_row(response.text, "sweeps")
    assert "celery@worker-1" in queue_row(response.text, "sweeps")
    assert "Part of the service is not working." in response.text


def test_status_names_the_one_queue_no_worker_takes(client):
    # The email worker stopped half an hour ago; every other queue is taken.
    beat_every_queue()
    Heartbeat.objects.filter(queue="email").update(beat_at=timezone.now() - timedelta(minutes=30))

    response = staff_client(client, Role.SECRETARIAT).get(reverse("health:status"))

    page = response.text
    assert "Part of the service is not working." in page
    assert "Not reporting" in queue_row(page, "email")
    assert "30 minutes ago" in queue_row(page, "email")
    for queue in set(settings.WORKER_QUEUES) - {"email"}:
        assert "Running" in queue_row(page, queue)


def test_status_counts_the_tasks_waiting_in_each_queue(client):
    beat_every_queue()
    broker = Broker()
    staff = staff_client(client, Role.SECRETARIAT)

    def waiting_in_pdf():
        return int(queue_row(staff.get(reverse("health:status")).text, "pdf").split()[-1])

    before = waiting_in_pdf()
    sent = app.send_task("reports.tasks.report_export_render_task", args=[str(uuid.uuid4())]).id
    try:
        after = waiting_in_pdf()
    finally:
        broker.take("pdf", broker.waiting("pdf")[sent][1])

    assert after == before + 1


def test_status_names_the_part_that_is_unreachable(client, settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:9/0",
        }
    }
    # Sessions live in the cache when Redis is configured; keep this one signed in regardless.
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.db"
    beat_every_queue()

    response = staff_client(client, Role.SECRETARIAT).get(reverse("health:status"))

    assert response.status_code == 200
    assert "Not reachable" in response.text
    assert "Part of the service is not working." in response.text


def test_app_version_is_never_empty():
    assert app_version()


def test_status_shows_the_object_store_bucket_beside_the_broker(client, object_storage):
    beat_every_queue()

    response = staff_client(client, Role.SECRETARIAT).get(reverse("health:status"))

    page = response.text
    assert "Every part of the service is working." in page
    assert "Task broker" in page
    assert f"S3 bucket “{object_storage.bucket}”" in page
    assert "Not reachable" not in page


def test_status_says_why_when_the_object_store_is_unreachable(client, settings):
    files_in_bucket(settings, CLOSED_ENDPOINT, "ars-files")
    beat_every_queue()

    response = staff_client(client, Role.SECRETARIAT).get(reverse("health:status"))

    page = response.text
    assert response.status_code == 200
    assert "Part of the service is not working." in page
    assert page.count("Not reachable") == 1
    assert (
        "The object store could not be reached at its endpoint (AWS_S3_ENDPOINT_URL): files can "
        "be neither stored nor downloaded."
    ) in page
    assert "Task broker" in page


def test_status_says_when_the_bucket_is_not_there(client, settings, s3_server):
    files_in_bucket(settings, s3_server, "ars-never-created")

    response = staff_client(client, Role.SECRETARIAT).get(reverse("health:status"))

    assert "The bucket does not exist: create it, or correct AWS_STORAGE_BUCKET_NAME." in (
        response.text
    )

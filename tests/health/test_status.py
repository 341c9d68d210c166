from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from health.models import Heartbeat
from health.probes import app_version
from identity.roles import Role
from tests.factories import UserFactory
from tests.health.test_live import CLOSED_ENDPOINT, files_in_bucket

pytestmark = pytest.mark.django_db


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
    Heartbeat.objects.create(worker="celery@worker-1", beat_at=timezone.now())

    response = staff_client(client, Role.SECRETARIAT).get(reverse("health:status"))

    assert response.status_code == 200
    page = response.text
    assert "Service status" in page
    assert "Every part of the service is working." in page
    for part in ("Database", "Cache", "Task broker", "Object store"):
        assert part in page
    assert "A folder on the local disk (no object store is configured)" in page
    assert "Not reachable" not in page
    assert "celery@worker-1" in page
    assert "Running" in page
    assert app_version() in page


def test_status_warns_when_no_worker_has_ever_reported(client):
    response = staff_client(client, Role.SECRETARIAT).get(reverse("health:status"))

    assert response.status_code == 200
    assert "No heartbeat yet" in response.text
    assert "Part of the service is not working." in response.text


def test_status_warns_when_the_last_heartbeat_is_stale(client):
    Heartbeat.objects.create(worker="celery@worker-1", beat_at=timezone.now())

    with time_machine.travel(timezone.now() + timedelta(minutes=10)):
        response = staff_client(client, Role.SECRETARIAT).get(reverse("health:status"))

    assert response.status_code == 200
    assert "Not reporting" in response.text
    assert "celery@worker-1" in response.text
    assert "Part of the service is not working." in response.text


def test_status_names_the_part_that_is_unreachable(client, settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:9/0",
        }
    }
    # Sessions live in the cache when Redis is configured; keep this one signed in regardless.
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.db"
    Heartbeat.objects.create(worker="celery@worker-1", beat_at=timezone.now())

    response = staff_client(client, Role.SECRETARIAT).get(reverse("health:status"))

    assert response.status_code == 200
    assert "Not reachable" in response.text
    assert "Part of the service is not working." in response.text


def test_app_version_is_never_empty():
    assert app_version()


def test_status_shows_the_object_store_bucket_beside_the_broker(client, object_storage):
    Heartbeat.objects.create(worker="celery@worker-1", beat_at=timezone.now())

    response = staff_client(client, Role.SECRETARIAT).get(reverse("health:status"))

    page = response.text
    assert "Every part of the service is working." in page
    assert "Task broker" in page
    assert f"S3 bucket “{object_storage.bucket}”" in page
    assert "Not reachable" not in page


def test_status_says_why_when_the_object_store_is_unreachable(client, settings):
    files_in_bucket(settings, CLOSED_ENDPOINT, "ars-files")
    Heartbeat.objects.create(worker="celery@worker-1", beat_at=timezone.now())

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

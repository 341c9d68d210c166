import uuid

import boto3
import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from tests.conftest import S3_KEYS, S3_REGION, s3_storage_options

pytestmark = pytest.mark.django_db

UNREACHABLE_REDIS = "redis://127.0.0.1:9/0"
# Nothing listens on the discard port: a connection to it is refused at once.
CLOSED_ENDPOINT = "http://127.0.0.1:9"


def files_in_bucket(settings, endpoint, bucket):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "uploads.storage.PrivateS3Storage",
            "OPTIONS": s3_storage_options(endpoint, bucket),
        },
    }


def s3_client(endpoint):
    return boto3.client(
        "s3",
        endpoint_url=endpoint,
        region_name=S3_REGION,
        aws_access_key_id=S3_KEYS["access_key"],
        aws_secret_access_key=S3_KEYS["secret_key"],
    )


def test_live_reports_ok_when_database_cache_and_file_folder_answer(client):
    response = client.get(reverse("health:live"))

    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "database": "ok",
        "cache": "ok",
        "object_store": "ok",
    }


def test_live_reports_the_object_store_ok_when_its_bucket_answers(client, object_storage):
    response = client.get(reverse("health:live"))

    assert response.status_code == 200
    assert response.json()["object_store"] == "ok"
    assert object_storage.objects() == []


def test_live_answers_503_naming_the_object_store_when_its_endpoint_is_closed(client, settings):
    files_in_bucket(settings, CLOSED_ENDPOINT, "ars-files")

    response = client.get(reverse("health:live"))

    assert response.status_code == 503
    assert response.json() == {
        "status": "fail",
        "database": "ok",
        "cache": "ok",
        "object_store": "fail",
    }
    assert "127.0.0.1" not in response.text
    assert "ars-files" not in response.text


def test_live_asks_an_unreachable_object_store_once_in_30_seconds_and_logs_it_once(
    client, settings, caplog
):
    # A bucket of this test's own, so no answer kept from another test is read.
    files_in_bucket(settings, CLOSED_ENDPOINT, f"ars-{uuid.uuid4().hex[:12]}")

    def failures_logged():
        return [
            record
            for record in caplog.records
            if record.name == "health.probes" and "object store" in record.getMessage()
        ]

    with time_machine.travel(timezone.now(), tick=False) as clock:
        for _ in range(3):
            response = client.get(reverse("health:live"))
            assert response.status_code == 503
            assert response.json()["object_store"] == "fail"
        assert len(failures_logged()) == 1

        clock.shift(29)
        assert client.get(reverse("health:live")).json()["object_store"] == "fail"
        assert len(failures_logged()) == 1

        clock.shift(2)
        assert client.get(reverse("health:live")).json()["object_store"] == "fail"
        assert len(failures_logged()) == 2


def test_live_sees_a_bucket_made_since_within_30_seconds(client, settings, s3_server):
    bucket = f"ars-later-{uuid.uuid4().hex[:12]}"
    files_in_bucket(settings, s3_server, bucket)

    with time_machine.travel(timezone.now(), tick=False) as clock:
        assert client.get(reverse("health:live")).status_code == 503
        s3_client(s3_server).create_bucket(
            Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": S3_REGION}
        )
        try:
            assert client.get(reverse("health:live")).status_code == 503
            clock.shift(31)
            assert client.get(reverse("health:live")).status_code == 200
        finally:
            s3_client(s3_server).delete_bucket(Bucket=bucket)


def test_live_answers_503_when_the_bucket_is_not_there(client, settings, s3_server):
    files_in_bucket(settings, s3_server, "ars-never-created")

    response = client.get(reverse("health:live"))

    assert response.status_code == 503
    assert response.json()["object_store"] == "fail"


def test_live_answers_503_when_the_file_folder_cannot_be_made(client, settings, tmp_path):
    # A file where a folder should be: no one, root included, can make the folder under it.
    (tmp_path / "taken").write_text("not a folder")
    settings.MEDIA_ROOT = tmp_path / "taken" / "media"

    response = client.get(reverse("health:live"))

    assert response.status_code == 503
    assert response.json()["object_store"] == "fail"


def test_live_is_public_and_never_cached(client):
    response = client.get(reverse("health:live"))

    assert response.status_code == 200
    assert "no-cache" in response["Cache-Control"]


def test_live_answers_503_naming_the_cache_when_it_is_unreachable(client, settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": UNREACHABLE_REDIS,
        }
    }

    response = client.get(reverse("health:live"))

    assert response.status_code == 503
    assert response.json() == {
        "status": "fail",
        "database": "ok",
        "cache": "fail",
        "object_store": "ok",
    }


def test_live_still_asks_the_bucket_when_the_cache_that_keeps_its_answer_is_down(client, settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": UNREACHABLE_REDIS,
        }
    }
    files_in_bucket(settings, CLOSED_ENDPOINT, f"ars-{uuid.uuid4().hex[:12]}")

    response = client.get(reverse("health:live"))

    assert response.status_code == 503
    assert response.json() == {
        "status": "fail",
        "database": "ok",
        "cache": "fail",
        "object_store": "fail",
    }


def test_live_reveals_no_configuration(client, settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": UNREACHABLE_REDIS,
        }
    }

    body = client.get(reverse("health:live")).text

    assert "127.0.0.1" not in body
    assert "redis" not in body.lower()
    assert settings.SECRET_KEY not in body

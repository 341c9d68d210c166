import pytest
from django.urls import reverse

from tests.conftest import s3_storage_options

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

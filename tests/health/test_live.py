import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

UNREACHABLE_REDIS = "redis://127.0.0.1:9/0"


def test_live_reports_ok_when_database_and_cache_answer(client):
    response = client.get(reverse("health:live"))

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "cache": "ok"}


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
    assert response.json() == {"status": "fail", "database": "ok", "cache": "fail"}


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

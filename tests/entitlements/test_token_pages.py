"""The secretariat issues and revokes the API's tokens on pages of their own, reached from
their home."""

import re

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from audit.models import AuditEvent
from entitlements.models import ApiToken
from identity.roles import Role
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def secretariat(client):
    user = UserFactory(roles=[Role.SECRETARIAT], totp=True)
    client.force_login(user)
    return user


def link(page, text):
    [href] = re.findall(rf'<a class="govuk-link" href="([^"]+)">{re.escape(text)}</a>', page)
    return href


def test_the_secretariat_issues_a_token_shown_once_that_reads_the_api(client, secretariat):
    tokens_url = link(client.get(reverse("dashboard:home")).text, "API tokens")
    assert "No token has been issued yet." in client.get(tokens_url).text

    issued = client.post(
        tokens_url,
        {"account_name": "Secure environment", "scopes": ["entitlements:read"], "days": "90"},
    )

    assert issued.status_code == 200
    assert "no-store" in issued["Cache-Control"]
    raw = re.search(r'<code class="app-secret" id="token">(ars_[^<]+)</code>', issued.text)[1]
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert api.get("/api/v1/entitlements/").status_code == 200
    listing = client.get(tokens_url).text
    assert "Secure environment" in listing
    assert raw not in listing
    assert f"ars_{ApiToken.objects.get().prefix}…" in listing
    assert AuditEvent.objects.filter(action="api_token.created", actor=secretariat).exists()


def test_a_token_form_in_error_says_what_is_wrong_and_keeps_what_was_typed(client, secretariat):
    response = client.post(
        reverse("entitlements:token_list"), {"account_name": "Broker", "days": "9999"}
    )

    assert response.status_code == 200
    assert "govuk-error-summary" in response.text
    assert "Select what the token may read" in response.text
    assert "A token can last at most 730 days" in response.text
    assert 'value="Broker"' in response.text
    assert ApiToken.objects.count() == 0


def test_the_secretariat_revokes_a_token_after_confirming(client, secretariat):
    client.post(
        reverse("entitlements:token_list"),
        {"account_name": "Broker", "scopes": ["registers:read"], "days": "30"},
    )
    token = ApiToken.objects.get()
    listing = client.get(reverse("entitlements:token_list")).text
    [revoke_url] = re.findall(r'<a class="govuk-link"\s+href="([^"]+)">Revoke<span', listing)

    asked = client.get(revoke_url)
    assert "Revoke the token" in asked.text
    token.refresh_from_db()
    assert token.revoked_at is None

    done = client.post(revoke_url, {"confirmed": "yes"}, follow=True)

    token.refresh_from_db()
    assert token.revoked_at is not None
    assert token.revoked_by == secretariat
    assert "has been revoked" in done.text
    assert "Revoked" in done.text


def test_a_form_in_error_says_error_once_in_the_page_title(client, secretariat):
    response = client.post(reverse("entitlements:token_list"), {})

    assert response.status_code == 200
    assert "<title>Error: API tokens - " in response.text

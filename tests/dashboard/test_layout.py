import re

import pytest
from django.urls import reverse

from identity.roles import Role
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_page_has_govuk_layout(client):
    html = client.get(reverse("dashboard:start")).text

    assert '<a href="#main-content" class="govuk-skip-link"' in html
    assert 'id="main-content"' in html
    assert "govuk-service-navigation__service-name" in html
    assert "Approved Researcher Service</a>" in html
    assert "govuk-phase-banner" in html
    assert "mailto:" in html
    assert "govuk-footer" in html
    assert 'src="/static/js/app.mjs"' in html


def test_page_title_ends_with_service_name(client):
    html = client.get(reverse("dashboard:start")).text

    assert re.search(r"<title>[^<]* - Approved Researcher Service - GOV\.UK</title>", html)


def test_header_offers_sign_in_to_visitors(client):
    html = client.get(reverse("dashboard:start")).text

    assert f'href="{reverse("account_login")}">Sign in</a>' in html
    assert "Sign out" not in html


def test_header_offers_sign_out_form_to_signed_in_users(client):
    client.force_login(UserFactory(roles=[Role.RESEARCHER]))

    html = client.get(reverse("dashboard:home")).text

    assert f'<form method="post" action="{reverse("account_logout")}"' in html
    assert "Sign out</button>" in html


def test_success_message_shows_as_success_notification_banner(client):
    user = UserFactory(roles=[Role.RESEARCHER])
    client.force_login(user)
    # Signing out adds allauth's success message, shown on the next page.
    response = client.post(reverse("account_logout"), follow=True)

    assert "govuk-notification-banner--success" in response.text
    assert 'role="alert"' in response.text


def test_static_assets_are_served(client):
    for path in (
        "/static/vendor/govuk-frontend/govuk-frontend.min.css",
        "/static/vendor/govuk-frontend/govuk-frontend.min.js",
        "/static/css/app.css",
        "/static/js/app.mjs",
    ):
        response = client.get(path)
        assert response.status_code == 200, path
        response.close()


def test_app_css_replaces_every_gds_transport_font():
    from pathlib import Path

    from django.conf import settings

    vendor = Path(settings.BASE_DIR, "static/vendor/govuk-frontend/govuk-frontend.min.css")
    app = Path(settings.BASE_DIR, "static/css/app.css").read_text()
    selectors = set()
    for rule in re.findall(r"([^{}]*)\{[^{}]*font-family:GDS Transport,", vendor.read_text()):
        selectors.update(s.strip() for s in rule.split(","))
    missing = [s for s in selectors if f"{s},\n" not in app and f"{s} {{" not in app]
    assert not missing

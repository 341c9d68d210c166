import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse

from dashboard import views
from tests.dashboard.helpers import assert_govuk_page, assert_no_inline_code

pytestmark = pytest.mark.django_db


def test_unknown_address_shows_page_not_found(client):
    response = client.get("/no-such-page/")

    assert response.status_code == 404
    assert "Page not found" in response.text
    assert_govuk_page(response.text)
    assert_no_inline_code(response.text)


def test_permission_denied_shows_its_reason(rf):
    request = rf.get("/audit/")
    request.user = AnonymousUser()

    response = views.permission_denied(
        request, PermissionDenied("Only the secretariat can see this.")
    )

    assert response.status_code == 403
    assert "Only the secretariat can see this." in response.text
    assert_govuk_page(response.text)


def test_permission_denied_without_reason_says_no_permission(rf):
    request = rf.get("/audit/")
    request.user = AnonymousUser()

    response = views.permission_denied(request, PermissionDenied())

    assert response.status_code == 403
    assert "You do not have permission to view this page." in response.text


def test_bad_request_shows_problem_page(rf):
    request = rf.get("/")
    request.user = AnonymousUser()

    response = views.bad_request(request, None)

    assert response.status_code == 400
    assert "There is a problem with your request" in response.text


def test_server_error_shows_sorry_page(rf):
    request = rf.get("/")
    request.user = AnonymousUser()

    response = views.server_error(request)

    assert response.status_code == 500
    assert "Sorry, there is a problem with the service" in response.content.decode()
    assert_govuk_page(response.content.decode())


class BrokenUser:
    """A user whose every lookup fails, as when the database has gone away."""

    @property
    def is_authenticated(self):
        raise RuntimeError("database unavailable")


def test_server_error_renders_even_when_the_request_context_fails(rf):
    request = rf.get("/")
    request.user = BrokenUser()

    response = views.server_error(request)

    assert response.status_code == 500
    html = response.content.decode()
    assert "Sorry, there is a problem with the service" in html
    assert_govuk_page(html)
    assert_no_inline_code(html)


def test_form_sent_without_security_token_shows_service_page():
    client = Client(enforce_csrf_checks=True)

    response = client.post(reverse("account_login"), {"login": "a@example.ac.uk"})

    assert response.status_code == 403
    assert "Your form could not be sent" in response.text
    assert_no_inline_code(response.text)

import re
import time

import pytest
from allauth.mfa import app_settings as mfa_settings
from allauth.mfa.totp.internal.auth import (
    SECRET_SESSION_KEY,
    format_hotp_value,
    hotp_value,
    yield_hotp_counters_from_time,
)
from django.conf import settings
from django.contrib.sessions.backends.base import SessionBase
from django.core import mail
from django.utils.module_loading import import_string

from identity.roles import Role
from researchers.models import User
from tests.factories import DEFAULT_PASSWORD, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def current_totp_code(secret):
    """The code an authenticator app shows now; when its period is about to end, the next
    period's, so that the code is still good when the form reaches the server."""
    left = mfa_settings.TOTP_PERIOD - time.time() % mfa_settings.TOTP_PERIOD
    if left < 5:
        time.sleep(left + 0.1)
    counter = next(iter(yield_hotp_counters_from_time()))
    return format_hotp_value(hotp_value(secret, counter))


def session_of(page) -> SessionBase:
    cookie = next(c for c in page.context.cookies() if c["name"] == settings.SESSION_COOKIE_NAME)
    return import_string(f"{settings.SESSION_ENGINE}.SessionStore")(session_key=cookie["value"])


def sign_in(page, live_server, email, password):
    page.goto(f"{live_server.url}/accounts/login/")
    page.check_accessibility()
    page.fill("#id_login", email)
    page.fill("#id_password", password)
    page.get_by_role("button", name="Sign in", exact=True).click()


def test_researcher_registers_verifies_email_signs_in_and_sees_dashboard(checked_page, live_server):
    page = checked_page
    page.goto(live_server.url)
    page.check_accessibility()

    page.goto(f"{live_server.url}/accounts/signup/")
    page.check_accessibility()
    page.fill("#id_full_name", "Ada Lovelace")
    page.fill("#id_email", "ada@example.ac.uk")
    page.fill("#id_password1", "an analytical engine 1843")
    page.fill("#id_password2", "an analytical engine 1843")
    page.get_by_role("button", name=re.compile("create|register|sign up", re.I)).click()
    page.wait_for_url("**/accounts/confirm-email/")
    page.check_accessibility()

    assert len(mail.outbox) == 1
    link = re.search(r"https?://\S+/accounts/confirm-email/\S+/", mail.outbox[0].body).group(0)
    page.goto(link)
    page.check_accessibility()
    page.get_by_role("button", name=re.compile("confirm", re.I)).click()

    sign_in(page, live_server, "ada@example.ac.uk", "an analytical engine 1843")
    page.wait_for_url("**/dashboard/")
    page.check_accessibility()
    assert page.get_by_role("heading", level=1).is_visible()
    assert "Ada Lovelace" in page.content()
    assert User.objects.get(email="ada@example.ac.uk").groups.filter(name=Role.RESEARCHER).exists()


def test_staff_member_must_set_up_two_factor_before_any_staff_page(checked_page, live_server):
    page = checked_page
    staff = UserFactory(roles=[Role.SECRETARIAT])

    sign_in(page, live_server, staff.email, DEFAULT_PASSWORD)
    page.wait_for_url("**/accounts/2fa/")
    page.check_accessibility()

    page.goto(f"{live_server.url}/audit/")
    page.wait_for_url("**/accounts/2fa/")
    page.get_by_role("button", name="Set up an authenticator app").click()
    page.wait_for_url("**/accounts/2fa/totp/activate/**")
    page.check_accessibility()

    secret = session_of(page)[SECRET_SESSION_KEY]
    page.fill("#id_code", current_totp_code(secret))
    page.get_by_role("button", name=re.compile("activate", re.I)).click()
    page.wait_for_url(lambda url: "/totp/activate/" not in url)
    page.check_accessibility()

    page.goto(f"{live_server.url}/audit/")
    assert page.url.endswith("/audit/")
    page.check_accessibility()
    assert staff.authenticator_set.filter(type="totp").exists()

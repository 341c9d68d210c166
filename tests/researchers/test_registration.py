import re

import pytest
from django.contrib.auth.models import Group
from django.core import mail
from django.urls import reverse

from audit.models import AuditEvent
from identity.roles import Role
from researchers.models import User
from tests.factories import DEFAULT_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a-long-enough-passphrase-2026"


def _sign_up(client, **overrides):
    data = {
        "full_name": "Nadia  Rahman",
        "email": "nadia.rahman@example.ac.uk",
        "password1": NEW_PASSWORD,
        "password2": NEW_PASSWORD,
        **overrides,
    }
    return client.post(reverse("account_signup"), data)


def _log_in(client, email, password):
    return client.post(reverse("account_login"), {"login": email, "password": password})


def _link_in(message, pattern):
    match = re.search(pattern, message.body)
    assert match, message.body
    return match.group(0)


def test_role_groups_exist_after_migrating():
    assert set(Group.objects.values_list("name", flat=True)) >= set(Role.values)


def test_signup_verify_and_log_in_makes_a_researcher_with_full_name(client):
    response = _sign_up(client)

    assert response.status_code == 302
    assert response.url == reverse("account_email_verification_sent")
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["nadia.rahman@example.ac.uk"]
    confirm_url = _link_in(mail.outbox[0], r"/accounts/confirm-email/[^/\s]+/")

    assert client.get(confirm_url).status_code == 200
    assert client.post(confirm_url).status_code == 302

    client.logout()
    response = _log_in(client, "nadia.rahman@example.ac.uk", NEW_PASSWORD)
    assert response.status_code == 302
    assert response.url == reverse("dashboard:home")
    assert client.get(reverse("dashboard:home")).status_code == 200

    user = User.objects.get(email="nadia.rahman@example.ac.uk")
    assert user.full_name == "Nadia Rahman"
    assert user.held_roles() == [Role.RESEARCHER]
    granted = AuditEvent.objects.get(action="researchers.role_granted", object_id=str(user.pk))
    assert granted.actor == user
    assert granted.payload == {"role": "researcher"}


def test_signup_without_full_name_shows_the_error_and_keeps_the_email(client):
    response = _sign_up(client, full_name="  ")

    assert response.status_code == 200
    assert "Enter your full name" in response.content.decode()
    assert response.context["form"]["email"].value() == "nadia.rahman@example.ac.uk"
    assert not User.objects.exists()


def test_login_refused_until_email_verified(client):
    user = UserFactory(verified_email=False)

    response = _log_in(client, user.email, DEFAULT_PASSWORD)

    assert response.status_code == 302
    assert response.url == reverse("account_email_verification_sent")
    assert "_auth_user_id" not in client.session
    assert client.get(reverse("dashboard:home")).status_code == 302


def test_login_with_verified_email_goes_to_dashboard(client):
    user = UserFactory()

    response = _log_in(client, user.email, DEFAULT_PASSWORD)

    assert response.status_code == 302
    assert response.url == reverse("dashboard:home")


def test_password_reset_sends_a_reset_link(client):
    user = UserFactory()

    response = client.post(reverse("account_reset_password"), {"email": user.email})

    assert response.status_code == 302
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [user.email]
    _link_in(mail.outbox[0], r"/accounts/password/reset/key/\S+/")


def test_login_sixth_wrong_password_within_five_minutes_is_refused(client):
    user = UserFactory()
    for _attempt in range(5):
        response = _log_in(client, user.email, "not-the-password")
        assert response.status_code == 200
        assert "too many failed" not in response.content.decode().lower()

    sixth = _log_in(client, user.email, "not-the-password")

    assert sixth.status_code == 200
    assert "Too many failed login attempts" in sixth.content.decode()
    # Until the five minutes pass, even the right password is refused.
    right = _log_in(client, user.email, DEFAULT_PASSWORD)
    assert "Too many failed login attempts" in right.content.decode()
    assert "_auth_user_id" not in client.session


def test_login_allowed_again_five_minutes_after_throttling(client, time_machine):
    user = UserFactory()
    time_machine.move_to("2026-11-27 10:00:00+00:00", tick=False)
    for _attempt in range(6):
        _log_in(client, user.email, "not-the-password")

    time_machine.move_to("2026-11-27 10:05:30+00:00", tick=False)
    response = _log_in(client, user.email, DEFAULT_PASSWORD)

    assert response.status_code == 302
    assert response.url == reverse("dashboard:home")

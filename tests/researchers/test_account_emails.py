"""Account emails (confirming an address, resetting a password, security notices) speak in the
service's voice and layout, not the library's default."""

import pytest
from django.conf import settings
from django.urls import reverse

from tests.factories import DEFAULT_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def _html(message):
    return next(content for content, kind in message.alternatives if kind == "text/html")


def _assert_in_the_services_voice(message):
    assert message.subject.startswith(f"[{settings.SERVICE_NAME}] ")
    assert "Hello from" not in message.body
    assert "example.com" not in message.body
    assert "testserver!" not in message.body
    assert settings.SERVICE_CONTACT_EMAIL in message.body
    html = _html(message)
    assert settings.SERVICE_NAME in html
    assert settings.SERVICE_CONTACT_EMAIL in html


def test_sign_up_email_asks_to_confirm_the_address_in_the_services_voice(client, mailoutbox):
    client.post(
        reverse("account_signup"),
        {
            "full_name": "Ada Lovelace",
            "email": "ada@example.ac.uk",
            "password1": DEFAULT_PASSWORD,
            "password2": DEFAULT_PASSWORD,
        },
    )

    (message,) = mailoutbox
    assert message.subject == f"[{settings.SERVICE_NAME}] Confirm your email address"
    assert f"finish setting up your account on {settings.SERVICE_NAME}" in message.body
    _assert_in_the_services_voice(message)
    link = next(line for line in message.body.splitlines() if "/accounts/confirm-email/" in line)
    assert f'href="{link.strip()}"' in _html(message)


def test_password_reset_email_in_the_services_voice(client, mailoutbox):
    user = UserFactory(email="ada@example.ac.uk")

    client.post(reverse("account_reset_password"), {"email": user.email})

    (message,) = mailoutbox
    assert message.subject == f"[{settings.SERVICE_NAME}] Reset your password"
    assert "/accounts/password/reset/key/" in message.body
    _assert_in_the_services_voice(message)


def test_password_reset_for_an_unknown_address_says_so_in_the_services_voice(client, mailoutbox):
    client.post(reverse("account_reset_password"), {"email": "nobody@example.ac.uk"})

    (message,) = mailoutbox
    assert "no account uses that email address" in message.body
    _assert_in_the_services_voice(message)


def test_password_change_notice_says_where_it_came_from(client, mailoutbox):
    user = UserFactory()
    client.force_login(user)

    client.post(
        reverse("account_change_password"),
        {
            "oldpassword": DEFAULT_PASSWORD,
            "password1": "a-new-long-passphrase-9",
            "password2": "a-new-long-passphrase-9",
        },
    )

    (message,) = mailoutbox
    assert "If this was not you, change your password now" in message.body
    _assert_in_the_services_voice(message)

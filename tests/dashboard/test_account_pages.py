"""Every allauth page renders in the service layout, with an error summary on bad input."""

import re

import pytest
from allauth.account.forms import default_token_generator
from allauth.account.models import EmailAddress, EmailConfirmationHMAC
from allauth.account.utils import user_pk_to_url_str
from allauth.mfa.totp.internal.auth import (
    format_hotp_value,
    hotp_value,
    yield_hotp_counters_from_time,
)
from django.urls import reverse

from identity.roles import Role
from tests.dashboard.helpers import (
    assert_error_summary_links_to,
    assert_govuk_page,
    assert_no_inline_code,
)
from tests.factories import DEFAULT_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def assert_service_page(response):
    assert response.status_code == 200
    html = response.text
    assert_govuk_page(html)
    assert_no_inline_code(html)
    assert '<h1 class="govuk-' in html
    return html


def sign_in(client, user):
    """Sign in through the form, so allauth records how the user authenticated."""
    response = client.post(
        reverse("account_login"), {"login": user.email, "password": DEFAULT_PASSWORD}
    )
    assert response.status_code == 302
    return response


def reauthenticate(client):
    """Two-factor settings ask for the password again, however recently the user signed in."""
    response = client.post(reverse("account_reauthenticate"), {"password": DEFAULT_PASSWORD})
    assert response.status_code == 302


def current_code(secret):
    return format_hotp_value(hotp_value(secret, next(iter(yield_hotp_counters_from_time()))))


def test_sign_in_page_renders(client):
    html = assert_service_page(client.get(reverse("account_login")))

    assert 'class="govuk-input' in html
    assert 'class="govuk-button"' in html


def test_sign_in_with_wrong_password_explains_in_summary(client):
    user = UserFactory()

    response = client.post(reverse("account_login"), {"login": user.email, "password": "wrong"})

    html = assert_service_page(response)
    assert 'class="govuk-error-summary"' in html
    assert "<title>Error: " in html
    assert f'value="{user.email}"' in html


def test_sign_up_page_renders(client):
    assert_service_page(client.get(reverse("account_signup")))


def test_sign_up_with_bad_input_shows_summary_and_keeps_what_was_typed(client):
    response = client.post(
        reverse("account_signup"),
        {"full_name": "Ada Lovelace", "email": "not-an-email", "password1": "x", "password2": "y"},
    )

    html = assert_service_page(response)
    assert_error_summary_links_to(html, "id_email")
    assert 'value="Ada Lovelace"' in html
    assert 'value="not-an-email"' in html
    assert "govuk-input--error" in html


def test_sign_out_page_renders(client):
    client.force_login(UserFactory(roles=[Role.RESEARCHER]))

    html = assert_service_page(client.get(reverse("account_logout")))

    assert 'class="govuk-button"' in html


def test_password_reset_pages_render(client):
    assert_service_page(client.get(reverse("account_reset_password")))
    assert_service_page(client.get(reverse("account_reset_password_done")))


def test_password_reset_with_bad_email_shows_summary(client):
    response = client.post(reverse("account_reset_password"), {"email": "nonsense"})

    assert_error_summary_links_to(assert_service_page(response), "id_email")


def test_password_reset_from_link_renders_and_checks_the_new_password(client):
    user = UserFactory()
    url = reverse(
        "account_reset_password_from_key",
        kwargs={
            "uidb36": user_pk_to_url_str(user),
            "key": default_token_generator.make_token(user),
        },
    )

    response = client.get(url, follow=True)
    html = assert_service_page(response)
    form_url = response.redirect_chain[-1][0] if response.redirect_chain else url

    response = client.post(form_url, {"password1": "a long new password 1", "password2": "other"})
    assert_error_summary_links_to(assert_service_page(response), "id_password2")

    response = client.post(
        form_url,
        {"password1": "a long new password 1", "password2": "a long new password 1"},
        follow=True,
    )
    assert_service_page(response)
    assert "govuk-error-summary" not in html


def test_email_verification_sent_page_renders(client):
    assert_service_page(client.get(reverse("account_email_verification_sent")))


def test_email_confirmation_page_renders(client):
    user = UserFactory(verified_email=False)
    address = EmailAddress.objects.create(user=user, email=user.email, verified=False, primary=True)
    key = EmailConfirmationHMAC(address).key

    html = assert_service_page(client.get(reverse("account_confirm_email", args=[key])))

    assert 'class="govuk-button"' in html


def test_email_management_page_renders_and_shows_errors(client):
    client.force_login(UserFactory(roles=[Role.RESEARCHER]))

    html = assert_service_page(client.get(reverse("account_email")))
    assert "govuk-radios__input" in html

    response = client.post(reverse("account_email"), {"action_add": "", "email": "nonsense"})
    assert_error_summary_links_to(assert_service_page(response), "id_email")


def test_password_change_page_renders(client):
    client.force_login(UserFactory(roles=[Role.RESEARCHER]))

    assert_service_page(client.get(reverse("account_change_password")))


def test_two_factor_index_renders(client):
    user = UserFactory(roles=[Role.RESEARCHER])
    sign_in(client, user)

    assert_service_page(client.get(reverse("mfa_index")))


def test_authenticator_activation_shows_qr_code_and_checks_the_code(client):
    user = UserFactory(roles=[Role.RESEARCHER])
    sign_in(client, user)
    reauthenticate(client)

    html = assert_service_page(client.get(reverse("mfa_activate_totp")))
    assert re.search(
        r'<img src="data:image/svg\+xml;base64,[^"]+" alt="[^"]*" class="app-qr-code">', html
    )

    response = client.post(reverse("mfa_activate_totp"), {"code": "000000"})
    assert_error_summary_links_to(assert_service_page(response), "id_code")


def test_two_factor_sign_in_checks_the_code_then_shows_recovery_codes(client):
    user = UserFactory(roles=[Role.RESEARCHER], totp=True)
    response = sign_in(client, user)
    assert response.url == reverse("mfa_authenticate")

    assert_service_page(client.get(reverse("mfa_authenticate")))
    response = client.post(reverse("mfa_authenticate"), {"code": "000000"})
    assert_error_summary_links_to(assert_service_page(response), "id_code")

    response = client.post(reverse("mfa_authenticate"), {"code": current_code(user.totp_secret)})
    assert response.status_code == 302
    reauthenticate(client)

    html = assert_service_page(client.get(reverse("mfa_view_recovery_codes")))
    assert "app-code-list" in html
    assert_service_page(client.get(reverse("mfa_generate_recovery_codes")))


def test_reauthentication_page_renders_and_checks_the_password(client):
    client.force_login(UserFactory(roles=[Role.RESEARCHER]))

    assert_service_page(client.get(reverse("account_reauthenticate")))
    response = client.post(reverse("account_reauthenticate"), {"password": "wrong"})
    assert_error_summary_links_to(assert_service_page(response), "id_password")

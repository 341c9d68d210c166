"""Passkeys beside authenticator apps: either is a second factor, recovery codes alone are not;
staff keep their last one; each person reaches only their own; a passkey belongs to the service's
address; and plain-HTTP origins are accepted in development only.

The pages themselves, under the content security policy, are walked through in Chromium by
tests/browser/test_passkey_journey.py.
"""

import html
import json
import os
import secrets
import subprocess
import sys

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from django.conf import settings
from django.urls import reverse

from identity.roles import Role
from researchers.middleware import SETUP_NOTICE
from tests.dashboard.helpers import assert_govuk_page, assert_no_inline_code
from tests.factories import DEFAULT_PASSWORD, UserFactory, passkey_add

pytestmark = pytest.mark.django_db

SETUP_URL = reverse("mfa_index")


def reauthenticate(client):
    """Changing how one signs in asks for the password again first."""
    response = client.post(reverse("account_reauthenticate"), {"password": DEFAULT_PASSWORD})
    assert response.status_code == 302


def passkey_of(user):
    return Authenticator.objects.get(user=user, type=Authenticator.Type.WEBAUTHN)


def service_page(response):
    assert response.status_code == 200
    assert_govuk_page(response.text)
    assert_no_inline_code(response.text)
    return response.text


# Staff pages need a second factor: a passkey is one, recovery codes alone are not


def test_staff_with_only_a_passkey_open_staff_pages(client):
    client.force_login(UserFactory(roles=[Role.SECRETARIAT], passkey=True))

    assert client.get(reverse("researchers:people_list")).status_code == 200


def test_staff_with_only_recovery_codes_are_sent_to_choose_a_second_factor(client):
    staff = UserFactory(roles=[Role.OUTPUT_CHECKER])
    RecoveryCodes.activate(staff)
    client.force_login(staff)

    response = client.get(reverse("outputs:queue"), follow=True)

    assert response.redirect_chain[0] == (SETUP_URL, 302)
    assert SETUP_NOTICE in [str(message) for message in response.context["messages"]]
    page = service_page(response)
    assert f'href="{reverse("mfa_add_webauthn")}"' in page
    assert f'href="{reverse("mfa_activate_totp")}"' in page


# Staff keep their last second factor, whichever kind it is


def test_staff_cannot_remove_their_last_passkey(client):
    staff = UserFactory(roles=[Role.PANEL_REVIEWER], passkey=True)
    client.force_login(staff)
    reauthenticate(client)

    response = client.post(reverse("mfa_remove_webauthn", kwargs={"pk": passkey_of(staff).pk}))

    assert "cannot be turned off" in service_page(response)
    assert "govuk-error-summary" in response.text
    assert Authenticator.objects.filter(user=staff, type=Authenticator.Type.WEBAUTHN).exists()


def test_staff_can_remove_a_passkey_while_an_authenticator_app_remains(client):
    staff = UserFactory(roles=[Role.DATA_OWNER], totp=True)
    passkey = passkey_add(staff)
    client.force_login(staff)
    reauthenticate(client)

    response = client.post(reverse("mfa_remove_webauthn", kwargs={"pk": passkey.pk}))

    assert response.status_code == 302
    assert not Authenticator.objects.filter(pk=passkey.pk).exists()


def test_staff_can_turn_off_the_authenticator_app_while_a_passkey_remains(client):
    staff = UserFactory(roles=[Role.SECRETARIAT], totp=True)
    passkey_add(staff)
    client.force_login(staff)
    reauthenticate(client)

    response = client.post(reverse("mfa_deactivate_totp"))

    assert response.status_code == 302
    assert not Authenticator.objects.filter(user=staff, type=Authenticator.Type.TOTP).exists()


def test_researcher_can_remove_their_only_passkey(client):
    researcher = UserFactory(roles=[Role.RESEARCHER], passkey=True)
    client.force_login(researcher)
    reauthenticate(client)

    response = client.post(reverse("mfa_remove_webauthn", kwargs={"pk": passkey_of(researcher).pk}))

    assert response.status_code == 302
    assert not Authenticator.objects.filter(user=researcher, type="webauthn").exists()


def test_someone_elses_passkey_is_not_found_even_after_confirming_who_you_are(client):
    owner = UserFactory(roles=[Role.RESEARCHER], passkey=True)
    client.force_login(UserFactory(roles=[Role.RESEARCHER], passkey=True))
    reauthenticate(client)
    pk = passkey_of(owner).pk

    assert client.get(reverse("mfa_edit_webauthn", kwargs={"pk": pk})).status_code == 404
    assert (
        client.post(reverse("mfa_edit_webauthn", kwargs={"pk": pk}), {"name": "x"}).status_code
        == 404
    )
    assert client.post(reverse("mfa_remove_webauthn", kwargs={"pk": pk})).status_code == 404
    assert passkey_of(owner).wrap().name == "Passkey 1"
    assert owner.email not in client.get(reverse("mfa_list_webauthn")).text


# A passkey belongs to the service's address


def _creation_options(page):
    attribute = page.split('data-passkey-options="')[1].split('"')[0]
    return json.loads(html.unescape(attribute))["creation_options"]["publicKey"]


def test_passkey_belongs_to_the_site_address_whatever_host_the_request_names(client, settings):
    settings.SITE_URL = "https://ars.example.gov.uk"
    settings.ALLOWED_HOSTS = ["ars.example.gov.uk", "127.0.0.1", "testserver"]
    client.force_login(UserFactory(roles=[Role.RESEARCHER]))
    reauthenticate(client)

    page = client.get(reverse("mfa_add_webauthn"), HTTP_HOST="127.0.0.1").text

    assert _creation_options(page)["rp"] == {
        "id": "ars.example.gov.uk",
        "name": settings.SERVICE_NAME,
    }


@pytest.mark.slow
def test_production_never_accepts_passkeys_from_an_insecure_origin(tmp_path):
    environment = {
        **os.environ,
        "DJANGO_ENV": "production",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "ars.example.gov.uk",
        "SITE_URL": "https://ars.example.gov.uk",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'check.sqlite3'}",
        "REDIS_URL": "redis://127.0.0.1:6379/0",
        "DECLARATION_SIGNING_KEY": str(tmp_path / "declaration-key.pem"),
        "DECLARATION_SIGNING_CERT": str(tmp_path / "declaration-cert.pem"),
        "VAR_DIR": str(tmp_path),
    }
    read = (
        "from allauth.mfa import app_settings as mfa; "
        "print(mfa.WEBAUTHN_ALLOW_INSECURE_ORIGIN, 'webauthn' in mfa.SUPPORTED_TYPES)"
    )

    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", read],
        cwd=settings.BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert result.returncode == 0, result.stderr
    # The last line: Django's shell first says what it imported.
    assert result.stdout.strip().splitlines()[-1].split() == ["False", "True"]


def test_development_accepts_passkeys_on_plain_http_localhost():
    assert settings.MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN is True


# The pages


def test_passkey_pages_are_service_pages_without_inline_code(client):
    researcher = UserFactory(roles=[Role.RESEARCHER], passkey=True)
    client.force_login(researcher)
    reauthenticate(client)
    pk = passkey_of(researcher).pk

    listed = service_page(client.get(reverse("mfa_list_webauthn")))
    assert "Passkey 1" in listed
    assert f'href="{reverse("mfa_edit_webauthn", kwargs={"pk": pk})}"' in listed
    assert f'href="{reverse("mfa_remove_webauthn", kwargs={"pk": pk})}"' in listed
    added = service_page(client.get(reverse("mfa_add_webauthn")))
    assert 'data-passkey-form="addForm"' in added
    assert "/static/js/passkeys.js" in added
    service_page(client.get(reverse("mfa_edit_webauthn", kwargs={"pk": pk})))
    service_page(client.get(reverse("mfa_remove_webauthn", kwargs={"pk": pk})))
    confirm = service_page(client.get(reverse("mfa_reauthenticate_webauthn")))
    assert 'data-passkey-form="authenticateForm"' in confirm
    index = service_page(client.get(reverse("mfa_index")))
    assert "You have added 1 passkey." in index
    assert f'href="{reverse("mfa_list_webauthn")}"' in index


def test_passkey_rename_saves_the_new_name(client):
    researcher = UserFactory(roles=[Role.RESEARCHER], passkey=True)
    client.force_login(researcher)
    reauthenticate(client)
    url = reverse("mfa_edit_webauthn", kwargs={"pk": passkey_of(researcher).pk})

    renamed = client.post(url, {"name": "Work laptop"})

    assert renamed.status_code == 302
    assert passkey_of(researcher).wrap().name == "Work laptop"


def test_sign_in_page_offers_a_passkey(client):
    page = service_page(client.get(reverse("account_login")))

    assert 'data-passkey-form="loginForm"' in page
    assert f'action="{reverse("mfa_login_webauthn")}"' in page


# Whatever a browser (or anyone else) posts as a passkey's answer, a malformed one is refused as
# a wrong one, never a server error.
MALFORMED_CREDENTIALS = (
    '{"id": "forged"}',
    '{"id": "x", "rawId": "x", "response": {}}',
    '{"id": "x", "rawId": "x", "response": {"clientDataJSON": 1}, "type": "public-key"}',
    '"a string"',
    "[]",
    "{}",
    "not json",
)


@pytest.mark.parametrize("credential", MALFORMED_CREDENTIALS)
def test_malformed_passkey_sign_in_is_refused_in_words(client, credential):
    client.get(reverse("mfa_login_webauthn"), HTTP_ACCEPT="application/json")

    response = client.post(reverse("mfa_login_webauthn"), {"credential": credential}, follow=True)

    assert response.redirect_chain[-1][0] == reverse("account_login")
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize("credential", MALFORMED_CREDENTIALS)
def test_malformed_passkey_answers_are_refused_when_adding_or_confirming(client, credential):
    user = UserFactory(roles=[Role.RESEARCHER], passkey=True)
    client.force_login(user)
    reauthenticate(client)
    client.get(reverse("mfa_add_webauthn"))

    added = client.post(reverse("mfa_add_webauthn"), {"name": "x", "credential": credential})
    client.get(reverse("mfa_reauthenticate_webauthn"))
    confirmed = client.post(reverse("mfa_reauthenticate_webauthn"), {"credential": credential})

    assert added.status_code == 200
    assert "govuk-error-summary" in added.text
    assert confirmed.status_code == 302
    assert Authenticator.objects.filter(user=user, type="webauthn").count() == 1


@pytest.mark.parametrize("credential", MALFORMED_CREDENTIALS)
def test_malformed_passkey_answer_at_the_second_step_of_sign_in_is_refused(client, credential):
    user = UserFactory(roles=[Role.RESEARCHER], passkey=True)
    client.post(reverse("account_login"), {"login": user.email, "password": DEFAULT_PASSWORD})
    client.get(reverse("mfa_authenticate"))

    response = client.post(reverse("mfa_authenticate"), {"credential": credential})

    assert response.status_code == 200
    assert client.get(reverse("dashboard:home")).status_code == 302


def test_second_step_of_sign_in_offers_the_passkey_of_someone_who_has_one(client):
    user = UserFactory(roles=[Role.RESEARCHER], passkey=True)

    signed_in = client.post(
        reverse("account_login"), {"login": user.email, "password": DEFAULT_PASSWORD}
    )
    assert signed_in.url == reverse("mfa_authenticate")
    page = service_page(client.get(reverse("mfa_authenticate")))

    assert 'data-passkey-form="authenticateForm"' in page
    assert "enter one of your recovery codes" in page
    assert "authenticator app" not in page.split("<h1")[1].split("</form>")[0]


def test_dashboard_links_everyone_to_set_up_two_factor(client):
    researcher = UserFactory(roles=[Role.RESEARCHER])
    client.force_login(researcher)

    page = client.get(reverse("dashboard:home")).text
    assert "You have not set up two-factor authentication." in page
    assert f'href="{SETUP_URL}"' in page

    passkey_add(researcher)
    assert (
        "You have set up two-factor authentication." in client.get(reverse("dashboard:home")).text
    )

"""A researcher adds a passkey from their dashboard, then signs in with it, in Chromium with a
virtual authenticator (the DevTools protocol's WebAuthn domain) standing in for a phone or a
security key. The pages run under the content security policy, and every one is checked with axe.
"""

import datetime
import re

import pytest
from allauth.mfa.models import Authenticator
from playwright.sync_api import expect

from identity.roles import Role
from tests.factories import DEFAULT_PASSWORD, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def virtual_authenticator(page):
    """A platform authenticator that keeps resident keys and verifies its user at once, as a
    laptop's fingerprint reader would."""
    session = page.context.new_cdp_session(page)
    session.send("WebAuthn.enable")
    session.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
            }
        },
    )
    return session


def sign_in_with_password(page, live_server, user):
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_login", user.email)
    page.fill("#id_password", DEFAULT_PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()


def sign_out(page):
    page.follow(page.get_by_role("button", name="Sign out"))


def test_researcher_adds_a_passkey_then_signs_in_with_it(
    checked_page, live_server, time_machine, settings
):
    page = checked_page
    # Passkeys belong to the service's address, here the test server's.
    settings.SITE_URL = live_server.url
    researcher = UserFactory(full_name="Grace Hopper", roles=[Role.RESEARCHER])
    virtual_authenticator(page)

    sign_in_with_password(page, live_server, researcher)
    page.wait_for_url("**/dashboard/")
    expect(page.locator("#two-factor-status")).to_contain_text("not set up")
    page.get_by_role("link", name="Set up two-factor authentication").click()
    page.wait_for_url("**/accounts/2fa/")
    page.check_accessibility()

    page.get_by_role("button", name="Add a passkey").click()
    page.wait_for_url("**/accounts/2fa/webauthn/add/")
    page.check_accessibility()
    page.fill("#id_name", "Work laptop")
    page.get_by_role("button", name="Add passkey").click()
    # allauth makes recovery codes with the first second factor, and shows them once the
    # researcher has confirmed it is them.
    page.wait_for_url("**/accounts/reauthenticate/**")
    page.check_accessibility()
    page.fill("#id_password", DEFAULT_PASSWORD)
    page.get_by_role("button", name="Confirm").click()
    page.wait_for_url("**/accounts/2fa/recovery-codes/")
    page.check_accessibility()

    passkey = Authenticator.objects.get(user=researcher, type=Authenticator.Type.WEBAUTHN)
    assert passkey.wrap().name == "Work laptop"
    assert passkey.wrap().is_passwordless is True

    page.goto(f"{live_server.url}/accounts/2fa/")
    page.get_by_role("link", name="Manage your passkeys").click()
    page.wait_for_url("**/accounts/2fa/webauthn/")
    expect(page.locator("#passkeys")).to_contain_text("Work laptop")
    expect(page.locator("#passkeys")).to_contain_text("Without a password")
    page.check_accessibility()

    # With the passkey alone, no password.
    sign_out(page)
    page.goto(f"{live_server.url}/accounts/login/")
    page.check_accessibility()
    page.get_by_role("button", name="Sign in with a passkey").click()
    page.wait_for_url("**/dashboard/")
    expect(page.locator("#two-factor-status")).to_contain_text(
        "You have set up two-factor authentication."
    )
    page.check_accessibility()

    # After the password, the passkey is the second factor.
    sign_out(page)
    sign_in_with_password(page, live_server, researcher)
    page.wait_for_url("**/accounts/2fa/authenticate/")
    page.check_accessibility()
    page.get_by_role("button", name="Use a passkey").click()
    page.wait_for_url("**/dashboard/")

    # Renaming and removing, once the sign-in is no longer recent, ask to confirm it is them,
    # which the passkey does.
    time_machine.move_to(datetime.datetime.now(tz=datetime.UTC) + datetime.timedelta(minutes=10))
    page.goto(f"{live_server.url}/accounts/2fa/webauthn/")
    page.get_by_role("link", name=re.compile("Rename")).click()
    page.wait_for_url("**/accounts/reauthenticate/**")
    page.check_accessibility()
    page.get_by_role("link", name="Use a passkey").click()
    page.wait_for_url("**/accounts/2fa/webauthn/reauthenticate/**")
    page.check_accessibility()
    page.get_by_role("button", name="Use a passkey").click()
    page.wait_for_url("**/edit/")
    page.check_accessibility()
    page.fill("#id_name", "Old laptop")
    page.get_by_role("button", name="Save name").click()
    page.wait_for_url("**/accounts/2fa/webauthn/")
    expect(page.locator("#passkeys")).to_contain_text("Old laptop")

    page.get_by_role("link", name=re.compile("Remove")).click()
    page.wait_for_url("**/remove/")
    page.check_accessibility()
    page.get_by_role("button", name="Remove passkey").click()
    page.wait_for_url("**/accounts/2fa/webauthn/")
    expect(page.locator("main")).to_contain_text("You have not added a passkey.")
    assert not Authenticator.objects.filter(user=researcher, type="webauthn").exists()

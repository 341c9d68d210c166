from datetime import UTC, datetime, timedelta

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import SECRET_SESSION_KEY, format_hotp_value, hotp_value
from django.urls import reverse

from identity.roles import STAFF_ROLES, Role
from researchers.middleware import SETUP_NOTICE
from tests.factories import DEFAULT_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

# Staff without a second factor are sent where they can choose a passkey or an authenticator app.
SETUP_URL = reverse("mfa_index")
TOTP_SETUP_URL = reverse("mfa_activate_totp")


@pytest.mark.parametrize("role", sorted(STAFF_ROLES))
def test_staff_without_totp_redirected_to_setup_from_dashboard(client, role):
    client.force_login(UserFactory(roles=[role]))

    response = client.get(reverse("dashboard:home"))

    assert response.status_code == 302
    assert response.url == SETUP_URL


def test_secretariat_without_totp_redirected_from_secretariat_page_with_reason(client):
    client.force_login(UserFactory(roles=[Role.SECRETARIAT]))

    response = client.get(reverse("researchers:people_list"), follow=True)

    assert response.redirect_chain[0] == (SETUP_URL, 302)
    assert SETUP_NOTICE in [str(message) for message in response.context["messages"]]


def test_staff_without_totp_redirected_from_public_pages_too(client):
    client.force_login(UserFactory(roles=[Role.OUTPUT_CHECKER]))

    response = client.get(reverse("dashboard:start"))

    assert response.status_code == 302
    assert response.url == SETUP_URL


def test_staff_without_totp_can_reach_account_pages_and_health(client):
    client.force_login(UserFactory(roles=[Role.DATA_OWNER]))

    assert client.get(reverse("account_email")).status_code == 200
    assert client.get(reverse("health:live")).status_code == 200
    assert client.post(reverse("account_logout")).status_code == 302


def test_staff_without_totp_still_refused_the_secretariat_status_page(client):
    client.force_login(UserFactory(roles=[Role.SECRETARIAT]))

    response = client.get(reverse("health:status"))

    assert response.status_code == 302
    assert response.url == SETUP_URL


def test_staff_with_totp_allowed(client):
    client.force_login(UserFactory(roles=[Role.SECRETARIAT], totp=True))

    assert client.get(reverse("dashboard:home")).status_code == 200
    assert client.get(reverse("researchers:people_list")).status_code == 200


def test_researcher_without_totp_not_redirected(client):
    client.force_login(UserFactory(roles=[Role.RESEARCHER]))

    assert client.get(reverse("dashboard:home")).status_code == 200


def test_staff_redirected_again_after_removing_totp(client):
    user = UserFactory(roles=[Role.PANEL_REVIEWER], totp=True)
    client.force_login(user)
    assert client.get(reverse("dashboard:home")).status_code == 200

    Authenticator.objects.filter(user=user).delete()

    assert client.get(reverse("dashboard:home")).url == SETUP_URL


def test_django_admin_operator_without_totp_redirected(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))

    response = client.get(reverse("admin:index"))

    assert response.status_code == 302
    assert response.url == SETUP_URL


def _code(secret, moment):
    return format_hotp_value(hotp_value(secret, int(moment.timestamp()) // 30))


def test_staff_first_sign_in_sets_up_totp_then_signs_in_with_a_code(client, time_machine):
    user = UserFactory(roles=[Role.PANEL_REVIEWER], full_name="Fiona MacLeod")
    start = datetime(2026, 11, 27, 10, 0, 0, tzinfo=UTC)
    time_machine.move_to(start, tick=False)

    signed_in = client.post(
        reverse("account_login"), {"login": user.email, "password": DEFAULT_PASSWORD}
    )
    assert signed_in.url == reverse("dashboard:home")
    assert client.get(signed_in.url).url == SETUP_URL
    assert client.get(SETUP_URL).status_code == 200

    # Just signed in: no second request for the password before the first set-up.
    assert client.get(TOTP_SETUP_URL).status_code == 200
    secret = client.session[SECRET_SESSION_KEY]
    activated = client.post(TOTP_SETUP_URL, {"code": _code(secret, start)})
    assert activated.url == reverse("mfa_view_recovery_codes")
    assert client.get(reverse("dashboard:home")).status_code == 200

    # The next sign-in asks for a code before anything opens.
    client.post(reverse("account_logout"))
    later = start + timedelta(minutes=10)
    time_machine.move_to(later, tick=False)
    password_only = client.post(
        reverse("account_login"), {"login": user.email, "password": DEFAULT_PASSWORD}
    )
    assert password_only.url == reverse("mfa_authenticate")
    assert client.get(reverse("dashboard:home")).status_code == 302
    with_code = client.post(reverse("mfa_authenticate"), {"code": _code(secret, later)})
    assert with_code.url == reverse("dashboard:home")
    assert client.get(reverse("dashboard:home")).status_code == 200


def test_staff_cannot_turn_off_totp(client):
    user = UserFactory(roles=[Role.OUTPUT_CHECKER], totp=True)
    client.force_login(user)
    # allauth asks for the password again before this change.
    client.post(reverse("account_reauthenticate"), {"password": DEFAULT_PASSWORD})

    response = client.post(reverse("mfa_deactivate_totp"))

    assert response.status_code == 200
    assert "cannot be turned off" in response.content.decode()
    assert Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


def test_researcher_can_turn_off_totp(client):
    user = UserFactory(roles=[Role.RESEARCHER], totp=True)
    client.force_login(user)
    client.post(reverse("account_reauthenticate"), {"password": DEFAULT_PASSWORD})

    response = client.post(reverse("mfa_deactivate_totp"))

    assert response.status_code == 302
    assert not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


def test_django_admin_sign_in_form_goes_through_accounts_sign_in(client):
    operator = UserFactory(is_staff=True, is_superuser=True, totp=True)

    response = client.post(
        reverse("admin:login"), {"username": operator.email, "password": DEFAULT_PASSWORD}
    )

    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))
    assert "_auth_user_id" not in client.session
    assert client.get(reverse("admin:login")).status_code == 200


def test_totp_set_up_long_after_sign_in_asks_for_the_password_again(client, time_machine):
    user = UserFactory(roles=[Role.DATA_OWNER])
    start = datetime(2026, 11, 27, 10, 0, 0, tzinfo=UTC)
    time_machine.move_to(start, tick=False)
    client.post(reverse("account_login"), {"login": user.email, "password": DEFAULT_PASSWORD})

    time_machine.move_to(start + timedelta(minutes=30), tick=False)
    response = client.get(TOTP_SETUP_URL)

    assert response.status_code == 302
    assert response.url.startswith(reverse("account_reauthenticate"))

"""The client's address is the one the service's own proxies saw: the audit trail and the
sign-in limits never believe an address the client wrote itself, and one person's failed
sign-ins never lock anyone else out."""

import pytest
from django.core.cache import cache
from django.urls import reverse

from audit.models import AuditEvent
from audit.personal import events_open
from tests.factories import DEFAULT_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a-long-enough-passphrase-2026"


@pytest.fixture(autouse=True)
def _fresh_limits():
    # The sign-in limits are counted in the cache, which outlives a test.
    cache.clear()
    yield
    cache.clear()


def _sign_up(client, **headers):
    client.post(
        reverse("account_signup"),
        {
            "full_name": "Nadia Rahman",
            "email": "nadia.rahman@example.ac.uk",
            "password1": NEW_PASSWORD,
            "password2": NEW_PASSWORD,
        },
        headers=headers,
    )
    return AuditEvent.objects.get(action="researchers.user_registered")


def _sign_in(client, email, password, *, through=None):
    """Sign in as a client at address ``through`` behind one proxy of the service's own."""
    headers = {"x-forwarded-for": f"198.51.100.77, {through}"} if through else {}
    return client.post(
        reverse("account_login"), {"login": email, "password": password}, headers=headers
    )


def test_an_address_the_client_writes_is_not_audited_without_trusted_proxies(client, settings):
    settings.TRUSTED_PROXY_COUNT = 0

    event = _sign_up(client, x_forwarded_for="1.2.3.4")

    assert events_open([event])[0].shown.ip_address == "127.0.0.1"


def test_behind_a_proxy_the_address_it_appended_is_audited(client, settings):
    settings.TRUSTED_PROXY_COUNT = 1

    event = _sign_up(client, x_forwarded_for="1.2.3.4, 203.0.113.9")

    assert events_open([event])[0].shown.ip_address == "203.0.113.9"


@pytest.mark.parametrize("forwarded", ["not-an-ip", "203.0.113.9, <script>", ""])
def test_a_forwarded_address_that_is_not_one_falls_back_to_the_socket(client, settings, forwarded):
    settings.TRUSTED_PROXY_COUNT = 1

    event = _sign_up(client, x_forwarded_for=forwarded)

    assert events_open([event])[0].shown.ip_address == "127.0.0.1"


def test_failed_sign_ins_from_one_address_do_not_lock_the_owner_out_elsewhere(client, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    victim = UserFactory()
    for _ in range(6):
        attempt = _sign_in(client, victim.email, "a-guess", through="192.0.2.66")
    assert "Too many failed login attempts" in attempt.content.decode()

    # The owner, signing in from their own address behind the same proxy, gets in.
    response = _sign_in(client, victim.email, DEFAULT_PASSWORD, through="203.0.113.9")

    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(victim.pk)


def test_failed_sign_ins_of_one_person_do_not_lock_others_behind_the_same_proxy(client, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    for n in range(6):
        _sign_in(client, f"guess-{n}@example.org", "a-guess", through="192.0.2.66")
    colleague = UserFactory()

    response = _sign_in(client, colleague.email, DEFAULT_PASSWORD, through="203.0.113.9")

    assert response.status_code == 302


def test_repeated_failures_still_slow_down_whoever_makes_them(client, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    user = UserFactory()
    for _ in range(5):
        _sign_in(client, user.email, "a-guess", through="192.0.2.66")

    sixth = _sign_in(client, user.email, DEFAULT_PASSWORD, through="192.0.2.66")

    assert "Too many failed login attempts" in sixth.content.decode()
    assert "_auth_user_id" not in client.session

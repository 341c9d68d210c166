import pytest
from django.urls import reverse

from identity.roles import Role
from tests.dashboard.helpers import assert_no_inline_code
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_pages_carry_the_content_security_policy(client):
    response = client.get(reverse("dashboard:start"))

    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "style-src 'self'" in policy
    assert "unsafe-inline" not in policy


@pytest.mark.parametrize(
    "name",
    [
        "dashboard:start",
        "account_login",
        "account_signup",
        "account_reset_password",
        "legislation:act_list",
        "legislation:dataset_list",
    ],
)
def test_public_page_has_no_inline_script_or_style(client, name):
    response = client.get(reverse(name))

    assert response.status_code == 200
    assert_no_inline_code(response.text)


@pytest.mark.parametrize(
    "name",
    [
        "dashboard:home",
        "researchers:people_list",
        "audit:event_list",
        "health:status",
        "account_email",
        "account_change_password",
        "mfa_index",
    ],
)
def test_secretariat_page_has_no_inline_script_or_style(client, name):
    client.force_login(UserFactory(roles=[Role.SECRETARIAT], totp=True))

    response = client.get(reverse(name))

    assert response.status_code == 200
    assert_no_inline_code(response.text)

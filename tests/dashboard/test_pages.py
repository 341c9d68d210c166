import pytest
from django.urls import reverse

from identity.roles import Role
from tests.dashboard.helpers import assert_govuk_page, assert_no_inline_code
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_start_page_names_the_service(client):
    response = client.get(reverse("dashboard:start"))

    assert response.status_code == 200
    assert "Approved Researcher Service" in response.text


def test_start_page_offers_visitors_a_start_button_to_register(client):
    html = client.get(reverse("dashboard:start")).text

    assert "govuk-button--start" in html
    assert f'href="{reverse("account_signup")}"' in html
    assert f'href="{reverse("legislation:act_list")}"' in html
    assert f'href="{reverse("legislation:dataset_list")}"' in html


def test_start_page_sends_signed_in_users_to_their_dashboard(client):
    client.force_login(UserFactory(roles=[Role.RESEARCHER]))

    html = client.get(reverse("dashboard:start")).text

    assert f'href="{reverse("dashboard:home")}" role="button"' in html


def test_dashboard_sends_anonymous_visitors_to_sign_in(client):
    response = client.get(reverse("dashboard:home"))

    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


SECTION_TEXT = {
    Role.RESEARCHER: "You have not applied for accreditation yet",
    Role.PANEL_REVIEWER: "No proposals are waiting for your review",
    Role.OUTPUT_CHECKER: "No output requests are waiting for checking",
    Role.DATA_OWNER: "No consent requests are waiting",
    Role.SECRETARIAT: "Running the scheme",
}


@pytest.mark.parametrize("role", list(Role))
def test_dashboard_shows_only_the_sections_of_roles_held(client, role):
    client.force_login(UserFactory(roles=[role], totp=True))

    response = client.get(reverse("dashboard:home"))

    assert response.status_code == 200
    assert SECTION_TEXT[role] in response.text
    for other, text in SECTION_TEXT.items():
        if other != role:
            assert text not in response.text
    assert_govuk_page(response.text)
    assert_no_inline_code(response.text)


def test_dashboard_shows_a_section_for_each_of_several_roles(client):
    user = UserFactory(roles=[Role.RESEARCHER, Role.OUTPUT_CHECKER], totp=True)
    client.force_login(user)

    html = client.get(reverse("dashboard:home")).text

    assert SECTION_TEXT[Role.RESEARCHER] in html
    assert SECTION_TEXT[Role.OUTPUT_CHECKER] in html


def test_dashboard_names_the_user(client):
    client.force_login(UserFactory(roles=[Role.RESEARCHER], full_name="Ada Lovelace"))

    assert "Ada Lovelace" in client.get(reverse("dashboard:home")).text


def test_secretariat_dashboard_links_to_the_pages_that_run_the_scheme(client):
    client.force_login(UserFactory(roles=[Role.SECRETARIAT], totp=True))

    html = client.get(reverse("dashboard:home")).text

    for name in (
        "researchers:people_list",
        "audit:event_list",
        "legislation:act_list",
        "legislation:dataset_list",
        "health:status",
    ):
        assert f'href="{reverse(name)}"' in html


def test_dashboard_without_roles_says_so(client):
    client.force_login(UserFactory())

    assert "You do not have a role in the service yet" in client.get(reverse("dashboard:home")).text

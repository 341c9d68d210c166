"""The footer's accessibility statement, privacy notice and cookies page: reachable from every
page, written from what the service does, with the scheme's own details marked until set."""

import re

import pytest
from django.urls import reverse

from identity.roles import Role
from tests.factories import DEFAULT_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

FOOTER = {
    "Accessibility statement": "dashboard:accessibility",
    "Privacy": "dashboard:privacy",
    "Cookies": "dashboard:cookies",
}


def _footer_links(page):
    footer = page[page.index("govuk-footer") :]
    return dict(re.findall(r'<a class="govuk-footer__link" href="([^"]+)">([^<]+)</a>', footer))


@pytest.mark.parametrize("signed_in", [False, True])
def test_every_page_links_the_three_footer_pages_and_each_opens(client, signed_in):
    if signed_in:
        client.force_login(UserFactory(roles=[Role.RESEARCHER]))
    start = client.get(reverse("dashboard:start")).content.decode()
    links = {text: href for href, text in _footer_links(start).items()}

    for text, url_name in FOOTER.items():
        assert links[text] == reverse(url_name)
        response = client.get(links[text])
        assert response.status_code == 200
        assert response.context["request"].path == reverse(url_name)


def test_privacy_notice_says_what_the_registers_publish(client):
    page = client.get(reverse("dashboard:privacy")).content.decode()

    assert "shows your name, your organisation, your accreditation" in page
    assert reverse("researcher_register:list") in page
    assert "It does not name the researchers" in page
    assert reverse("project_register:list") in page
    assert "Information Commissioner" in page


def test_privacy_notice_marks_what_the_scheme_has_not_yet_given(client):
    page = client.get(reverse("dashboard:privacy")).content.decode()

    assert page.count("Placeholder</strong>") == 3
    assert "[To be confirmed: the body that is the data controller]" in page


def test_privacy_notice_shows_the_schemes_details_once_set(client, settings):
    settings.PRIVACY_CONTROLLER = "Office for National Statistics"
    settings.PRIVACY_DPO_EMAIL = "dpo@example.gov.uk"
    settings.PRIVACY_RETENTION = "Accreditation records are kept for 10 years."

    page = client.get(reverse("dashboard:privacy")).content.decode()

    assert "The data controller is Office for National Statistics" in page
    assert "dpo@example.gov.uk" in page
    assert "Accreditation records are kept for 10 years." in page
    assert "Placeholder</strong>" not in page


def test_cookies_page_names_every_cookie_the_service_sets(client):
    user = UserFactory(roles=[Role.RESEARCHER])
    client.get(reverse("account_login"))
    client.post(reverse("account_login"), {"login": user.email, "password": DEFAULT_PASSWORD})
    # A step that leaves a message for the next page.
    client.post(reverse("account_logout"))
    set_names = set(client.cookies.keys())
    assert set_names, "signing in and out set no cookie"

    page = client.get(reverse("dashboard:cookies")).content.decode()

    listed = set(re.findall(r"<code>([^<]+)</code>", page))
    assert set_names <= listed
    assert "no analytics or advertising cookies" in page

import re

import pytest
from django.urls import reverse

from dashboard.navigation import NAVIGATION
from identity.roles import Role
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def nav_labels(html):
    nav = html[html.index('id="navigation"') : html.index("</nav>")]
    return [
        re.sub(r"<[^>]+>", "", label).strip()
        for label in re.findall(r"<a [^>]*>(.*?)</a>", nav, re.S)
    ]


# Waits for: legislation (act_list, dataset_list), researchers (people_list), audit (event_list)
# and health (status) URL names. Fails until those apps are routed.
@pytest.mark.parametrize("entry", NAVIGATION, ids=lambda entry: entry.url_name)
def test_navigation_entry_resolves(entry):
    assert reverse(entry.url_name)


def test_navigation_for_visitors_shows_public_pages_only(client):
    labels = nav_labels(client.get(reverse("dashboard:start")).text)

    assert labels == [
        "Legislation",
        "Datasets",
        "Accredited researchers",
        "Accredited projects",
        "Sign in",
    ]


def test_navigation_for_researcher_leaves_out_secretariat_pages(client):
    client.force_login(UserFactory(roles=[Role.RESEARCHER]))

    labels = nav_labels(client.get(reverse("dashboard:home")).text)

    assert labels == [
        "Dashboard",
        "Legislation",
        "Datasets",
        "Accredited researchers",
        "Accredited projects",
        "Your accreditation",
        "Your projects",
        "Notifications",
    ]
    assert "Audit trail" not in labels


def test_navigation_for_secretariat_includes_running_the_scheme(client):
    client.force_login(UserFactory(roles=[Role.SECRETARIAT], totp=True))

    labels = nav_labels(client.get(reverse("dashboard:home")).text)

    assert labels == [
        "Dashboard",
        "Legislation",
        "Datasets",
        "Accredited researchers",
        "Accredited projects",
        "Accreditation",
        "Proposals",
        "People",
        "Reports",
        "Audit trail",
        "Service status",
        "Notifications",
    ]


def test_navigation_marks_the_current_section_active(client):
    client.force_login(UserFactory(roles=[Role.RESEARCHER]))

    html = client.get(reverse("dashboard:home")).text

    active = re.findall(
        r'govuk-service-navigation__item--active">\s*<a [^>]*href="([^"]+)" aria-current="true"',
        html,
    )
    assert active == [reverse("dashboard:home")]


def test_navigation_marks_nothing_active_on_pages_outside_it(client):
    html = client.get(reverse("account_login")).text

    assert "govuk-service-navigation__item--active" not in html

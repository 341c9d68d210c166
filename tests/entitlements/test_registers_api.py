"""The public registers by API: the same entries and searches as the pages, for a token with the
``registers:read`` scope, paged by next and previous links."""

import pytest
from rest_framework.test import APIClient

from entitlements.api import registers
from entitlements.models import Scope
from entitlements.services import api_token_create
from tests.accreditation.test_register import accredited
from tests.projects.states import proposal_at

pytestmark = pytest.mark.django_db

RESEARCHERS = "/api/v1/registers/researchers/"
PROJECTS = "/api/v1/registers/projects/"


@pytest.fixture
def api():
    _, raw = api_token_create(account_name="Catalogue", scopes=[Scope.REGISTERS_READ])
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    return client


def pages_of(api, url, query=None):
    """The entries of each page, following the next links from the first."""
    pages = []
    response = api.get(url, query or {})
    while True:
        assert response.status_code == 200, response.content
        body = response.json()
        pages.append(body["results"])
        if body["next"] is None:
            return pages
        response = api.get(body["next"])


def every_page(api, url, query=None):
    """Each entry of every page, following the next links from the first."""
    return [entry for page in pages_of(api, url, query) for entry in page]


def test_the_researcher_register_lists_who_the_page_lists(api, client):
    accredited("Ada Patel")
    accredited("Grace Hopper", application__register_consent=False)

    entries = api.get(RESEARCHERS).json()["results"]

    assert [entry["name"] for entry in entries] == ["Ada Patel"]
    assert entries[0]["organisation"] == "University of Exeter"
    page = client.get("/register/researchers/")
    assert [entry.name for entry in page.context["entries"]] == ["Ada Patel"]


def test_the_researcher_register_pages_by_next_links_each_entry_once(api, monkeypatch):
    monkeypatch.setattr(registers, "PER_PAGE", 2)
    for name in ("Ann Lee", "Ann Lee", "Bo Chen", "Cy Diaz", "Di Evans"):
        accredited(name)

    pages = pages_of(api, RESEARCHERS, {"name": "e"})

    # Two a page, and a next link from the first page to the second, which ends the list.
    assert [[entry["name"] for entry in page] for page in pages] == [
        ["Ann Lee", "Ann Lee"],
        ["Bo Chen", "Di Evans"],
    ]


def test_the_project_register_lists_approved_projects_with_their_datasets(api):
    project = proposal_at("active", title="Regional earnings and health")

    [entry] = api.get(PROJECTS, {"title": "earnings"}).json()["results"]

    assert entry["title"] == "Regional earnings and health"
    assert entry["status"] == "active"
    assert sorted(entry["datasets"]) == sorted(
        project.dataset_requests.values_list("dataset__name", flat=True)
    )
    assert entry["legal_gateways"]


def test_a_search_in_error_says_what_is_wrong(api):
    response = api.get(RESEARCHERS, {"level": "honorary", "name": ""})

    assert response.status_code == 400
    assert set(response.json()) == {"level", "name"}


def test_the_registers_need_the_registers_scope():
    _, raw = api_token_create(account_name="Broker", scopes=[Scope.ENTITLEMENTS_READ])
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")

    assert client.get(RESEARCHERS).status_code == 403
    assert client.get(PROJECTS).status_code == 403


def test_the_project_register_pages_past_projects_with_the_longest_titles(api, monkeypatch):
    monkeypatch.setattr(registers, "PER_PAGE", 1)
    titles = [f"{letter} " + "long title of a project " * 10 for letter in "ABC"]
    for title in titles:
        proposal_at("active", title=title[:255])

    entries = every_page(api, PROJECTS)

    assert [entry["title"] for entry in entries] == [title[:255] for title in titles]

"""The public registers keep a page of results for everyone who searches the same way
(settings.REGISTER_RESULTS_KEPT_SECONDS): a kept page reads nothing from the database, a change
of state shows at once, and any other change once the kept page expires."""

import time

import pytest
from django.urls import reverse

from accreditation.services import accreditation_suspend
from identity.roles import Role
from projects.lifecycle.services import project_close
from projects.models import Proposal
from tests.accreditation.test_register import accredited
from tests.factories import UserFactory
from tests.projects.test_register import decided

pytestmark = pytest.mark.django_db

RESEARCHERS = reverse("researcher_register:list")
PROJECTS = reverse("project_register:list")


@pytest.fixture(autouse=True)
def _kept(settings):
    settings.REGISTER_RESULTS_KEPT_SECONDS = 60


def test_a_kept_page_of_results_reads_nothing_from_the_database(
    client, django_assert_max_num_queries
):
    decided("Earnings and housing")
    with django_assert_max_num_queries(100) as first:
        assert "Earnings and housing" in client.get(PROJECTS).text

    with django_assert_max_num_queries(0):
        assert "Earnings and housing" in client.get(PROJECTS).text
    assert len(first) > 0


def test_a_change_that_is_no_transition_shows_once_the_kept_results_expire(client, settings):
    settings.REGISTER_RESULTS_KEPT_SECONDS = 1
    project = decided("Earnings and housing")
    assert "Earnings and housing" in client.get(PROJECTS).text

    Proposal.objects.filter(pk=project.pk).update(title="Wages and rents")
    assert ">Earnings and housing</h3>" in client.get(PROJECTS).text
    time.sleep(1.2)

    html = client.get(PROJECTS).text
    assert ">Wages and rents</h3>" in html
    assert ">Earnings and housing</h3>" not in html


def test_a_suspension_leaves_the_register_at_once_while_results_are_kept(
    client, django_capture_on_commit_callbacks
):
    secretariat = UserFactory(roles=[Role.SECRETARIAT], totp=True)
    ada = accredited("Ada Lovelace")
    accredited("Grace Hopper")
    assert "Ada Lovelace" in client.get(RESEARCHERS).text

    with django_capture_on_commit_callbacks(execute=True):
        accreditation_suspend(accreditation=ada, reasons="Under investigation", by=secretariat)

    html = client.get(RESEARCHERS).text
    assert "Ada Lovelace" not in html
    assert "Grace Hopper" in html


def test_a_project_closing_shows_on_the_register_at_once_while_results_are_kept(
    client, django_capture_on_commit_callbacks
):
    project = decided("Earnings and housing")
    assert '<dd class="govuk-summary-list__value">Active</dd>' in client.get(PROJECTS).text

    with django_capture_on_commit_callbacks(execute=True):
        project_close(project=project, by=project.coordinator)

    assert '<dd class="govuk-summary-list__value">Closed</dd>' in client.get(PROJECTS).text


def test_each_search_keeps_its_own_results(client):
    accredited("Ada Lovelace")
    accredited("Grace Hopper")

    ada = client.get(RESEARCHERS, {"name": "lovelace"}).text
    grace = client.get(RESEARCHERS, {"name": "hopper"}).text

    assert "Ada Lovelace" in ada and "Grace Hopper" not in ada
    assert "Grace Hopper" in grace and "Ada Lovelace" not in grace


def test_kept_results_carry_nothing_of_the_visitor_who_first_asked(client):
    accredited("Ada Lovelace")
    signed_in = UserFactory(roles=[Role.RESEARCHER])
    client.force_login(signed_in)
    first = client.get(RESEARCHERS).text
    assert "Sign out" in first
    client.logout()

    html = client.get(RESEARCHERS).text

    assert "Ada Lovelace" in html
    assert "Sign out" not in html
    assert signed_in.email not in html

"""The secretariat's page about a person: their accreditation with the steps the secretariat may
take on it, their application, declaration, training, roles and projects. Every link is
followed."""

import re

import pytest
from django.urls import reverse

from accreditation import services as accreditation_services
from identity.roles import Role
from projects.models import Proposal
from researchers.declaration.models import DeclarationVersion
from tests.accreditation.factories import (
    AccreditationFactory,
    ApplicantFactory,
)
from tests.accreditation.states import application_submitted
from tests.factories import UserFactory, declaration_signed_row
from tests.projects.factories import ProposalFactory, TeamMemberFactory
from tests.projects.states import proposal_at

pytestmark = pytest.mark.django_db


@pytest.fixture
def secretariat(client):
    user = UserFactory(roles=[Role.SECRETARIAT], totp=True)
    client.force_login(user)
    return user


def person_page(client, person):
    response = client.get(reverse("researchers:person_detail", args=[person.pk]))
    assert response.status_code == 200
    return response.text


def section(html, start_id, end_id=None):
    start = html.index(f'id="{start_id}"')
    return html[start : html.index(f'id="{end_id}"') if end_id else None]


def action_buttons(html):
    return re.findall(
        r'<a class="govuk-button[^"]*"[^>]*\s+href="([^"]+)">([^<]+)</a>',
        html,
    )


def test_person_page_shows_an_active_accreditation_with_suspend_and_revoke(client, secretariat):
    accreditation = AccreditationFactory()

    html = person_page(client, accreditation.researcher)

    part = section(html, "person-accreditation", "person-projects")
    assert "Full" in part
    assert "Active" in part
    assert f"{accreditation.valid_until:%-d %B %Y}" in part
    detail = reverse("accreditation:accreditation_detail", args=[accreditation.pk])
    assert action_buttons(part) == [
        (f"{detail}#suspend", "Suspend accreditation"),
        (f"{detail}#revoke", "Revoke accreditation"),
    ]
    page = client.get(detail).text
    assert 'id="suspend"' in page
    assert 'id="revoke"' in page
    person_href = reverse("researchers:person_detail", args=[accreditation.researcher_id])
    assert f'href="{person_href}"' in page


def test_person_page_offers_reinstate_and_revoke_for_a_suspended_accreditation(client, secretariat):
    accreditation = AccreditationFactory()
    accreditation_services.accreditation_suspend(
        accreditation=accreditation, reasons="Under investigation.", by=secretariat
    )

    part = section(person_page(client, accreditation.researcher), "person-accreditation")

    assert "Suspended" in part
    assert "Under investigation." in part
    assert [label for _, label in action_buttons(part)] == [
        "Reinstate accreditation",
        "Revoke accreditation",
    ]
    href = action_buttons(part)[0][0]
    assert 'id="reinstate"' in client.get(href.split("#")[0]).text


def test_person_page_offers_no_step_on_a_revoked_accreditation(client, secretariat):
    accreditation = AccreditationFactory()
    accreditation_services.accreditation_revoke(
        accreditation=accreditation, reasons="Breach.", by=secretariat
    )

    part = section(person_page(client, accreditation.researcher), "person-accreditation")

    assert "Revoked" in part
    assert action_buttons(part) == []


def test_person_page_does_not_offer_the_secretariat_steps_on_their_own_accreditation(
    client, secretariat
):
    AccreditationFactory(researcher=secretariat)

    part = section(person_page(client, secretariat), "person-accreditation")

    assert "Active" in part
    assert action_buttons(part) == []


def test_person_page_links_an_application_to_its_screening(client, secretariat):
    application = application_submitted()

    part = section(person_page(client, application.applicant), "person-accreditation")

    href = reverse("accreditation:screen", args=[application.pk])
    assert f'href="{href}"' in part
    assert "Submitted" in part
    assert client.get(href).status_code == 200


def test_person_page_without_accreditation_says_none(client, secretariat):
    person = UserFactory(roles=[Role.RESEARCHER])

    html = person_page(client, person)

    part = section(html, "person-accreditation-summary", "person-projects")
    assert part.count("None") == 2
    assert "Not on any project." in html
    assert "Not signed" in section(html, "person-declaration")
    assert "None recorded" in section(html, "person-training")


def test_person_page_shows_declaration_version_and_training(client, secretariat):
    person = ApplicantFactory()
    DeclarationVersion.objects.create(number=2, text="Newer wording.")
    declaration_signed_row(secretariat)  # staff sign the newer wording before their pages open
    training = person.training_records.get()

    html = person_page(client, person)

    declaration = section(html, "person-declaration", "person-training")
    assert "Version 1, signed" in declaration
    assert "Not the current version (2)" in declaration
    assert f"passed {training.passed_on:%-d %B %Y}" in section(html, "person-training")


def test_person_page_lists_projects_with_their_part_and_state(client, secretariat):
    person = UserFactory(roles=[Role.RESEARCHER])
    coordinated = proposal_at(Proposal.State.ACTIVE, coordinator=person)
    joined = proposal_at(Proposal.State.PANEL_REVIEW)
    TeamMemberFactory(proposal=joined, user=person, email=person.email)

    part = section(person_page(client, person), "person-projects")

    for proposal, role, state in (
        (coordinated, "Co-ordinator", "Active"),
        (joined, "Team member", "Panel review"),
    ):
        href = reverse("projects:screen", args=[proposal.pk])
        row = part[part.index(f'href="{href}"') :]
        assert proposal.title in row
        assert role in row.split("</tr>")[0]
        assert state in row.split("</tr>")[0]
        assert client.get(href).status_code == 200


@pytest.mark.parametrize("projects", [1, 10])
def test_person_page_query_count_does_not_grow_with_projects(
    client, secretariat, django_assert_max_num_queries, projects
):
    person = ApplicantFactory()
    AccreditationFactory(researcher=person)
    for _ in range(projects):
        ProposalFactory(coordinator=person)

    # Session, user, roles, two-factor and declaration checks, unread count; the person and
    # their roles, their recent audit events, declaration, current version and training; their
    # applications and accreditation (3); their projects.
    with django_assert_max_num_queries(18):
        response = client.get(reverse("researchers:person_detail", args=[person.pk]))

    assert response.status_code == 200

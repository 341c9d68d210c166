"""Every list of projects shows each row's version and puts an amendment under the project it
amends, and a project's page shows the decision on the version in force."""

import datetime

import pytest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from identity.roles import Role
from projects.amendment.services import amendment_start
from projects.models import Proposal
from projects.proposal.services import proposal_submit
from projects.screening.views import _amendment
from tests.factories import UserFactory
from tests.projects.factories import ProposalFactory, accredit
from tests.projects.states import amendment_at, proposal_at

pytestmark = pytest.mark.django_db
State = Proposal.State


@pytest.fixture
def secretariat():
    return UserFactory(roles=[Role.SECRETARIAT], totp=True)


def days_ago(days):
    return timezone.now() - datetime.timedelta(days=days)


def project_amended(*, by, title="Pay and place", amendments=1):
    """An active project whose approved amendments made it version 2 (or later), each version
    decided; returns the project and its latest amendment. Version one was approved 300 days
    ago, and each amendment 100 days ago."""
    project = proposal_at(
        State.ACTIVE,
        title=title,
        by=by,
        on=days_ago(300),
        rationale="Version one serves regional policy.",
        coordinator=UserFactory(roles=[Role.RESEARCHER], totp=True),
    )
    for _ in range(amendments):
        amendment = amendment_at(
            State.APPROVED,
            project=project,
            by=by,
            on=days_ago(100),
            rationale="The longer timescale is justified.",
        )
        project.refresh_from_db()
    return project, amendment


def rows(page):
    """The HTML of each table body of the list: one per project with its amendments."""
    table = page.split('id="proposals"')[1].split("</table>")[0]
    bodies = table.split('<tbody class="govuk-table__body">')[1:]
    return [body.split("</tbody>")[0] for body in bodies]


def test_proposal_list_shows_each_version_and_an_amendment_under_its_project(client, secretariat):
    project, amendment = project_amended(by=secretariat)
    later = ProposalFactory(coordinator=project.coordinator, title="A later proposal")
    draft = amendment_start(project=project, by=project.coordinator)
    client.force_login(project.coordinator)

    groups = rows(client.get(reverse("projects:proposal_list")).content.decode())

    assert len(groups) == 2
    assert "A later proposal" in groups[0] and "Version 1" in groups[0]
    pay_and_place = groups[1]
    links = [
        f'href="{reverse("projects:proposal_detail", kwargs={"pk": pk})}"'
        for pk in (project.pk, amendment.pk, draft.pk)
    ]
    assert [pay_and_place.index(link) for link in links] == sorted(
        pay_and_place.index(link) for link in links
    )
    assert "Amendment, in force" in pay_and_place
    assert "Version 3" in pay_and_place
    assert later.pk != project.pk


def test_secretariat_list_shows_each_version_and_an_amendment_under_its_project(
    client, secretariat
):
    project_amended(by=secretariat)
    proposal_at(State.SUBMITTED, title="Sent in between", on=days_ago(200))
    client.force_login(secretariat)

    page = client.get(reverse("projects:secretariat_list")).content.decode()

    groups = rows(page)
    assert len(groups) == 2
    assert "Pay and place" in groups[0] and "Sent in between" in groups[1]
    assert groups[0].count("Pay and place") == 2
    assert "Version 2" in groups[0] and "Amendment, in force" in groups[0]


def test_project_page_shows_the_decision_on_the_version_in_force(client, secretariat):
    project, amendment = project_amended(by=secretariat)
    client.force_login(project.coordinator)

    page = client.get(reverse("projects:proposal_detail", kwargs={"pk": project.pk})).text

    assert "Decision on version 2" in page
    assert "The longer timescale is justified." in page
    assert "Version one serves regional policy." not in page
    assert f'href="{reverse("projects:proposal_detail", kwargs={"pk": amendment.pk})}"' in page


def test_amendment_page_says_which_version_it_is_and_links_the_project(client, secretariat):
    project, _ = project_amended(by=secretariat)
    draft = amendment_start(project=project, by=project.coordinator)
    client.force_login(project.coordinator)

    page = client.get(reverse("projects:proposal_detail", kwargs={"pk": draft.pk})).text

    assert "Amendment to a project, version 3" in page
    version = page.split('id="proposal-version"')[1].split("</dd>")[0]
    assert f'href="{reverse("projects:proposal_detail", kwargs={"pk": project.pk})}"' in version
    assert "version 2 is in force" in version


@pytest.mark.parametrize("projects", [1, 6])
def test_project_lists_queries_do_not_grow_with_amended_projects(
    client, secretariat, projects, django_assert_max_num_queries
):
    amended = [project_amended(by=secretariat, title=f"Project {n}")[0] for n in range(projects)]
    coordinator = amended[0].coordinator
    for project in amended[1:]:
        Proposal.objects.filter(pk=project.pk).update(coordinator=coordinator)
        project.amendments.update(coordinator=coordinator)
    accredit(coordinator)

    client.force_login(coordinator)
    client.get(reverse("projects:proposal_list"))
    with django_assert_max_num_queries(7):
        response = client.get(reverse("projects:proposal_list"))
    assert response.content.decode().count("Amendment, in force") == projects

    client.force_login(secretariat)
    client.get(reverse("projects:secretariat_list"))
    with django_assert_max_num_queries(9):
        response = client.get(reverse("projects:secretariat_list"))
    assert response.content.decode().count("Amendment, in force") == projects


@pytest.mark.parametrize("amendments", [1, 4])
def test_project_page_queries_do_not_grow_with_its_versions(
    client, secretariat, amendments, django_assert_max_num_queries
):
    project, _ = project_amended(by=secretariat, amendments=amendments)
    url = reverse("projects:proposal_detail", kwargs={"pk": project.pk})
    client.force_login(project.coordinator)
    client.get(url)

    # One of them reads the gateways of the requested datasets, which every submitted project
    # has.
    with django_assert_max_num_queries(10):
        response = client.get(url)

    assert f"Decision on version {amendments + 1}" in response.text


@pytest.mark.parametrize("state", [State.SUBMITTED, State.APPROVED, State.APPROVED_WITH_CONDITIONS])
@pytest.mark.parametrize("project_version", [1, 2, 3])
def test_secretariat_list_says_of_an_amendment_what_the_version_template_says(
    state, project_version
):
    project = Proposal(pk=1, version=project_version)
    amendment = Proposal(pk=2, amends=project, version=2, state=state)
    written = render_to_string("projects/proposal/version.html", {"proposal": amendment})

    assert (
        " ".join(written.split())
        == f'Version 2 <br> <span class="govuk-body-s"> {_amendment(amendment)} </span>'
    )
    assert _amendment(project) == ""


def test_secretariat_list_puts_a_proposal_sent_again_behind_those_waiting_longer(
    client, secretariat
):
    returned = proposal_at(State.RETURNED, title="Sent back for changes", on=days_ago(30))
    proposal_at(State.SUBMITTED, title="Waiting since", on=days_ago(20))
    client.force_login(secretariat)

    def titles():
        page = client.get(reverse("projects:secretariat_list")).content.decode()
        return [
            title
            for body in rows(page)
            for title in ("Sent back for changes", "Waiting since")
            if title in body
        ]

    assert titles() == ["Sent back for changes", "Waiting since"]

    proposal_submit(proposal=returned, by=returned.coordinator)

    assert titles() == ["Waiting since", "Sent back for changes"]

"""A researcher's own pages (their section of the home, their list of projects) are kept,
rendered, for them alone, until the audit trail records an event about something of theirs they
show: whoever takes the step (the researcher, the secretariat, a co-ordinator, the worker), it
shows on the next visit."""

import pytest
from django.urls import reverse

from accreditation import services as accreditation_services
from accreditation.levels import Level
from identity.roles import Role
from projects.proposal.services import proposal_create, team_invite
from researchers.declaration.services import declaration_version_publish
from tests.accreditation.factories import AccreditationApplicationFactory, AccreditationFactory
from tests.accreditation.states import application_screened, supervisor_for
from tests.factories import UserFactory, declaration_signed_row
from tests.kept_pages import visit
from tests.projects.factories import ProposalFactory

pytestmark = pytest.mark.django_db

HOME = reverse("dashboard:home")


def _home(client):
    return visit(client, HOME)


def test_a_second_visit_shows_the_kept_section_without_reading_it_again(client):
    researcher = AccreditationFactory().researcher
    client.force_login(researcher)
    first, worked_out = _home(client)

    again, kept = _home(client)

    assert again == first
    assert kept < worked_out - 5


def test_kept_for_no_time_every_visit_reads_the_section(client, settings):
    settings.RESEARCHER_PAGES_KEPT_SECONDS = 0
    client.force_login(AccreditationFactory().researcher)
    _first, worked_out = _home(client)

    _again, queries = _home(client)

    assert queries == worked_out


def test_an_approval_by_the_secretariat_shows_on_the_kept_home_at_once(client):
    secretariat = UserFactory(roles=[Role.SECRETARIAT])
    application = application_screened(by=secretariat)
    client.force_login(application.applicant)
    before, _ = _home(client)
    assert "You hold" not in before

    accreditation_services.application_approve(
        application=application, level=Level.FULL, by=secretariat
    )
    after, _ = _home(client)

    assert "You hold full accreditation until" in after


def test_an_invitation_by_email_shows_on_the_invitee_s_kept_home_at_once(client):
    invitee = AccreditationFactory().researcher
    client.force_login(invitee)
    before, _ = _home(client)
    proposal = ProposalFactory(title="Earnings after illness")
    assert "Earnings after illness" not in before

    team_invite(proposal=proposal, email=invitee.email, by=proposal.coordinator)
    after, _ = _home(client)

    assert "Earnings after illness" in after


def test_a_request_to_supervise_shows_on_the_supervisor_s_kept_home_at_once(client):
    application = AccreditationApplicationFactory(applicant__ready__qualified=False)
    supervisor = supervisor_for(application.applicant)
    client.force_login(supervisor)
    before, _ = _home(client)
    assert "Supervise" not in before

    accreditation_services.application_update(
        application=application,
        by=application.applicant,
        kind=Level.PROVISIONAL,
        supervisor_email=supervisor.email,
    )
    after, _ = _home(client)

    assert f"Supervise {application.applicant.get_full_name()}" in after


def test_a_declaration_published_shows_on_every_kept_home_at_once(client):
    researcher = AccreditationFactory().researcher
    declaration_signed_row(researcher)
    client.force_login(researcher)
    before, _ = _home(client)
    assert "has been published since" not in before

    declaration_version_publish(
        text="Version two of the declaration.", by=UserFactory(roles=[Role.SECRETARIAT])
    )
    after, _ = _home(client)

    assert "has been published since" in after


def test_one_researcher_s_kept_home_is_never_shown_to_another(client):
    held = AccreditationFactory().researcher
    client.force_login(held)
    assert "You hold full accreditation" in _home(client)[0]

    client.force_login(UserFactory(roles=[Role.RESEARCHER]))
    theirs, _ = _home(client)

    assert "You hold full accreditation" not in theirs
    assert "You have not applied for accreditation yet." in theirs


def test_a_proposal_started_shows_on_the_kept_list_of_projects_at_once(client):
    researcher = AccreditationFactory().researcher
    client.force_login(researcher)
    projects = reverse("projects:proposal_list")
    proposal_create(by=researcher, title="Earnings after illness")
    before = client.get(projects).content.decode()
    assert "Earnings after illness" in before

    proposal_create(by=researcher, title="Mortality by region")
    after = client.get(projects).content.decode()

    assert "Earnings after illness" in after and "Mortality by region" in after

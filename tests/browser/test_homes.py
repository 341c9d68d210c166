"""Each person's home at the states it can show, and the pages its links open, in Chromium with
axe: a new researcher, one with a draft, one accredited and busy, one suspended, and the
secretariat with work waiting and a person's page."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from accreditation import services as accreditation_services
from accreditation.models import AccreditationApplication
from identity.roles import Role
from projects.models import Proposal
from researchers.models import Organisation
from tests.accreditation.factories import (
    AccreditationApplicationFactory,
    AccreditationFactory,
    ApplicantFactory,
)
from tests.accreditation.states import application_at, application_submitted
from tests.browser.sessions import session_cookie
from tests.factories import UserFactory
from tests.legislation.factories import DatasetFactory
from tests.outputs.factories import OutputRequestFactory
from tests.projects.factories import ProposalFactory, TeamMemberFactory
from tests.projects.states import proposal_at, proposal_submitted
from tests.researchers.profile_factories import OrganisationFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def open_home(page, live_server, user):
    page.context.clear_cookies()
    page.context.add_cookies([session_cookie(user, live_server)])
    page.goto(live_server.url + reverse("dashboard:home"))
    page.check_accessibility()


def test_researcher_homes_at_each_state_pass_axe(checked_page, live_server, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    page = checked_page
    today = timezone.localdate()

    open_home(page, live_server, UserFactory(roles=[Role.RESEARCHER]))
    page.follow(page.get_by_role("button", name="Apply for accreditation"))
    page.check_accessibility()

    draft = application_at(
        AccreditationApplication.State.DRAFT, applicant=UserFactory(roles=[Role.RESEARCHER])
    )
    open_home(page, live_server, draft.applicant)
    expect(page.locator("#application-missing")).to_contain_text("Add your Safe Researcher")

    busy = ApplicantFactory()
    AccreditationFactory(
        researcher=busy,
        valid_from=today - datetime.timedelta(days=1000),
        valid_until=today + datetime.timedelta(days=60),
    )
    # Starting a project needs the team accredited to its end date, so no service leaves this
    # row; the home warns of it all the same, and the warning is checked here with the rest.
    project = ProposalFactory(state=Proposal.State.ACTIVE, coordinator=busy, accredited=False)
    OutputRequestFactory(project=project, author=busy, title="Tables for the paper")
    ProposalFactory(coordinator=busy, title="A draft of ours", accredited=False)
    TeamMemberFactory(user=None, email=busy.email, accepted_at=None)
    AccreditationApplicationFactory(supervisor=busy)
    open_home(page, live_server, busy)
    page.follow(page.get_by_role("button", name="Renew your accreditation"))
    page.check_accessibility()

    suspended = AccreditationFactory()
    accreditation_services.accreditation_suspend(
        accreditation=suspended,
        reasons="Under investigation.",
        by=UserFactory(roles=[Role.SECRETARIAT], totp=True),
    )
    open_home(page, live_server, suspended.researcher)
    page.follow(page.get_by_role("button", name="Read why it was suspended"))
    expect(page.locator("main")).to_contain_text("Under investigation.")
    page.check_accessibility()


def test_secretariat_home_and_person_page_pass_axe(checked_page, live_server, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    page = checked_page
    today = timezone.localdate()
    secretariat = UserFactory(roles=[Role.SECRETARIAT], totp=True)
    application = application_submitted()
    proposal_submitted()
    proposal_at(
        Proposal.State.DATA_OWNER_REVIEW,
        datasets=[DatasetFactory(consent_required=True)],
        on=timezone.now() - datetime.timedelta(days=40),
    )
    OrganisationFactory(status=Organisation.Status.PROPOSED)
    accreditation = AccreditationFactory(
        valid_from=today - datetime.timedelta(days=1000),
        valid_until=today + datetime.timedelta(days=20),
    )
    proposal_at(Proposal.State.ACTIVE, coordinator=accreditation.researcher)

    open_home(page, live_server, secretariat)
    expect(page.locator("#queue-consents")).to_contain_text("1 overdue")
    page.follow(page.get_by_role("link", name="Accreditation", exact=True))
    page.check_accessibility()
    page.follow(page.get_by_role("link", name=application.applicant.get_full_name()).first)
    page.check_accessibility()

    page.goto(live_server.url + reverse("dashboard:home"))
    page.follow(
        page.locator("#queue-ending").get_by_role(
            "link", name=accreditation.researcher.get_full_name()
        )
    )
    page.check_accessibility()
    page.follow(
        page.get_by_role(
            "link", name=f"Everything about {accreditation.researcher.get_full_name()}"
        )
    )
    expect(page.locator("#person-accreditation-actions")).to_contain_text("Suspend accreditation")
    page.check_accessibility()
    page.follow(page.get_by_role("button", name="Suspend accreditation"))
    expect(page.locator("#suspend")).to_be_visible()
    page.check_accessibility()

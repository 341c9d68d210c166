"""The researcher's home, read from live state: their accreditation at each state with its one
next step, their training, declaration, projects, output requests and the answers waiting for
them. Every link it offers is followed."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from accreditation import services as accreditation_services
from accreditation.models import Accreditation, AccreditationApplication, Level
from identity.roles import Role
from outputs.models import OutputRequest
from projects.models import Proposal
from researchers.declaration.models import DeclarationVersion
from tests.accreditation.factories import (
    AccreditationApplicationFactory,
    AccreditationFactory,
    ApplicantFactory,
    declaration_sign_for,
)
from tests.accreditation.states import application_at, application_submitted
from tests.factories import UserFactory
from tests.outputs.factories import OutputRequestFactory
from tests.outputs.states import output_request_at
from tests.projects.factories import ProposalFactory, TeamMemberFactory
from tests.projects.states import proposal_at
from tests.researchers.profile_factories import TrainingRecordFactory

pytestmark = pytest.mark.django_db

HOME = reverse("dashboard:home")
START = reverse("accreditation:application_start")
RENEW = reverse("accreditation:application_renew")
DETAIL = reverse("accreditation:application_detail")


def today():
    return timezone.localdate()


def standing_html(html):
    """The accreditation part of the researcher's home."""
    start = html.index('id="accreditation-standing"')
    return html[start : html.index('id="your-profile"')]


def button_hrefs(html):
    return re.findall(r'<a class="govuk-button[^"]*"[^>]*href="([^"]+)"', html)


def home_of(client, user):
    client.force_login(user)
    response = client.get(HOME)
    assert response.status_code == 200
    return response.text


def assert_link_opens(client, href):
    response = client.get(href)
    assert response.status_code == 200, f"{href} answered {response.status_code}"
    return response


@pytest.fixture
def secretariat():
    return UserFactory(roles=[Role.SECRETARIAT], totp=True)


def test_researcher_home_without_an_application_offers_to_apply(client):
    user = UserFactory(roles=[Role.RESEARCHER])

    html = standing_html(home_of(client, user))

    assert "You have not applied for accreditation yet" in html
    assert button_hrefs(html) == [START]
    assert "Apply for accreditation" in assert_link_opens(client, START).text


def test_researcher_home_links_to_their_profile_before_they_apply(client):
    user = UserFactory(roles=[Role.RESEARCHER])

    html = home_of(client, user)

    profile = reverse("researchers:profile")
    assert f'<a class="govuk-link" href="{profile}">See or change your profile</a>' in html
    assert "Your profile" in assert_link_opens(client, profile).text


def test_researcher_home_with_a_draft_lists_what_is_missing_and_continues_it(client):
    user = UserFactory(roles=[Role.RESEARCHER])
    application_at(AccreditationApplication.State.DRAFT, applicant=user)

    html = standing_html(home_of(client, user))

    assert "has not been sent yet" in html
    missing = html[html.index('id="application-missing"') :]
    assert "Add your Safe Researcher Training" in missing
    assert f'href="{reverse("researchers:training_add")}"' in missing
    assert f'href="{reverse("researchers:declaration")}"' in missing
    assert button_hrefs(html) == [DETAIL]
    assert "Continue your application" in html
    assert_link_opens(client, reverse("researchers:training_add"))
    assert "Before you send your application" in assert_link_opens(client, DETAIL).text


def test_researcher_home_with_a_ready_draft_says_nothing_is_missing(client):
    application = application_at(AccreditationApplication.State.DRAFT)

    html = standing_html(home_of(client, application.applicant))

    assert 'id="application-missing"' not in html
    assert "Everything is ready" in html


def test_researcher_home_with_a_returned_application_says_so(client):
    application = application_at(AccreditationApplication.State.RETURNED)

    html = standing_html(home_of(client, application.applicant))

    assert "The secretariat returned your application" in html
    assert button_hrefs(html) == [DETAIL]


def test_researcher_home_with_the_secretariat_offers_no_button(client):
    application = application_submitted()

    html = standing_html(home_of(client, application.applicant))

    assert "Your application is with the secretariat" in html
    assert button_hrefs(html) == []
    assert f'href="{DETAIL}"' in html
    assert "You have not applied" not in html


def test_researcher_home_of_an_accredited_researcher_says_until_when(client):
    accreditation = AccreditationFactory()

    html = standing_html(home_of(client, accreditation.researcher))

    until = f"{accreditation.valid_until:%-d %B %Y}"
    assert f"You hold full accreditation until {until}" in html
    renew_from = accreditation.valid_until - datetime.timedelta(days=90)
    assert f"You can renew it from {renew_from:%-d %B %Y}" in html
    assert button_hrefs(html) == []
    assert "You have not applied" not in html


def test_researcher_home_offers_renewal_from_ninety_days_before_the_end(client):
    accreditation = AccreditationFactory(
        valid_from=today() - datetime.timedelta(days=5 * 365 - 90),
        valid_until=today() + datetime.timedelta(days=90),
    )

    html = standing_html(home_of(client, accreditation.researcher))

    assert button_hrefs(html) == [RENEW]
    assert "Renew your accreditation" in html
    assert "Renew" in assert_link_opens(client, RENEW).text


def test_researcher_home_does_not_offer_renewal_ninety_one_days_before_the_end(client):
    accreditation = AccreditationFactory(
        valid_from=today() - datetime.timedelta(days=365),
        valid_until=today() + datetime.timedelta(days=91),
    )

    html = standing_html(home_of(client, accreditation.researcher))

    assert button_hrefs(html) == []


def test_researcher_home_with_a_renewal_in_progress_shows_both(client):
    accreditation = AccreditationFactory(
        valid_from=today() - datetime.timedelta(days=5 * 365 - 30),
        valid_until=today() + datetime.timedelta(days=30),
    )
    accreditation_services.application_renew(by=accreditation.researcher)

    html = standing_html(home_of(client, accreditation.researcher))

    assert "You hold full accreditation until" in html
    assert "Your renewal application has not been sent yet" in html
    assert button_hrefs(html) == [DETAIL]


def test_researcher_home_of_a_provisional_researcher_says_when_training_must_be_refreshed(
    client,
):
    accreditation = AccreditationFactory(level=Level.PROVISIONAL)
    passed = today() - datetime.timedelta(days=100)
    TrainingRecordFactory(user=accreditation.researcher, passed_on=passed)

    html = home_of(client, accreditation.researcher)

    assert "You hold provisional accreditation until" in standing_html(html)
    training = html[html.index('id="training-standing"') : html.index('id="declaration-standing"')]
    refresh = passed.replace(year=passed.year + 3)
    assert f"you must refresh it by {refresh:%-d %B %Y}" in training
    assert f'href="{reverse("researchers:profile")}"' in training


def test_researcher_home_of_a_fully_accredited_researcher_says_when_training_must_be_refreshed(
    client, settings
):
    settings.TRAINING_REFRESH_YEARS = 5
    accreditation = AccreditationFactory(level=Level.FULL)
    passed = today() - datetime.timedelta(days=100)
    TrainingRecordFactory(user=accreditation.researcher, passed_on=passed)

    html = home_of(client, accreditation.researcher)

    training = html[html.index('id="training-standing"') : html.index('id="declaration-standing"')]
    refresh = passed.replace(year=passed.year + 5)
    assert f"You must refresh it by {refresh:%-d %B %Y}" in training


def test_researcher_home_without_training_links_to_adding_it(client):
    html = home_of(client, UserFactory(roles=[Role.RESEARCHER]))

    training = html[html.index('id="training-standing"') : html.index('id="declaration-standing"')]
    assert "You have not added a Safe Researcher Training certificate" in training
    assert f'href="{reverse("researchers:training_add")}"' in training


def test_researcher_home_of_a_suspended_researcher_explains_instead_of_offering_to_apply(
    client, secretariat
):
    accreditation = AccreditationFactory()
    accreditation_services.accreditation_suspend(
        accreditation=accreditation, reasons="Shared a login with a colleague.", by=secretariat
    )

    html = standing_html(home_of(client, accreditation.researcher))

    assert "Your accreditation is suspended" in html
    assert button_hrefs(html) == [DETAIL]
    assert "Read why it was suspended" in html
    assert START not in html
    page = assert_link_opens(client, DETAIL).text
    assert "Shared a login with a colleague." in page
    assert "cannot apply for accreditation again" in page
    assert f'href="{START}"' not in page


def test_researcher_home_of_a_revoked_researcher_explains_instead_of_offering_to_apply(
    client, secretariat
):
    accreditation = AccreditationFactory()
    accreditation_services.accreditation_revoke(
        accreditation=accreditation, reasons="Took outputs out unchecked.", by=secretariat
    )

    html = standing_html(home_of(client, accreditation.researcher))

    assert "Your accreditation was revoked" in html
    assert "contact the secretariat" in html
    assert button_hrefs(html) == [DETAIL]
    assert START not in html
    page = assert_link_opens(client, DETAIL).text
    assert "Took outputs out unchecked." in page
    assert "a new application is decided knowing why" in page


def test_researcher_home_of_a_recently_expired_researcher_offers_renewal(client):
    ended = today() - datetime.timedelta(days=10)
    accreditation = AccreditationFactory(
        valid_from=ended - datetime.timedelta(days=5 * 365), valid_until=ended
    )
    accreditation_services.accreditation_expire(accreditation=accreditation)

    html = standing_html(home_of(client, accreditation.researcher))

    assert f"ended on {ended:%-d %B %Y}" in html
    assert button_hrefs(html) == [RENEW]


def test_researcher_home_of_a_long_expired_researcher_offers_a_new_application(client):
    ended = today() - datetime.timedelta(days=200)
    accreditation = AccreditationFactory(
        valid_from=ended - datetime.timedelta(days=5 * 365), valid_until=ended
    )

    html = standing_html(home_of(client, accreditation.researcher))

    assert "too long ago to renew" in html
    assert button_hrefs(html) == [START]


def test_researcher_home_after_a_rejection_offers_to_apply_again_with_the_reasons(
    client, secretariat
):
    application = application_submitted()
    accreditation_services.application_reject(
        application=application, reasons="No evidence of training.", by=secretariat
    )

    html = standing_html(home_of(client, application.applicant))

    assert "was rejected on" in html
    assert button_hrefs(html) == [START]
    assert f'href="{DETAIL}"' in html
    assert "No evidence of training." in assert_link_opens(client, DETAIL).text


def test_researcher_home_says_which_declaration_version_was_signed(client):
    user = ApplicantFactory()

    html = home_of(client, user)

    declaration = html[html.index('id="declaration-standing"') :]
    assert "You signed version 1 on" in declaration
    assert f'href="{reverse("researchers:declaration")}"' in declaration


def test_researcher_home_asks_for_a_newer_declaration_version(client):
    user = UserFactory(roles=[Role.RESEARCHER])
    declaration_sign_for(user)
    DeclarationVersion.objects.create(number=2, text="A stricter wording.")

    html = home_of(client, user)

    declaration = html[html.index('id="declaration-standing"') :]
    assert "Version 2 has been published since" in declaration
    assert "Sign version 2 of the declaration" in declaration
    assert_link_opens(client, reverse("researchers:declaration"))


def test_researcher_home_without_a_declaration_links_to_signing_it(client):
    html = home_of(client, UserFactory(roles=[Role.RESEARCHER]))

    declaration = html[html.index('id="declaration-standing"') :]
    assert "You have not signed the confidentiality declaration yet" in declaration


def test_researcher_home_lists_projects_with_what_each_needs(client):
    user = UserFactory(roles=[Role.RESEARCHER])
    draft = ProposalFactory(coordinator=user, title="Draft about wages")
    approved = proposal_at(
        Proposal.State.APPROVED, coordinator=user, title="Approved about pensions"
    )
    joined = proposal_at(Proposal.State.PANEL_REVIEW, title="Joined about housing")
    TeamMemberFactory(proposal=joined, user=user, email=user.email)
    proposal_at(Proposal.State.CLOSED, coordinator=user, title="Closed long ago")

    html = home_of(client, user)

    projects = html[html.index('id="projects-list"') :]
    assert "Finish the proposal and send it to the secretariat." in projects
    assert "Start the project." in projects
    assert "With the Research Accreditation Panel: nothing is needed from you." in projects
    assert "Closed long ago" not in projects
    for proposal in (draft, approved, joined):
        href = reverse("projects:proposal_detail", args=[proposal.pk])
        assert f'href="{href}"' in projects
        assert proposal.title in assert_link_opens(client, href).text


def test_researcher_home_warns_when_accreditation_ends_before_a_project(client):
    accreditation = AccreditationFactory(
        valid_from=today() - datetime.timedelta(days=365),
        valid_until=today() + datetime.timedelta(days=100),
    )
    # Starting a project needs the team accredited to its end date, so no service leaves this
    # row; the home warns of it all the same, should the data ever hold one.
    project = ProposalFactory(
        state=Proposal.State.ACTIVE, coordinator=accreditation.researcher, accredited=False
    )

    html = home_of(client, accreditation.researcher)

    projects = html[html.index('id="projects-list"') :]
    assert f"must last until the project ends on {project.end_date:%-d %B %Y}" in projects


def test_researcher_home_lists_output_requests_waiting_for_their_author(client):
    draft = OutputRequestFactory(title="Earnings tables")
    user = draft.project.coordinator
    submitted = output_request_at(
        OutputRequest.State.SUBMITTED, project=draft.project, title="Already sent"
    )

    html = home_of(client, user)

    requests = html[html.index('id="requests-list"') :]
    href = reverse("outputs:output_request_detail", args=[draft.pk])
    assert f'href="{href}"' in requests
    assert "not sent for checking yet" in requests
    assert submitted.title not in requests
    assert "Earnings tables" in assert_link_opens(client, href).text


def test_researcher_home_lists_invitations_and_supervision_requests(client):
    supervisor = ApplicantFactory()
    AccreditationFactory(researcher=supervisor)
    invitation = TeamMemberFactory(user=None, email=supervisor.email, accepted_at=None)
    applicant = ApplicantFactory(
        ready__organisation=supervisor.profile.organisation, ready__qualified=False
    )
    application = AccreditationApplicationFactory(applicant=applicant, kind=Level.PROVISIONAL)
    accreditation_services.application_update(
        application=application,
        by=applicant,
        kind=Level.PROVISIONAL,
        supervisor_email=supervisor.email,
        register_consent=True,
        publish_commitment=True,
    )

    html = home_of(client, supervisor)

    waiting = html[html.index('id="answers-waiting"') :]
    invitation_href = reverse("projects:team_invitation", args=[invitation.token])
    supervision_href = reverse("accreditation:supervision", args=[application.pk])
    assert f'href="{invitation_href}"' in waiting
    assert f'href="{supervision_href}"' in waiting
    assert escape(f"Supervise {applicant.get_full_name()}") in waiting
    assert_link_opens(client, invitation_href)
    assert_link_opens(client, supervision_href)


def _busy_researcher(size):
    user = ApplicantFactory()
    AccreditationFactory(researcher=user)
    for index in range(size):
        proposal = proposal_at(Proposal.State.ACTIVE, coordinator=user)
        OutputRequestFactory(project=proposal, author=user)
        TeamMemberFactory(user=None, email=user.email, accepted_at=None)
        applicant = ApplicantFactory()
        AccreditationApplicationFactory(applicant=applicant, supervisor=user)
        ProposalFactory(title=f"Someone else's {index}")
    return user


@pytest.mark.parametrize("size", [1, 12])
def test_researcher_home_query_count_does_not_grow_with_their_work(
    client, django_assert_max_num_queries, size
):
    client.force_login(_busy_researcher(size))

    # Session, user, roles, unread count; the open or else the latest application and the
    # latest accreditation (2); training; declaration and current version (2); projects; output
    # requests; invitations; supervision requests; whether they have a second factor; the
    # latest events their section, once worked out, is kept under.
    with django_assert_max_num_queries(15):
        response = client.get(HOME)

    assert response.status_code == 200
    assert response.text.count("not sent for checking yet") == size


@pytest.mark.parametrize("size", [1, 12])
def test_researcher_home_with_a_draft_query_count_does_not_grow(
    client, django_assert_max_num_queries, size
):
    application = application_at(AccreditationApplication.State.DRAFT)
    for _ in range(size):
        TrainingRecordFactory(user=application.applicant)
        ProposalFactory(coordinator=application.applicant)
    client.force_login(application.applicant)

    # As above (13), and the application's task list: the open application read whole (the
    # standing reads only what it shows); the rules read the profile, qualifications, training
    # and declaration (7); the second factor; the latest events it is kept under.
    with django_assert_max_num_queries(23):
        response = client.get(HOME)

    assert response.status_code == 200


def test_accredited_state_is_read_from_the_accreditation_not_the_application(client):
    accreditation = AccreditationFactory()
    assert accreditation.state == Accreditation.State.ACTIVE

    html = standing_html(home_of(client, accreditation.researcher))

    assert "You have not applied for accreditation yet" not in html

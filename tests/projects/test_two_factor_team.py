"""Everyone who will see a project's data has two factors: nobody joins the team of a project
that has started, and no project starts, until every member has set up an authenticator app or a
passkey. A proposal's team may be without one until then.

Each test takes the steps a person takes, through the services and pages, and fails when the
line enforcing its rule is taken out.
"""

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from identity.roles import Role
from projects.amendment.services import amendment_start
from projects.lifecycle.services import project_activate
from projects.models import Proposal, TeamMember
from projects.proposal.services import proposal_submit, team_accept, team_invite
from projects.screening.services import (
    CHECK_KEYS,
    proposal_fast_track,
    screening_pass,
    screening_start,
)
from researchers.selectors import users_without_second_factor
from tests.factories import UserFactory, passkey_add
from tests.projects.factories import (
    accredit,
    accredited_researcher,
    proposal_ready_to_submit,
)
from tests.projects.states import proposal_at
from workflow.errors import TransitionRefused
from workflow.services import transition_fire

pytestmark = pytest.mark.django_db

State = Proposal.State

START_SENTENCE = (
    "Every team member, the co-ordinator included, must set up two-factor authentication (an "
    "authenticator app or a passkey) before the project starts."
)
JOIN_SENTENCE = (
    "This project has started, so every member of its team, the co-ordinator included, must set "
    "up two-factor authentication (an authenticator app or a passkey)."
)
ACCEPT_REFUSAL = (
    "This project has started, so you must set up two-factor authentication (an authenticator "
    "app or a passkey) before you join its team."
)


def researcher(**kwargs):
    """An accredited researcher; ``totp=True`` or ``passkey=True`` for a second factor."""
    return accredited_researcher(**kwargs)


def approved_project(*, coordinator, members=()):
    """A project approved and due to start today, with ``members`` accepted on its team."""
    project = proposal_at(State.APPROVED, coordinator=coordinator, start_date=timezone.localdate())
    for member in members:
        accredit(member, until=project.end_date)
        TeamMember.objects.create(
            proposal=project,
            user=member,
            email=member.email,
            invited_by=coordinator,
            accepted_at=timezone.now(),
        )
    return project


def running_project(*, coordinator, members=()):
    """An active project with ``members`` on its team, started through the services. Those of
    them who had no second factor set one up to start it and have turned it off since, as
    anyone may."""
    without = users_without_second_factor(members)
    project = proposal_at(State.ACTIVE, coordinator=coordinator, team=members)
    Authenticator.objects.filter(user__in=without).delete()
    return project


def screened(proposal, by):
    """``proposal`` sent by its co-ordinator and taken into screening by ``by``."""
    proposal_submit(proposal=proposal, by=proposal.coordinator)
    return screening_start(proposal=proposal, by=by)


@pytest.fixture
def secretariat():
    return UserFactory(roles=[Role.SECRETARIAT], totp=True)


# Starting a project


def test_project_activate_refused_while_a_team_member_has_no_second_factor():
    coordinator = researcher(totp=True)
    member = researcher()
    project = approved_project(coordinator=coordinator, members=[member])

    with pytest.raises(TransitionRefused) as refused:
        project_activate(project=project, by=coordinator)

    assert refused.value.reasons == [START_SENTENCE]
    project.refresh_from_db()
    assert project.state == State.APPROVED


def test_project_activate_refused_while_the_coordinator_has_only_recovery_codes():
    coordinator = researcher()
    RecoveryCodes.activate(coordinator)
    project = approved_project(coordinator=coordinator, members=[researcher(totp=True)])

    with pytest.raises(TransitionRefused) as refused:
        project_activate(project=project, by=coordinator)

    assert refused.value.reasons == [START_SENTENCE]


def test_project_activate_allowed_once_the_team_has_passkeys_or_authenticator_apps():
    coordinator = researcher(passkey=True)
    project = approved_project(coordinator=coordinator, members=[researcher(totp=True)])

    project = project_activate(project=project, by=coordinator)

    assert project.state == State.ACTIVE


def test_activate_page_names_who_has_no_second_factor_and_links_the_coordinator_to_set_up(
    client,
):
    coordinator = researcher(full_name="Amara Okafor")
    member = researcher(full_name="Tomasz Nowak", totp=True)
    project = approved_project(coordinator=coordinator, members=[member])
    client.force_login(coordinator)
    url = reverse("projects:activate", kwargs={"pk": project.pk})

    page = client.get(url)

    assert START_SENTENCE in page.text
    missing = page.text.split('id="without-two-factor"')[1].split("</ul>")[0]
    assert "Amara Okafor" in missing
    assert "Tomasz Nowak" not in missing
    assert f'href="{reverse("mfa_index")}"' in missing

    refused = client.post(url)
    assert refused.status_code == 200
    assert "govuk-error-summary" in refused.text
    assert START_SENTENCE in refused.text
    project.refresh_from_db()
    assert project.state == State.APPROVED


# Joining a project that has started


def test_team_accept_of_a_running_projects_amendment_refused_without_a_second_factor():
    project = running_project(coordinator=researcher(totp=True))
    amendment = amendment_start(project=project, by=project.coordinator)
    newcomer = researcher()
    invitation = team_invite(proposal=amendment, email=newcomer.email, by=project.coordinator)

    with pytest.raises(ValidationError) as refused:
        team_accept(invitation=invitation, by=newcomer)

    assert refused.value.messages == [ACCEPT_REFUSAL]
    invitation.refresh_from_db()
    assert invitation.accepted_at is None


def test_team_accept_of_a_running_projects_amendment_allowed_with_a_passkey():
    project = running_project(coordinator=researcher(totp=True))
    amendment = amendment_start(project=project, by=project.coordinator)
    newcomer = researcher(passkey=True)
    invitation = team_invite(proposal=amendment, email=newcomer.email, by=project.coordinator)

    invitation = team_accept(invitation=invitation, by=newcomer)

    assert invitation.accepted_at is not None


def test_team_accept_of_a_proposal_allowed_without_a_second_factor():
    proposal = proposal_ready_to_submit(coordinator=researcher())
    newcomer = researcher()
    invitation = team_invite(proposal=proposal, email=newcomer.email, by=proposal.coordinator)

    invitation = team_accept(invitation=invitation, by=newcomer)

    assert invitation.accepted_at is not None
    assert proposal_submit(proposal=proposal, by=proposal.coordinator).state == State.SUBMITTED


def test_invitation_page_of_a_running_project_links_to_set_up_and_refuses_to_join(client):
    project = running_project(coordinator=researcher(totp=True))
    amendment = amendment_start(project=project, by=project.coordinator)
    newcomer = researcher()
    invitation = team_invite(proposal=amendment, email=newcomer.email, by=project.coordinator)
    client.force_login(newcomer)
    url = reverse("projects:team_invitation", kwargs={"token": invitation.token})

    page = client.get(url)
    warning = page.text.split('id="two-factor-needed"')[1].split("</div>")[0]
    assert f'href="{reverse("mfa_index")}"' in warning

    refused = client.post(url, {"answer": "accept"})

    assert refused.status_code == 200
    assert "govuk-error-summary" in refused.text
    assert ACCEPT_REFUSAL in refused.text
    invitation.refresh_from_db()
    assert invitation.accepted_at is None


def test_amendment_submit_refused_while_a_member_of_the_running_project_has_no_second_factor():
    without = researcher(full_name="Tomasz Nowak")
    project = running_project(coordinator=researcher(totp=True), members=[without])
    amendment = amendment_start(project=project, by=project.coordinator)

    with pytest.raises(TransitionRefused) as refused:
        proposal_submit(proposal=amendment, by=project.coordinator)

    assert refused.value.reasons == [JOIN_SENTENCE]

    # Once the member adds a passkey, the amendment can go.
    passkey_add(without)
    assert proposal_submit(proposal=amendment, by=project.coordinator).state == State.SUBMITTED


def test_amendment_approval_refused_while_a_member_has_no_second_factor(secretariat):
    project = running_project(coordinator=researcher(totp=True))
    amendment = amendment_start(project=project, by=project.coordinator)
    newcomer = researcher(totp=True)
    TeamMember.objects.create(
        proposal=amendment,
        user=newcomer,
        email=newcomer.email,
        invited_by=project.coordinator,
        accepted_at=timezone.now(),
    )
    amendment = screened(amendment, secretariat)
    # The newcomer turns their authenticator app off once the amendment is sent: the approval
    # waits for them.
    Authenticator.objects.filter(user=newcomer).delete()

    with pytest.raises(TransitionRefused) as refused:
        proposal_fast_track(
            proposal=amendment, checks=list(CHECK_KEYS), rationale="A new member.", by=secretariat
        )

    assert JOIN_SENTENCE in refused.value.reasons
    project.refresh_from_db()
    assert not project.team.filter(user=newcomer).exists()

    amendment = screening_pass(proposal=amendment, checks=CHECK_KEYS, by=secretariat)
    with pytest.raises(TransitionRefused) as refused:
        transition_fire(obj=amendment, transition="approve", by=secretariat)
    assert JOIN_SENTENCE in refused.value.reasons


def test_proposal_approved_without_second_factors_waits_for_them_only_to_start(secretariat):
    coordinator = researcher()
    proposal = proposal_ready_to_submit(coordinator=coordinator, members=[researcher()])
    proposal = screened(proposal, secretariat)

    proposal_fast_track(
        proposal=proposal, checks=list(CHECK_KEYS), rationale="Low risk.", by=secretariat
    )

    proposal.refresh_from_db()
    assert proposal.state == State.APPROVED
    Proposal.objects.filter(pk=proposal.pk).update(start_date=timezone.localdate())
    with pytest.raises(TransitionRefused) as refused:
        project_activate(project=proposal, by=coordinator)
    assert refused.value.reasons == [START_SENTENCE]


def test_team_page_of_an_amendment_shows_who_has_no_second_factor(client):
    without = researcher(full_name="Tomasz Nowak")
    project = running_project(coordinator=researcher(totp=True), members=[without])
    amendment = amendment_start(project=project, by=project.coordinator)
    client.force_login(project.coordinator)

    page = client.get(
        reverse("projects:proposal_section", kwargs={"pk": amendment.pk, "section": "team"})
    )
    detail = client.get(reverse("projects:proposal_detail", kwargs={"pk": amendment.pk}))

    row = page.text.split("Tomasz Nowak")[1].split("</dd>")[0]
    assert "No two-factor authentication" in row
    assert JOIN_SENTENCE in detail.text


def test_activation_is_refused_as_the_member_removes_their_last_second_factor():
    coordinator = researcher(totp=True)
    member = researcher(passkey=True)
    project = approved_project(coordinator=coordinator, members=[member])
    Authenticator.objects.filter(user=member, type=Authenticator.Type.WEBAUTHN).delete()

    with pytest.raises(TransitionRefused) as refused:
        project_activate(project=project, by=coordinator)

    assert refused.value.reasons == [START_SENTENCE]

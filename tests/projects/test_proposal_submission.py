import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from accreditation.levels import Level
from audit.models import AuditEvent
from identity.roles import Role
from legislation.access_modes import AccessMode
from notifications.models import Notification
from projects.models import Proposal, ProposalSnapshot, TeamMember
from projects.permissions import user_is_project_member
from projects.proposal import services as services
from tests.accreditation.factories import AccreditationFactory
from tests.factories import UserFactory
from tests.legislation.factories import DatasetFactory
from tests.projects.factories import (
    TeamMemberFactory,
    accredit,
    accredited_researcher,
    proposal_ready_to_submit,
)
from tests.projects.states import proposal_at, proposal_submitted
from workflow.errors import TransitionRefused

pytestmark = pytest.mark.django_db


def check_url(proposal):
    return reverse("projects:proposal_check", kwargs={"pk": proposal.pk})


def _submit_page(client, proposal):
    client.force_login(proposal.coordinator)
    return client.post(check_url(proposal))


# Each unmet submission condition is said on the page


def _no_lay_summary(p):
    p.lay_summary = ""


def _no_purposes(p):
    p.purposes = []


def _no_software(p):
    p.software = ""


def _no_end_date(p):
    p.end_date = None


def _ethics_unanswered(p):
    p.ethics = {**p.ethics, "public_views": {"answer": "", "details": ""}}


def _dpia_unanswered(p):
    p.dpia_needed = None


def _dpia_missing(p):
    p.dpia_needed = True


def _no_access_mode(p):
    p.access_mode = ""


def _weak_access_mode(p):
    request = p.dataset_requests.get()
    request.dataset.access_mode = AccessMode.SECURE_LAB_ONLY
    request.dataset.save()


def _no_outputs(p):
    p.publication_plan = ""


def _no_datasets(p):
    p.dataset_requests.all().delete()


def _dataset_unexplained(p):
    p.dataset_requests.update(variables="")


def _no_gateway(p):
    p.dataset_requests.get().dataset.acts.clear()


def _member_not_answered(p):
    TeamMemberFactory(proposal=p, user=None, email="late@example.org", accepted_at=None)


def _member_declined(p):
    TeamMemberFactory(
        proposal=p, user=None, email="no@example.org", accepted_at=None, declined_at=timezone.now()
    )


def _member_unaccredited(p):
    TeamMemberFactory(proposal=p, user=UserFactory(roles=[Role.RESEARCHER]))


def _coordinator_accreditation_ends_too_soon(p):
    p.coordinator.accreditations.update(valid_until=p.end_date - datetime.timedelta(days=1))


def _provisional_without_supervisor(p):
    member = UserFactory(roles=[Role.RESEARCHER])
    supervisor = accredited_researcher()
    accreditation = AccreditationFactory(researcher=member, level=Level.PROVISIONAL)
    accreditation.application.supervisor = supervisor
    accreditation.application.save()
    TeamMemberFactory(proposal=p, user=member)


UNMET = [
    (_no_lay_summary, "Give the project's title and a lay summary."),
    (
        _no_purposes,
        "Choose at least one public-good purpose and explain how the project serves it.",
    ),
    (_no_software, "Describe the project's aims, methods and the software it will use."),
    (_no_end_date, "Give the project's start and end dates."),
    (_no_datasets, "Request at least one dataset."),
    (
        _dataset_unexplained,
        "For every requested dataset, say which variables you need and why openly available "
        "data cannot be used instead.",
    ),
    (
        _ethics_unanswered,
        "Answer every question of the ethics self-assessment, with details for any answer "
        "other than yes.",
    ),
    (_dpia_unanswered, "Say whether the project needs a data protection impact assessment."),
    (_dpia_missing, "Upload the data protection impact assessment the project needs."),
    (_no_access_mode, "Choose how the team will access the data."),
    (
        _weak_access_mode,
        "The access mode must be at least as strict as the strictest requested dataset requires.",
    ),
    (_no_outputs, "Describe the outputs the project plans and how its results will be published."),
    (
        _member_not_answered,
        "Every person invited to the team must accept the invitation, or be removed from the team.",
    ),
    (
        _member_declined,
        "Every person invited to the team must accept the invitation, or be removed from the team.",
    ),
    (
        _member_unaccredited,
        "Every team member, the co-ordinator included, must hold active accreditation lasting "
        "to the project's end date.",
    ),
    (
        _coordinator_accreditation_ends_too_soon,
        "Every team member, the co-ordinator included, must hold active accreditation lasting "
        "to the project's end date.",
    ),
    (
        _provisional_without_supervisor,
        "A team member with provisional accreditation must have their supervisor on the team.",
    ),
    (_no_gateway, "Every requested dataset must be held under a legal gateway (at least one act)."),
]


@pytest.mark.parametrize(
    ("spoil", "sentence"), UNMET, ids=[spoil.__name__.strip("_") for spoil, _ in UNMET]
)
def test_proposal_submit_refused_says_the_unmet_condition(client, spoil, sentence):
    proposal = proposal_ready_to_submit()
    spoil(proposal)
    proposal.save()

    response = _submit_page(client, proposal)

    assert response.status_code == 200
    page = response.content.decode().replace("&#x27;", "'")
    assert "There is a problem" in page
    assert sentence in page
    proposal.refresh_from_db()
    assert proposal.state == Proposal.State.DRAFT
    assert not AuditEvent.objects.filter(action="proposal.submit").exists()


def test_proposal_submit_with_a_supervised_member_whose_supervisor_is_on_the_team(client):
    supervisor = accredited_researcher()
    member = UserFactory(roles=[Role.RESEARCHER])
    accreditation = AccreditationFactory(researcher=member, level=Level.PROVISIONAL)
    accreditation.application.supervisor = supervisor
    accreditation.application.save()
    proposal = proposal_ready_to_submit(members=[member, supervisor])

    response = _submit_page(client, proposal)

    assert response.status_code == 302
    proposal.refresh_from_db()
    assert proposal.state == Proposal.State.SUBMITTED


# Sending


def test_proposal_submit_sends_it_audited_with_a_snapshot(client, sent):
    secretariat = UserFactory(roles=[Role.SECRETARIAT], totp=True)
    proposal = proposal_ready_to_submit(members=[accredited_researcher()])

    with sent.capture():
        response = _submit_page(client, proposal)

    assert response.status_code == 302
    assert response.url == reverse("projects:proposal_detail", kwargs={"pk": proposal.pk})
    proposal.refresh_from_db()
    assert proposal.state == Proposal.State.SUBMITTED
    assert proposal.submitted_at is not None
    event = AuditEvent.objects.get(action="proposal.submit")
    assert (event.actor, event.from_state, event.to_state) == (
        proposal.coordinator,
        "draft",
        "submitted",
    )
    snapshot = ProposalSnapshot.objects.get(proposal=proposal)
    assert snapshot.data["title"] == proposal.title
    assert len(snapshot.data["team"]) == 2
    assert sent.to(secretariat.email)
    page = client.get(response.url).content.decode()
    assert "Submitted" in page


def test_proposal_submit_twice_says_it_was_already_sent(client):
    proposal = proposal_submitted()

    response = _submit_page(client, proposal)

    assert response.status_code == 200
    assert "already been sent to the secretariat" in response.content.decode()
    assert AuditEvent.objects.filter(action="proposal.submit").count() == 1


def test_proposal_submitted_factory_gives_a_submitted_proposal():
    proposal = proposal_submitted(consent_needed=True)

    assert proposal.state == Proposal.State.SUBMITTED
    assert proposal.dataset_requests.get().dataset.consent_required


def test_proposal_resubmitted_after_return():
    proposal = proposal_at(Proposal.State.RETURNED)

    sent_again = services.proposal_submit(proposal=proposal, by=proposal.coordinator)

    assert sent_again.state == Proposal.State.SUBMITTED


# Withdrawing


def test_proposal_withdraw_before_a_decision(client):
    proposal = proposal_submitted()
    client.force_login(proposal.coordinator)
    url = reverse("projects:proposal_withdraw", kwargs={"pk": proposal.pk})

    page = client.get(url).content.decode()

    assert "This cannot be undone." in page
    assert "nobody will screen, review or decide it" in page
    assert "The secretariat, and any reviewers on its panel, are told" in page
    assert "start a new proposal" in page
    proposal.refresh_from_db()
    assert proposal.state == Proposal.State.SUBMITTED
    assert not AuditEvent.objects.filter(action="proposal.withdraw").exists()

    response = client.post(url)

    assert response.status_code == 302
    proposal.refresh_from_db()
    assert proposal.state == Proposal.State.WITHDRAWN
    assert AuditEvent.objects.filter(action="proposal.withdraw").exists()


def test_proposal_withdraw_refused_after_a_decision(client):
    proposal = proposal_at(Proposal.State.APPROVED)
    client.force_login(proposal.coordinator)

    response = client.post(reverse("projects:proposal_withdraw", kwargs={"pk": proposal.pk}))

    assert response.status_code == 200
    assert "A proposal can be withdrawn only before a decision." in response.content.decode()
    proposal.refresh_from_db()
    assert proposal.state == Proposal.State.APPROVED


# The team


def test_team_invitation_emailed_accepted_and_member_counts(client, sent):
    proposal = proposal_ready_to_submit()
    invitee = accredited_researcher(email="colleague@example.org")
    client.force_login(proposal.coordinator)

    with sent.capture():
        response = client.post(
            reverse("projects:proposal_section", kwargs={"pk": proposal.pk, "section": "team"}),
            {"action": "invite", "email": "colleague@example.org"},
        )

    assert response.status_code == 302
    invitation = proposal.team.get(email="colleague@example.org")
    [email] = sent.to("colleague@example.org")
    link = reverse("projects:team_invitation", kwargs={"token": invitation.token})
    assert link in email.body
    assert not user_is_project_member(invitee, proposal)
    # Until the invitee accepts, the team is not complete.
    with pytest.raises(TransitionRefused):
        services.proposal_submit(proposal=proposal, by=proposal.coordinator)

    client.force_login(invitee)
    assert proposal.title in client.get(link).content.decode()
    with sent.capture():
        accepted = client.post(link, {"answer": "accept"})

    assert accepted.status_code == 302
    invitation.refresh_from_db()
    assert invitation.user == invitee
    assert invitation.accepted_at is not None
    assert user_is_project_member(invitee, proposal)
    assert sent.to(proposal.coordinator.email)
    assert AuditEvent.objects.filter(action="proposal.team_accept").exists()
    sent_proposal = services.proposal_submit(proposal=proposal, by=proposal.coordinator)
    assert sent_proposal.state == Proposal.State.SUBMITTED


def test_team_invite_to_an_address_without_an_account_is_an_email_alone(sent):
    proposal = proposal_ready_to_submit()

    with sent.capture():
        invitation = services.team_invite(
            proposal=proposal, email="new.colleague@example.org", by=proposal.coordinator
        )

    [email] = sent.to("new.colleague@example.org")
    assert email.subject == "You have been invited to join a research project"
    assert reverse("projects:team_invitation", kwargs={"token": invitation.token}) in email.body
    assert "create one with this email address first" in email.body
    assert not Notification.objects.filter(kind="proposal.team_invite").exists()


def test_team_invite_to_someone_with_an_account_waits_in_their_list_as_well(sent):
    proposal = proposal_ready_to_submit()
    invitee = accredited_researcher(email="colleague@example.org")

    with sent.capture():
        invitation = services.team_invite(
            proposal=proposal, email="colleague@example.org", by=proposal.coordinator
        )

    [email] = sent.to("colleague@example.org")
    assert "create one with this email address first" not in email.body
    [notification] = Notification.objects.filter(recipient=invitee)
    assert notification.kind == "proposal.team_invite"
    assert notification.needs_action
    assert notification.link == reverse(
        "projects:team_invitation", kwargs={"token": invitation.token}
    )


def test_team_invitation_declined(client):
    proposal = proposal_ready_to_submit()
    invitee = accredited_researcher()
    invitation = services.team_invite(
        proposal=proposal, email=invitee.email, by=proposal.coordinator
    )
    client.force_login(invitee)

    response = client.post(
        reverse("projects:team_invitation", kwargs={"token": invitation.token}),
        {"answer": "decline"},
    )

    assert response.status_code == 302
    invitation.refresh_from_db()
    assert invitation.declined_at is not None
    assert not user_is_project_member(invitee, proposal)


def test_team_invitation_not_found_for_someone_else(client):
    proposal = proposal_ready_to_submit()
    invitation = services.team_invite(
        proposal=proposal, email="invitee@example.org", by=proposal.coordinator
    )
    client.force_login(accredited_researcher())

    response = client.post(
        reverse("projects:team_invitation", kwargs={"token": invitation.token}),
        {"answer": "accept"},
    )

    assert response.status_code == 404
    invitation.refresh_from_db()
    assert invitation.accepted_at is None


def test_team_invitation_without_an_answer_says_so(client):
    proposal = proposal_ready_to_submit()
    invitee = accredited_researcher()
    invitation = services.team_invite(
        proposal=proposal, email=invitee.email, by=proposal.coordinator
    )
    client.force_login(invitee)

    response = client.post(
        reverse("projects:team_invitation", kwargs={"token": invitation.token}), {}
    )

    assert response.status_code == 200
    assert "Select whether you will join the project team." in response.content.decode()


def test_team_invite_refuses_the_same_person_twice(client):
    proposal = proposal_ready_to_submit()
    services.team_invite(proposal=proposal, email="twice@example.org", by=proposal.coordinator)
    client.force_login(proposal.coordinator)

    response = client.post(
        reverse("projects:proposal_section", kwargs={"pk": proposal.pk, "section": "team"}),
        {"action": "invite", "email": "TWICE@example.org"},
    )

    assert response.status_code == 200
    assert "has already been invited to this team" in response.content.decode()
    assert proposal.team.filter(email__iexact="twice@example.org").count() == 1


def test_team_remove_takes_the_member_off(client):
    member = accredited_researcher()
    proposal = proposal_ready_to_submit(members=[member])
    row = proposal.team.get(user=member)
    client.force_login(proposal.coordinator)

    response = client.post(
        reverse("projects:proposal_section", kwargs={"pk": proposal.pk, "section": "team"}),
        {"action": "remove", "member": row.pk},
    )

    assert response.status_code == 302
    assert not proposal.team.filter(user=member).exists()
    assert not user_is_project_member(member, proposal)
    assert AuditEvent.objects.filter(action="proposal.team_remove").exists()


def test_team_remove_keeps_the_coordinator():
    proposal = proposal_ready_to_submit()
    row = proposal.team.get(role=TeamMember.Role.COORDINATOR)

    with pytest.raises(Exception, match="co-ordinator cannot be removed"):
        services.team_remove(proposal=proposal, member=row, by=proposal.coordinator)


def test_accredit_helper_lasts_to_a_late_end_date():
    user = UserFactory(roles=[Role.RESEARCHER])
    late = timezone.localdate() + datetime.timedelta(days=7 * 365)

    accreditation = accredit(user, until=late)

    assert accreditation.valid_until >= late
    assert DatasetFactory().acts.exists()


def test_team_invite_refuses_the_coordinator_themselves():
    proposal = proposal_ready_to_submit()

    with pytest.raises(Exception, match="already on the team as its co-ordinator"):
        services.team_invite(
            proposal=proposal, email=proposal.coordinator.email.upper(), by=proposal.coordinator
        )

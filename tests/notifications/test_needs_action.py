"""Every notice is in the person's list as well as their inbox, names its object and person, and
the list can show only what still asks them to act: an entry closes once the work is done."""

import pytest
from django.urls import reverse

from accreditation import services as accreditation_services
from identity.roles import Role
from notifications.models import Notification
from projects.panel import services as panel_services
from projects.proposal.services import team_accept, team_invite
from projects.screening.services import screening_start
from tests.accreditation.states import provisional_application
from tests.factories import UserFactory
from tests.projects.factories import ProposalFactory
from tests.projects.states import assigned, panel_proposal, panel_ready, proposal_submitted

pytestmark = pytest.mark.django_db

LIST = reverse("notifications:notification_list")
WAITING = f"{LIST}?show=waiting"


@pytest.fixture
def secretariat():
    return UserFactory(roles=[Role.SECRETARIAT], totp=True, full_name="Helen Ashworth")


def _waiting(user):
    return list(
        Notification.objects.filter(recipient=user, needs_action=True, done_at__isnull=True)
    )


def test_screening_notices_name_their_proposal_and_its_coordinator(
    client, secretariat, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        first = proposal_submitted(
            coordinator=UserFactory(roles=[Role.RESEARCHER], full_name="Amara Okafor"),
            title="Census linkage",
        )
        second = proposal_submitted(
            coordinator=UserFactory(roles=[Role.RESEARCHER], full_name="Tomasz Nowak"),
            title="Wage gaps",
        )
    client.force_login(secretariat)

    page = client.get(LIST).content.decode()

    assert "“Census linkage”, from Amara Okafor" in page
    assert "“Wage gaps”, from Tomasz Nowak" in page
    assert {n.about for n in _waiting(secretariat)} == {
        first.notice_about,
        second.notice_about,
    }


def test_a_notice_asking_for_work_waits_until_the_work_is_done(
    client, secretariat, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        proposal = proposal_submitted(title="Census linkage")
    client.force_login(secretariat)
    assert "Needs action (1)" in client.get(LIST).content.decode()
    waiting = client.get(WAITING).content.decode()
    assert "A project proposal is waiting to be screened" in waiting

    colleague = UserFactory(roles=[Role.SECRETARIAT], totp=True)
    with django_capture_on_commit_callbacks(execute=True):
        screening_start(proposal=proposal, by=colleague)

    (notification,) = Notification.objects.filter(
        recipient=secretariat, subject="A project proposal is waiting to be screened"
    )
    assert notification.done_at is not None
    assert notification.read_at is not None  # done means nothing left unread about it
    page = client.get(WAITING).content.decode()
    assert "Needs action (0)" in page
    assert "Nothing is waiting for you" in page


def test_a_supervision_request_is_in_the_supervisors_list_until_answered(
    django_capture_on_commit_callbacks,
):
    application, supervisor = provisional_application()

    (request,) = _waiting(supervisor)
    assert request.subject == "Please confirm you will supervise a researcher"
    assert application.applicant.get_full_name() in request.about
    assert request.link == reverse("accreditation:supervision", kwargs={"pk": application.pk})

    accreditation_services.supervision_confirm(application=application, by=supervisor)

    assert _waiting(supervisor) == []
    told = Notification.objects.get(recipient=application.applicant)
    assert told.subject == "Your supervisor has confirmed"


def test_a_team_invitation_is_in_the_invitees_list_until_answered():
    proposal = ProposalFactory(title="Census linkage")
    invitee = UserFactory(roles=[Role.RESEARCHER], email="ada@example.ac.uk")

    member = team_invite(proposal=proposal, email=invitee.email, by=proposal.coordinator)

    (invitation,) = _waiting(invitee)
    assert invitation.subject == "You have been invited to join a research project"
    assert "“Census linkage”" in invitation.about
    assert invitation.link == reverse("projects:team_invitation", kwargs={"token": member.token})

    team_accept(invitation=member, by=invitee)

    assert _waiting(invitee) == []
    assert Notification.objects.filter(
        recipient=proposal.coordinator, subject="A researcher has joined your project team"
    ).exists()


def test_a_conflict_asks_the_secretariat_for_a_replacement_until_one_is_assigned(secretariat):
    proposal = panel_proposal()
    assignment = assigned(proposal, by=secretariat)
    (review,) = _waiting(assignment.reviewer)
    assert review.subject == "You have been asked to review a project proposal"

    panel_services.conflict_declare(
        assignment=assignment, conflict=True, details="I supervise them.", by=assignment.reviewer
    )

    assert _waiting(assignment.reviewer) == []
    (replacement,) = _waiting(secretariat)
    assert replacement.subject.startswith("A reviewer has declared a conflict of interest")

    assigned(proposal, by=secretariat)

    assert _waiting(secretariat) == []


def test_all_recommendations_in_is_in_the_secretariats_list(secretariat):
    _, assignments = panel_ready(by=secretariat)

    assert [n.subject for n in _waiting(secretariat)] == [
        "The panel's recommendations are in: record the decision"
    ]
    assert all(_waiting(a.reviewer) == [] for a in assignments)

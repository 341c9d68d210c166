"""The close rule as projects sees it: whatever output checking registers in
``projects.hooks`` decides whether a project may close, without projects importing outputs."""

import datetime

import pytest
from django.urls import reverse

from audit.models import AuditEvent
from identity.roles import Role
from projects import hooks
from projects.lifecycle.services import project_close, projects_close_ended
from projects.models import Proposal
from tests.factories import UserFactory
from tests.projects.states import proposal_at
from workflow.errors import TransitionRefused

pytestmark = pytest.mark.django_db
State = Proposal.State
SENTENCE = "Every released output must be published, or the secretariat must record a waiver."


@pytest.fixture
def outputs_unpublished():
    """Register a check that holds every project open, as unpublished outputs would."""

    def holds_open(project):
        return False

    hooks.publication_checks.register(holds_open)
    yield
    hooks.publication_checks.unregister(holds_open)


def ended_project(**kwargs):
    """An active project whose end date has passed, the daily close not yet run."""
    today = datetime.date.today()
    return proposal_at(
        State.ACTIVE,
        start_date=today - datetime.timedelta(days=100),
        end_date=today - datetime.timedelta(days=1),
        **kwargs,
    )


def test_project_close_refused_with_the_sentence_while_a_check_holds_it_open(
    outputs_unpublished,
):
    project = proposal_at(State.ACTIVE)

    with pytest.raises(TransitionRefused) as refused:
        project_close(project=project, by=project.coordinator)

    assert refused.value.reasons == [SENTENCE]
    project.refresh_from_db()
    assert project.state == State.ACTIVE


def test_close_page_shows_the_sentence_and_no_close_button(client, outputs_unpublished):
    project = proposal_at(State.ACTIVE)
    client.force_login(project.coordinator)

    response = client.get(reverse("projects:close", kwargs={"pk": project.pk}))

    assert response.status_code == 200
    assert SENTENCE in response.content.decode()
    assert "Close project</button>" not in response.content.decode()


def test_projects_close_ended_ends_a_held_project_and_tells_its_team_and_the_secretariat_once(
    outputs_unpublished, sent
):
    secretariat = UserFactory(roles=[Role.SECRETARIAT])
    project = ended_project(by=secretariat)

    with sent.capture():
        assert projects_close_ended() == 0
    with sent.capture():
        assert projects_close_ended() == 0

    project.refresh_from_db()
    assert project.state == State.ENDED
    assert project.ended_at is not None
    ended = AuditEvent.objects.filter(action="proposal.end", object_id=str(project.pk))
    assert ended.count() == 1
    assert ended.get().actor is None
    assert [message.to for message in sent.outbox] == [
        [project.coordinator.email],
        [secretariat.email],
    ]
    assert sent.subjects == [
        "Your project has ended",
        "A project has ended but cannot close yet",
    ]
    assert SENTENCE in sent.outbox[1].body


def test_projects_close_ended_closes_a_project_once_nothing_holds_it_open(sent):
    project = ended_project()
    started = AuditEvent.objects.latest("pk").pk

    with sent.capture():
        assert projects_close_ended() == 1

    project.refresh_from_db()
    assert project.state == State.CLOSED
    steps = AuditEvent.objects.filter(
        object_id=str(project.pk), action__startswith="proposal.", pk__gt=started
    )
    assert list(steps.order_by("pk").values_list("from_state", "to_state")) == [
        ("active", "ended"),
        ("ended", "closed"),
    ]
    # It ended and closed in one step of the daily task: the team hears once, that it closed.
    assert sent.subjects == ["Your project has closed"]
    assert "after its end date" in sent.outbox[0].body

import datetime

import pytest
import time_machine
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from accreditation.selectors import accreditation_active_for
from accreditation.services import accreditation_suspend
from audit.models import AuditEvent
from audit.personal import events_open
from identity.roles import Role
from projects import hooks
from projects.lifecycle.services import (
    project_activate,
    project_close,
    project_end,
    project_reopen,
    projects_close_ended,
)
from projects.models import Proposal
from projects.tasks import close_ended_projects
from tests.factories import UserFactory
from tests.projects.factories import accredit
from tests.projects.states import proposal_at
from workflow.errors import TransitionNotPermitted, TransitionRefused
from workflow.services import transition_fire

pytestmark = pytest.mark.django_db
State = Proposal.State
TODAY = datetime.date(2027, 3, 1)


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(datetime.datetime(2027, 3, 1, 9, tzinfo=datetime.UTC), tick=False):
        yield


def researcher_with_two_factor():
    """Nobody starts a project without a second factor, so its team has one."""
    return UserFactory(roles=[Role.RESEARCHER], totp=True)


def approved(**kwargs):
    """A project approved with conditions by the panel, or taken to ``state``, through the
    services."""
    state = kwargs.pop("state", State.APPROVED_WITH_CONDITIONS)
    kwargs.setdefault("coordinator", researcher_with_two_factor())
    return proposal_at(state, **kwargs)


def test_project_activate_by_the_coordinator_on_the_start_date_makes_it_active_and_tells_the_team(
    eager_celery, mailoutbox, django_capture_on_commit_callbacks
):
    member = researcher_with_two_factor()
    project = approved(start_date=TODAY, team=[member])
    accredit(member, until=project.end_date)

    with django_capture_on_commit_callbacks(execute=True):
        project = project_activate(project=project, by=project.coordinator)

    assert project.state == State.ACTIVE
    assert project.activated_at is not None
    assert AuditEvent.objects.filter(action="proposal.activate", object_id=str(project.pk)).exists()
    # The co-ordinator activated it, so only the rest of the team needs telling.
    assert [message.to for message in mailoutbox] == [[member.email]]
    assert "is now active" in mailoutbox[0].body


def test_project_activate_before_the_start_date_is_refused_in_words():
    project = approved(start_date=TODAY + datetime.timedelta(days=1))

    with pytest.raises(TransitionRefused) as refused:
        project_activate(project=project, by=project.coordinator)

    assert refused.value.reasons == ["A project can be activated on or after its start date."]
    project.refresh_from_db()
    assert project.state == State.APPROVED_WITH_CONDITIONS


def test_project_activate_refused_when_a_team_member_is_no_longer_accredited_to_the_end():
    member = UserFactory(roles=[Role.RESEARCHER])
    project = approved(team=[member])
    accreditation_suspend(
        accreditation=accreditation_active_for(member),
        reasons="Under investigation.",
        by=UserFactory(roles=[Role.SECRETARIAT], totp=True),
    )

    with pytest.raises(TransitionRefused) as refused:
        project_activate(project=project, by=project.coordinator)

    assert (
        "Every team member, the co-ordinator included, must still hold active accreditation "
        "lasting to the project's end date." in refused.value.reasons
    )


def test_project_activate_refused_for_anyone_but_the_coordinator():
    project = approved()
    secretariat = UserFactory(roles=[Role.SECRETARIAT], totp=True)

    with pytest.raises(PermissionDenied):
        project_activate(project=project, by=secretariat)


def test_project_activate_refused_before_a_decision():
    project = approved(state=State.PANEL_REVIEW)

    with pytest.raises(TransitionRefused):
        project_activate(project=project, by=project.coordinator)


def test_project_close_early_by_the_coordinator_records_the_reason(
    eager_celery, mailoutbox, django_capture_on_commit_callbacks
):
    member = UserFactory(roles=[Role.RESEARCHER])
    project = approved(state=State.ACTIVE, team=[member])

    with django_capture_on_commit_callbacks(execute=True):
        project = project_close(project=project, by=project.coordinator, reason="Work finished")

    assert project.state == State.CLOSED
    assert project.closed_at is not None
    (event,) = events_open(
        [AuditEvent.objects.get(action="proposal.close", object_id=str(project.pk))]
    )
    assert event.payload == {}
    assert event.shown.payload == {"reason": "Work finished"}
    assert [message.to for message in mailoutbox] == [[member.email]]
    assert "before its end date" in mailoutbox[0].body
    assert "Reason given: Work finished" in mailoutbox[0].body


def test_project_close_refused_for_a_team_member_who_is_not_the_coordinator():
    member = UserFactory(roles=[Role.RESEARCHER])
    project = approved(state=State.ACTIVE, team=[member])

    with pytest.raises(PermissionDenied):
        project_close(project=project, by=member)


def test_projects_close_ended_closes_only_active_projects_past_their_end_date():
    ended = approved(
        state=State.ACTIVE,
        start_date=TODAY - datetime.timedelta(days=100),
        end_date=TODAY - datetime.timedelta(days=1),
    )
    last_day = approved(
        state=State.ACTIVE, start_date=TODAY - datetime.timedelta(days=100), end_date=TODAY
    )
    not_started = approved(
        start_date=TODAY - datetime.timedelta(days=100),
        end_date=TODAY - datetime.timedelta(days=1),
    )

    assert projects_close_ended() == 1

    states = dict(Proposal.objects.values_list("pk", "state"))
    assert states[ended.pk] == State.CLOSED
    assert states[last_day.pk] == State.ACTIVE
    assert states[not_started.pk] == State.APPROVED_WITH_CONDITIONS
    event = AuditEvent.objects.get(action="proposal.close", object_id=str(ended.pk))
    assert event.actor is None


def test_projects_close_ended_run_twice_closes_once():
    approved(state=State.ACTIVE, end_date=TODAY + datetime.timedelta(days=10))

    with time_machine.travel(TODAY + datetime.timedelta(days=11)):
        assert close_ended_projects() == 1
        assert close_ended_projects() == 0

    assert AuditEvent.objects.filter(action="proposal.close").count() == 1


def test_close_ended_projects_beat_entry_runs_daily():
    entry = next(
        entry
        for entry in settings.CELERY_BEAT_SCHEDULE.values()
        if entry["task"] == "projects.tasks.close_ended_projects"
    )

    assert entry["schedule"].hour == {0}


def test_activate_page_lists_unmet_conditions_and_activates_when_met(client):
    waiting = approved(start_date=TODAY + datetime.timedelta(days=3))
    client.force_login(waiting.coordinator)

    page = client.get(reverse("projects:activate", kwargs={"pk": waiting.pk}))
    assert page.status_code == 200
    assert "A project can be activated on or after its start date." in page.text

    refused = client.post(reverse("projects:activate", kwargs={"pk": waiting.pk}))
    assert refused.status_code == 200
    assert "There is a problem" in refused.text

    ready = approved(start_date=TODAY, coordinator=waiting.coordinator)
    response = client.post(reverse("projects:activate", kwargs={"pk": ready.pk}))
    assert response.status_code == 302
    ready.refresh_from_db()
    assert ready.state == State.ACTIVE


def test_activate_page_is_not_found_for_someone_outside_the_project(client):
    project = approved()
    client.force_login(UserFactory(roles=[Role.RESEARCHER]))

    assert client.get(reverse("projects:activate", kwargs={"pk": project.pk})).status_code == 404


def test_close_page_closes_the_project_early(client):
    project = approved(state=State.ACTIVE)
    client.force_login(project.coordinator)
    page = client.get(reverse("projects:close", kwargs={"pk": project.pk})).content.decode()
    assert "This cannot be undone: a closed project cannot be reopened." in page
    assert "The team loses access to the project" in page
    assert "output requests not yet released can no longer be checked or released" in page
    project.refresh_from_db()
    assert project.state == State.ACTIVE

    response = client.post(
        reverse("projects:close", kwargs={"pk": project.pk}), {"reason": "Funding ended"}
    )

    assert response.status_code == 302
    project.refresh_from_db()
    assert project.state == State.CLOSED
    assert timezone.localdate(project.closed_at) == TODAY


# The end date: the project's access ends, whatever is still open.


@pytest.fixture
def held_open():
    """A check that holds every project open, as unpublished outputs would; ``held_open.clear()``
    lets them close."""

    class HeldOpen:
        holding = True

        def check(self, project):
            return not self.holding

        def clear(self):
            self.holding = False

    held = HeldOpen()
    hooks.publication_checks.register(held.check)
    yield held
    hooks.publication_checks.unregister(held.check)


def ended_on(end_date, **kwargs):
    return approved(
        state=kwargs.pop("state", State.ACTIVE),
        start_date=end_date - datetime.timedelta(days=200),
        end_date=end_date,
        **kwargs,
    )


def test_projects_close_ended_ends_a_project_held_open_and_only_the_service_closes_it(held_open):
    project = ended_on(TODAY - datetime.timedelta(days=1))

    assert projects_close_ended() == 0

    project.refresh_from_db()
    assert project.state == State.ENDED
    assert timezone.localdate(project.ended_at) == TODAY
    with pytest.raises(PermissionDenied):
        project_close(project=project, by=project.coordinator)

    held_open.clear()
    assert projects_close_ended() == 1
    project.refresh_from_db()
    assert project.state == State.CLOSED
    assert AuditEvent.objects.get(action="proposal.close", object_id=str(project.pk)).actor is None


def test_project_end_refused_until_the_end_date_has_passed():
    project = ended_on(TODAY)

    with pytest.raises(TransitionRefused) as refused:
        project_end(project=project)

    assert refused.value.reasons == ["The project's end date has passed."]


def test_project_end_and_reopen_refused_for_a_person():
    project = ended_on(TODAY - datetime.timedelta(days=1))
    ended = ended_on(TODAY - datetime.timedelta(days=1), state=State.ENDED)

    with pytest.raises(TransitionNotPermitted):
        transition_fire(obj=project, transition="end", by=project.coordinator)
    with pytest.raises(TransitionNotPermitted):
        transition_fire(obj=ended, transition="reopen", by=ended.coordinator)


def test_project_checking_grace_lasts_the_settings_days_after_the_end_date(settings):
    settings.PROJECT_END_GRACE_DAYS = 10

    assert ended_on(TODAY).checking_grace_until == TODAY + datetime.timedelta(days=10)


def test_projects_close_ended_asks_output_checking_to_close_what_is_open_after_the_grace_period(
    settings, held_open
):
    settings.PROJECT_END_GRACE_DAYS = 10
    asked = []

    def close_unreleased(*, project):
        asked.append(project.pk)
        return 0

    last_day = ended_on(TODAY - datetime.timedelta(days=10), state=State.ENDED)
    over = ended_on(TODAY - datetime.timedelta(days=11), state=State.ENDED)
    hooks.grace_over.register(close_unreleased)
    try:
        projects_close_ended()
    finally:
        hooks.grace_over.unregister(close_unreleased)

    assert asked == [over.pk]
    assert last_day.checking_grace_until == TODAY


def test_project_reopen_refused_while_the_end_date_is_still_past():
    project = ended_on(TODAY - datetime.timedelta(days=1), state=State.ENDED)

    with pytest.raises(TransitionRefused) as refused:
        project_reopen(project=project)

    assert refused.value.reasons == [
        "An ended project reopens only when an approved amendment has moved its end date to "
        "today or later."
    ]


# The pages people read an ended project on.


def test_project_page_of_an_ended_project_says_what_is_left_and_links_the_outputs(client):
    member = UserFactory(roles=[Role.RESEARCHER])
    project = ended_on(TODAY - datetime.timedelta(days=1), state=State.ENDED, team=[member])
    client.force_login(member)

    page = client.get(reverse("projects:proposal_detail", kwargs={"pk": project.pk}))

    assert page.status_code == 200
    assert '<strong class="govuk-tag govuk-tag--yellow">Ended</strong>' in page.text
    assert "until 30 March 2027" in page.text
    requests = reverse("outputs:output_request_list", kwargs={"project_pk": project.pk})
    released = reverse("outputs:project_outputs", kwargs={"project_pk": project.pk})
    assert f'id="output-requests" href="{requests}"' in page.text
    assert f'id="released-outputs" href="{released}"' in page.text
    assert "Close the project" not in page.text


def test_close_page_of_an_ended_project_says_the_service_closes_it_and_what_holds_it(
    client, held_open
):
    project = ended_on(TODAY - datetime.timedelta(days=1), state=State.ENDED)
    client.force_login(project.coordinator)

    page = client.get(reverse("projects:close", kwargs={"pk": project.pk}))
    refused = client.post(reverse("projects:close", kwargs={"pk": project.pk}))

    assert "The service closes it by itself once nothing is left open." in page.text
    assert "Every released output must be published" in page.text
    assert "Close project</button>" not in page.text
    assert refused.status_code == 403
    project.refresh_from_db()
    assert project.state == State.ENDED


def test_secretariat_list_finds_ended_projects_and_tags_them(client):
    ended = ended_on(TODAY - datetime.timedelta(days=1), state=State.ENDED)
    approved(state=State.ACTIVE)
    client.force_login(UserFactory(roles=[Role.SECRETARIAT], totp=True))

    page = client.get(reverse("projects:secretariat_list"), {"state": "ended"})

    assert page.status_code == 200
    assert ended.title in page.text
    assert page.text.count("govuk-tag--yellow") == 1

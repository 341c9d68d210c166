"""Scheduling the start of an approved project: the activate page says when it can start, the
co-ordinator schedules the start, and the service starts it on the day under the same
conditions as a start by hand, or tells the co-ordinator what is missing."""

import datetime

import pytest
import time_machine
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from audit.models import AuditEvent
from identity.roles import Role
from notifications.models import Notification
from projects.lifecycle.services import (
    project_activate,
    project_start_schedule,
    project_start_unschedule,
    projects_start_scheduled,
)
from projects.models import Proposal
from projects.tasks import start_scheduled_projects
from tests.factories import UserFactory
from tests.projects.factories import ProposalFactory, accredit
from workflow.errors import TransitionNotPermitted, TransitionRefused
from workflow.services import transition_fire

pytestmark = pytest.mark.django_db
State = Proposal.State
TODAY = datetime.date(2027, 3, 1)
START = datetime.date(2027, 3, 4)


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(datetime.datetime(2027, 3, 1, 9, tzinfo=datetime.UTC), tick=False):
        yield


def on(day):
    """Time travel to 00:25 on ``day``, when the nightly start runs."""
    return time_machine.travel(
        datetime.datetime.combine(day, datetime.time(0, 25), tzinfo=datetime.UTC), tick=False
    )


def researcher():
    # Two factors, so nothing but what a test means to leave unmet holds a start back.
    return UserFactory(roles=[Role.RESEARCHER], totp=True)


def approved(**kwargs):
    kwargs.setdefault("state", State.APPROVED_WITH_CONDITIONS)
    kwargs.setdefault("coordinator", researcher())
    kwargs.setdefault("start_date", START)
    return ProposalFactory(**kwargs)


def activate_url(project):
    return reverse("projects:activate", kwargs={"pk": project.pk})


def schedule_url(project):
    return reverse("projects:schedule_start", kwargs={"pk": project.pk})


# The pages


def test_activate_page_before_the_start_date_says_the_date_and_the_start_can_be_scheduled(
    client,
):
    project = approved()
    client.force_login(project.coordinator)

    page = client.get(activate_url(project)).text
    assert "The project can start on 4 March 2027, its start date." in page
    assert f'href="{schedule_url(project)}"' in page

    schedule_page = client.get(schedule_url(project))
    assert schedule_page.status_code == 200
    assert "The project will start itself on 4 March 2027" in schedule_page.text
    response = client.post(schedule_url(project), {"action": "schedule"}, follow=True)

    assert response.redirect_chain[-1][0] == activate_url(project)
    assert "will start itself on 4 March 2027, if every condition is met that day" in response.text
    project.refresh_from_db()
    assert project.start_scheduled_by == project.coordinator
    assert project.state == State.APPROVED_WITH_CONDITIONS


def test_project_page_leads_the_coordinator_to_the_start_before_the_start_date(client):
    project = approved()
    client.force_login(project.coordinator)

    page = client.get(reverse("projects:proposal_detail", kwargs={"pk": project.pk})).text

    assert f'href="{activate_url(project)}"' in page


def test_schedule_page_refusal_is_shown_as_an_error_summary(client):
    project = approved(start_date=TODAY)
    client.force_login(project.coordinator)

    response = client.post(schedule_url(project), {"action": "schedule"})

    assert response.status_code == 200
    assert "There is a problem" in response.text
    assert "The project&#x27;s start date has come: start it now instead." in response.text
    project.refresh_from_db()
    assert project.start_scheduled_at is None


def test_schedule_page_is_refused_to_a_team_member_and_not_found_by_others(client):
    member = researcher()
    project = approved(team=[member])
    client.force_login(member)
    assert client.post(schedule_url(project), {"action": "schedule"}).status_code == 403

    client.force_login(researcher())
    assert client.get(schedule_url(project)).status_code == 404
    project.refresh_from_db()
    assert project.start_scheduled_at is None


# The services


def test_project_start_schedule_is_audited_and_scheduling_twice_changes_nothing():
    project = approved()

    project_start_schedule(project=project, by=project.coordinator)
    project_start_schedule(project=project, by=project.coordinator)

    events = AuditEvent.objects.filter(action="proposal.start_schedule")
    assert events.count() == 1
    assert events.get().actor == project.coordinator
    assert events.get().payload == {"start_date": "2027-03-04"}


def test_project_start_schedule_refused_for_anyone_but_the_coordinator():
    member = researcher()
    project = approved(team=[member])

    with pytest.raises(PermissionDenied) as refused:
        project_start_schedule(project=project, by=member)
    assert str(refused.value) == "Only the project's co-ordinator can schedule its start."


@pytest.mark.parametrize(
    ("kwargs", "reason"),
    [
        ({"start_date": TODAY}, "The project's start date has come: start it now instead."),
        (
            {"state": State.PANEL_REVIEW},
            "Only an approved project that has not started yet can be scheduled to start.",
        ),
    ],
)
def test_project_start_schedule_refused_in_words(kwargs, reason):
    project = approved(**kwargs)

    with pytest.raises(TransitionRefused) as refused:
        project_start_schedule(project=project, by=project.coordinator)

    assert refused.value.reasons == [reason]


def test_the_service_cannot_start_a_project_whose_start_was_not_scheduled():
    project = approved(start_date=TODAY)

    with pytest.raises(TransitionNotPermitted):
        transition_fire(obj=project, transition="activate", by=None)

    with on(START):
        assert projects_start_scheduled() == 0
    project.refresh_from_db()
    assert project.state == State.APPROVED_WITH_CONDITIONS


def test_scheduled_project_starts_itself_on_its_start_date_as_the_service_and_the_team_is_told(
    sent,
):
    member = researcher()
    project = approved(team=[member])
    accredit(member, until=project.end_date)
    project_start_schedule(project=project, by=project.coordinator)

    with on(START - datetime.timedelta(days=1)):
        assert projects_start_scheduled() == 0
    with on(START), sent.capture():
        assert start_scheduled_projects() == 1

    project.refresh_from_db()
    assert project.state == State.ACTIVE
    event = AuditEvent.objects.get(action="proposal.activate")
    assert event.actor is None
    assert event.payload == {"scheduled_by": project.coordinator.pk}
    assert "Your project is active" in [message.subject for message in sent.to(member.email)]


def test_scheduled_start_run_twice_starts_once():
    project = approved()
    project_start_schedule(project=project, by=project.coordinator)

    with on(START):
        assert projects_start_scheduled() == 1
        assert projects_start_scheduled() == 0

    assert AuditEvent.objects.filter(action="proposal.activate").count() == 1


def test_scheduled_start_with_an_unmet_condition_tells_the_coordinator_once(sent):
    member = researcher()
    project = approved(team=[member])
    # Accredited today, but not to the project's end date.
    accredit(member, valid_until=START + datetime.timedelta(days=30))
    project_start_schedule(project=project, by=project.coordinator)

    with on(START), sent.capture():
        assert projects_start_scheduled() == 0
        assert projects_start_scheduled() == 0

    project.refresh_from_db()
    assert project.state == State.APPROVED_WITH_CONDITIONS
    assert project.start_scheduled_at is None
    reason = (
        "Every team member, the co-ordinator included, must still hold active accreditation "
        "lasting to the project's end date."
    )
    refused = AuditEvent.objects.get(action="proposal.start_schedule_refused")
    assert refused.actor is None
    assert refused.payload == {"reasons": [reason]}
    notice = Notification.objects.get(recipient=project.coordinator)
    assert notice.subject == f"“{project.title}” could not start on 4 March 2027"
    assert reason in notice.body
    assert notice.link == activate_url(project)
    emails = sent.to(project.coordinator.email)
    assert len(emails) == 1
    assert reason in emails[0].body


def test_project_start_unschedule_stops_the_start_and_is_audited(client):
    project = approved()
    project_start_schedule(project=project, by=project.coordinator)
    client.force_login(project.coordinator)

    page = client.get(activate_url(project)).text
    assert "The project will start itself on 4 March 2027" in page
    response = client.post(schedule_url(project), {"action": "unschedule"}, follow=True)

    assert "will not start itself: start it by hand" in response.text
    project.refresh_from_db()
    assert project.start_scheduled_at is None
    assert AuditEvent.objects.get(action="proposal.start_unschedule").actor == project.coordinator
    with on(START):
        assert projects_start_scheduled() == 0
    project_start_unschedule(project=project, by=project.coordinator)
    assert AuditEvent.objects.filter(action="proposal.start_unschedule").count() == 1


def test_a_scheduled_project_can_still_be_started_by_hand_on_its_start_date():
    project = approved()
    project_start_schedule(project=project, by=project.coordinator)

    with on(START):
        project = project_activate(project=project, by=project.coordinator)
        assert projects_start_scheduled() == 0

    assert project.state == State.ACTIVE


def test_start_scheduled_projects_beat_entry_runs_daily_after_the_expiries():
    entries = {entry["task"]: entry for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    start = entries["projects.tasks.start_scheduled_projects"]["schedule"]
    expiry = entries["accreditation.tasks.expire_lapsed_accreditations"]["schedule"]

    assert start.hour == {0}
    assert min(start.minute) > min(expiry.minute)

"""A project's access ends at its end date, whatever is still open: no output request can be
started or sent after it; what was sent by then may be checked and released during the grace
period, and is closed unreleased after it; publication can still be recorded and waived, and
the last one closes the project."""

import datetime
from types import SimpleNamespace

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from audit.models import AuditEvent
from identity.roles import Role
from notifications.models import Notification
from outputs import conditions
from outputs.models import OutputRequest
from outputs.publication.services import publication_record, waiver_record
from outputs.release.services import output_request_release
from outputs.request.services import (
    PROJECT_NOT_ACTIVE,
    output_request_create,
    output_request_submit,
)
from outputs.review.selectors import (
    checker_queue_page,
    checker_queue_summary,
    checking_open_filter,
)
from outputs.review.services import file_vote_set, output_request_approve, output_request_return
from projects.lifecycle.services import projects_close_ended
from projects.models import Proposal
from tests.factories import UserFactory
from tests.notifications.reminder_helpers import sweep_on
from tests.outputs.factories import OutputRequestFactory
from tests.outputs.states import (
    checker,
    current_files,
    files_of,
    group_form,
    group_url,
    output_request_at,
    output_request_ready,
    output_request_submitted,
    publish_all,
    released_request,
    review_with,
)
from tests.projects.factories import accredited_researcher
from tests.projects.states import project_closed, proposal_at
from workflow.errors import TransitionRefused
from workflow.graph import sentence
from workflow.services import transition_fire

pytestmark = pytest.mark.django_db
State = OutputRequest.State
ProjectState = Proposal.State
DAY = datetime.timedelta(days=1)
END = datetime.date(2027, 2, 26)
GRACE_DAYS = 30
LAST_GRACE_DAY = END + GRACE_DAYS * DAY
CHECKING_CLOSED = sentence(conditions.checking_open)
CANNOT_SEND = sentence(conditions.project_active)


def at(day, hour=10):
    """``hour`` o'clock on ``day`` in London (winter and spring: UTC)."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


@pytest.fixture
def clock(settings):
    settings.PROJECT_END_GRACE_DAYS = GRACE_DAYS
    with time_machine.travel(at(END - 7 * DAY), tick=False) as traveller:
        yield traveller


@pytest.fixture
def ended(clock):
    """A project whose end date passed with a released output unpublished, a request with the
    checkers and a draft ready to send, after the daily close on the day after its end date."""
    member = accredited_researcher()
    project = proposal_at(
        ProjectState.ACTIVE, start_date=END - 200 * DAY, end_date=END, team=[member]
    )
    released = released_request(project=project)
    in_checking = output_request_submitted(project=project, author=member)
    draft = output_request_ready(project=project, author=member)
    clock.move_to(at(END + DAY, hour=0))

    projects_close_ended()

    project.refresh_from_db()
    return SimpleNamespace(
        project=project,
        member=member,
        released=released,
        in_checking=in_checking,
        draft=draft,
        clock=clock,
    )


def approved_in_grace(output_request):
    """``output_request``, sent by the end date, reviewed and approved by two checkers."""
    one = checker()
    review_with(output_request, one)
    review_with(output_request, checker())
    return output_request_approve(output_request=output_request, by=one)


def state_of(output_request):
    return OutputRequest.objects.get(pk=output_request.pk).state


# The daily close ends it; nothing new can be started or sent.


def test_project_past_its_end_date_with_unpublished_outputs_ends_at_the_daily_close(ended):
    assert ended.project.state == ProjectState.ENDED
    event = AuditEvent.objects.get(action="proposal.end", object_id=str(ended.project.pk))
    assert (event.from_state, event.to_state, event.actor) == ("active", "ended", None)
    # What was open stays as it was until the grace period is over.
    assert state_of(ended.in_checking) == State.SUBMITTED
    assert state_of(ended.draft) == State.DRAFT


def test_ended_project_refuses_a_new_output_request(ended):
    with pytest.raises(ValidationError) as refused:
        output_request_create(project=ended.project, by=ended.member, title="More tables")

    assert refused.value.messages == [PROJECT_NOT_ACTIVE]
    assert OutputRequest.objects.filter(project=ended.project).count() == 3


def test_ended_project_refuses_a_submission(ended):
    with pytest.raises(TransitionRefused) as refused:
        output_request_submit(output_request=ended.draft, by=ended.member)

    assert refused.value.reasons == [CANNOT_SEND]
    assert state_of(ended.draft) == State.DRAFT


def test_submission_refused_after_the_end_date_before_the_daily_close(clock):
    project = proposal_at(ProjectState.ACTIVE, end_date=END, start_date=END - 90 * DAY)
    draft = output_request_ready(project=project)
    clock.move_to(at(END + DAY, hour=0))

    with pytest.raises(TransitionRefused) as refused:
        output_request_submit(output_request=draft, by=draft.author)
    with pytest.raises(ValidationError):
        output_request_create(project=project, by=project.coordinator, title="More tables")

    assert refused.value.reasons == [CANNOT_SEND]


# The grace period: what was sent by the end date may still be checked and released.


def test_request_sent_by_the_end_date_is_checked_and_released_within_the_grace_period(ended):
    ended.clock.move_to(at(LAST_GRACE_DAY))
    one, two = checker(), checker()

    review_with(ended.in_checking, one)
    review_with(ended.in_checking, two)
    approved = transition_fire(obj=ended.in_checking, transition="approve", by=one)
    released = output_request_release(output_request=approved, by=two)

    assert released.state == State.RELEASED
    ended.project.refresh_from_db()
    assert ended.project.state == ProjectState.ENDED


def test_ended_project_refuses_a_release_after_the_grace_period(ended):
    approved = approved_in_grace(ended.in_checking)
    ended.clock.move_to(at(LAST_GRACE_DAY + DAY, hour=0))

    with pytest.raises(TransitionRefused) as refused:
        output_request_release(output_request=approved, by=checker())

    assert refused.value.reasons == [CHECKING_CLOSED]
    assert state_of(approved) == State.APPROVED


def test_ended_project_refuses_a_release_of_a_request_sent_after_its_end_date(ended):
    approved = approved_in_grace(ended.in_checking)
    # No service sends a request after the project's end date; the guard holds against such a
    # row all the same.
    OutputRequest.objects.filter(pk=approved.pk).update(submitted_at=at(END + DAY, hour=0))

    with pytest.raises(TransitionRefused) as refused:
        output_request_release(output_request=approved, by=checker())

    assert refused.value.reasons == [CHECKING_CLOSED]


def test_ended_project_refuses_votes_after_the_grace_period(ended):
    ended.clock.move_to(at(LAST_GRACE_DAY + DAY, hour=0))

    with pytest.raises(TransitionRefused) as refused:
        file_vote_set(output_file=files_of(ended.in_checking)[0], vote="approve", by=checker())

    assert refused.value.reasons == [CHECKING_CLOSED]


def test_ended_project_refuses_a_return_for_changes_it_could_not_answer(ended):
    one, two = checker(), checker()
    review_with(ended.in_checking, one, vote="changes")
    reviewed = review_with(ended.in_checking, two, vote="changes")

    with pytest.raises(TransitionRefused) as refused:
        output_request_return(output_request=reviewed, by=one)

    assert refused.value.reasons[0] == sentence(conditions.can_be_sent_again)
    assert state_of(reviewed) == State.REVIEWED


def test_checker_queue_says_by_when_an_ended_projects_request_must_be_released(ended, client):
    client.force_login(checker())

    text = client.get(reverse("outputs:queue")).content.decode()

    # 30 days after 26 February 2027.
    assert "Project ended: release by 28 Mar 2027 or it closes unreleased" in text
    review_page = reverse("outputs:review", kwargs={"pk": ended.in_checking.pk})
    assert f'href="{review_page}"' in text


def test_checker_queue_shows_grace_period_requests_and_never_those_that_cannot_be_released(
    ended,
):
    # No service sends a request after the project's end date: a row made directly, to show
    # the queue never lists one.
    sent_late = OutputRequestFactory(
        project=ended.project, state=State.SUBMITTED, submitted_at=at(END + DAY, hour=0)
    )
    someone = checker()

    assert [r.pk for r in checker_queue_page(user=someone).object_list] == [ended.in_checking.pk]
    assert checker_queue_summary(user=someone)["waiting"] == 1

    ended.clock.move_to(at(LAST_GRACE_DAY + DAY, hour=0))
    assert checker_queue_page(user=someone).object_list == []
    assert checker_queue_summary(user=someone)["waiting"] == 0
    assert sent_late.pk not in [r.pk for r in checker_queue_page(user=someone).object_list]


@pytest.mark.parametrize(
    ("project_state", "sent", "today", "open_"),
    [
        (ProjectState.ACTIVE, END + DAY, END + 60 * DAY, True),
        (ProjectState.ENDED, END, END + DAY, True),
        (ProjectState.ENDED, END, LAST_GRACE_DAY, True),
        (ProjectState.ENDED, END, LAST_GRACE_DAY + DAY, False),
        (ProjectState.ENDED, END + DAY, END + DAY, False),
        (ProjectState.CLOSED, END - DAY, END + DAY, False),
    ],
)
def test_checking_open_filter_agrees_with_the_condition(clock, project_state, sent, today, open_):
    # The filter and the condition are compared on every combination of project state and
    # sending day, including those no service produces (a request sent after the end date), so
    # the rows are made directly.
    output_request = OutputRequestFactory(
        project=proposal_at(project_state, end_date=END, start_date=END - 90 * DAY),
        state=State.SUBMITTED,
        submitted_at=at(sent, hour=23),
    )
    clock.move_to(at(today))

    assert conditions.checking_open(output_request) is open_
    in_filter = OutputRequest.objects.filter(checking_open_filter(), pk=output_request.pk)
    assert in_filter.exists() is open_


# After the grace period: what is left is closed unreleased, with a notice.


def test_daily_close_after_the_grace_period_closes_unfinished_requests_unreleased_with_a_notice(
    ended, sent
):
    ended.clock.move_to(at(LAST_GRACE_DAY, hour=0))
    projects_close_ended()
    assert state_of(ended.in_checking) == State.SUBMITTED

    ended.clock.move_to(at(LAST_GRACE_DAY + DAY, hour=0))
    with sent.capture():
        projects_close_ended()
    with sent.capture():
        projects_close_ended()

    assert state_of(ended.in_checking) == State.LAPSED
    assert state_of(ended.draft) == State.LAPSED
    assert state_of(ended.released) == State.RELEASED
    lapsed = AuditEvent.objects.filter(action="output_request.lapse")
    assert lapsed.count() == 2
    assert set(lapsed.values_list("actor", flat=True)) == {None}
    assert sorted(sent.subjects) == ["Your output request has been closed unreleased"] * 4
    told = sorted(address for message in sent.outbox for address in message.to)
    assert told == sorted([ended.member.email, ended.project.coordinator.email] * 2)
    assert LAST_GRACE_DAY.strftime("%-d %B %Y") in sent.outbox[0].body
    # The released output is still unpublished, so the project stays ended.
    ended.project.refresh_from_db()
    assert ended.project.state == ProjectState.ENDED


def test_lapse_refused_during_the_grace_period(ended):
    ended.clock.move_to(at(LAST_GRACE_DAY))

    with pytest.raises(TransitionRefused) as refused:
        transition_fire(obj=ended.in_checking, transition="lapse", by=None)

    assert refused.value.reasons == [sentence(conditions.grace_period_over)]


# Publication is still recorded and waived, and the last one closes the project.


def test_recording_the_last_publication_closes_the_ended_project(ended, sent):
    ended.clock.move_to(at(LAST_GRACE_DAY + DAY, hour=0))
    projects_close_ended()
    ended.project.refresh_from_db()
    assert ended.project.state == ProjectState.ENDED

    with sent.capture():
        publish_all(ended.released, ended.member)

    ended.project.refresh_from_db()
    assert ended.project.state == ProjectState.CLOSED
    event = AuditEvent.objects.get(action="proposal.close", object_id=str(ended.project.pk))
    assert (event.from_state, event.actor) == ("ended", None)
    assert "Your project has closed" in sent.subjects


def test_publication_recorded_while_a_request_is_with_the_checkers_keeps_the_project_ended(
    ended,
):
    publish_all(ended.released, ended.member)

    ended.project.refresh_from_db()
    assert ended.project.state == ProjectState.ENDED

    ended.clock.move_to(at(LAST_GRACE_DAY + DAY, hour=0))
    assert projects_close_ended() == 1
    ended.project.refresh_from_db()
    assert ended.project.state == ProjectState.CLOSED


def test_waiver_closes_the_ended_project_once_nothing_is_with_the_checkers(ended):
    secretariat = UserFactory(roles=[Role.SECRETARIAT], totp=True)
    ended.clock.move_to(at(LAST_GRACE_DAY + DAY, hour=0))
    projects_close_ended()

    waiver_record(project=ended.project, reasons="The journal's embargo.", by=secretariat)

    ended.project.refresh_from_db()
    assert ended.project.state == ProjectState.CLOSED


def test_unpublished_outputs_of_an_ended_project_are_still_reminded(ended, sent):
    due = timezone.localdate(ended.released.released_at) + 90 * DAY

    assert sweep_on(due, kinds=["outputs_unpublished"], sent=sent) == {"outputs_unpublished": 1}
    ended.project.refresh_from_db()
    assert ended.project.state == ProjectState.ENDED
    assert sorted(message.to[0] for message in sent.outbox) == sorted(
        [ended.project.coordinator.email, ended.member.email]
    )


def test_overdue_checks_are_reminded_only_while_the_request_can_still_be_checked(clock):
    checker()
    sent_on = END - 30 * DAY

    def submitted_in_a_project():
        return output_request_at(
            State.SUBMITTED,
            on=at(sent_on),
            project__start_date=END - 90 * DAY,
            project__end_date=END,
        )

    submitted_in_a_project()
    closed_early = submitted_in_a_project().project
    project_closed(closed_early)

    counts = sweep_on(sent_on + 14 * DAY, kinds=["output_checks_overdue"])

    # One checker, told of the one request they may still check.
    assert counts == {"output_checks_overdue": 1}
    assert list(
        Notification.objects.filter(kind="output_checks_overdue").values_list("body", flat=True)
    ) == ["An output request you can check is past its service level."]


# The pages: a refused step says why in a GOV.UK error, never a server error.


def test_output_requests_page_of_an_ended_project_says_why_nothing_can_be_started(client, ended):
    client.force_login(ended.member)

    page = client.get(
        reverse("outputs:output_request_list", kwargs={"project_pk": ended.project.pk})
    )

    assert page.status_code == 200
    assert "Start an output request" not in page.text
    assert "This project ended on 26 February 2027" in page.text
    assert "until 28 March 2027" in page.text


def test_start_page_of_an_ended_project_refuses_with_an_error_summary(client, ended):
    client.force_login(ended.member)
    url = reverse("outputs:output_request_create", kwargs={"project_pk": ended.project.pk})

    response = client.post(url, {"title": "More tables"})

    assert response.status_code == 200
    assert "There is a problem" in response.text
    assert PROJECT_NOT_ACTIVE in response.text
    assert OutputRequest.objects.filter(project=ended.project).count() == 3


def test_submit_page_of_an_ended_project_refuses_with_the_reason(client, ended):
    client.force_login(ended.member)

    response = client.post(reverse("outputs:output_request_submit", kwargs={"pk": ended.draft.pk}))

    assert response.status_code == 200
    assert "There is a problem" in response.text
    assert CANNOT_SEND in response.text
    assert state_of(ended.draft) == State.DRAFT


def test_release_page_after_the_grace_period_refuses_with_the_reason(client, ended):
    approved = approved_in_grace(ended.in_checking)
    ended.clock.move_to(at(LAST_GRACE_DAY + DAY, hour=0))
    client.force_login(checker())

    page = client.get(reverse("outputs:release", kwargs={"pk": approved.pk}))
    response = client.post(reverse("outputs:release", kwargs={"pk": approved.pk}))

    assert escape(CHECKING_CLOSED) in page.text
    assert "Release outputs</button>" not in page.text
    assert response.status_code == 200
    assert "There is a problem" in response.text
    assert state_of(approved) == State.APPROVED


def test_review_page_after_the_grace_period_offers_nothing_and_refuses_a_vote(client, ended):
    ended.clock.move_to(at(LAST_GRACE_DAY + DAY, hour=0))
    client.force_login(checker())
    url = reverse("outputs:review", kwargs={"pk": ended.in_checking.pk})

    page = client.get(url)
    response = client.post(
        group_url(ended.in_checking.groups.get()),
        group_form(
            ended.in_checking.groups.get(),
            {files_of(ended.in_checking)[0]: "approve"},
            text="Every cell checked.",
        ),
    )

    assert escape(CHECKING_CLOSED) in page.text
    assert "Save votes and comments" not in page.text
    assert response.status_code == 200
    assert "There is a problem" in response.text
    assert escape(CHECKING_CLOSED) in response.text


def test_review_page_within_the_grace_period_says_until_when(client, ended):
    client.force_login(checker())

    page = client.get(reverse("outputs:review", kwargs={"pk": ended.in_checking.pk}))

    assert "released until 28 March 2027" in page.text
    assert "Save vote" in page.text


def test_publication_page_of_an_ended_project_records_it_and_closes_the_project(client, ended):
    ended.clock.move_to(at(LAST_GRACE_DAY + DAY, hour=0))
    projects_close_ended()
    first, last = current_files(ended.released)
    publication_record(
        output_file=first, citation="Smith J (2027).", url="https://a.org", by=ended.member
    )
    client.force_login(ended.member)

    response = client.post(
        reverse("outputs:publication", kwargs={"file_pk": last.pk}),
        {"citation": "Smith J (2027) Earnings by region.", "doi": "10.1234/ab.5"},
        follow=True,
    )

    assert response.status_code == 200
    assert "The project has closed." in response.text
    ended.project.refresh_from_db()
    assert ended.project.state == ProjectState.CLOSED


def test_waiver_page_of_an_ended_project_records_it_and_closes_the_project(client, ended):
    ended.clock.move_to(at(LAST_GRACE_DAY + DAY, hour=0))
    projects_close_ended()
    client.force_login(UserFactory(roles=[Role.SECRETARIAT], totp=True))
    outputs_page = client.get(
        reverse("outputs:project_outputs", kwargs={"project_pk": ended.project.pk})
    )

    response = client.post(
        reverse("outputs:waiver", kwargs={"project_pk": ended.project.pk}),
        {"reasons": "The results were folded into a later project's paper."},
        follow=True,
    )

    assert reverse("outputs:waiver", kwargs={"project_pk": ended.project.pk}) in outputs_page.text
    assert "The project has closed." in response.text
    ended.project.refresh_from_db()
    assert ended.project.state == ProjectState.CLOSED

"""Reminders about proposals, panel reviews, projects ending, output checks and publication."""

import datetime
import re

import pytest

from identity.roles import Role
from notifications.models import Notification, ReminderSent
from outputs.models import OutputRequest, Publication, PublicationWaiver
from projects.models import Proposal, ReviewerAssignment
from tests.factories import UserFactory
from tests.notifications.reminder_helpers import (
    morning,
    released_with_a_file,
    sent_days,
    sweep_on,
    told,
)
from tests.outputs.factories import OutputRequestFactory
from tests.outputs.states import output_request_at
from tests.projects.factories import ProposalFactory, TeamMemberFactory
from tests.projects.states import proposal_at

pytestmark = pytest.mark.django_db

D = datetime.date
day = datetime.timedelta(days=1)


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def test_project_ending_reminded_60_and_14_days_before_to_coordinator_and_team(sent):
    member = UserFactory(roles=[Role.RESEARCHER])
    ends = D(2027, 9, 30)
    project = proposal_at(
        Proposal.State.ACTIVE, start_date=D(2026, 1, 1), end_date=ends, team=[member]
    )
    # An invitation never answered does not make someone a member.
    TeamMemberFactory(proposal=project, accepted_at=None)
    days = [ends - n * day for n in (61, 60, 59, 15, 14, 13)]

    assert sent_days(days, kind="project_ending_60", sent=sent) == [ends - 60 * day]
    assert sent_days(days, kind="project_ending_14", sent=sent) == [ends - 14 * day]
    assert told("project_ending_60") == sorted(
        [
            (project.coordinator.email, "Your project ends in 60 days"),
            (member.email, "Your project ends in 60 days"),
        ]
    )
    assert len(sent.outbox) == 4
    assert "30 September 2027" in sent.outbox[0].body
    assert f"/projects/{project.pk}/" in sent.outbox[0].body


def test_project_ending_not_reminded_unless_active():
    proposal_at(Proposal.State.APPROVED, end_date=D(2027, 9, 30))
    assert sweep_on(D(2027, 8, 1), kinds=["project_ending_60"]) == {"project_ending_60": 0}


def test_draft_proposal_reminded_after_30_days_then_withdrawn_after_30_more(sent):
    proposal = ProposalFactory()
    touched = D(2027, 2, 1)
    Proposal.objects.filter(pk=proposal.pk).update(updated_at=morning(touched))
    kinds = ["proposal_stale", "proposal_withdrawn"]

    assert sent_days([touched + 29 * day, touched + 30 * day], kind=kinds[0], sent=sent) == [
        touched + 30 * day
    ]
    assert sent_days([touched + 59 * day, touched + 60 * day], kind=kinds[1], sent=sent) == [
        touched + 60 * day
    ]
    assert sweep_on(touched + 61 * day, kinds=kinds) == dict.fromkeys(kinds, 0)

    proposal.refresh_from_db()
    assert proposal.state == Proposal.State.WITHDRAWN
    subjects = [email.subject for email in sent.to(proposal.coordinator.email)]
    assert subjects.count("Finish your project proposal or it will be withdrawn") == 1
    assert subjects.count("Your draft project proposal has been withdrawn") == 1


def test_submitted_proposal_is_never_withdrawn_as_stale():
    proposal = proposal_at(Proposal.State.SUBMITTED)
    Proposal.objects.filter(pk=proposal.pk).update(updated_at=morning(D(2027, 2, 1)))
    assert sweep_on(D(2027, 6, 1), kinds=["proposal_stale", "proposal_withdrawn"]) == {
        "proposal_stale": 0,
        "proposal_withdrawn": 0,
    }


def test_panel_recommendation_overdue_reminded_the_day_after_its_due_date(sent):
    secretariat = UserFactory(roles=[Role.SECRETARIAT])
    reviewer = UserFactory(roles=[Role.PANEL_REVIEWER])
    proposal = proposal_at(Proposal.State.PANEL_REVIEW, by=secretariat)
    due = D(2027, 4, 14)
    ReviewerAssignment.objects.create(
        proposal=proposal, reviewer=reviewer, assigned_by=secretariat, due_date=due
    )
    # A removed reviewer and one who declared a conflict are not chased.
    for gone in (
        {"removed_at": morning(due), "reviewer": UserFactory(roles=[Role.PANEL_REVIEWER])},
        {"conflict_declared": True, "reviewer": UserFactory(roles=[Role.PANEL_REVIEWER])},
    ):
        ReviewerAssignment.objects.create(
            proposal=proposal, assigned_by=secretariat, due_date=due, **gone
        )

    kind = "panel_recommendation_overdue"
    assert sent_days([due, due + day, due + 2 * day], kind=kind, sent=sent) == [due + day]
    assert sorted(email.to[0] for email in sent.outbox) == sorted(
        [reviewer.email, secretariat.email]
    )
    assert f"/projects/{proposal.pk}/review/" in sent.outbox[0].body
    assert "14 April 2027" in sent.outbox[0].body


DIGEST = "output_checks_overdue"


def overdue_on(first_overdue, *, title="Earnings by region", **kwargs):
    """A request sent at 10:00 on the working day that makes ``first_overdue`` the first day
    past its service level of five working days (no bank holidays in between)."""
    submitted = first_overdue - day
    for _ in range(5):
        submitted -= day
        while submitted.weekday() >= 5:
            submitted -= day
    return output_request_at(
        OutputRequest.State.SUBMITTED,
        on=morning(submitted) + datetime.timedelta(hours=4),
        title=title,
        **kwargs,
    )


def test_output_checks_overdue_tells_independent_checkers_still_to_review(sent):
    # Submitted on Monday 1 March 2027: five working days end on Monday 8 March.
    output_request = output_request_at(
        OutputRequest.State.PARTIALLY_REVIEWED,
        on=morning(D(2027, 3, 1)) + datetime.timedelta(hours=4),
    )
    # One checker has reviewed it already (``output_request_at`` made them).
    waiting, member = UserFactory.create_batch(2, roles=[Role.OUTPUT_CHECKER])
    TeamMemberFactory(proposal=output_request.project, user=member)
    days = [D(2027, 3, 8), D(2027, 3, 9), D(2027, 3, 10)]

    assert sent_days(days, kind=DIGEST, sent=sent) == [D(2027, 3, 9)]
    assert [email.to for email in sent.outbox] == [[waiting.email]]
    body = sent.outbox[0].body
    assert sent.outbox[0].subject == "An output request is past its service level"
    assert "An output request you can check is past its service level" in body
    assert f"“{output_request}” for the project “{output_request.project.title}”" in body
    assert "Sent 1 March 2027, decision due 8 March 2027" in body
    assert f"/outputs/checking/{output_request.pk}/" in body
    assert re.search(r"See every request waiting for a check:\n\S+/outputs/checking/\n", body)


def test_output_checks_overdue_counts_working_days_around_bank_holidays():
    # Submitted on Thursday 25 March 2027; Good Friday (26 March) and Easter Monday (29 March)
    # are bank holidays, so the fifth working day is Monday 5 April 2027.
    output_request_at(OutputRequest.State.SUBMITTED, on=morning(D(2027, 3, 25)))
    UserFactory(roles=[Role.OUTPUT_CHECKER])
    days = [D(2027, 4, 2), D(2027, 4, 3), D(2027, 4, 5), D(2027, 4, 6)]
    assert sent_days(days, kind=DIGEST) == [D(2027, 4, 6)]


def test_output_checks_overdue_one_digest_per_checker_however_many_requests(sent):
    first_overdue = D(2027, 3, 9)
    # Sent one an hour on Monday 1 March, made newest first so that the oldest has the
    # highest key: the digest lists by the time each was sent.
    requests = [
        output_request_at(
            OutputRequest.State.SUBMITTED,
            on=morning(D(2027, 3, 1)) + datetime.timedelta(hours=hour),
            title=f"Table {hour:02}",
        )
        for hour in reversed(range(12))
    ][::-1]
    checkers = UserFactory.create_batch(2, roles=[Role.OUTPUT_CHECKER])

    assert sweep_on(first_overdue, kinds=[DIGEST], sent=sent) == {DIGEST: 2}

    assert sorted(email.to[0] for email in sent.outbox) == sorted(c.email for c in checkers)
    assert told(DIGEST) == sorted(
        (checker.email, "Output requests are past their service level") for checker in checkers
    )
    assert Notification.objects.get(recipient=checkers[0]).body == (
        "12 output requests you can check are past their service level."
    )
    body = sent.outbox[0].body
    assert "12 output requests you can check are past their service level" in body
    listed = [request for request in requests if f"“{request.title}”" in body]
    assert listed == requests[:10]
    positions = [body.index(f"/outputs/checking/{request.pk}/") for request in listed]
    assert positions == sorted(positions)
    assert "There are 2 more in the checkers' queue." in body


def test_output_checks_overdue_leaves_out_requests_of_their_project_or_reviewed_by_them(sent):
    first_overdue = D(2027, 3, 9)
    theirs = overdue_on(first_overdue, title="Their own project's tables")
    reviewed = output_request_at(
        OutputRequest.State.PARTIALLY_REVIEWED,
        on=morning(D(2027, 3, 1)) + datetime.timedelta(hours=4),
        title="Tables they reviewed",
    )
    member = UserFactory(roles=[Role.OUTPUT_CHECKER])
    TeamMemberFactory(proposal=theirs.project, user=member)
    reviewer = reviewed.checkers[0]

    assert sweep_on(first_overdue, kinds=[DIGEST], sent=sent) == {DIGEST: 2}

    (to_member,) = sent.to(member.email)
    assert "“Tables they reviewed”" in to_member.body
    assert "“Their own project's tables”" not in to_member.body
    (to_reviewer,) = sent.to(reviewer.email)
    assert "“Their own project's tables”" in to_reviewer.body
    assert "“Tables they reviewed”" not in to_reviewer.body
    assert "An output request you can check is past its service level" in to_reviewer.body


def test_output_checks_overdue_sent_again_only_when_another_request_becomes_overdue(sent):
    checker = UserFactory(roles=[Role.OUTPUT_CHECKER])
    overdue_on(D(2027, 3, 9), title="Tuesday's tables")

    assert sweep_on(D(2027, 3, 9), kinds=[DIGEST], sent=sent) == {DIGEST: 1}
    # A second sweep the same day, and the next day with the same backlog, send nothing.
    assert sweep_on(D(2027, 3, 9), kinds=[DIGEST], sent=sent) == {DIGEST: 0}
    assert sweep_on(D(2027, 3, 10), kinds=[DIGEST], sent=sent) == {DIGEST: 0}
    assert len(sent.outbox) == 1

    overdue_on(D(2027, 3, 11), title="Thursday's tables")
    assert sweep_on(D(2027, 3, 11), kinds=[DIGEST], sent=sent) == {DIGEST: 1}
    latest = sent.outbox[-1].body
    assert "2 output requests you can check" in latest
    assert latest.index("“Tuesday's tables”") < latest.index("“Thursday's tables”")

    # First overdue on Saturday 13 March: told on the Monday, not at the weekend.
    overdue_on(D(2027, 3, 13), title="Friday's tables")
    days = [D(2027, 3, 12), D(2027, 3, 13), D(2027, 3, 14), D(2027, 3, 15), D(2027, 3, 16)]
    assert sent_days(days, kind=DIGEST, sent=sent) == [D(2027, 3, 15)]
    assert len(sent.to(checker.email)) == 3
    assert ReminderSent.objects.filter(kind=DIGEST).count() == 3


def test_draft_output_request_reminded_after_30_days_then_withdrawn_after_30_more(sent):
    output_request = OutputRequestFactory()
    touched = D(2027, 5, 3)
    OutputRequest.objects.filter(pk=output_request.pk).update(updated_at=morning(touched))
    kinds = ["output_request_stale", "output_request_withdrawn"]

    assert sent_days([touched + 29 * day, touched + 30 * day], kind=kinds[0], sent=sent) == [
        touched + 30 * day
    ]
    assert sent_days([touched + 59 * day, touched + 60 * day], kind=kinds[1], sent=sent) == [
        touched + 60 * day
    ]

    output_request.refresh_from_db()
    assert output_request.state == OutputRequest.State.WITHDRAWN
    subjects = [email.subject for email in sent.to(output_request.author.email)]
    assert subjects.count("Finish your output request or it will be withdrawn") == 1
    assert subjects.count("Your draft output request has been withdrawn") == 1


def test_released_outputs_unpublished_after_90_days_remind_the_project_members(sent):
    member = UserFactory(roles=[Role.RESEARCHER])
    output_request, _ = released_with_a_file(D(2027, 1, 4))
    TeamMemberFactory(proposal=output_request.project, user=member)
    due = D(2027, 1, 4) + 90 * day

    assert sent_days(
        [due - day, due, due + day, due + 30 * day], kind="outputs_unpublished", sent=sent
    ) == [due]
    assert sorted(email.to[0] for email in sent.outbox) == sorted(
        [output_request.project.coordinator.email, member.email]
    )
    assert f"/outputs/projects/{output_request.project_id}/released/" in sent.outbox[0].body


def test_released_outputs_published_or_waived_are_not_reminded():
    published, output_file = released_with_a_file(D(2027, 1, 4))
    Publication.objects.create(file=output_file, citation="A paper", recorded_by=published.author)
    waived, _ = released_with_a_file(D(2027, 1, 4))
    PublicationWaiver.objects.create(
        project=waived.project, reasons="Commercial data", recorded_by=waived.author
    )

    assert sweep_on(D(2027, 6, 1), kinds=["outputs_unpublished"]) == {"outputs_unpublished": 0}
    assert not Notification.objects.exists()


def test_output_checks_overdue_with_no_checker_free_waits_for_one(sent):
    output_request = output_request_at(OutputRequest.State.SUBMITTED, on=morning(D(2027, 3, 1)))
    member = UserFactory(roles=[Role.OUTPUT_CHECKER])
    TeamMemberFactory(proposal=output_request.project, user=member)

    assert sweep_on(D(2027, 3, 9), kinds=[DIGEST]) == {DIGEST: 0}
    free = UserFactory(roles=[Role.OUTPUT_CHECKER])
    assert sweep_on(D(2027, 3, 10), kinds=[DIGEST], sent=sent) == {DIGEST: 1}
    assert [email.to for email in sent.outbox] == [[free.email]]

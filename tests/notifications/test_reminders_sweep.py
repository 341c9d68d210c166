"""The reminder sweep: never twice, whatever runs it; a fixed number of queries per batch."""

import datetime
import os
import re
import subprocess
import sys
import threading

import pytest
from celery.exceptions import Retry
from django.conf import settings as django_settings
from django.db import OperationalError, connection
from django.test.utils import CaptureQueriesContext

from identity.roles import Role
from notifications import hooks
from notifications.hooks import ReminderRule, reminder_rules
from notifications.models import Notification, ReminderSent
from notifications.reminders import reminders_sweep
from notifications.tasks import reminders_send
from outputs.models import OutputRequest
from projects.models import Proposal, ReviewerAssignment
from tests.accreditation.factories import AccreditationFactory
from tests.factories import UserFactory
from tests.health.test_worker import database_url_for
from tests.notifications.reminder_helpers import (
    morning,
    released_with_a_file,
    sweep_on,
)
from tests.outputs.states import output_request_at
from tests.projects.factories import ProposalFactory
from tests.projects.states import proposal_at

D = datetime.date
day = datetime.timedelta(days=1)
# Two Tuesdays with no bank holiday in the week before: a request submitted on the Monday a
# week earlier is first overdue on each.
FIRST, SECOND = D(2027, 3, 9), D(2027, 6, 15)


def expiring(due, n):
    for _ in range(n):
        AccreditationFactory(valid_from=due - 1000 * day, valid_until=due + 30 * day)


def project_ending(due, n):
    for _ in range(n):
        proposal_at(
            Proposal.State.ACTIVE,
            start_date=due - 100 * day,
            end_date=due + 60 * day,
            team=[UserFactory(roles=[Role.RESEARCHER])],
        )


def recommendation_overdue(due, n):
    secretariat = UserFactory(roles=[Role.SECRETARIAT])
    for _ in range(n):
        ReviewerAssignment.objects.create(
            proposal=proposal_at(Proposal.State.PANEL_REVIEW),
            reviewer=UserFactory(roles=[Role.PANEL_REVIEWER]),
            assigned_by=secretariat,
            due_date=due - day,
        )


def check_overdue(due, n):
    """``n`` requests first past their service level on ``due`` (a Tuesday)."""
    for _ in range(n):
        output_request_at(OutputRequest.State.SUBMITTED, on=morning(due - 8 * day))


def unpublished(due, n):
    for _ in range(n):
        released_with_a_file(due - 90 * day)


def proposal_stale(due, n):
    for _ in range(n):
        proposal = ProposalFactory()
        Proposal.objects.filter(pk=proposal.pk).update(updated_at=morning(due - 30 * day))


BUILDERS = {
    "accreditation_expiring_30": expiring,
    "project_ending_60": project_ending,
    "panel_recommendation_overdue": recommendation_overdue,
    "outputs_unpublished": unpublished,
    "proposal_stale": proposal_stale,
}


@pytest.fixture
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.mark.django_db
@pytest.mark.usefixtures("_media_in_tmp")
@pytest.mark.parametrize("kind", list(BUILDERS))
def test_reminders_sweep_queries_per_batch_are_the_same_for_2_and_12_objects(
    kind, sent, django_assert_max_num_queries
):
    BUILDERS[kind](FIRST, 2)
    BUILDERS[kind](SECOND, 12)
    # Content types are looked up once per process, then cached.
    sweep_on(FIRST - 365 * day, kinds=[kind])

    with CaptureQueriesContext(connection) as small:
        assert sweep_on(FIRST, kinds=[kind], sent=sent) == {kind: 2}
    with django_assert_max_num_queries(len(small)) as large:
        assert sweep_on(SECOND, kinds=[kind], sent=sent) == {kind: 12}

    assert len(large) == len(small)
    # Read the candidates and what they need, record, read back, tell: a handful, however many.
    assert len(small) <= 12, [query["sql"][:120] for query in small.captured_queries]
    assert ReminderSent.objects.filter(kind=kind).count() == 14


DIGEST = "output_checks_overdue"
# A third Tuesday with no bank holiday in the week before.
THIRD = D(2027, 9, 14)


@pytest.mark.django_db
@pytest.mark.usefixtures("_media_in_tmp")
def test_output_checks_overdue_notifications_grow_with_the_checkers_not_the_requests(
    sent, django_assert_max_num_queries
):
    """One digest for each checker with something to review, however many requests are
    overdue: 2 or 10 requests, 2 or 5 checkers, the same queries, and as many notifications and
    emails as checkers."""
    checkers = UserFactory.create_batch(2, roles=[Role.OUTPUT_CHECKER])
    check_overdue(FIRST, 2)
    sweep_on(FIRST - 365 * day, kinds=[DIGEST])  # content types are cached after this
    with CaptureQueriesContext(connection) as two_requests:
        assert sweep_on(FIRST, kinds=[DIGEST], sent=sent) == {DIGEST: 2}
    assert Notification.objects.filter(kind=DIGEST).count() == 2
    assert len(sent.outbox) == 2

    # Eight more overdue, ten in all: still one digest each.
    check_overdue(SECOND, 8)
    sent.outbox.clear()
    with django_assert_max_num_queries(len(two_requests)) as ten_requests:
        assert sweep_on(SECOND, kinds=[DIGEST], sent=sent) == {DIGEST: 2}
    assert Notification.objects.filter(kind=DIGEST).count() == 2 + 2
    assert sorted(email.to for email in sent.outbox) == sorted([c.email] for c in checkers)
    assert all("10 output requests you can check" in email.body for email in sent.outbox)

    # Three more checkers, five in all, and one more request overdue: one digest each.
    checkers += UserFactory.create_batch(3, roles=[Role.OUTPUT_CHECKER])
    check_overdue(THIRD, 1)
    sent.outbox.clear()
    with django_assert_max_num_queries(len(two_requests)) as five_checkers:
        assert sweep_on(THIRD, kinds=[DIGEST], sent=sent) == {DIGEST: 5}
    assert Notification.objects.filter(kind=DIGEST).count() == 2 + 2 + 5
    assert sorted(email.to for email in sent.outbox) == sorted([c.email] for c in checkers)

    assert len(two_requests) == len(ten_requests) == len(five_checkers)
    # The checkers, the overdue requests, the memberships and reviews that tie them, record,
    # read back, tell: a handful, however many.
    assert len(two_requests) <= 12, [q["sql"][:120] for q in two_requests.captured_queries]
    assert ReminderSent.objects.filter(kind=DIGEST).count() == 2 + 2 + 5


@pytest.mark.django_db
def test_reminders_sweep_in_batches_costs_the_same_per_batch(sent):
    kind = "accreditation_expiring_30"
    expiring(FIRST, 9)
    expiring(SECOND, 3)
    sweep_on(FIRST - 365 * day, kinds=[kind])  # content types are cached after this
    with CaptureQueriesContext(connection) as three_batches:
        counts = sweep_on(FIRST, kinds=[kind], batch_size=3, sent=sent)
    with CaptureQueriesContext(connection) as one_batch:
        sweep_on(SECOND, kinds=[kind], batch_size=3, sent=sent)

    assert counts == {kind: 9}
    assert len(sent.outbox) == 12
    # Each full batch is followed by one more read, which finds the end here.
    per_batch = len(one_batch) - 1
    assert len(three_batches) == 3 * per_batch + 1
    assert sum(q["sql"].startswith("SAVEPOINT") for q in three_batches.captured_queries) == 3


@pytest.mark.django_db
def test_reminders_sweep_run_twice_sends_nothing_the_second_time(sent):
    expiring(FIRST, 3)
    project_ending(FIRST, 2)

    first = sweep_on(FIRST, batch_size=2, sent=sent)
    emails = len(sent.outbox)
    second = sweep_on(FIRST, batch_size=2, sent=sent)

    assert first["accreditation_expiring_30"] == 3
    assert first["project_ending_60"] == 2
    assert set(second.values()) == {0}
    assert len(sent.outbox) == emails == 3 + 2 * 2  # each project: co-ordinator and a member
    assert Notification.objects.count() == emails


@pytest.mark.django_db
def test_reminders_sweep_of_a_failed_batch_leaves_no_ledger_row_so_the_next_run_sends(sent):
    expiring(FIRST, 2)
    kind = "accreditation_expiring_30"
    real = reminder_rules()[kind]
    broken = ReminderRule(**{**real.__dict__, "template": "reminder_missing"})
    hooks._reminder_rules[kind] = broken
    try:
        with pytest.raises(Exception, match="reminder_missing"):
            sweep_on(FIRST, kinds=[kind], sent=sent)
    finally:
        hooks._reminder_rules[kind] = real

    assert not ReminderSent.objects.exists()
    assert not Notification.objects.exists()
    assert sent.outbox == []
    assert sweep_on(FIRST, kinds=[kind], sent=sent) == {kind: 2}
    assert len(sent.outbox) == 2


@pytest.mark.django_db
def test_reminders_sweep_one_kind_failing_does_not_hold_back_the_others(sent, monkeypatch):
    expiring(FIRST, 2)
    project_ending(FIRST, 1)
    real = reminder_rules()["accreditation_expiring_30"]
    broken = ReminderRule(**{**real.__dict__, "template": "reminder_missing"})
    monkeypatch.setitem(hooks._reminder_rules, "accreditation_expiring_30", broken)

    with pytest.raises(Exception, match="reminder_missing"):
        sweep_on(FIRST, sent=sent)

    assert ReminderSent.objects.filter(kind="project_ending_60").count() == 1
    assert not ReminderSent.objects.filter(kind="accreditation_expiring_30").exists()
    assert len(sent.outbox) == 2


@pytest.mark.django_db
def test_reminders_sweep_refuses_an_unknown_kind():
    with pytest.raises(ValueError, match="no_such_kind"):
        reminders_sweep(kinds=["no_such_kind"])


@pytest.mark.django_db
def test_reminders_send_retried_after_a_failure_sends_nothing_twice(sent, monkeypatch):
    """The first attempt fails part-way, after some batches committed; the retry finishes."""
    expiring(FIRST, 4)
    project_ending(FIRST, 1)
    real = reminder_rules()["project_ending_60"]
    attempts = []

    def candidates_failing_once(today):
        attempts.append(today)
        if len(attempts) == 1:
            raise OperationalError("the database connection dropped")
        return real.candidates(today)

    monkeypatch.setitem(
        hooks._reminder_rules,
        "project_ending_60",
        ReminderRule(**{**real.__dict__, "candidates": candidates_failing_once}),
    )

    # The first attempt sends every other kind, then fails and asks for a retry.
    with sent.capture(), pytest.raises(Retry):
        reminders_send.apply(kwargs={"today": FIRST.isoformat()})
    assert len(sent.outbox) == 4
    assert ReminderSent.objects.filter(kind="project_ending_60").count() == 0
    # The worker runs the retry with the same arguments.
    with sent.capture():
        counts = reminders_send.apply(kwargs={"today": FIRST.isoformat()}, retries=1).get()

    assert len(attempts) == 2
    assert counts["accreditation_expiring_30"] == 0
    assert counts["project_ending_60"] == 1
    assert ReminderSent.objects.filter(kind="accreditation_expiring_30").count() == 4
    assert ReminderSent.objects.filter(kind="project_ending_60").count() == 1
    assert len(sent.outbox) == 4 + 2
    assert len({(email.to[0], email.subject) for email in sent.outbox}) == 6


def test_reminders_send_is_safe_to_retry():
    assert reminders_send.acks_late is True
    assert any(issubclass(OperationalError, error) for error in reminders_send.autoretry_for)
    assert reminders_send.max_retries == 5
    assert reminders_send.retry_backoff


def test_beat_runs_the_reminders_daily_after_the_expiries_and_closures():
    schedule = django_settings.CELERY_BEAT_SCHEDULE
    entry = schedule["send-reminders"]
    assert entry["task"] == "notifications.tasks.reminders_send"
    hour = min(entry["schedule"].hour)
    assert entry["schedule"].hour == {hour}
    for earlier in ("expire-lapsed-accreditations", "close-ended-projects"):
        assert max(schedule[earlier]["schedule"].hour) < hour
    requeue = schedule["requeue-pending-declarations"]
    assert requeue["task"] == "researchers.tasks.declarations_requeue_pending"


def test_every_reminder_kind_has_its_templates():
    from django.template.loader import get_template

    kinds = reminder_rules()
    assert len(kinds) == 19
    for rule in kinds.values():
        get_template(f"notifications/email/{rule.template}.txt")
        get_template(f"notifications/email/{rule.template}.html")


@pytest.fixture
def needs_row_locks():
    if connection.vendor != "postgresql":
        pytest.skip("Only PostgreSQL shows two sweeps racing; set DATABASE_URL to run this.")


RACED = ("accreditation_expiring_30", "project_ending_60")


@pytest.mark.django_db(transaction=True)
def test_reminders_sweep_from_two_workers_at_once_sends_each_reminder_once(
    needs_row_locks, eager_celery, mailoutbox
):
    expiring(FIRST, 25)
    project_ending(FIRST, 5)
    mailoutbox.clear()  # what taking the projects to active told people
    barrier = threading.Barrier(2)
    outcomes = [None, None]

    def run(index):
        try:
            barrier.wait(timeout=10)
            # Small batches, so the two sweeps interleave their inserts and read-backs.
            outcomes[index] = sweep_on(FIRST, batch_size=4)
        except Exception as error:  # the test reports whatever a thread met
            outcomes[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(index,)) for index in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert all(isinstance(outcome, dict) for outcome in outcomes), outcomes
    for kind, total in (("accreditation_expiring_30", 25), ("project_ending_60", 5)):
        assert outcomes[0][kind] + outcomes[1][kind] == total, outcomes
        assert ReminderSent.objects.filter(kind=kind).count() == total
    # The projects were taken to active through the services, which told people too.
    assert Notification.objects.filter(kind__in=RACED).count() == 25 + 5 * 2
    sent = [(email.to[0], email.subject) for email in mailoutbox]
    assert len(sent) == len(set(sent)) == 25 + 5 * 2


@pytest.mark.django_db(transaction=True)
def test_output_checks_overdue_from_two_workers_at_once_sends_one_digest_to_each_checker(
    needs_row_locks, eager_celery, mailoutbox
):
    checkers = UserFactory.create_batch(6, roles=[Role.OUTPUT_CHECKER])
    check_overdue(FIRST, 3)
    mailoutbox.clear()
    barrier = threading.Barrier(2)
    outcomes = [None, None]

    def run(index):
        try:
            barrier.wait(timeout=10)
            # Batches of one checker, so the two sweeps interleave their inserts and read-backs.
            outcomes[index] = sweep_on(FIRST, kinds=[DIGEST], batch_size=1)
        except Exception as error:  # the test reports whatever a thread met
            outcomes[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(index,)) for index in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert all(isinstance(outcome, dict) for outcome in outcomes), outcomes
    assert outcomes[0][DIGEST] + outcomes[1][DIGEST] == 6, outcomes
    assert ReminderSent.objects.filter(kind=DIGEST).count() == 6
    told = list(Notification.objects.filter(kind=DIGEST).values_list("recipient", flat=True))
    assert sorted(told) == sorted(checker.pk for checker in checkers)
    assert sorted(email.to[0] for email in mailoutbox) == sorted(c.email for c in checkers)


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_reminders_send_from_two_processes_at_once_sends_each_reminder_once(needs_row_locks):
    expiring(FIRST, 25)
    project_ending(FIRST, 5)
    environment = {
        **os.environ,
        "DATABASE_URL": database_url_for(connection.settings_dict),
        "DJANGO_SETTINGS_MODULE": "config.settings",
        # Small batches, so the two processes interleave their inserts and read-backs.
        "REMINDER_BATCH_SIZE": "4",
    }
    command = [sys.executable, "manage.py", "reminders_send", "--date", FIRST.isoformat()]
    processes = [
        subprocess.Popen(
            command,
            cwd=django_settings.BASE_DIR,
            env=environment,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for _ in range(2)
    ]
    outputs = [process.communicate(timeout=120)[0] for process in processes]

    assert [process.returncode for process in processes] == [0, 0], outputs
    sent_by_each = [int(re.search(r"Sent (\d+) reminder", output).group(1)) for output in outputs]
    assert sum(sent_by_each) == 25 + 5
    assert ReminderSent.objects.filter(kind="accreditation_expiring_30").count() == 25
    assert ReminderSent.objects.filter(kind="project_ending_60").count() == 5
    # The projects were taken to active through the services, which told people too.
    told = list(Notification.objects.filter(kind__in=RACED).values_list("recipient", "kind"))
    assert len(told) == len(set(told)) == 25 + 5 * 2


@pytest.mark.django_db
def test_reminders_send_command_sends_a_missed_day_once(sent):
    from io import StringIO

    from django.core.management import CommandError, call_command

    expiring(FIRST, 2)
    out = StringIO()
    with sent.capture():
        call_command("reminders_send", date=FIRST.isoformat(), stdout=out)
        call_command("reminders_send", date=FIRST.isoformat(), stdout=StringIO())

    assert "accreditation_expiring_30: 2" in out.getvalue()
    assert len(sent.outbox) == 2
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("reminders_send", date="31/03/2027")

"""The reminder before the run destroys a withdrawn draft: sent once, RETENTION_REMINDER_DAYS
before the day the run will destroy it, only for drafts that will go."""

import datetime

import pytest

from notifications.models import Notification, ReminderSent
from notifications.reminders import reminders_sweep
from projects.models import Proposal
from retention.models import RecordKind
from retention.services import legal_hold_place, retention_run
from tests.retention.helpers import (
    application_withdrawn,
    now_is,
    proposal_withdrawn,
    schedule_confirmed,
    secretariat_user,
)

pytestmark = pytest.mark.django_db

KINDS = ["retention_application_draft_destroyed", "retention_proposal_draft_destroyed"]
WITHDRAWN = datetime.datetime(2026, 6, 1, 12, 0, tzinfo=datetime.UTC)
# A year's period (the proposed one) from 1 June 2026: the run destroys it from 2 June 2027.
DESTROYED_ON = datetime.date(2027, 6, 2)
REMINDED_ON = DESTROYED_ON - datetime.timedelta(days=14)


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.RETENTION_REMINDER_DAYS = 14


def _sweep(day, on_commit):
    with now_is(day), on_commit(execute=True):
        return reminders_sweep(today=day, kinds=KINDS)


def test_reminder_before_destruction_sent_once_on_its_day_to_the_drafts_owner(
    django_capture_on_commit_callbacks, eager_celery, mailoutbox
):
    application = application_withdrawn(WITHDRAWN)
    proposal = proposal_withdrawn(WITHDRAWN)
    schedule_confirmed()

    before = _sweep(REMINDED_ON - datetime.timedelta(days=1), django_capture_on_commit_callbacks)
    on_the_day = _sweep(REMINDED_ON, django_capture_on_commit_callbacks)
    again = _sweep(REMINDED_ON, django_capture_on_commit_callbacks)
    later = _sweep(REMINDED_ON + datetime.timedelta(days=3), django_capture_on_commit_callbacks)

    assert set(before.values()) == {0}
    assert on_the_day == dict.fromkeys(KINDS, 1)
    assert set(again.values()) == {0} and set(later.values()) == {0}
    assert ReminderSent.objects.filter(kind__in=KINDS).count() == 2
    told = {n.recipient_id: n for n in Notification.objects.filter(kind__in=KINDS)}
    assert set(told) == {application.applicant_id, proposal.coordinator_id}
    emails = {message.to[0]: message.body for message in mailoutbox}
    body = emails[proposal.coordinator.email]
    assert "On 2 June 2027 the service will destroy the proposal" in body
    assert f"“{proposal.title}”" in body and "download a copy" in body
    assert "email the secretariat" in body
    assert (
        "On 2 June 2027 the service will destroy the application"
        in (emails[application.applicant.email])
    )
    assert told[application.applicant_id].subject == (
        "Your withdrawn draft accreditation application will be destroyed"
    )


def test_reminder_before_destruction_names_the_day_the_run_destroys_the_draft(
    django_capture_on_commit_callbacks,
):
    application = application_withdrawn(WITHDRAWN)
    schedule_confirmed()

    with now_is(DESTROYED_ON):
        day_before = retention_run(on=DESTROYED_ON - datetime.timedelta(days=1), dry_run=True)
        on_the_day = retention_run(on=DESTROYED_ON, dry_run=True)

    identifiers = {
        entry["kind"]: entry["identifiers"] for entry in on_the_day.kinds if entry["run"]
    }
    assert identifiers["application_withdrawn_draft"] == [str(application.pk)]
    assert not next(e for e in day_before.kinds if e["kind"] == "application_withdrawn_draft")[
        "identifiers"
    ]


def test_reminder_before_destruction_not_sent_for_drafts_that_will_not_go(
    django_capture_on_commit_callbacks,
):
    by = secretariat_user()
    held = application_withdrawn(WITHDRAWN)
    application_withdrawn(WITHDRAWN + datetime.timedelta(days=30))  # goes a month later
    submitted_then_withdrawn = proposal_withdrawn(WITHDRAWN)
    Proposal.objects.filter(pk=submitted_then_withdrawn.pk).update(submitted_at=WITHDRAWN)
    schedule_confirmed(by)
    legal_hold_place(
        kind=RecordKind.APPLICATION_WITHDRAWN_DRAFT,
        identifier=str(held.pk),
        reason="Complaint CP-2027-2 about this application",
        by=by,
    )

    sent = _sweep(REMINDED_ON, django_capture_on_commit_callbacks)

    assert set(sent.values()) == {0}
    assert not Notification.objects.filter(kind__in=KINDS).exists()


def test_reminder_before_destruction_not_sent_while_the_schedule_is_unconfirmed(
    django_capture_on_commit_callbacks,
):
    application_withdrawn(WITHDRAWN)
    proposal_withdrawn(WITHDRAWN)

    sent = _sweep(REMINDED_ON, django_capture_on_commit_callbacks)

    assert set(sent.values()) == {0}
    assert not ReminderSent.objects.filter(kind__in=KINDS).exists()

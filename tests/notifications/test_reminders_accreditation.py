"""Reminders about accreditations running out, accredited researchers' training and drafts."""

import datetime

import pytest

from accreditation.dates import add_years
from accreditation.models import Accreditation, AccreditationApplication, Level
from audit.models import AuditEvent
from notifications.hooks import reminder_rules
from notifications.models import ReminderSent
from tests.accreditation.factories import (
    AccreditationApplicationFactory,
    AccreditationFactory,
    ApplicantFactory,
)
from tests.accreditation.states import accreditation_at, application_at
from tests.notifications.reminder_helpers import morning, sent_days, sweep_on, told
from tests.researchers.profile_factories import TrainingRecordFactory

pytestmark = pytest.mark.django_db

D = datetime.date
day = datetime.timedelta(days=1)
ENDS = D(2027, 6, 15)


@pytest.mark.parametrize("lead", [90, 30, 7, 0])
def test_accreditation_expiring_reminder_fires_on_its_day_and_not_the_day_before(sent, lead):
    accreditation = AccreditationFactory(valid_from=D(2022, 6, 16), valid_until=ENDS)
    kind = f"accreditation_expiring_{lead}"
    due = ENDS - datetime.timedelta(days=lead)

    assert sweep_on(due - day, kinds=[kind], sent=sent)[kind] == 0
    assert sweep_on(due, kinds=[kind], sent=sent)[kind] == 1
    assert sweep_on(due, kinds=[kind], sent=sent)[kind] == 0
    assert sweep_on(due + day, kinds=[kind], sent=sent)[kind] == 0

    address = accreditation.researcher.email
    [email] = sent.to(address)
    assert email.subject == (
        f"Your accreditation ends in {lead} days: renew it now"
        if lead
        else "Your accreditation ends today"
    )
    assert "15 June 2027" in email.body
    assert "/accreditation/" in email.body
    assert email.alternatives[0][1] == "text/html"
    assert told(kind) == [(address, email.subject)]
    ledger = ReminderSent.objects.get(kind=kind)
    assert (ledger.object_id, ledger.due_date, ledger.recipients) == (accreditation.pk, due, 1)


def test_accreditation_expiring_sends_each_reminder_once_over_the_whole_run_up():
    AccreditationFactory(valid_from=D(2022, 6, 16), valid_until=ENDS)
    days = [ENDS - datetime.timedelta(days=n) for n in range(100, -1, -1)]

    sent_on = {}
    for today in days:
        for kind, count in sweep_on(today).items():
            if count and kind.startswith("accreditation_expiring"):
                sent_on.setdefault(kind, []).append(today)

    assert sent_on == {
        "accreditation_expiring_90": [ENDS - datetime.timedelta(days=90)],
        "accreditation_expiring_30": [ENDS - datetime.timedelta(days=30)],
        "accreditation_expiring_7": [ENDS - datetime.timedelta(days=7)],
        "accreditation_expiring_0": [ENDS],
    }


def test_accreditation_expiring_reminder_missed_by_a_sweep_is_sent_by_the_next():
    AccreditationFactory(valid_from=D(2022, 6, 16), valid_until=ENDS)
    # Beat did not run on the 30-days day; the next morning catches up, once.
    after = ENDS - datetime.timedelta(days=29)
    assert sweep_on(after, kinds=["accreditation_expiring_30"]) == {"accreditation_expiring_30": 1}


def test_accreditation_expiring_not_reminded_once_a_renewal_is_sent():
    accreditation = AccreditationFactory(
        researcher=ApplicantFactory(), valid_from=D(2022, 6, 16), valid_until=ENDS
    )
    application_at(
        AccreditationApplication.State.SUBMITTED,
        applicant=accreditation.researcher,
        renewal_of=accreditation,
    )
    assert sweep_on(ENDS - datetime.timedelta(days=30))["accreditation_expiring_30"] == 0


def test_accreditation_expiring_not_reminded_when_suspended():
    accreditation_at(Accreditation.State.SUSPENDED, valid_from=D(2022, 6, 16), valid_until=ENDS)
    assert sweep_on(ENDS - datetime.timedelta(days=7))["accreditation_expiring_7"] == 0


def test_training_refresh_reminded_30_days_ahead_and_when_due(sent, settings):
    settings.PROVISIONAL_TRAINING_MAX_AGE_YEARS = 3
    accreditation = AccreditationFactory(
        level=Level.PROVISIONAL, valid_from=D(2026, 1, 10), valid_until=D(2029, 1, 9)
    )
    passed = D(2024, 3, 20)
    TrainingRecordFactory(user=accreditation.researcher, passed_on=passed)
    TrainingRecordFactory(user=accreditation.researcher, passed_on=D(2023, 1, 5))
    refresh = add_years(passed, 3)
    ahead = refresh - datetime.timedelta(days=30)
    days = [ahead - day, ahead, ahead + day, refresh - day, refresh, refresh + day]

    assert sent_days(days, kind="training_refresh_soon", sent=sent) == [ahead]
    assert sent_days(days, kind="training_refresh_due", sent=sent) == [refresh]
    subjects = [email.subject for email in sent.to(accreditation.researcher.email)]
    assert subjects == [
        "Refresh your Safe Researcher Training within 30 days",
        "Your Safe Researcher Training needs refreshing now",
    ]
    assert "20 March 2027" in sent.outbox[0].body


def test_training_refresh_reminded_to_fully_accredited_researchers_on_their_own_period(
    sent, settings
):
    settings.TRAINING_REFRESH_YEARS = 5
    full = AccreditationFactory(valid_from=D(2026, 1, 10), valid_until=D(2031, 1, 9))
    passed = D(2024, 3, 20)
    TrainingRecordFactory(user=full.researcher, passed_on=passed)
    refresh = add_years(passed, 5)
    ahead = refresh - datetime.timedelta(days=30)
    day = datetime.timedelta(days=1)
    # Three years on, when a provisional researcher's would be due, nothing yet.
    assert sent_days([add_years(passed, 3)], kind="training_refresh_due", sent=sent) == []

    assert sent_days([ahead - day, ahead], kind="training_refresh_soon", sent=sent) == [ahead]
    assert sent_days([refresh - day, refresh], kind="training_refresh_due", sent=sent) == [refresh]
    assert "20 March 2029" in sent.to(full.researcher.email)[-1].body


def test_training_refresh_not_reminded_when_the_scheme_asks_none_or_training_is_fresh(settings):
    settings.TRAINING_REFRESH_YEARS = 0
    full = AccreditationFactory(valid_from=D(2026, 1, 10), valid_until=D(2031, 1, 9))
    TrainingRecordFactory(user=full.researcher, passed_on=D(2024, 3, 20))
    refreshed = AccreditationFactory(
        level=Level.PROVISIONAL, valid_from=D(2026, 1, 10), valid_until=D(2029, 1, 9)
    )
    TrainingRecordFactory(user=refreshed.researcher, passed_on=D(2024, 3, 20))
    TrainingRecordFactory(user=refreshed.researcher, passed_on=D(2027, 3, 1))

    counts = sweep_on(D(2027, 3, 20), kinds=["training_refresh_soon", "training_refresh_due"])
    assert counts == {"training_refresh_soon": 0, "training_refresh_due": 0}
    # The newer training leaves the researcher out of what the database finds, not only out
    # of who is told.
    due = reminder_rules()["training_refresh_due"].candidates(D(2027, 3, 20))
    assert not due.filter(pk=refreshed.pk).exists()
    counts = sweep_on(D(2029, 3, 20), kinds=["training_refresh_soon", "training_refresh_due"])
    assert counts == {"training_refresh_soon": 0, "training_refresh_due": 0}


def test_draft_application_reminded_after_30_days_then_withdrawn_after_30_more(sent):
    application = AccreditationApplicationFactory()
    touched = D(2027, 1, 10)
    AccreditationApplication.objects.filter(pk=application.pk).update(
        updated_at=morning(touched) + datetime.timedelta(hours=9)
    )
    stale, withdraw = touched + 30 * day, touched + 60 * day
    kinds = ["accreditation_application_stale", "accreditation_application_withdrawn"]

    assert sweep_on(stale - day, kinds=kinds, sent=sent) == dict.fromkeys(kinds, 0)
    assert sweep_on(stale, kinds=kinds, sent=sent) == {kinds[0]: 1, kinds[1]: 0}
    assert sweep_on(withdraw - day, kinds=kinds, sent=sent) == dict.fromkeys(kinds, 0)
    application.refresh_from_db()
    assert application.state == AccreditationApplication.State.DRAFT

    assert sweep_on(withdraw, kinds=kinds, sent=sent) == {kinds[0]: 0, kinds[1]: 1}
    assert sweep_on(withdraw, kinds=kinds, sent=sent) == dict.fromkeys(kinds, 0)

    application.refresh_from_db()
    assert application.state == AccreditationApplication.State.WITHDRAWN
    event = AuditEvent.objects.get(action__endswith="withdraw", object_id=str(application.pk))
    assert event.actor is None
    subjects = [email.subject for email in sent.to(application.applicant.email)]
    assert subjects.count("Finish your accreditation application or it will be withdrawn") == 1
    assert subjects.count("Your draft accreditation application has been withdrawn") == 1


def test_draft_application_touched_after_the_warning_is_not_withdrawn():
    application = AccreditationApplicationFactory()
    touched = D(2027, 1, 10)
    AccreditationApplication.objects.filter(pk=application.pk).update(updated_at=morning(touched))
    kinds = ["accreditation_application_stale", "accreditation_application_withdrawn"]
    sweep_on(touched + 30 * day, kinds=kinds)
    # The applicant comes back to it ten days after the warning.
    AccreditationApplication.objects.filter(pk=application.pk).update(
        updated_at=morning(touched + 40 * day)
    )

    assert sweep_on(touched + 60 * day, kinds=kinds) == dict.fromkeys(kinds, 0)
    # Thirty days after that visit, a fresh warning; no withdrawal without one 30 days old.
    assert sweep_on(touched + 70 * day, kinds=kinds) == {kinds[0]: 1, kinds[1]: 0}
    assert sweep_on(touched + 99 * day, kinds=kinds) == dict.fromkeys(kinds, 0)
    application.refresh_from_db()
    assert application.state == AccreditationApplication.State.DRAFT


def test_draft_application_never_warned_is_not_withdrawn():
    application = AccreditationApplicationFactory()
    touched = D(2027, 1, 10)
    AccreditationApplication.objects.filter(pk=application.pk).update(updated_at=morning(touched))

    counts = sweep_on(touched + 90 * day, kinds=["accreditation_application_withdrawn"])

    assert counts == {"accreditation_application_withdrawn": 0}
    application.refresh_from_db()
    assert application.state == AccreditationApplication.State.DRAFT


def test_draft_application_warned_before_a_later_visit_needs_a_fresh_warning():
    application = AccreditationApplicationFactory()
    touched = D(2027, 1, 10)
    AccreditationApplication.objects.filter(pk=application.pk).update(updated_at=morning(touched))
    kinds = ["accreditation_application_stale", "accreditation_application_withdrawn"]
    sweep_on(touched + 30 * day, kinds=kinds)
    AccreditationApplication.objects.filter(pk=application.pk).update(
        updated_at=morning(touched + 40 * day)
    )

    # The sweeps did not run while the draft went stale again: the old warning is not enough.
    assert sweep_on(touched + 100 * day, kinds=kinds[1:]) == {kinds[1]: 0}
    application.refresh_from_db()
    assert application.state == AccreditationApplication.State.DRAFT

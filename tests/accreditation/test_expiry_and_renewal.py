import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from django.core.exceptions import ValidationError

from accreditation import services
from accreditation.models import Accreditation, AccreditationApplication, Level
from accreditation.tasks import expire_lapsed_accreditations
from audit.models import AuditEvent
from tests.accreditation.factories import (
    AccreditationApplicationFactory,
    AccreditationFactory,
    ApplicantFactory,
)

pytestmark = pytest.mark.django_db

LAST_DAY = datetime.date(2026, 3, 31)
LONDON = ZoneInfo("Europe/London")


def at(*parts):
    """A moment on the service's own clock (UK time)."""
    return datetime.datetime(*parts, tzinfo=LONDON)


def test_expiry_beat_entry_runs_the_task_daily():
    entry = settings.CELERY_BEAT_SCHEDULE["expire-lapsed-accreditations"]

    assert entry["task"] == "accreditation.tasks.expire_lapsed_accreditations"
    assert entry["schedule"].hour == {0}


def test_expire_lapsed_accreditations_expires_only_those_past_their_end_date(sent, caplog):
    lapsed = AccreditationFactory(valid_from=datetime.date(2021, 4, 1), valid_until=LAST_DAY)
    current = AccreditationFactory(
        valid_from=datetime.date(2024, 1, 1), valid_until=datetime.date(2029, 1, 1)
    )

    with time_machine.travel(at(2026, 3, 31, 23, 0), tick=False):
        assert expire_lapsed_accreditations() == 0
    with (
        time_machine.travel(at(2026, 4, 1, 0, 15), tick=False),
        sent.capture(),
        caplog.at_level("INFO", logger="accreditation.services"),
    ):
        assert expire_lapsed_accreditations() == 1

    lapsed.refresh_from_db()
    current.refresh_from_db()
    assert lapsed.state == Accreditation.State.EXPIRED
    assert current.state == Accreditation.State.ACTIVE
    event = AuditEvent.objects.get(action="accreditation.expire")
    assert event.actor is None
    (message,) = sent.to(lapsed.researcher.email)
    assert message.subject == "Your accreditation has expired"
    assert "31 March 2026" in message.body
    assert "Expired 1 lapsed accreditation(s)" in caplog.text


def test_expire_lapsed_accreditations_run_twice_expires_once(sent):
    AccreditationFactory(valid_from=datetime.date(2021, 4, 1), valid_until=LAST_DAY)

    with time_machine.travel(at(2026, 4, 2, 0, 15), tick=False), sent.capture():
        first = expire_lapsed_accreditations()
        second = expire_lapsed_accreditations()

    assert (first, second) == (1, 0)
    assert AuditEvent.objects.filter(action="accreditation.expire").count() == 1
    assert len(sent.outbox) == 1


def test_expire_leaves_suspended_and_revoked_accreditations_alone(secretariat):
    suspended = AccreditationFactory(valid_from=datetime.date(2021, 4, 1), valid_until=LAST_DAY)
    with time_machine.travel(at(2026, 3, 1, 12, 0), tick=False):
        services.accreditation_suspend(accreditation=suspended, reasons="x", by=secretariat)

    with time_machine.travel(at(2026, 4, 2, 0, 15), tick=False):
        assert expire_lapsed_accreditations() == 0

    suspended.refresh_from_db()
    assert suspended.state == Accreditation.State.SUSPENDED


def test_application_renew_starts_a_draft_carrying_the_profile_over():
    researcher = ApplicantFactory()
    accreditation = AccreditationFactory(researcher=researcher, level=Level.FULL)

    application = services.application_renew(by=researcher)

    assert application.state == AccreditationApplication.State.DRAFT
    assert application.renewal_of == accreditation
    assert application.kind == Level.FULL
    # Profile, qualifications, training and declaration live on the researcher: nothing to
    # re-enter, so the renewal can be sent once the commitments are given again.
    services.application_update(
        application=application,
        by=researcher,
        kind=Level.FULL,
        register_consent=True,
        publish_commitment=True,
    )
    fresh = services.application_submit(application=application, by=researcher)
    assert fresh.state == AccreditationApplication.State.SUBMITTED
    assert AuditEvent.objects.filter(action="accreditation_application.renew").exists()


def test_application_renew_allowed_shortly_after_expiry_not_long_after():
    researcher = ApplicantFactory()
    AccreditationFactory(
        researcher=researcher,
        valid_from=datetime.date(2021, 4, 1),
        valid_until=LAST_DAY,
    )
    with time_machine.travel(at(2026, 4, 2, 0, 15), tick=False):
        expire_lapsed_accreditations()

    with (
        time_machine.travel(at(2027, 4, 1, 12, 0), tick=False),
        pytest.raises(ValidationError, match="no active or recently expired"),
    ):
        services.application_renew(by=researcher)
    with time_machine.travel(at(2026, 5, 1, 12, 0), tick=False):
        application = services.application_renew(by=researcher)

    assert application.renewal_of.state == Accreditation.State.EXPIRED


def test_application_renew_refused_while_an_application_is_open():
    accreditation = AccreditationFactory(researcher=ApplicantFactory())
    AccreditationApplicationFactory(applicant=accreditation.researcher)

    with pytest.raises(ValidationError, match="already have an application in progress"):
        services.application_renew(by=accreditation.researcher)

    assert not AccreditationApplication.objects.filter(renewal_of=accreditation).exists()


def test_application_start_refused_while_accredited():
    accreditation = AccreditationFactory()

    with pytest.raises(ValidationError, match="Renew it instead"):
        services.application_start(by=accreditation.researcher)

"""Each step of an application and an accreditation, taken through its service: the state it
leaves, the audit event it writes and the email it sends."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from accreditation import services
from accreditation.conditions import SCREENING_CHECKS
from accreditation.dates import add_years
from accreditation.models import Accreditation, AccreditationApplication, Level
from audit.models import AuditEvent
from audit.personal import events_open
from identity.roles import Role
from tests.accreditation.factories import (
    AccreditationApplicationFactory,
    AccreditationFactory,
    ApplicantFactory,
)
from tests.accreditation.states import (
    application_screened,
    application_submitted,
    provisional_application,
)
from tests.factories import UserFactory
from workflow.errors import TransitionNotPermitted, TransitionRefused

pytestmark = pytest.mark.django_db

State = AccreditationApplication.State


def actions_for(obj):
    return list(
        AuditEvent.objects.filter(
            object_type=obj._meta.label_lower, object_id=str(obj.pk)
        ).values_list("action", flat=True)
    )


def test_application_start_makes_a_draft_and_audits_it():
    user = UserFactory(roles=[Role.RESEARCHER])

    application = services.application_start(by=user)

    assert application.state == State.DRAFT
    assert application.applicant == user
    assert actions_for(application) == ["accreditation_application.start"]


def test_application_start_refused_while_one_is_open():
    application = AccreditationApplicationFactory()

    with pytest.raises(ValidationError, match="already have an application in progress"):
        services.application_start(by=application.applicant)

    assert AccreditationApplication.objects.filter(applicant=application.applicant).count() == 1


def test_application_start_refused_while_the_accreditation_is_suspended(secretariat):
    accreditation = AccreditationFactory()
    researcher = accreditation.researcher
    services.accreditation_suspend(accreditation=accreditation, reasons="Inquiry.", by=secretariat)

    with pytest.raises(ValidationError, match="cannot apply for accreditation again while"):
        services.application_start(by=researcher)
    assert not AccreditationApplication.objects.filter(
        applicant=researcher, state=State.DRAFT
    ).exists()

    # Once revoked, the researcher may apply afresh.
    services.accreditation_revoke(accreditation=accreditation, reasons="Breach.", by=secretariat)
    assert services.application_start(by=researcher).state == State.DRAFT


def test_application_submit_emails_every_secretariat_member_and_confirms_to_the_applicant(
    sent, secretariat
):
    other_secretariat = UserFactory(roles=[Role.SECRETARIAT])
    application = AccreditationApplicationFactory()

    with sent.capture():
        fresh = services.application_submit(application=application, by=application.applicant)

    assert fresh.state == State.SUBMITTED
    assert actions_for(application) == ["accreditation_application.submit"]
    waiting = [m for m in sent.outbox if m.subject.endswith("waiting to be screened")]
    assert sorted(m.to[0] for m in waiting) == sorted([secretariat.email, other_secretariat.email])
    message = waiting[0]
    assert message.subject == "An accreditation application is waiting to be screened"
    assert f"/accreditation/applications/{application.pk}/" in message.body
    assert application.applicant.get_full_name() in message.body
    (confirmation,) = sent.to(application.applicant.email)
    assert confirmation.subject == "Your accreditation application has been sent"
    assert "What happens next" in confirmation.body


def test_application_submit_twice_is_refused_and_changes_nothing(sent, secretariat):
    application = AccreditationApplicationFactory()
    with sent.capture():
        services.application_submit(application=application, by=application.applicant)

    with sent.capture(), pytest.raises(TransitionRefused) as refused:
        services.application_submit(application=application, by=application.applicant)

    assert refused.value.reasons == [
        "This application has already been submitted, so it cannot be submitted again."
    ]
    assert actions_for(application) == ["accreditation_application.submit"]
    # One to the secretariat member, one confirmation to the applicant: the refusal adds none.
    assert len(sent.outbox) == 2


def test_application_return_needs_comments_and_emails_them(sent, secretariat):
    application = application_submitted()

    with pytest.raises(ValidationError):
        services.application_return(application=application, comments="  ", by=secretariat)
    with sent.capture():
        fresh = services.application_return(
            application=application, comments="Add your degree certificate.", by=secretariat
        )

    assert fresh.state == State.RETURNED
    assert fresh.return_comments == "Add your degree certificate."
    (event,) = events_open(
        [AuditEvent.objects.get(action="accreditation_application.return_to_applicant")]
    )
    # Sealed under the applicant's key, and shown to the secretariat as written.
    assert event.payload == {}
    assert event.shown.payload == {"comments": "Add your degree certificate."}
    (message,) = sent.to(application.applicant.email)
    assert message.subject == "Your accreditation application needs changes"
    assert "Add your degree certificate." in message.body


def test_application_resubmitted_after_return(secretariat):
    application = application_submitted()
    services.application_return(application=application, comments="Fix it.", by=secretariat)

    fresh = services.application_submit(application=application, by=application.applicant)

    assert fresh.state == State.SUBMITTED


def test_application_approve_creates_the_accreditation_for_the_settings_years(
    sent, secretariat, settings
):
    settings.ACCREDITATION_FULL_YEARS = 5
    application = application_screened(by=secretariat)

    with sent.capture():
        accreditation = services.application_approve(
            application=application, level=Level.FULL, by=secretariat
        )

    today = timezone.localdate()
    assert accreditation.state == Accreditation.State.ACTIVE
    assert accreditation.level == Level.FULL
    assert (accreditation.valid_from, accreditation.valid_until) == (today, add_years(today, 5))
    application.refresh_from_db()
    assert application.state == State.APPROVED
    assert "accreditation_application.approve" in actions_for(application)
    assert actions_for(accreditation) == ["accreditation.grant"]
    (message,) = sent.to(application.applicant.email)
    assert message.subject == "You are now an accredited researcher"
    assert "Level: Full" in message.body


def test_application_approve_provisional_lasts_the_provisional_years(secretariat, settings):
    settings.ACCREDITATION_PROVISIONAL_YEARS = 3
    application, supervisor = provisional_application()
    services.supervision_confirm(application=application, by=supervisor)
    services.application_submit(application=application, by=application.applicant)
    services.application_screen(
        application=application, checks=[key for key, _ in SCREENING_CHECKS], by=secretariat
    )

    accreditation = services.application_approve(
        application=application, level=Level.PROVISIONAL, by=secretariat
    )

    assert accreditation.level == Level.PROVISIONAL
    assert accreditation.valid_until == add_years(timezone.localdate(), 3)


def test_application_approve_full_refused_when_the_criteria_are_not_met(secretariat):
    application = application_screened(by=secretariat)
    application.applicant.qualifications.all().delete()

    with pytest.raises(TransitionRefused) as refused:
        services.application_approve(application=application, level=Level.FULL, by=secretariat)

    assert refused.value.reasons == [
        "Full accreditation needs a degree with substantial quantitative content at 2:2 or "
        "better, or at least 3 years' quantitative research experience: approve provisional "
        "accreditation instead."
    ]
    assert not Accreditation.objects.exists()
    application.refresh_from_db()
    assert (application.state, application.kind) == (State.SUBMITTED, Level.FULL)


def test_application_approve_refused_until_screening_is_complete(secretariat):
    application = application_submitted()
    services.application_screen(application=application, checks=["identity"], by=secretariat)

    with pytest.raises(TransitionRefused) as refused:
        services.application_approve(application=application, level=Level.FULL, by=secretariat)

    assert refused.value.reasons == ["Tick every screening check before approving the application."]
    services.application_screen(
        application=application,
        checks=["identity", "qualifications", "training", "declaration"],
        by=secretariat,
    )
    services.application_approve(application=application, level=Level.FULL, by=secretariat)
    assert "accreditation_application.screen" in actions_for(application)


def test_secretariat_cannot_decide_their_own_application():
    application = application_submitted(
        applicant=ApplicantFactory(roles=[Role.SECRETARIAT], totp=True)
    )
    applicant = application.applicant

    for attempt in (
        lambda: services.application_approve(
            application=application, level=Level.FULL, by=applicant
        ),
        lambda: services.application_reject(application=application, reasons="No", by=applicant),
        lambda: services.application_return(application=application, comments="x", by=applicant),
    ):
        with pytest.raises(TransitionNotPermitted):
            attempt()

    application.refresh_from_db()
    assert application.state == State.SUBMITTED
    assert not Accreditation.objects.exists()


def test_application_reject_needs_reasons_and_emails_them(sent, secretariat):
    application = application_submitted()

    with pytest.raises(ValidationError):
        services.application_reject(application=application, reasons="", by=secretariat)
    with sent.capture():
        fresh = services.application_reject(
            application=application, reasons="Not a quantitative degree.", by=secretariat
        )

    assert fresh.state == State.REJECTED
    assert fresh.decision_reasons == "Not a quantitative degree."
    (message,) = sent.to(application.applicant.email)
    assert "Not a quantitative degree." in message.body


def test_application_withdraw_by_the_applicant_only(sent, secretariat):
    application = application_submitted()

    with pytest.raises(TransitionNotPermitted):
        services.application_withdraw(application=application, by=secretariat)
    with sent.capture():
        fresh = services.application_withdraw(application=application, by=application.applicant)

    assert fresh.state == State.WITHDRAWN
    assert sent.to(secretariat.email)[0].subject == (
        "An accreditation application has been withdrawn"
    )


@pytest.mark.parametrize(
    ("step", "state", "subject"),
    [
        ("suspend", Accreditation.State.SUSPENDED, "Your accreditation has been suspended"),
        ("revoke", Accreditation.State.REVOKED, "Your accreditation has been revoked"),
    ],
)
def test_accreditation_suspend_and_revoke_need_reasons_and_email_them(
    sent, secretariat, step, state, subject
):
    accreditation = AccreditationFactory()
    service = getattr(services, f"accreditation_{step}")

    with pytest.raises(ValidationError):
        service(accreditation=accreditation, reasons="", by=secretariat)
    with sent.capture():
        fresh = service(accreditation=accreditation, reasons="Breach of the code.", by=secretariat)

    assert fresh.state == state
    assert fresh.state_reasons == "Breach of the code."
    (event,) = events_open([AuditEvent.objects.get(action=f"accreditation.{step}")])
    assert event.payload == {}
    assert list(event.sealed) == [str(accreditation.researcher_id)]
    assert event.shown.payload == {"reasons": "Breach of the code."}
    (message,) = sent.to(accreditation.researcher.email)
    assert message.subject == subject
    assert "Breach of the code." in message.body


def test_accreditation_reinstate_lifts_a_suspension(sent, secretariat):
    accreditation = AccreditationFactory()
    services.accreditation_suspend(accreditation=accreditation, reasons="Check.", by=secretariat)

    with sent.capture():
        fresh = services.accreditation_reinstate(accreditation=accreditation, by=secretariat)

    assert fresh.state == Accreditation.State.ACTIVE
    assert fresh.state_reasons == ""
    assert sent.to(accreditation.researcher.email)[0].subject == (
        "Your accreditation has been reinstated"
    )


def test_accreditation_suspend_refused_for_a_researcher():
    accreditation = AccreditationFactory()

    with pytest.raises(TransitionNotPermitted):
        services.accreditation_suspend(
            accreditation=accreditation, reasons="x", by=accreditation.researcher
        )


def test_accreditation_reinstate_refused_after_the_end_date(secretariat):
    accreditation = AccreditationFactory(
        valid_from=datetime.date(2020, 1, 1), valid_until=datetime.date(2021, 1, 1)
    )
    services.accreditation_suspend(accreditation=accreditation, reasons="x", by=secretariat)

    with pytest.raises(TransitionRefused) as refused:
        services.accreditation_reinstate(accreditation=accreditation, by=secretariat)

    assert refused.value.reasons == [
        "An accreditation past its end date cannot be reinstated: the researcher applies again."
    ]


def test_application_submit_rolled_back_sends_no_email(sent, secretariat):
    from django.db import transaction

    application = AccreditationApplicationFactory()

    with sent.capture(), pytest.raises(RuntimeError), transaction.atomic():
        services.application_submit(application=application, by=application.applicant)
        raise RuntimeError("a later step in the same request failed")

    application.refresh_from_db()
    assert application.state == State.DRAFT
    assert sent.outbox == []

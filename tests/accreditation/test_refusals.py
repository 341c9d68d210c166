"""Each refusal says who may take the step instead, in the words the refused person reads: on
the 403 page for a page, in the refusal a service raises for a step."""

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from accreditation import services
from accreditation.levels import Level
from accreditation.models import Accreditation, AccreditationApplication
from identity.roles import Role
from tests.accreditation.factories import (
    AccreditationApplicationFactory,
    AccreditationFactory,
    ApplicantFactory,
)
from tests.accreditation.states import application_submitted, provisional_application
from tests.factories import UserFactory
from tests.refusals import refusal_shown
from workflow.services import transition_fire

pytestmark = pytest.mark.django_db
State = AccreditationApplication.State


def test_supervision_page_tells_anyone_else_only_the_named_supervisor_answers(client):
    application, _ = provisional_application()
    client.force_login(UserFactory(roles=[Role.RESEARCHER]))

    response = client.get(reverse("accreditation:supervision", kwargs={"pk": application.pk}))

    assert refusal_shown(response) == (
        "Only the supervisor the applicant named can answer this request."
    )


def test_supervision_refused_to_a_researcher_when_the_application_names_no_supervisor():
    application = AccreditationApplicationFactory()
    assert application.supervisor_id is None

    with pytest.raises(PermissionDenied, match="Only the supervisor the applicant named"):
        services.supervision_confirm(application=application, by=UserFactory())


def test_application_update_by_someone_else_is_refused_saying_only_the_applicant_may():
    application = AccreditationApplicationFactory()

    with pytest.raises(PermissionDenied) as refused:
        services.application_update(
            application=application,
            by=UserFactory(roles=[Role.RESEARCHER]),
            kind=Level.FULL,
            register_consent=True,
            publish_commitment=True,
        )

    assert str(refused.value) == "Only the applicant can change this application."


def test_application_screen_by_a_researcher_is_refused_saying_it_is_for_the_secretariat():
    application = application_submitted()

    with pytest.raises(PermissionDenied) as refused:
        services.application_screen(
            application=application, checks=[], by=UserFactory(roles=[Role.RESEARCHER])
        )

    assert str(refused.value) == "Screening applications is for the secretariat."
    application.refresh_from_db()
    assert application.screening == {}


def test_application_approve_of_their_own_application_refused_to_a_secretariat_member():
    member = ApplicantFactory(roles=[Role.SECRETARIAT], totp=True)
    application = application_submitted(applicant=member)

    with pytest.raises(PermissionDenied) as refused:
        services.application_approve(application=application, level=Level.FULL, by=member)

    assert "is for the secretariat, except the applicant." in str(refused.value)
    application.refresh_from_db()
    assert application.state == State.SUBMITTED


def test_accreditation_suspend_of_their_own_refused_to_a_secretariat_member():
    member = UserFactory(roles=[Role.SECRETARIAT, Role.RESEARCHER], totp=True)
    accreditation = AccreditationFactory(researcher=member)

    with pytest.raises(PermissionDenied) as refused:
        services.accreditation_suspend(accreditation=accreditation, reasons="Test.", by=member)

    assert "is for the secretariat, except the accredited researcher." in str(refused.value)
    accreditation.refresh_from_db()
    assert accreditation.state == Accreditation.State.ACTIVE


def test_application_withdraw_by_someone_else_says_who_may_withdraw_it():
    application = AccreditationApplicationFactory()

    with pytest.raises(PermissionDenied) as refused:
        services.application_withdraw(application=application, by=UserFactory())

    assert str(refused.value).endswith(
        "is for the applicant, or the service itself once nobody has worked on a draft for 60 days."
    )
    application.refresh_from_db()
    assert application.state == State.DRAFT


def test_accreditation_expire_by_a_person_says_the_service_does_it_on_schedule():
    secretariat = UserFactory(roles=[Role.SECRETARIAT], totp=True)
    accreditation = AccreditationFactory()

    with pytest.raises(PermissionDenied) as refused:
        transition_fire(obj=accreditation, transition="expire", by=secretariat)

    assert str(refused.value).endswith("is for the service itself, on schedule.")

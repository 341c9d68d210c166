"""A declaration's signed PDF is prepared by the service through its own state machine: each step
audited with no person as its actor, and a step out of order refused."""

import pytest

from audit.models import AuditEvent
from identity.roles import Role
from researchers.declaration.models import Declaration
from researchers.declaration.services import declaration_fail, declaration_render_and_sign
from tests.factories import UserFactory
from tests.researchers.states import declaration_pending, declaration_signed
from workflow.errors import TransitionNotPermitted, TransitionRefused
from workflow.graph import state_machines
from workflow.services import transition_fire

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def researcher():
    return UserFactory(roles=[Role.RESEARCHER], full_name="Amara Okafor")


def _steps(declaration):
    return list(
        AuditEvent.objects.filter(object_id=str(declaration.pk))
        .order_by("pk")
        .values_list("action", "actor", "from_state", "to_state")
    )


def test_declaration_pdf_is_prepared_by_the_service_with_its_fingerprint_audited(researcher):
    declaration = declaration_signed(researcher)

    event = AuditEvent.objects.get(action="declaration.prepare")

    assert _steps(declaration) == [
        ("declaration.sign", researcher.pk, "", "pending"),
        ("declaration.prepare", None, "pending", "signed"),
    ]
    assert event.payload == {"reference": declaration.reference, "sha256": declaration.sha256}


def test_declaration_signed_never_goes_back_to_pending_or_fails(researcher):
    declaration = declaration_signed(researcher)
    machine = next(m for m in state_machines() if m.model is Declaration)

    with pytest.raises(TransitionRefused) as refused:
        transition_fire(obj=declaration, transition="fail", by=None, reason="late")
    kept = declaration_fail(declaration=declaration, reason="late")

    assert "pending" not in {step.target for step in machine.steps}
    assert refused.value.reasons == [
        "Only a declaration still waiting for its signed PDF can fail."
    ]
    assert kept.state == Declaration.State.SIGNED
    assert kept.failure_reason == ""
    assert [step[0] for step in _steps(declaration)] == ["declaration.sign", "declaration.prepare"]
    with pytest.raises(AttributeError):
        declaration.state = Declaration.State.PENDING


def test_declaration_failed_is_not_prepared_later(researcher):
    declaration = declaration_fail(
        declaration=declaration_pending(researcher), reason="The signing key could not be read."
    )

    with pytest.raises(TransitionRefused) as refused:
        transition_fire(obj=declaration, transition="prepare", by=None, pdf=b"%PDF-")
    again = declaration_render_and_sign(declaration=declaration)

    assert refused.value.reasons == [
        "The signed PDF is prepared only for a declaration still waiting for it."
    ]
    assert again.state == Declaration.State.FAILED
    assert not again.pdf
    assert _steps(declaration)[-1] == ("declaration.fail", None, "pending", "failed")


def test_declaration_pdf_steps_are_the_services_never_a_persons(researcher):
    declaration = declaration_pending(researcher)
    secretariat = UserFactory(roles=[Role.SECRETARIAT], totp=True)

    for person in (researcher, secretariat):
        with pytest.raises(TransitionNotPermitted):
            transition_fire(obj=declaration, transition="prepare", by=person, pdf=b"%PDF-")
        with pytest.raises(TransitionNotPermitted):
            transition_fire(obj=declaration, transition="fail", by=person, reason="Not wanted.")

    declaration.refresh_from_db()
    assert declaration.state == Declaration.State.PENDING

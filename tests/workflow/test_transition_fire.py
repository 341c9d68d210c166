import pytest
from django.core.exceptions import PermissionDenied
from django.db.models.signals import post_save

from accreditation.models import Accreditation, AccreditationApplication, Level
from audit.models import AuditEvent
from audit.personal import events_open
from identity.roles import Role
from outputs.models import OutputRequest
from projects.models import Proposal
from tests.accreditation.factories import (
    AccreditationApplicationFactory,
    AccreditationFactory,
    ApplicantFactory,
)
from tests.accreditation.states import application_at
from tests.factories import UserFactory
from tests.legislation.factories import DatasetFactory
from tests.outputs.factories import OutputRequestFactory
from tests.outputs.states import output_request_at
from tests.projects.factories import proposal_ready_to_submit
from tests.projects.states import proposal_at
from workflow.errors import TransitionNotPermitted, TransitionRefused
from workflow.services import (
    available_transitions,
    check_user_may_fire,
    transition_fire,
    unmet_conditions,
    user_may_fire,
)

pytestmark = pytest.mark.django_db

State = AccreditationApplication.State


def events_for(obj):
    return AuditEvent.objects.filter(object_type=obj._meta.label_lower, object_id=str(obj.pk))


def stored_state(obj):
    return type(obj)._default_manager.values_list("state", flat=True).get(pk=obj.pk)


@pytest.fixture
def secretariat():
    return UserFactory(roles=[Role.SECRETARIAT])


def test_transition_fire_changes_state_and_writes_one_audit_event(rf):
    application = AccreditationApplicationFactory()
    request = rf.post("/", REMOTE_ADDR="203.0.113.7")

    fresh = transition_fire(
        obj=application,
        transition="submit",
        by=application.applicant,
        request=request,
        payload={"note": "first go"},
    )

    assert fresh.state == State.SUBMITTED
    assert fresh.submitted_at is not None
    assert stored_state(application) == State.SUBMITTED
    event = events_for(application).get()
    assert event.action == "accreditation_application.submit"
    assert (event.from_state, event.to_state) == ("draft", "submitted")
    assert event.actor == application.applicant
    assert events_open([event])[0].shown.ip_address == "203.0.113.7"
    assert event.payload == {"note": "first go"}


def test_transition_fire_refused_with_the_condition_sentence(secretariat):
    # Submission needs a level chosen, so no service makes this row: the guard is tested
    # against it all the same.
    application = AccreditationApplicationFactory(state=State.SUBMITTED)

    with pytest.raises(TransitionRefused) as refused:
        transition_fire(obj=application, transition="approve", by=secretariat)

    sentence = "Choose full or provisional accreditation before approving the application."
    assert refused.value.reasons == [sentence]
    assert str(refused.value) == sentence
    assert stored_state(application) == State.SUBMITTED
    assert not events_for(application).exists()


def test_transition_fire_refused_lists_every_unmet_condition():
    proposal = proposal_ready_to_submit(start_date=None, datasets=[])

    with pytest.raises(TransitionRefused) as refused:
        transition_fire(obj=proposal, transition="submit", by=proposal.coordinator)

    assert refused.value.reasons == [
        "Give the project's start and end dates.",
        "Request at least one dataset.",
    ]
    assert stored_state(proposal) == Proposal.State.DRAFT


def test_transition_fire_refused_for_someone_without_permission():
    application = AccreditationApplicationFactory()
    other = UserFactory(roles=[Role.RESEARCHER])

    with pytest.raises(TransitionNotPermitted) as denied:
        transition_fire(obj=application, transition="submit", by=other)

    assert isinstance(denied.value, PermissionDenied)
    assert str(denied.value) == "“Submit” on this accreditation application is for the applicant."
    assert stored_state(application) == State.DRAFT
    assert not events_for(application).exists()


def test_transition_fire_refused_for_the_secretariat_deciding_its_own_application():
    applicant = ApplicantFactory(roles=[Role.RESEARCHER, Role.SECRETARIAT])
    application = application_at(State.SUBMITTED, applicant=applicant, kind=Level.FULL)

    with pytest.raises(TransitionNotPermitted):
        transition_fire(obj=application, transition="approve", by=applicant)

    assert stored_state(application) == State.SUBMITTED


def test_transition_fire_refused_from_a_state_it_does_not_leave(secretariat):
    application = application_at(State.APPROVED, kind=Level.FULL)
    before = events_for(application).count()

    with pytest.raises(TransitionRefused) as refused:
        transition_fire(obj=application, transition="withdraw", by=application.applicant)

    assert refused.value.reasons == ["An application can be withdrawn only before a decision."]
    with pytest.raises(TransitionRefused) as again:
        transition_fire(obj=application, transition="approve", by=secretariat)
    assert again.value.reasons == [
        "This accreditation application is approved, so “Approve” is not possible now."
    ]
    assert events_for(application).count() == before


def test_transition_fire_uses_the_stored_state_not_the_callers_copy(secretariat):
    application = application_at(State.SUBMITTED, kind=Level.FULL)
    before = events_for(application).count()
    stale = AccreditationApplication.objects.get(pk=application.pk)
    transition_fire(obj=application, transition="approve", by=secretariat)

    with pytest.raises(TransitionRefused):
        transition_fire(obj=stale, transition="reject", by=secretariat)

    assert stored_state(application) == State.APPROVED
    assert events_for(application).count() == before + 1


def test_state_field_cannot_be_assigned_directly():
    application = AccreditationApplicationFactory()

    with pytest.raises(AttributeError):
        application.state = State.APPROVED

    application.refresh_from_db()
    assert application.state == State.DRAFT


def test_transition_fire_rolls_back_the_state_when_a_later_step_fails():
    application = AccreditationApplicationFactory()

    def fail_after_saving(sender, instance, **kwargs):
        raise RuntimeError("storage went away")

    post_save.connect(fail_after_saving, sender=AccreditationApplication)
    try:
        with pytest.raises(RuntimeError):
            transition_fire(obj=application, transition="submit", by=application.applicant)
    finally:
        post_save.disconnect(fail_after_saving, sender=AccreditationApplication)

    assert stored_state(application) == State.DRAFT
    assert not events_for(application).exists()


def test_transition_fire_rolls_back_the_state_when_the_audit_event_fails():
    application = AccreditationApplicationFactory()

    # A payload the audit trail cannot store as JSON makes writing the event fail after the save.
    with pytest.raises(TypeError):
        transition_fire(
            obj=application,
            transition="submit",
            by=application.applicant,
            payload={"unstorable": object()},
        )

    assert stored_state(application) == State.DRAFT
    assert not events_for(application).exists()


def test_transition_fire_by_the_service_itself():
    accreditation = AccreditationFactory(valid_from="2020-01-01", valid_until="2025-01-01")

    fresh = transition_fire(obj=accreditation, transition="expire", by=None)

    assert fresh.state == Accreditation.State.EXPIRED
    event = events_for(accreditation).get()
    assert event.actor is None
    assert event.action == "accreditation.expire"


def test_accreditation_expire_refused_for_a_person_and_before_the_end_date(secretariat):
    accreditation = AccreditationFactory()

    with pytest.raises(TransitionNotPermitted):
        transition_fire(obj=accreditation, transition="expire", by=secretariat)
    with pytest.raises(TransitionRefused) as refused:
        transition_fire(obj=accreditation, transition="expire", by=None)

    assert refused.value.reasons == ["An accreditation expires only after its end date."]


def test_proposal_with_consent_dataset_goes_to_data_owners_not_panel(secretariat):
    proposal = proposal_at(
        Proposal.State.SCREENING, datasets=[DatasetFactory(consent_required=True)]
    )

    assert unmet_conditions(proposal, "send_to_panel") == [
        "A proposal requesting a dataset whose owning department must consent goes to the "
        "data owners first."
    ]
    with pytest.raises(TransitionRefused):
        transition_fire(obj=proposal, transition="fast_track_approve", by=secretariat)
    fresh = transition_fire(obj=proposal, transition="send_to_data_owners", by=secretariat)

    assert fresh.state == Proposal.State.DATA_OWNER_REVIEW


def test_proposal_fast_track_is_recorded_as_delegated_authority(secretariat):
    proposal = proposal_at(Proposal.State.SCREENING, datasets=[DatasetFactory()])
    before = events_for(proposal).count()

    fresh = transition_fire(obj=proposal, transition="fast_track_approve", by=secretariat)

    assert fresh.state == Proposal.State.APPROVED
    assert fresh.fast_tracked
    assert events_for(proposal).count() == before + 1
    assert events_for(proposal).latest("pk").action == "proposal.fast_track_approve"


def test_output_request_submit_refused_for_someone_outside_the_project():
    output_request = OutputRequestFactory()
    outsider = UserFactory(roles=[Role.RESEARCHER])
    output_request.author = outsider
    output_request.save()

    with pytest.raises(TransitionNotPermitted):
        transition_fire(obj=output_request, transition="submit", by=outsider)

    assert stored_state(output_request) == OutputRequest.State.DRAFT


def test_output_request_submit_refused_while_project_not_active():
    output_request = OutputRequestFactory(project__state=Proposal.State.APPROVED)

    with pytest.raises(TransitionRefused) as refused:
        transition_fire(obj=output_request, transition="submit", by=output_request.author)

    assert (
        "Outputs can be sent for checking only while the project is active, up to its end date."
        in refused.value.reasons
    )


def test_output_request_review_refused_for_a_checker_on_the_project():
    checker = UserFactory(roles=[Role.RESEARCHER, Role.OUTPUT_CHECKER])
    output_request = output_request_at(OutputRequest.State.SUBMITTED, project__coordinator=checker)
    independent = UserFactory(roles=[Role.OUTPUT_CHECKER])

    with pytest.raises(TransitionNotPermitted):
        transition_fire(obj=output_request, transition="record_first_review", by=checker)
    fresh = transition_fire(obj=output_request, transition="record_first_review", by=independent)

    assert fresh.state == OutputRequest.State.PARTIALLY_REVIEWED


def test_available_transitions_lists_the_users_steps_with_reasons():
    proposal = proposal_ready_to_submit(end_date=None, datasets=[])

    steps = {step.name: step for step in available_transitions(proposal, proposal.coordinator)}

    assert list(steps) == ["submit", "withdraw"]
    assert not steps["submit"].allowed
    assert steps["submit"].reasons == [
        "Give the project's start and end dates.",
        "Request at least one dataset.",
    ]
    assert steps["withdraw"].allowed
    assert available_transitions(proposal, UserFactory(roles=[Role.RESEARCHER])) == []


def test_transition_fire_rejects_a_name_that_is_not_a_transition():
    application = AccreditationApplicationFactory()

    with pytest.raises(ValueError, match="no transition named 'save'"):
        transition_fire(obj=application, transition="save", by=application.applicant)


def test_user_may_fire_agrees_with_check_user_may_fire(secretariat):
    proposal = proposal_at(Proposal.State.SUBMITTED)

    assert user_may_fire(proposal, "start_screening", secretariat)
    check_user_may_fire(proposal, "start_screening", secretariat)
    assert not user_may_fire(proposal, "start_screening", proposal.coordinator)
    with pytest.raises(TransitionNotPermitted, match="for the secretariat, except members"):
        check_user_may_fire(proposal, "start_screening", proposal.coordinator)

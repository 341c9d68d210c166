"""Each submission rule, unmet, refuses the submission with its own sentence; the provisional
route needs a fully accredited, confirmed supervisor from the applicant's organisation."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from accreditation import conditions, services
from accreditation.models import AccreditationApplication, Level
from researchers.models import DeclarationVersion, Organisation
from tests.accreditation.factories import (
    AccreditationApplicationFactory,
    AccreditationFactory,
    ApplicantFactory,
)
from tests.accreditation.states import supervisor_for
from tests.researchers.profile_factories import OrganisationFactory
from workflow.errors import TransitionRefused
from workflow.graph import sentence

pytestmark = pytest.mark.django_db

State = AccreditationApplication.State


def refusal(application):
    with pytest.raises(TransitionRefused) as refused:
        services.application_submit(application=application, by=application.applicant)
    application.refresh_from_db()
    assert application.state == State.DRAFT
    return refused.value.reasons


def test_every_submission_rule_is_a_sentence_and_on_the_task_list():
    from accreditation.task_list import _tasks

    on_list = {rule for task in _tasks() for rule in task.rules}

    assert set(conditions.SUBMISSION_CONDITIONS) == on_list
    for rule in conditions.SUBMISSION_CONDITIONS:
        assert sentence(rule).endswith(".")


def test_submit_refused_without_a_complete_profile():
    application = AccreditationApplicationFactory()
    application.applicant.profile.delete()

    assert refusal(application) == [
        "Complete your profile: your name, an approved organisation and your work contact details."
    ]


def test_submit_refused_without_a_route():
    application = AccreditationApplicationFactory(kind="")

    assert refusal(application) == [
        "Choose full accreditation, or provisional accreditation under a supervisor."
    ]


def test_submit_refused_for_full_without_the_qualifications():
    application = AccreditationApplicationFactory(applicant__ready__qualified=False)

    assert refusal(application) == [
        "For full accreditation, add a degree with substantial quantitative content at 2:2 or "
        "better, or at least 3 years' quantitative research experience."
    ]


def test_submit_refused_without_training():
    application = AccreditationApplicationFactory()
    application.applicant.training_records.all().delete()

    assert refusal(application) == ["Add a record of passing Safe Researcher Training."]


def test_submit_refused_without_the_current_declaration():
    application = AccreditationApplicationFactory()
    DeclarationVersion.objects.create(number=99, text="A new wording.")

    assert refusal(application) == ["Sign the current version of the confidentiality declaration."]


def test_submit_refused_without_register_consent_or_publishing_commitment():
    application = AccreditationApplicationFactory(register_consent=False, publish_commitment=False)

    assert refusal(application) == [
        "Agree to your name, organisation and accreditation appearing on the public register.",
        "Commit to publishing the results of your research.",
    ]


def provisional(application, supervisor):
    return services.application_update(
        application=application,
        by=application.applicant,
        kind=Level.PROVISIONAL,
        supervisor_email=supervisor.email,
        register_consent=True,
        publish_commitment=True,
    )


def test_provisional_route_needs_the_supervisor_to_confirm(sent):
    application = AccreditationApplicationFactory(applicant__ready__qualified=False)
    supervisor = supervisor_for(application.applicant)

    with sent.capture():
        provisional(application, supervisor)

    (request,) = sent.to(supervisor.email)
    assert request.subject == "Please confirm you will supervise a researcher"
    assert f"/accreditation/supervision/{application.pk}/" in request.body
    assert refusal(application) == [
        "Your supervisor must confirm in the service that they will supervise you."
    ]

    with sent.capture():
        services.supervision_confirm(application=application, by=supervisor)

    assert sent.to(application.applicant.email)[0].subject == "Your supervisor has confirmed"
    fresh = services.application_submit(application=application, by=application.applicant)
    assert fresh.state == State.SUBMITTED


def test_provisional_route_refused_after_the_supervisor_declines(sent):
    application = AccreditationApplicationFactory(applicant__ready__qualified=False)
    supervisor = supervisor_for(application.applicant)
    provisional(application, supervisor)

    with sent.capture():
        services.supervision_decline(application=application, by=supervisor)

    assert sent.to(application.applicant.email)[0].subject == "Your supervisor has declined"
    assert refusal(application) == [
        "Your supervisor must confirm in the service that they will supervise you."
    ]


def test_provisional_route_refused_for_a_supervisor_from_another_organisation():
    application = AccreditationApplicationFactory(applicant__ready__qualified=False)
    elsewhere = ApplicantFactory(ready__organisation=OrganisationFactory(name="Elsewhere"))
    AccreditationFactory(researcher=elsewhere)
    provisional(application, elsewhere)
    services.supervision_confirm(application=application, by=elsewhere)

    assert refusal(application) == [
        "Your supervisor must belong to the same approved organisation as you."
    ]


def test_provisional_route_refused_for_a_supervisor_without_full_accreditation():
    application = AccreditationApplicationFactory(applicant__ready__qualified=False)
    organisation = application.applicant.profile.organisation
    unaccredited = ApplicantFactory(ready__organisation=organisation)
    provisional_only = ApplicantFactory(ready__organisation=organisation)
    AccreditationFactory(researcher=provisional_only, level=Level.PROVISIONAL)

    for supervisor in (unaccredited, provisional_only):
        provisional(application, supervisor)
        services.supervision_confirm(application=application, by=supervisor)
        assert refusal(application) == [
            "For provisional accreditation, name a supervisor who holds active full accreditation."
        ]


def test_provisional_route_refused_when_the_organisation_is_not_approved():
    organisation = OrganisationFactory(status=Organisation.Status.PROPOSED)
    application = AccreditationApplicationFactory(
        applicant__ready__qualified=False, applicant__ready__organisation=organisation
    )
    supervisor = ApplicantFactory(ready__organisation=organisation)
    AccreditationFactory(researcher=supervisor)
    provisional(application, supervisor)
    services.supervision_confirm(application=application, by=supervisor)

    reasons = refusal(application)

    assert "Your supervisor must belong to the same approved organisation as you." in reasons


def test_provisional_route_needs_training_within_the_settings_years(settings):
    settings.PROVISIONAL_TRAINING_MAX_AGE_YEARS = 3
    application = AccreditationApplicationFactory(applicant__ready__qualified=False)
    supervisor = supervisor_for(application.applicant)
    provisional(application, supervisor)
    services.supervision_confirm(application=application, by=supervisor)
    application.applicant.training_records.update(
        passed_on=timezone.localdate() - datetime.timedelta(days=4 * 365)
    )

    assert refusal(application) == [
        "For provisional accreditation, you must have passed Safe Researcher Training within "
        "the last 3 years."
    ]


def test_supervisor_changed_needs_a_new_confirmation():
    application = AccreditationApplicationFactory(applicant__ready__qualified=False)
    first = supervisor_for(application.applicant)
    second = supervisor_for(application.applicant)
    provisional(application, first)
    services.supervision_confirm(application=application, by=first)

    fresh = provisional(application, second)

    assert fresh.supervisor == second
    assert fresh.supervisor_confirmed_at is None


def test_supervision_answer_only_from_the_named_supervisor():
    application = AccreditationApplicationFactory(applicant__ready__qualified=False)
    supervisor = supervisor_for(application.applicant)
    someone_else = supervisor_for(application.applicant)
    provisional(application, supervisor)

    for person in (someone_else, application.applicant):
        with pytest.raises(PermissionDenied):
            services.supervision_confirm(application=application, by=person)

    application.refresh_from_db()
    assert application.supervisor_confirmed_at is None


def test_application_update_refuses_an_unknown_supervisor_or_oneself():
    application = AccreditationApplicationFactory()

    with pytest.raises(ValidationError) as unknown:
        provisional(application, type("Nobody", (), {"email": "nobody@example.ac.uk"}))
    with pytest.raises(ValidationError) as oneself:
        provisional(application, application.applicant)

    assert "no account with that email address" in str(unknown.value)
    assert "cannot supervise yourself" in str(oneself.value)

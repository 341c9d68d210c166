"""The edges of the accreditation rules: an accreditation counts through its last valid day
and lapses the day after, a provisional approval needs a supervisor who still holds full
accreditation when the secretariat decides, and missing training is said once, not again as
training too old for the provisional route. Mutation testing (`make mutate`) found these
untested."""

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from accreditation import services
from accreditation.conditions import SCREENING_CHECKS
from accreditation.levels import Level
from accreditation.models import Accreditation
from tests.accreditation.factories import AccreditationApplicationFactory, AccreditationFactory
from tests.accreditation.states import provisional_application
from tests.researchers.profile_factories import ExperienceFactory
from workflow.errors import TransitionRefused

pytestmark = pytest.mark.django_db

LAST_DAY = datetime.date(2026, 3, 31)
LONDON = ZoneInfo("Europe/London")


def on(day, hour=12):
    return time_machine.travel(
        datetime.datetime(day.year, day.month, day.day, hour, tzinfo=LONDON), tick=False
    )


def suspended_until(last_day, secretariat):
    accreditation = AccreditationFactory(valid_from=datetime.date(2021, 4, 1), valid_until=last_day)
    with on(last_day - datetime.timedelta(days=30)):
        return services.accreditation_suspend(
            accreditation=accreditation, reasons="Checking a breach.", by=secretariat
        )


def test_accreditation_reinstate_allowed_on_its_last_valid_day(secretariat):
    accreditation = suspended_until(LAST_DAY, secretariat)

    with on(LAST_DAY, hour=23):
        fresh = services.accreditation_reinstate(accreditation=accreditation, by=secretariat)

    assert fresh.state == Accreditation.State.ACTIVE


def test_accreditation_reinstate_refused_the_day_after_its_last_valid_day(secretariat):
    accreditation = suspended_until(LAST_DAY, secretariat)

    with on(LAST_DAY + datetime.timedelta(days=1), hour=0), pytest.raises(TransitionRefused) as no:
        services.accreditation_reinstate(accreditation=accreditation, by=secretariat)

    assert no.value.reasons == [
        "An accreditation past its end date cannot be reinstated: the researcher applies again."
    ]


def test_accreditation_expire_refused_on_its_last_valid_day():
    accreditation = AccreditationFactory(valid_from=datetime.date(2021, 4, 1), valid_until=LAST_DAY)

    with on(LAST_DAY, hour=23), pytest.raises(TransitionRefused) as no:
        services.accreditation_expire(accreditation=accreditation)

    assert no.value.reasons == ["An accreditation expires only after its end date."]
    accreditation.refresh_from_db()
    assert accreditation.state == Accreditation.State.ACTIVE


def test_application_approve_provisional_refused_once_the_supervisor_is_suspended(secretariat):
    application, supervisor = provisional_application()
    services.supervision_confirm(application=application, by=supervisor)
    services.application_submit(application=application, by=application.applicant)
    services.application_screen(
        application=application, checks=[key for key, _ in SCREENING_CHECKS], by=secretariat
    )
    services.accreditation_suspend(
        accreditation=supervisor.accreditations.get(), reasons="Checking a breach.", by=secretariat
    )

    with pytest.raises(TransitionRefused) as refused:
        services.application_approve(
            application=application, level=Level.PROVISIONAL, by=secretariat
        )

    assert refused.value.reasons == [
        "Provisional accreditation needs a fully accredited supervisor from the applicant's "
        "organisation who has confirmed."
    ]
    assert not Accreditation.objects.filter(researcher=application.applicant).exists()


def test_submit_provisional_without_training_says_only_to_add_it():
    application, supervisor = provisional_application()
    services.supervision_confirm(application=application, by=supervisor)
    application.applicant.training_records.all().delete()

    with pytest.raises(TransitionRefused) as refused:
        services.application_submit(application=application, by=application.applicant)

    assert refused.value.reasons == ["Add a record of passing Safe Researcher Training."]


def test_submit_full_refused_on_no_years_of_experience_when_one_year_is_enough(settings):
    settings.ACCREDITATION_FULL_EXPERIENCE_YEARS = 1
    application = AccreditationApplicationFactory(applicant__ready__qualified=False)
    ExperienceFactory(user=application.applicant, years=0)

    with pytest.raises(TransitionRefused) as refused:
        services.application_submit(application=application, by=application.applicant)

    assert refused.value.reasons[0].startswith("For full accreditation, add a degree")

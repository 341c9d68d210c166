import datetime

import pytest

from researchers.criteria import (
    user_meets_full_criteria,
    user_profile_complete,
    user_training_passed,
)
from researchers.models import Organisation, Qualification
from tests.factories import UserFactory
from tests.researchers.profile_factories import (
    ExperienceFactory,
    OrganisationFactory,
    QualificationFactory,
    ResearcherProfileFactory,
    TrainingRecordFactory,
)

pytestmark = pytest.mark.django_db

C = Qualification.Classification
L = Qualification.Level


@pytest.mark.parametrize(
    ("level", "classification", "quantitative", "full"),
    [
        (L.BACHELOR, C.FIRST, True, True),
        (L.BACHELOR, C.UPPER_SECOND, True, True),
        (L.BACHELOR, C.LOWER_SECOND, True, True),
        (L.BACHELOR, C.LOWER_SECOND, False, False),
        (L.BACHELOR, C.THIRD, True, False),
        (L.BACHELOR, C.PASS, True, False),
        (L.MASTER, C.PASS, True, True),
        (L.DOCTORATE, C.PASS, True, True),
        (L.DOCTORATE, C.PASS, False, False),
    ],
)
def test_full_criteria_degree(level, classification, quantitative, full):
    qualification = QualificationFactory(
        level=level, classification=classification, quantitative=quantitative
    )

    assert user_meets_full_criteria(qualification.user) is full


@pytest.mark.parametrize(("years", "full"), [(2, False), (3, True), (10, True)])
def test_full_criteria_experience(years, full):
    qualification = ExperienceFactory(years=years)

    assert user_meets_full_criteria(qualification.user) is full


def test_full_criteria_any_qualification_is_enough():
    user = UserFactory()
    QualificationFactory(user=user, classification=C.THIRD)
    ExperienceFactory(user=user, years=3)

    assert user_meets_full_criteria(user)


def test_full_criteria_not_met_without_qualifications():
    assert not user_meets_full_criteria(UserFactory())


def test_full_criteria_experience_years_are_a_setting(settings):
    settings.ACCREDITATION_FULL_EXPERIENCE_YEARS = 4
    qualification = ExperienceFactory(years=3)

    assert not user_meets_full_criteria(qualification.user)


def test_training_passed_needs_a_record():
    assert not user_training_passed(UserFactory())


def test_training_passed_with_any_record():
    record = TrainingRecordFactory(passed_on=datetime.date(2020, 1, 1))

    assert user_training_passed(record.user)


def test_training_passed_since_counts_the_day_itself_and_later_only():
    record = TrainingRecordFactory(passed_on=datetime.date(2024, 3, 1))

    assert user_training_passed(record.user, since=datetime.date(2024, 3, 1))
    assert not user_training_passed(record.user, since=datetime.date(2024, 3, 2))


def test_profile_complete_with_name_approved_organisation_and_contact():
    profile = ResearcherProfileFactory()

    assert user_profile_complete(profile.user)


def test_profile_complete_accepts_a_work_address_instead_of_email():
    profile = ResearcherProfileFactory(contact_email="", work_address="1 Drummond Gate, London")

    assert user_profile_complete(profile.user)


@pytest.mark.parametrize(
    "change",
    [
        {"contact_email": ""},
        {"organisation": None},
        {"organisation__status": Organisation.Status.PROPOSED},
    ],
)
def test_profile_incomplete(change):
    change = dict(change)  # the parameter is shared by every run in this process
    organisation_status = change.pop("organisation__status", None)
    profile = ResearcherProfileFactory(**change)
    if organisation_status:
        profile.organisation.status = organisation_status
        profile.organisation.save()

    assert not user_profile_complete(profile.user)


def test_profile_incomplete_without_a_profile_or_name():
    assert not user_profile_complete(UserFactory())
    profile = ResearcherProfileFactory(user__full_name="", organisation=OrganisationFactory())
    assert not user_profile_complete(profile.user)

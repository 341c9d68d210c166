import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from audit.models import AuditEvent
from identity.roles import Role
from researchers.models import Organisation, Qualification
from researchers.profile import services as services
from tests.factories import UserFactory
from tests.researchers.profile_factories import (
    OrganisationFactory,
    QualificationFactory,
    ResearcherProfileFactory,
)

pytestmark = pytest.mark.django_db


def test_profile_update_by_someone_else_refused():
    owner = UserFactory(roles=[Role.RESEARCHER])
    secretariat = UserFactory(roles=[Role.SECRETARIAT])

    with pytest.raises(PermissionDenied):
        services.profile_update(user=owner, full_name="Changed", by=secretariat)

    owner.refresh_from_db()
    assert owner.full_name != "Changed"


def test_qualification_change_by_someone_else_refused():
    qualification = QualificationFactory()
    other = UserFactory(roles=[Role.RESEARCHER])

    with pytest.raises(PermissionDenied):
        services.qualification_update(
            qualification=qualification, details={"subject": "Physics"}, by=other
        )
    with pytest.raises(PermissionDenied):
        services.qualification_delete(qualification=qualification, by=other)

    assert Qualification.objects.get(pk=qualification.pk).subject == "Economics"


@pytest.mark.parametrize(
    "decide",
    [
        lambda o, by: services.organisation_approve(organisation=o, by=by),
        lambda o, by: services.organisation_reject(organisation=o, reason="No", by=by),
        lambda o, by: services.organisation_merge(
            organisation=o, into=Organisation.objects.get(name="University of Oxford"), by=by
        ),
    ],
)
def test_organisation_decisions_need_the_secretariat(decide):
    proposed = OrganisationFactory(name="Oxford Uni", status="proposed")
    researcher = UserFactory(roles=[Role.RESEARCHER])

    with pytest.raises(PermissionDenied):
        decide(proposed, researcher)

    proposed.refresh_from_db()
    assert proposed.status == Organisation.Status.PROPOSED
    assert not AuditEvent.objects.exists()


def test_organisation_merge_into_a_proposed_one_refused():
    proposed = OrganisationFactory(name="A Lab", status="proposed")
    other = OrganisationFactory(name="B Lab", status="proposed")

    with pytest.raises(ValidationError):
        services.organisation_merge(organisation=proposed, into=other, by=None)


def test_organisation_propose_same_name_twice_gives_one_proposal():
    first = services.organisation_propose(name="Data Lab Cymru", by=UserFactory())
    second = services.organisation_propose(name="data lab  cymru", by=UserFactory())

    assert first == second
    assert AuditEvent.objects.filter(action=services.ORGANISATION_PROPOSED).count() == 1


def test_organisation_propose_a_merged_name_gives_the_listed_one():
    oxford = Organisation.objects.get(name="University of Oxford")
    merged = OrganisationFactory(name="Oxford University", status="proposed")
    services.organisation_merge(organisation=merged, into=oxford, by=None)

    assert services.organisation_propose(name="Oxford University", by=None) == oxford


def test_organisation_propose_a_rejected_name_refused():
    rejected = OrganisationFactory(name="Made Up Body", status="proposed")
    services.organisation_reject(organisation=rejected, reason="Not real", by=None)

    with pytest.raises(ValidationError):
        services.organisation_propose(name="Made Up Body", by=None)


def test_profile_update_records_which_fields_changed_not_when_nothing_did():
    profile = ResearcherProfileFactory()
    user = profile.user
    values = {
        "full_name": user.full_name,
        "organisation": profile.organisation,
        "orcid": "",
        "job_title": profile.job_title,
        "phone": "",
        "work_address": "",
        "contact_email": profile.contact_email,
    }

    services.profile_update(user=user, **values, by=user)
    assert not AuditEvent.objects.exists()

    services.profile_update(user=user, **{**values, "job_title": "Professor"}, by=user)
    event = AuditEvent.objects.get()
    assert event.payload["changed"] == ["job_title"]

"""Taking the data-owner role away ends the person's place as a department's representative; the
answers they gave stand."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse

from audit.models import AuditEvent
from identity.roles import Role, user_has_role
from notifications.models import Notification
from projects.consent.services import consent_give, representative_add
from projects.models import DataOwnerRepresentative, DatasetRequest, Proposal
from researchers import services as role_services
from researchers.models import User
from tests.factories import UserFactory
from tests.legislation.factories import DatasetFactory, DepartmentFactory

from .test_consent import data_owner_for, request_for, with_data_owners

pytestmark = pytest.mark.django_db

State = Proposal.State
Consent = DatasetRequest.Consent


@pytest.fixture
def secretariat():
    return UserFactory(roles=[Role.SECRETARIAT], totp=True)


def none_left_notices():
    return Notification.objects.filter(kind="data_owner_representative.none_left")


def test_data_owner_role_removed_on_the_roles_page_ends_representation(secretariat):
    answered, waiting = DatasetFactory(consent_required=True), DatasetFactory(consent_required=True)
    owner = data_owner_for(answered.department)
    DataOwnerRepresentative.objects.create(user=owner, department=waiting.department)
    proposal = with_data_owners(secretariat, answered, waiting)
    consent_give(dataset_request=request_for(proposal, answered), by=owner)
    browser = Client()
    browser.force_login(owner)

    removed = Client()
    removed.force_login(secretariat)
    response = removed.post(
        reverse("researchers:person_roles", kwargs={"pk": owner.pk}), {"roles": [Role.RESEARCHER]}
    )

    assert response.status_code == 302
    assert not DataOwnerRepresentative.objects.filter(user=owner).exists()
    consent_url = reverse("projects:consent", kwargs={"pk": proposal.pk})
    assert browser.get(consent_url).status_code == 403
    # The answer already given stands.
    given = request_for(proposal, answered)
    assert (given.consent, given.consent_by) == (Consent.GIVEN, owner)
    events = AuditEvent.objects.filter(action="data_owner_representative.remove")
    assert sorted(e.payload["department"] for e in events) == sorted(
        [answered.department.slug, waiting.department.slug]
    )
    assert {e.payload["because"] for e in events} == {"role_removed"}
    assert {e.actor for e in events} == {secretariat}
    # Only the department still waited for, with nobody left to answer, is for the secretariat.
    notice = none_left_notices().get()
    assert notice.recipient == secretariat
    assert str(waiting.department) in notice.subject


def test_department_with_another_data_owner_left_is_not_reported(secretariat):
    dataset = DatasetFactory(consent_required=True)
    leaving, staying = data_owner_for(dataset.department), data_owner_for(dataset.department)
    proposal = with_data_owners(secretariat, dataset)

    role_services.role_revoke(user=leaving, role=Role.DATA_OWNER, by=secretariat)

    assert not none_left_notices().exists()
    assert consent_give(dataset_request=request_for(proposal, dataset), by=staying).state == (
        State.PANEL_REVIEW
    )


def test_consent_refused_to_a_data_owner_whose_role_went_while_the_request_ran(secretariat):
    dataset = DatasetFactory(consent_required=True)
    owner = data_owner_for(dataset.department)
    proposal = with_data_owners(secretariat, dataset)
    in_flight = User.objects.get(pk=owner.pk)
    assert user_has_role(in_flight, Role.DATA_OWNER)

    role_services.role_revoke(
        user=User.objects.get(pk=owner.pk), role=Role.DATA_OWNER, by=secretariat
    )

    with pytest.raises(PermissionDenied):
        consent_give(dataset_request=request_for(proposal, dataset), by=in_flight)
    assert request_for(proposal, dataset).consent == Consent.PENDING


def test_representative_add_reads_the_role_afresh(secretariat):
    owner = UserFactory(roles=[Role.DATA_OWNER], totp=True)
    # The secretariat's page listed the person while they were still a data owner.
    listed = User.objects.get(pk=owner.pk)
    assert user_has_role(listed, Role.DATA_OWNER)
    role_services.role_revoke(
        user=User.objects.get(pk=owner.pk), role=Role.DATA_OWNER, by=secretariat
    )

    with pytest.raises(ValidationError):
        representative_add(user=listed, department=DepartmentFactory(), by=secretariat)
    assert not DataOwnerRepresentative.objects.exists()

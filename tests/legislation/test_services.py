import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import ProtectedError

from audit.models import AuditEvent
from identity.roles import Role
from legislation import services
from legislation.access_modes import AccessMode
from legislation.models import Act
from tests.factories import UserFactory
from tests.legislation.factories import ActFactory, DatasetFactory, DepartmentFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def secretariat():
    return UserFactory(roles=[Role.SECRETARIAT])


def test_act_delete_refused_while_a_dataset_is_held_under_it():
    act = ActFactory()
    DatasetFactory(acts=[act])

    with pytest.raises(ProtectedError):
        act.delete()

    assert Act.objects.filter(pk=act.pk).exists()


def test_act_update_refused_for_a_researcher():
    act = ActFactory()

    with pytest.raises(PermissionDenied) as refused:
        services.act_update(act=act, summary="Changed", by=UserFactory(roles=[Role.RESEARCHER]))
    assert str(refused.value) == "Only the secretariat can change the legislation and datasets."

    assert not AuditEvent.objects.exists()


def test_act_update_refuses_unknown_governs(secretariat):
    act = ActFactory()

    with pytest.raises(ValidationError):
        services.act_update(act=act, governs=["everything"], by=secretariat)

    assert not AuditEvent.objects.exists()


def test_dataset_create_refused_without_a_gateway(secretariat):
    with pytest.raises(ValidationError):
        services.dataset_create(
            slug="no-gateway",
            name="No gateway",
            description="Held under nothing.",
            department=DepartmentFactory(),
            acts=[],
            consent_required=False,
            access_mode=AccessMode.SAFE_SETTING,
            by=secretariat,
        )


def test_dataset_update_records_department_change_by_short_name(secretariat):
    old = DepartmentFactory(short_name="OLD")
    new = DepartmentFactory(short_name="NEW")
    dataset = DatasetFactory(department=old)

    services.dataset_update(dataset=dataset, department=new, by=secretariat)

    event = AuditEvent.objects.get(action="legislation.dataset_updated")
    assert event.payload == {"changed": {"department": ["OLD", "NEW"]}}
    assert event.actor == secretariat

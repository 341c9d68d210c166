import pytest
from django.urls import reverse

from audit.models import AuditEvent
from identity.roles import Role
from legislation.models import Act, Dataset, Governs
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    operator = UserFactory(roles=[Role.SECRETARIAT], totp=True, is_staff=True, is_superuser=True)
    client.force_login(operator)
    return client


@pytest.mark.parametrize(
    "name", ["admin:legislation_act_changelist", "admin:legislation_dataset_changelist"]
)
def test_admin_catalogue_lists_open(admin_client, name):
    assert admin_client.get(reverse(name)).status_code == 200


def test_admin_act_change_goes_through_the_audited_service(admin_client):
    act = Act.objects.get(slug="finance-act-1969")

    response = admin_client.post(
        reverse("admin:legislation_act_change", args=[act.pk]),
        {
            "title": act.title,
            "slug": act.slug,
            "year": "1969",
            "governs": [Governs.ACCESS],
            "summary": act.summary,
            "official_url": act.official_url,
        },
    )

    assert response.status_code == 302
    act.refresh_from_db()
    assert act.governs == [Governs.ACCESS]
    event = AuditEvent.objects.get(action="legislation.act_updated")
    assert event.payload == {
        "changed": {"governs": [[Governs.ACCESS, "onward_disclosure"], [Governs.ACCESS]]}
    }


def test_admin_dataset_add_goes_through_the_audited_service(admin_client):
    act = Act.objects.get(slug="census-act-1920")
    department = Dataset.objects.get(slug="labour-force-survey").department

    response = admin_client.post(
        reverse("admin:legislation_dataset_add"),
        {
            "name": "Census 2011 microdata",
            "slug": "census-2011-microdata",
            "description": "Person records from the 2011 census.",
            "department": str(department.pk),
            "acts": [str(act.pk)],
            "consent_required": "no",
            "access_mode": "safe_setting",
        },
    )

    assert response.status_code == 302
    dataset = Dataset.objects.get(slug="census-2011-microdata")
    assert list(dataset.acts.all()) == [act]
    assert AuditEvent.objects.filter(
        action="legislation.dataset_created", object_id=str(dataset.pk)
    ).exists()


def test_admin_offers_no_delete_for_acts(admin_client):
    act = Act.objects.get(slug="census-act-1920")

    response = admin_client.get(reverse("admin:legislation_act_delete", args=[act.pk]))

    assert response.status_code == 403

import pytest
from django.urls import reverse

from tests.factories import UserFactory

from .helpers import record_event

pytestmark = pytest.mark.django_db


@pytest.fixture
def operator_client(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True, totp=True))
    return client


def test_admin_lists_and_filters_audit_events(operator_client):
    record_event(action="accreditation.approve")
    record_event(action="consent.give")

    response = operator_client.get(
        reverse("admin:audit_auditevent_changelist"), {"action": "consent.give"}
    )

    assert response.status_code == 200
    assert "consent.give" in response.text
    assert "accreditation.approve" in response.text  # offered as a filter, not listed
    assert response.context["cl"].result_count == 1


def test_admin_offers_no_way_to_add_change_or_delete(operator_client):
    event = record_event(action="accreditation.approve")

    add = operator_client.get(reverse("admin:audit_auditevent_add"))
    delete = operator_client.post(reverse("admin:audit_auditevent_delete", args=[event.pk]))
    change = operator_client.post(
        reverse("admin:audit_auditevent_change", args=[event.pk]), {"action": "forged"}
    )
    bulk_delete = operator_client.post(
        reverse("admin:audit_auditevent_changelist"),
        {"action": "delete_selected", "_selected_action": [event.pk]},
    )

    assert add.status_code == 403
    assert delete.status_code == 403
    assert change.status_code == 403
    assert bulk_delete.status_code in (200, 302)
    event.refresh_from_db()
    assert event.action == "accreditation.approve"

"""Two publications at once (the sweep and a change, or two changes) announce each entitlement
once, and neither fails."""

import threading
import time

import pytest
from django.db import connection, transaction

from entitlements.models import EntitlementRecord, WebhookEvent
from entitlements.webhooks.services import entitlements_publish
from tests.entitlements.states import project_entitled


@pytest.fixture
def needs_row_locks():
    if connection.vendor != "postgresql":
        pytest.skip("SQLite lets one writer in at a time; set DATABASE_URL to run this.")


@pytest.mark.django_db(transaction=True)
def test_a_publication_started_while_another_is_uncommitted_waits_and_grants_nothing_twice(
    needs_row_locks,
):
    project = project_entitled(team_size=1)
    first_published = threading.Event()
    outcomes = {}

    def first():
        try:
            with transaction.atomic():
                entitlements_publish()  # the sweep: everyone
                first_published.set()
                time.sleep(1)  # still uncommitted while the second starts
            outcomes["first"] = "done"
        except Exception as error:  # the test reports whatever a thread met
            outcomes["first"] = error
        finally:
            first_published.set()
            connection.close()

    def second():
        try:
            first_published.wait(timeout=10)
            entitlements_publish(people=[project.coordinator])  # a change to one person
            outcomes["second"] = "done"
        except Exception as error:
            outcomes["second"] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert outcomes == {"first": "done", "second": "done"}
    records = EntitlementRecord.objects.all()
    assert records.count() == project.dataset_requests.count() * 2
    granted = WebhookEvent.objects.filter(kind=WebhookEvent.Kind.GRANTED)
    assert granted.count() == records.count()


@pytest.mark.django_db
def test_the_sweep_grants_again_an_entitlement_it_once_ended():
    from accreditation.models import Accreditation
    from accreditation.services import accreditation_suspend
    from tests.factories import secretariat_for

    project = project_entitled(team_size=0)
    entitlements_publish()
    accreditation = Accreditation.objects.get(researcher=project.coordinator)
    secretariat = secretariat_for([project.coordinator])
    accreditation_suspend(accreditation=accreditation, reasons="Checking.", by=secretariat)
    # Reinstated without the change publishing, as if the hook had not been there: the sweep
    # finds the ended record and grants it again rather than making a second one.
    Accreditation.objects.filter(pk=accreditation.pk).update(state=Accreditation.State.ACTIVE)

    published = entitlements_publish()

    assert published.granted == project.dataset_requests.count()
    assert set(EntitlementRecord.objects.values_list("state", flat=True)) == {
        EntitlementRecord.State.IN_FORCE
    }

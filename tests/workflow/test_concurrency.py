import threading

import pytest
from django.db import connection

from accreditation.models import AccreditationApplication, Level
from audit.models import AuditEvent
from identity.roles import Role
from tests.accreditation.states import application_at
from tests.factories import UserFactory
from workflow.errors import TransitionRefused
from workflow.services import transition_fire


@pytest.fixture
def needs_row_locks():
    if connection.vendor != "postgresql":
        pytest.skip("SQLite has no row locks; set DATABASE_URL to run this on PostgreSQL.")


def fire_at_once(calls):
    """Run each (obj, transition, by) in its own thread, released together; return outcomes."""
    barrier = threading.Barrier(len(calls))
    outcomes = [None] * len(calls)

    def run(index, obj, transition, by):
        try:
            barrier.wait(timeout=10)
            transition_fire(obj=obj, transition=transition, by=by)
            outcomes[index] = "fired"
        except Exception as error:  # the test reports whatever a thread met
            outcomes[index] = error
        finally:
            connection.close()

    threads = [
        threading.Thread(target=run, args=(index, *call)) for index, call in enumerate(calls)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return outcomes


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    ("first", "second"),
    [("approve", "approve"), ("approve", "reject")],
    ids=["same button twice", "two different decisions"],
)
def test_transition_fire_at_once_gives_exactly_one_transition(needs_row_locks, first, second):
    application = application_at(AccreditationApplication.State.SUBMITTED, kind=Level.FULL)
    one, two = UserFactory.create_batch(2, roles=[Role.SECRETARIAT])
    # Each person's page loaded the application while it was still submitted.
    copies = [AccreditationApplication.objects.get(pk=application.pk) for _ in range(2)]
    events = AuditEvent.objects.filter(
        object_type="accreditation.accreditationapplication", object_id=str(application.pk)
    )
    # Its submission and screening, through the services.
    before = events.count()

    outcomes = fire_at_once([(copies[0], first, one), (copies[1], second, two)])

    assert outcomes.count("fired") == 1, outcomes
    refused = next(outcome for outcome in outcomes if outcome != "fired")
    assert isinstance(refused, TransitionRefused), refused
    assert "is not possible now" in str(refused)
    assert events.count() == before + 1
    application.refresh_from_db()
    assert application.state == events.latest("pk").to_state

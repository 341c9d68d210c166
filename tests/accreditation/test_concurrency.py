import threading

import pytest
from django.db import connection

from accreditation import services
from accreditation.models import Accreditation, AccreditationApplication, Level
from identity.roles import Role
from tests.accreditation.states import application_screened
from tests.factories import UserFactory
from workflow.errors import TransitionRefused


@pytest.fixture
def needs_row_locks():
    if connection.vendor != "postgresql":
        pytest.skip("SQLite has no row locks; set DATABASE_URL to run this on PostgreSQL.")


def at_once(*calls):
    barrier = threading.Barrier(len(calls))
    outcomes = [None] * len(calls)

    def run(index, call):
        try:
            barrier.wait(timeout=10)
            call()
            outcomes[index] = "done"
        except Exception as error:  # the test reports whatever a thread met
            outcomes[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=pair) for pair in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return outcomes


@pytest.mark.django_db(transaction=True)
def test_application_approve_twice_at_once_grants_one_accreditation(needs_row_locks):
    one, two = UserFactory.create_batch(2, roles=[Role.SECRETARIAT])
    application = application_screened(by=one)
    copies = [AccreditationApplication.objects.get(pk=application.pk) for _ in range(2)]

    outcomes = at_once(
        lambda: services.application_approve(application=copies[0], level=Level.FULL, by=one),
        lambda: services.application_approve(application=copies[1], level=Level.FULL, by=two),
    )

    assert outcomes.count("done") == 1, outcomes
    assert any(isinstance(outcome, TransitionRefused) for outcome in outcomes), outcomes
    assert Accreditation.objects.filter(researcher=application.applicant).count() == 1


@pytest.mark.django_db(transaction=True)
def test_application_start_twice_at_once_makes_one_draft(needs_row_locks):
    user = UserFactory(roles=[Role.RESEARCHER])

    outcomes = at_once(
        lambda: services.application_start(by=user), lambda: services.application_start(by=user)
    )

    assert outcomes.count("done") == 1, outcomes
    assert AccreditationApplication.objects.filter(applicant=user).count() == 1

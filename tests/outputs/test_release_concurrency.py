import threading

import pytest
from django.db import connection

from audit.models import AuditEvent
from outputs.models import OutputRequest
from outputs.release.services import output_request_release
from tests.outputs.states import (
    _media_in_tmp,  # noqa: F401
    approved_request,
    checker,
)
from workflow.errors import TransitionRefused


@pytest.fixture
def needs_row_locks():
    if connection.vendor != "postgresql":
        pytest.skip("SQLite has no row locks; set DATABASE_URL to run this on PostgreSQL.")


@pytest.mark.django_db(transaction=True)
def test_request_release_by_two_checkers_at_once_releases_once(needs_row_locks):
    output_request = approved_request()
    barrier = threading.Barrier(2)
    outcomes = [None, None]

    def run(index, by):
        try:
            barrier.wait(timeout=10)
            output_request_release(output_request=output_request, by=by)
            outcomes[index] = "released"
        except Exception as error:  # the test reports whatever a thread met
            outcomes[index] = error
        finally:
            connection.close()

    checkers = (checker(), checker())
    threads = [threading.Thread(target=run, args=(i, by)) for i, by in enumerate(checkers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert outcomes.count("released") == 1, outcomes
    assert sum(isinstance(outcome, TransitionRefused) for outcome in outcomes) == 1, outcomes
    assert AuditEvent.objects.filter(action="output_request.release").count() == 1
    output_request.refresh_from_db()
    assert output_request.state == OutputRequest.State.RELEASED

import threading

import pytest
from django.db import connection

from audit.models import AuditEvent
from outputs.models import OutputRequest
from outputs.review_services import file_vote_set, review_submit
from tests.outputs.review_helpers import checker, files_of, submitted_request


@pytest.fixture
def needs_row_locks():
    if connection.vendor != "postgresql":
        pytest.skip("SQLite has no row locks; set DATABASE_URL to run this on PostgreSQL.")


@pytest.mark.django_db(transaction=True)
def test_review_submit_at_once_gives_one_first_and_one_second_review(needs_row_locks):
    output_request = submitted_request()
    one, two = checker(), checker()
    for by in (one, two):
        for output_file in files_of(output_request):
            file_vote_set(output_file=output_file, vote="approve", by=by)
    barrier = threading.Barrier(2)
    outcomes = [None, None]

    def run(index, by):
        try:
            barrier.wait(timeout=10)
            review_submit(output_request=output_request, by=by)
            outcomes[index] = "submitted"
        except Exception as error:  # the test reports whatever a thread met
            outcomes[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, by)) for i, by in enumerate((one, two))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert outcomes == ["submitted", "submitted"], outcomes
    actions = sorted(
        AuditEvent.objects.filter(
            object_id=str(output_request.pk), action__startswith="output_request.record_"
        ).values_list("action", flat=True)
    )
    assert actions == [
        "output_request.record_first_review",
        "output_request.record_second_review",
    ]
    output_request.refresh_from_db()
    assert output_request.state == OutputRequest.State.REVIEWED

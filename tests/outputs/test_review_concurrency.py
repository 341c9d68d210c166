import threading

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test import Client
from django.urls import reverse

from audit.models import AuditEvent
from identity.roles import Role
from outputs.models import OutputRequest, Review
from outputs.review.services import file_vote_set, review_submit
from researchers.models import User
from researchers.services import role_revoke
from tests.factories import UserFactory
from tests.outputs.states import checker, files_of, submitted_request


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


# Enough threads that many reach the page's last read of the request at the same moment, as
# under a threaded server; few enough to leave connections for other test runs.
CHECKERS_AT_ONCE = 16
PRESSES = 5


@pytest.mark.django_db(transaction=True)
def test_review_submit_by_many_checkers_at_once_through_the_page_never_fails(needs_row_locks):
    output_request = submitted_request()
    checkers = [checker() for _ in range(CHECKERS_AT_ONCE)]
    for by in checkers:
        for output_file in files_of(output_request):
            file_vote_set(output_file=output_file, vote="approve", by=by)
    url = reverse("outputs:review_submit", kwargs={"pk": output_request.pk})
    clients = []
    for by in checkers:
        client = Client()
        client.force_login(by)
        clients.append(client)
    barrier = threading.Barrier(len(clients))
    outcomes = [None] * len(clients)

    def run(index, client):
        try:
            barrier.wait(timeout=10)
            # Pressed again and again, as an impatient checker does: each press after the first
            # is refused and shows the page, read afresh, while the others are still pressing.
            outcomes[index] = [client.post(url, {}).status_code for _ in range(PRESSES)]
        except Exception as error:  # the test reports whatever a thread met
            outcomes[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    # Two reviews go in and their checkers are sent on; every other press is shown the page
    # again with the reason, never an error.
    assert all(isinstance(pressed, list) for pressed in outcomes), outcomes
    statuses = [status for pressed in outcomes for status in pressed]
    assert statuses.count(302) == 2, outcomes
    assert statuses.count(200) == CHECKERS_AT_ONCE * PRESSES - 2, outcomes
    assert OutputRequest.objects.get(pk=output_request.pk).state == OutputRequest.State.REVIEWED
    assert output_request.reviews.filter(submitted_at__isnull=False).count() == 2


@pytest.mark.django_db(transaction=True)
def test_reload_in_many_threads_at_once_never_trips_the_state_protection(needs_row_locks):
    output_request = submitted_request()
    barrier = threading.Barrier(CHECKERS_AT_ONCE)
    failures = []

    def run():
        copy = OutputRequest.objects.get(pk=output_request.pk)
        try:
            barrier.wait(timeout=10)
            for _ in range(50):
                copy.refresh_from_db()
        except Exception as error:  # the test reports whatever a thread met
            failures.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(CHECKERS_AT_ONCE)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert failures == []


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("repeat", range(3))
def test_role_removed_while_voting_leaves_no_open_review(needs_row_locks, repeat):
    output_request = submitted_request()
    leaving = checker()
    secretariat = UserFactory(roles=[Role.SECRETARIAT])
    output_file = files_of(output_request)[0]
    barrier = threading.Barrier(2)
    outcomes = [None, None]

    def run(index, call):
        try:
            barrier.wait(timeout=10)
            call()
            outcomes[index] = "done"
        except Exception as error:  # the test reports whatever a thread met
            outcomes[index] = error
        finally:
            connection.close()

    calls = [
        lambda: file_vote_set(
            output_file=output_file, vote="approve", by=User.objects.get(pk=leaving.pk)
        ),
        lambda: role_revoke(
            user=User.objects.get(pk=leaving.pk), role=Role.OUTPUT_CHECKER, by=secretariat
        ),
    ]
    threads = [threading.Thread(target=run, args=pair) for pair in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    voted, revoked = outcomes
    assert revoked == "done", revoked
    assert voted == "done" or isinstance(voted, PermissionDenied), voted
    assert not Review.objects.filter(checker=leaving, submitted_at=None).exists()

"""Entitlements granted, changed and ended are pushed to the secretariat's webhook endpoints:
written to an outbox with the change, sent by the worker once it commits, signed, retried while
the receiver fails, every try recorded. The receiver is a real HTTP server on 127.0.0.1."""

import datetime
import hashlib
import hmac
import threading

import pytest
import time_machine
from django.conf import settings
from django.db import connection, connections, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accreditation.models import Accreditation
from accreditation.services import accreditation_reinstate, accreditation_suspend
from entitlements.models import EntitlementRecord, WebhookDelivery, WebhookEvent
from entitlements.tasks import entitlements_sweep, webhook_deliver
from entitlements.webhooks.services import (
    WEBHOOK_ATTEMPTS,
    WEBHOOK_FIRST_RETRY_SECONDS,
    entitlements_publish,
    webhook_delivery_attempt,
    webhook_endpoint_create,
)
from projects.lifecycle.services import project_close
from projects.models import Proposal
from tests.entitlements.broker import broker_down
from tests.entitlements.receiver import GarbageReceiver, Receiver
from tests.entitlements.states import project_entitled
from tests.factories import secretariat_for
from tests.projects.states import amendment_at

pytestmark = pytest.mark.django_db


@pytest.fixture
def receiver():
    with Receiver() as receiver:
        yield receiver


@pytest.fixture
def endpoint(receiver):
    """An endpoint at the receiver, and its secret as the secretariat was shown it."""
    return webhook_endpoint_create(
        url=receiver.url, description="Secure environment", by=secretariat_for()
    )


def member_of(project):
    return project.team.exclude(user=project.coordinator).get().user


def signature_valid(received, secret):
    timestamp = received.headers["Webhook-Timestamp"]
    expected = hmac.new(
        secret.encode(), timestamp.encode() + b"." + received.body, hashlib.sha256
    ).hexdigest()
    return hmac.compare_digest(received.headers["Webhook-Signature"], f"v1={expected}")


def test_suspending_a_member_ends_their_entitlement_and_a_signed_webhook_arrives(
    receiver, endpoint, eager_celery, django_capture_on_commit_callbacks
):
    _, secret = endpoint
    project = project_entitled(team_size=1)
    member = member_of(project)
    entitlements_publish()
    accreditation = Accreditation.objects.get(researcher=member, state=Accreditation.State.ACTIVE)

    with django_capture_on_commit_callbacks(execute=True):
        accreditation_suspend(
            accreditation=accreditation, reasons="Under investigation", by=secretariat_for()
        )

    assert receiver.requests, "no webhook arrived"
    assert all(signature_valid(received, secret) for received in receiver.requests)
    ended = [received.json for received in receiver.requests]
    assert {body["type"] for body in ended} == {"entitlement.ended"}
    assert {body["entitlement"]["person"]["email"] for body in ended} == {member.email}
    assert {body["reason"] for body in ended} == {"Accreditation suspended"}
    assert {received.headers["Webhook-Id"] for received in receiver.requests} == {
        body["id"] for body in ended
    }
    records = EntitlementRecord.objects.filter(person=member)
    assert records and {record.state for record in records} == {EntitlementRecord.State.ENDED}
    # The co-ordinator's entitlements stand, and were not announced again.
    assert EntitlementRecord.objects.filter(
        person=project.coordinator, state=EntitlementRecord.State.IN_FORCE
    ).exists()
    sent = WebhookDelivery.objects.filter(event__kind=WebhookEvent.Kind.ENDED)
    assert {delivery.state for delivery in sent} == {WebhookDelivery.State.DELIVERED}
    assert {delivery.last_status_code for delivery in sent} == {204}


def test_a_signature_made_with_another_secret_does_not_verify(
    receiver, endpoint, eager_celery, django_capture_on_commit_callbacks
):
    project_entitled(team_size=0)

    with django_capture_on_commit_callbacks(execute=True):
        entitlements_publish()

    [received] = receiver.requests[:1]
    assert received.json["type"] == "entitlement.granted"
    assert not signature_valid(received, "whsec_someone-else")


def test_closing_a_project_ends_every_entitlement_on_it(
    receiver, endpoint, eager_celery, django_capture_on_commit_callbacks
):
    project = project_entitled(team_size=1)
    entitlements_publish()

    with django_capture_on_commit_callbacks(execute=True):
        project_close(project=project, by=project.coordinator)

    people = {received.json["entitlement"]["person"]["email"] for received in receiver.requests}
    assert people == {project.coordinator.email, member_of(project).email}
    assert {received.json["reason"] for received in receiver.requests} == {"Project closed"}
    assert not EntitlementRecord.objects.filter(state=EntitlementRecord.State.IN_FORCE).exists()


def when_due(delivery):
    """The clock moved on to the moment ``delivery`` is next to be tried, and held there."""
    delivery.refresh_from_db()
    return time_machine.travel(max(delivery.next_attempt_at, timezone.now()), tick=False)


def test_a_failing_receiver_is_tried_again_later_and_every_failure_is_recorded(receiver, endpoint):
    receiver.status = 500
    project_entitled(team_size=0)
    entitlements_publish()
    delivery = WebhookDelivery.objects.order_by("pk").first()

    first_wait = webhook_delivery_attempt(delivery_id=delivery.pk)
    with when_due(delivery):
        tried_at = timezone.now()
        second_wait = webhook_delivery_attempt(delivery_id=delivery.pk)

    assert (first_wait, second_wait) == (60, 120)
    delivery.refresh_from_db()
    assert delivery.state == WebhookDelivery.State.PENDING
    assert delivery.attempts == 2
    assert delivery.last_status_code == 500
    assert delivery.last_error == "The endpoint answered 500"
    assert delivery.next_attempt_at == tried_at + datetime.timedelta(seconds=120)
    assert len(receiver.requests) == 2


def test_a_retry_arriving_before_its_time_sends_nothing(receiver, endpoint):
    receiver.status = 500
    project_entitled(team_size=0)
    entitlements_publish()
    delivery = WebhookDelivery.objects.order_by("pk").first()
    webhook_delivery_attempt(delivery_id=delivery.pk)

    # A second task for the delivery (the broker handed it out twice), at once and a little
    # before its time.
    early = webhook_delivery_attempt(delivery_id=delivery.pk)
    with time_machine.travel(timezone.now() + datetime.timedelta(seconds=50)):
        still_early = webhook_delivery_attempt(delivery_id=delivery.pk)

    assert early is still_early is None
    assert len(receiver.requests) == 1
    delivery.refresh_from_db()
    assert delivery.attempts == 1
    assert delivery.state == WebhookDelivery.State.PENDING


@pytest.mark.django_db(transaction=True)
def test_a_second_task_for_a_delivery_being_tried_sends_nothing(receiver, endpoint, eager_celery):
    project_entitled(team_size=0)
    with broker_down():  # so that no task has the delivery yet
        entitlements_publish()
    delivery = WebhookDelivery.objects.order_by("pk").first()
    receiver.answering.clear()

    def first_task():
        try:
            webhook_delivery_attempt(delivery_id=delivery.pk)
        finally:
            connections.close_all()

    first = threading.Thread(target=first_task)
    first.start()
    try:
        assert receiver.arrived.wait(10), "the first task sent nothing"
        # The first task waits for the receiver's answer; a second one comes for the delivery.
        second = webhook_delivery_attempt(delivery_id=delivery.pk)
    finally:
        receiver.answering.set()
        first.join(20)

    assert second is None
    assert len(receiver.requests) == 1
    delivery.refresh_from_db()
    assert delivery.state == WebhookDelivery.State.DELIVERED
    assert delivery.attempts == 1


def test_a_receiver_failing_every_time_gets_the_delivery_marked_failed(receiver, endpoint):
    receiver.status = 500
    project_entitled(team_size=0)
    entitlements_publish()
    delivery = WebhookDelivery.objects.order_by("pk").first()

    # Run as the worker would, each retry once its wait is over.
    waits = []
    for _ in range(WEBHOOK_ATTEMPTS):
        with when_due(delivery):
            webhook_deliver.apply(args=[delivery.pk])
        delivery.refresh_from_db()
        waits.append((delivery.next_attempt_at - delivery.last_attempt_at).total_seconds())

    assert delivery.state == WebhookDelivery.State.FAILED
    assert delivery.attempts == WEBHOOK_ATTEMPTS
    assert delivery.last_status_code == 500
    ids = {received.headers["Webhook-Id"] for received in receiver.requests}
    assert len(receiver.requests) == WEBHOOK_ATTEMPTS and ids == {str(delivery.event.uid)}
    assert waits[:-1] == [WEBHOOK_FIRST_RETRY_SECONDS * 2**n for n in range(WEBHOOK_ATTEMPTS - 1)]


def test_the_longest_wait_for_a_retry_ends_before_redis_gives_the_task_to_another_worker():
    # Redis hands a task a worker holds unacknowledged, one waiting for its countdown
    # included, to another worker after the visibility timeout: a longer wait runs it twice.
    longest = WEBHOOK_FIRST_RETRY_SECONDS * 2 ** (WEBHOOK_ATTEMPTS - 2)

    assert longest < settings.REDIS_VISIBILITY_TIMEOUT
    if settings.REDIS_URL:
        options = settings.CELERY_BROKER_TRANSPORT_OPTIONS
        assert options["visibility_timeout"] == settings.REDIS_VISIBILITY_TIMEOUT


def test_an_unreachable_receiver_is_recorded_as_such(endpoint, receiver):
    project_entitled(team_size=0)
    entitlements_publish()
    delivery = WebhookDelivery.objects.order_by("pk").first()
    receiver.server.server_close()  # nobody listens on the port any more
    receiver.server.shutdown()

    webhook_delivery_attempt(delivery_id=delivery.pk)

    delivery.refresh_from_db()
    assert delivery.state == WebhookDelivery.State.PENDING
    assert delivery.last_status_code is None
    assert delivery.last_error == "Could not reach the endpoint"


def test_an_answer_that_is_not_http_is_a_failed_try_and_tried_again_later():
    project_entitled(team_size=0)
    with GarbageReceiver() as garbage:
        webhook_endpoint_create(url=garbage.url, description="Secure environment", by=None)
        entitlements_publish()
        delivery = WebhookDelivery.objects.order_by("pk").first()

        wait = webhook_delivery_attempt(delivery_id=delivery.pk)

    assert garbage.requests == 1
    assert wait == 60
    delivery.refresh_from_db()
    assert delivery.state == WebhookDelivery.State.PENDING
    assert delivery.attempts == 1
    assert delivery.last_status_code is None
    assert delivery.last_error == "Could not reach the endpoint"


def test_publishing_twice_sends_nothing_new(
    receiver, endpoint, eager_celery, django_capture_on_commit_callbacks
):
    project_entitled(team_size=2)
    with django_capture_on_commit_callbacks(execute=True):
        first = entitlements_publish()
    arrived = len(receiver.requests)
    events = WebhookEvent.objects.count()

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        second = entitlements_publish()

    assert first.granted == events == arrived > 0
    assert (second.granted, second.changed, second.ended) == (0, 0, 0)
    assert WebhookEvent.objects.count() == events
    assert len(receiver.requests) == arrived
    assert not callbacks


def test_the_sweep_ends_an_entitlement_past_its_project_end_date(
    receiver, endpoint, eager_celery, django_capture_on_commit_callbacks
):
    today = timezone.localdate()
    project = project_entitled(team_size=0, end_date=today + datetime.timedelta(days=3))
    entitlements_publish()

    with (
        time_machine.travel(today + datetime.timedelta(days=4), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        entitlements_sweep.apply()

    [ended] = [r.json for r in receiver.requests if r.json["type"] == "entitlement.ended"][:1]
    assert ended["entitlement"]["project"]["id"] == project.pk
    assert ended["reason"] == "Its last day has passed"
    record = EntitlementRecord.objects.get(person=project.coordinator)
    assert record.state == EntitlementRecord.State.ENDED


def test_the_sweep_queues_again_a_delivery_whose_task_was_lost(receiver, endpoint, eager_celery):
    project_entitled(team_size=0)
    entitlements_publish()  # its deliveries are never queued: the commit never comes here

    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=11)):
        entitlements_sweep.apply()

    assert receiver.requests
    assert not WebhookDelivery.objects.filter(state=WebhookDelivery.State.PENDING).exists()


@pytest.mark.django_db(transaction=True)
def test_a_suspension_made_while_the_broker_is_down_stands_and_is_announced_once_it_is_back(
    client, receiver, endpoint, eager_celery
):
    project = project_entitled(team_size=1)
    member = member_of(project)
    entitlements_publish()
    announced = len(receiver.requests)
    accreditation = Accreditation.objects.get(researcher=member, state=Accreditation.State.ACTIVE)
    client.force_login(secretariat_for())
    page = reverse("accreditation:accreditation_detail", kwargs={"pk": accreditation.pk})

    with broker_down():
        response = client.post(page, {"action": "suspend", "suspend-reasons": "Under inquiry."})

    # The suspension committed: the secretariat is shown it done, not an error page.
    assert response.status_code == 302
    accreditation.refresh_from_db()
    assert accreditation.state == Accreditation.State.SUSPENDED
    waiting = WebhookDelivery.objects.filter(event__kind=WebhookEvent.Kind.ENDED)
    assert waiting and {delivery.state for delivery in waiting} == {WebhookDelivery.State.PENDING}
    assert len(receiver.requests) == announced

    # The broker is back: the sweep finds the deliveries no task took, and sends them.
    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=11)):
        entitlements_sweep.apply()

    ended = [received.json for received in receiver.requests[announced:]]
    assert ended and {body["type"] for body in ended} == {"entitlement.ended"}
    assert {body["entitlement"]["person"]["email"] for body in ended} == {member.email}


def _publish_queries(team_size):
    project_entitled(team_size=team_size)
    with CaptureQueriesContext(connection) as everyone:
        entitlements_publish()
    project_entitled(team_size=team_size)
    people = list(EntitlementRecord.objects.values_list("person_id", flat=True).distinct())
    with CaptureQueriesContext(connection) as some:
        entitlements_publish(people=people, reason="test")
    return len(everyone), len(some)


@pytest.mark.parametrize("team_size", [2, 8])
def test_publishing_takes_as_many_queries_for_many_people_as_for_few(endpoint, team_size):
    assert _publish_queries(team_size) == _publish_queries(2)


def test_reinstating_a_suspended_member_grants_their_entitlement_again(
    receiver, endpoint, eager_celery, django_capture_on_commit_callbacks
):
    project = project_entitled(team_size=1)
    member = member_of(project)
    entitlements_publish()
    accreditation = Accreditation.objects.get(researcher=member, state=Accreditation.State.ACTIVE)
    secretariat = secretariat_for()
    accreditation = accreditation_suspend(
        accreditation=accreditation, reasons="Under investigation", by=secretariat
    )

    with django_capture_on_commit_callbacks(execute=True):
        accreditation_reinstate(accreditation=accreditation, by=secretariat)

    bodies = [received.json for received in receiver.requests]
    assert bodies and {body["type"] for body in bodies} == {"entitlement.granted"}
    assert {body["entitlement"]["person"]["email"] for body in bodies} == {member.email}
    assert {body["reason"] for body in bodies} == {"Accreditation reinstated"}
    assert set(EntitlementRecord.objects.filter(person=member).values_list("state", flat=True)) == {
        EntitlementRecord.State.IN_FORCE
    }


def test_an_amendment_moving_the_end_date_announces_the_changed_entitlements(
    receiver, endpoint, eager_celery, django_capture_on_commit_callbacks
):
    project = project_entitled(team_size=1)
    entitlements_publish()
    new_end = project.end_date + datetime.timedelta(days=30)

    with django_capture_on_commit_callbacks(execute=True):
        amendment_at(Proposal.State.APPROVED, project=project, end_date=new_end)

    bodies = [received.json for received in receiver.requests]
    assert bodies and {body["type"] for body in bodies} == {"entitlement.changed"}
    assert {body["reason"] for body in bodies} == {"Amendment in force"}
    assert {body["entitlement"]["valid_until"] for body in bodies} == {new_end.isoformat()}


def test_a_change_rolled_back_is_never_announced(
    receiver, endpoint, eager_celery, django_capture_on_commit_callbacks
):
    project = project_entitled(team_size=1)
    member = member_of(project)
    entitlements_publish()
    events = WebhookEvent.objects.count()
    accreditation = Accreditation.objects.get(researcher=member, state=Accreditation.State.ACTIVE)

    secretariat = secretariat_for()

    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        accreditation_suspend(accreditation=accreditation, reasons="x", by=secretariat)
        raise RuntimeError("the step after the suspension failed")

    assert WebhookEvent.objects.count() == events
    assert not receiver.requests
    assert set(EntitlementRecord.objects.filter(person=member).values_list("state", flat=True)) == {
        EntitlementRecord.State.IN_FORCE
    }

"""The secretariat adds the endpoints told of every entitlement, sees each one's secret once,
deactivates them, and sees what was sent and what failed, on pages reached from API tokens."""

import re

import pytest
from django.db import connection
from django.urls import reverse

from audit.models import AuditEvent
from entitlements.models import WebhookDelivery, WebhookEndpoint
from entitlements.webhooks.selectors import webhook_endpoints_list
from entitlements.webhooks.services import (
    entitlements_publish,
    webhook_delivery_attempt,
    webhook_endpoint_create,
    webhook_endpoint_deactivate,
)
from identity.roles import Role
from tests.entitlements.receiver import Receiver
from tests.entitlements.states import project_entitled
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def secretariat(client):
    user = UserFactory(roles=[Role.SECRETARIAT], totp=True)
    client.force_login(user)
    return user


def link(page, text):
    [href] = re.findall(rf'<a class="govuk-link"\s+href="([^"]+)">{re.escape(text)}</a>', page)
    return href


def test_the_secretariat_adds_an_endpoint_and_is_shown_its_secret_once(client, secretariat):
    tokens_url = link(client.get(reverse("dashboard:home")).text, "API tokens")
    webhooks_url = link(client.get(tokens_url).text, "Webhooks")
    assert "No endpoint has been added yet." in client.get(webhooks_url).text

    added = client.post(
        webhooks_url, {"url": "https://sre.example.org/hooks", "description": "Secure environment"}
    )

    assert added.status_code == 200
    assert "no-store" in added["Cache-Control"]
    secret = re.search(r'<code class="app-secret" id="secret">(whsec_[^<]+)</code>', added.text)[1]
    endpoint = WebhookEndpoint.objects.get()
    assert endpoint.secret == secret
    listing = client.get(webhooks_url).text
    assert "https://sre.example.org/hooks" in listing
    assert secret not in listing
    assert AuditEvent.objects.filter(action="webhook_endpoint.created", actor=secretariat).exists()


def test_an_endpoint_form_in_error_says_what_is_wrong_and_keeps_what_was_typed(client, secretariat):
    response = client.post(
        reverse("entitlements:webhook_list"), {"url": "not an address", "description": ""}
    )

    assert response.status_code == 200
    assert "govuk-error-summary" in response.text
    assert "Enter the address of the endpoint, starting https://" in response.text
    assert "Enter which system the endpoint belongs to" in response.text
    assert 'value="not an address"' in response.text
    assert not WebhookEndpoint.objects.exists()


def test_the_secretariat_deactivates_an_endpoint_after_confirming(client, secretariat):
    webhook_endpoint_create(url="https://sre.example.org/hooks", description="SRE", by=secretariat)
    project_entitled(team_size=0)
    entitlements_publish()
    listing = client.get(reverse("entitlements:webhook_list")).text
    deactivate_url = re.findall(r'href="([^"]+)">Deactivate<span', listing)[0]

    asked = client.get(deactivate_url)
    assert "Stop sending events to SRE?" in asked.text
    assert WebhookEndpoint.objects.get().active

    done = client.post(deactivate_url, {"confirmed": "yes"}, follow=True)

    assert "Events are no longer sent to SRE." in done.text
    assert "Deactivated" in done.text
    assert not WebhookEndpoint.objects.get().active
    # What was waiting to be sent to it never will be, and says so.
    assert not WebhookDelivery.objects.filter(state=WebhookDelivery.State.PENDING).exists()
    failed = WebhookDelivery.objects.filter(state=WebhookDelivery.State.FAILED).count()
    assert failed and f"{failed} failed" in done.text
    assert AuditEvent.objects.filter(action="webhook_endpoint.deactivated").exists()


def test_the_events_sent_page_shows_each_delivery_and_why_it_failed(client, secretariat):
    with Receiver() as receiver:
        receiver.status = 503
        webhook_endpoint_create(url=receiver.url, description="SRE", by=secretariat)
        project = project_entitled(team_size=0)
        entitlements_publish()
        for delivery in WebhookDelivery.objects.all():
            webhook_delivery_attempt(delivery_id=delivery.pk)
    webhooks_page = client.get(reverse("entitlements:webhook_list")).text

    page = client.get(link(webhooks_page, "Events sent")).text

    assert project.coordinator.email in page
    assert "Pending" in page
    assert "The endpoint answered 503" in page
    delivered = client.get(reverse("entitlements:webhook_deliveries") + "?state=delivered").text
    assert project.coordinator.email not in delivered


@pytest.mark.parametrize("people", [1, 6])
def test_the_events_sent_page_takes_as_many_queries_for_many_events_as_for_few(
    client, secretariat, django_assert_max_num_queries, people
):
    webhook_endpoint_create(url="https://sre.example.org/hooks", description="SRE", by=None)
    project_entitled(team_size=people)
    entitlements_publish()

    with django_assert_max_num_queries(7):
        client.get(reverse("entitlements:webhook_deliveries"))
    with django_assert_max_num_queries(7):
        client.get(reverse("entitlements:webhook_list"))


def endpoint_row(page, description):
    """The webhooks page's row of the endpoint ``description``, as text without tags."""
    row = re.search(rf"<tr[^>]*>\s*<td[^>]*>{description}</td>.*?</tr>", page, flags=re.DOTALL)
    assert row, f"no row for {description}"
    return " ".join(re.sub(r"<[^>]+>", " ", row.group(0)).split())


def test_the_webhooks_page_counts_each_endpoints_events_being_sent_and_failed(client, secretariat):
    for name in ("Failing", "Waiting", "Idle"):
        webhook_endpoint_create(
            url=f"https://{name.lower()}.example.org/hooks", description=name, by=None
        )
    project_entitled(team_size=2)
    entitlements_publish()
    events = WebhookDelivery.objects.filter(endpoint__description="Waiting").count()
    WebhookDelivery.objects.filter(endpoint__description="Idle").update(
        state=WebhookDelivery.State.DELIVERED
    )
    webhook_endpoint_deactivate(
        endpoint=WebhookEndpoint.objects.get(description="Failing"), by=secretariat
    )

    page = client.get(reverse("entitlements:webhook_list")).text

    assert events > 1
    assert f"{events} failed" in endpoint_row(page, "Failing")
    assert "being sent" not in endpoint_row(page, "Failing")
    assert f"{events} being sent" in endpoint_row(page, "Waiting")
    assert "failed" not in endpoint_row(page, "Waiting")
    assert "All sent" in endpoint_row(page, "Idle")


def test_the_webhooks_page_counts_on_the_endpoint_and_state_index_not_every_delivery():
    webhook_endpoint_create(url="https://sre.example.org/hooks", description="SRE", by=None)
    project_entitled(team_size=1)
    entitlements_publish()

    if connection.vendor == "postgresql":
        # With a handful of rows PostgreSQL would read the whole table anyway: ask what it
        # would do with many.
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_seqscan = off")
    plan = webhook_endpoints_list().explain()

    # Each endpoint's two counts read its own rows of the index, and nothing is grouped.
    assert plan.count("webhook_delivery_endpoint") == 2, plan
    assert "GROUP" not in plan.upper(), plan

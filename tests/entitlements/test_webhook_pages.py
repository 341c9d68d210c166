"""The secretariat adds the endpoints told of every entitlement, sees each one's secret once,
deactivates them, and sees what was sent and what failed, on pages reached from API tokens."""

import re

import pytest
from django.urls import reverse

from audit.models import AuditEvent
from entitlements.models import WebhookDelivery, WebhookEndpoint
from entitlements.webhooks.services import (
    entitlements_publish,
    webhook_delivery_attempt,
    webhook_endpoint_create,
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

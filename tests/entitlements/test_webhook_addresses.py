"""Webhooks go only over HTTPS to hosts on the public internet: the host is looked up when the
secretariat adds the endpoint and again before every try, a private, loopback or link-local
address is refused, and the request goes to the address checked. What went wrong is logged; the
events-sent page says only that the endpoint could not be reached, or what status it answered.

Every other test lets the service send over plain HTTP to this machine (tests/conftest.py); these
turn that off. No name is looked up in DNS: the hosts are addresses, or ``localhost``, which the
machine's own hosts file answers."""

import logging
import re

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from audit.models import AuditEvent
from entitlements.models import WebhookDelivery, WebhookEndpoint
from entitlements.webhooks.services import (
    entitlements_publish,
    webhook_delivery_attempt,
    webhook_endpoint_create,
)
from identity.roles import Role
from tests.entitlements.receiver import Receiver, certificate_for
from tests.entitlements.states import project_entitled
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

# A public address, written as one so that nothing is looked up; nothing is ever sent to it.
PUBLIC = "https://93.184.215.14/hooks"


@pytest.fixture
def checks_on(settings):
    """The settings as deployed: https only, public addresses only."""
    settings.WEBHOOK_ALLOW_HTTP = False
    settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = False


@pytest.fixture
def receiver():
    with Receiver() as receiver:
        yield receiver


def refusal(url):
    with pytest.raises(ValidationError) as refused:
        webhook_endpoint_create(url=url, description="Secure environment", by=None)
    [message] = refused.value.message_dict["url"]
    return message


@pytest.mark.parametrize(
    "url",
    [
        "https://127.0.0.1/hooks",
        "https://localhost:8443/hooks",
        "https://10.1.2.3/hooks",
        "https://172.16.0.1/hooks",
        "https://192.168.1.1/hooks",
        "https://169.254.169.254/latest/meta-data/",
        "https://100.64.0.1/hooks",
        "https://0.0.0.0/hooks",
        "https://224.0.0.1/hooks",
        "https://[::1]/hooks",
        "https://[fe80::1]/hooks",
        "https://[fd00::1]/hooks",
        "https://[::ffff:169.254.169.254]/hooks",
        "https://[64:ff9b::a01:203]/hooks",
    ],
)
def test_an_endpoint_off_the_public_internet_is_refused(checks_on, url):
    assert refusal(url).startswith("Enter an address on the public internet: ")
    assert not WebhookEndpoint.objects.exists()


def test_a_plain_http_endpoint_is_refused(checks_on):
    assert refusal(PUBLIC.replace("https:", "http:")) == (
        "Enter an address starting https://, so that events go encrypted"
    )


def test_an_endpoint_whose_host_cannot_be_found_is_refused(checks_on):
    # .invalid is reserved never to resolve (RFC 6761).
    assert refusal("https://sre.invalid/hooks") == (
        "No host called sre.invalid could be found: check the address"
    )


def test_an_endpoint_at_a_public_address_is_added(checks_on):
    endpoint, _ = webhook_endpoint_create(url=PUBLIC, description="Secure environment", by=None)

    assert endpoint.url == PUBLIC


@pytest.mark.parametrize(
    ("url", "message"),
    [
        (
            "https://169.254.169.254/latest/meta-data/",
            "Enter an address on the public internet: 169.254.169.254 leads inside a private "
            "or local network",
        ),
        ("http://sre.example.org/hooks", "Enter an address starting https://"),
    ],
)
def test_the_endpoint_form_says_why_an_address_is_refused_and_keeps_it(
    client, checks_on, url, message
):
    client.force_login(UserFactory(roles=[Role.SECRETARIAT], totp=True))

    response = client.post(
        reverse("entitlements:webhook_list"), {"url": url, "description": "Secure environment"}
    )

    assert response.status_code == 200
    assert "govuk-error-summary" in response.text
    assert message in response.text
    assert f'value="{url}"' in response.text
    assert not WebhookEndpoint.objects.exists()
    assert not AuditEvent.objects.filter(action="webhook_endpoint.created").exists()


def test_a_host_that_now_leads_to_a_private_address_is_not_sent_to(receiver, settings, caplog):
    # Added when its name led somewhere allowed; by the time of the try it leads to this machine.
    webhook_endpoint_create(url=receiver.url_at("localhost"), description="SRE", by=None)
    project_entitled(team_size=0)
    entitlements_publish()
    delivery = WebhookDelivery.objects.order_by("pk").first()
    settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = False

    with caplog.at_level(logging.WARNING, logger="entitlements.webhooks.services"):
        wait = webhook_delivery_attempt(delivery_id=delivery.pk)

    assert not receiver.requests
    assert wait == 60
    delivery.refresh_from_db()
    assert delivery.last_error == "Could not reach the endpoint"
    assert re.search(r"localhost resolves to (127\.0\.0\.1|::1), which is not", caplog.text)


def test_a_webhook_names_its_host_as_the_url_does(receiver):
    webhook_endpoint_create(url=receiver.url_at("localhost"), description="SRE", by=None)
    project_entitled(team_size=0)
    entitlements_publish()
    delivery = WebhookDelivery.objects.order_by("pk").first()

    webhook_delivery_attempt(delivery_id=delivery.pk)

    [received] = receiver.requests
    assert received.headers["Host"] == f"localhost:{receiver.port}"
    delivery.refresh_from_db()
    assert delivery.state == WebhookDelivery.State.DELIVERED


def test_an_https_endpoint_gets_its_events_with_its_certificate_checked(tmp_path, monkeypatch):
    cert, key = certificate_for("localhost", tmp_path)
    monkeypatch.setenv("SSL_CERT_FILE", str(cert))  # trusted as an authority would be
    project_entitled(team_size=0)
    with Receiver(certificate=(cert, key)) as receiver:
        # The certificate names localhost, not 127.0.0.1: the same receiver by either name.
        webhook_endpoint_create(url=receiver.url_at("localhost"), description="SRE", by=None)
        webhook_endpoint_create(url=receiver.url_at("127.0.0.1"), description="Other", by=None)
        entitlements_publish()
        for delivery in WebhookDelivery.objects.all():
            webhook_delivery_attempt(delivery_id=delivery.pk)

    by_name = WebhookDelivery.objects.filter(endpoint__description="SRE")
    by_address = WebhookDelivery.objects.filter(endpoint__description="Other")
    assert {delivery.state for delivery in by_name} == {WebhookDelivery.State.DELIVERED}
    assert {delivery.last_error for delivery in by_address} == {"Could not reach the endpoint"}
    assert len(receiver.requests) == by_name.count()


def test_the_events_sent_page_says_only_that_the_endpoint_could_not_be_reached(
    client, receiver, caplog
):
    webhook_endpoint_create(url=receiver.url, description="SRE", by=None)
    project_entitled(team_size=0)
    entitlements_publish()
    receiver.server.shutdown()
    receiver.server.server_close()  # nobody listens on the port any more

    with caplog.at_level(logging.WARNING, logger="entitlements.webhooks.services"):
        for delivery in WebhookDelivery.objects.all():
            webhook_delivery_attempt(delivery_id=delivery.pk)
    client.force_login(UserFactory(roles=[Role.SECRETARIAT], totp=True))
    page = client.get(reverse("entitlements:webhook_deliveries")).text

    assert "Could not reach the endpoint" in page
    assert "refused" not in page.lower()
    assert "Errno" not in page
    assert {delivery.last_error for delivery in WebhookDelivery.objects.all()} == {
        "Could not reach the endpoint"
    }
    assert "Connection refused" in caplog.text

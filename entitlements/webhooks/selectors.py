"""What the secretariat's webhook pages show."""

from django.db.models import Count, Q
from django.shortcuts import get_object_or_404

from ..models import WebhookDelivery, WebhookEndpoint

RECENT_DELIVERIES = 100


def webhook_endpoints_list():
    """Every endpoint, active ones first, with how many of its deliveries are still being tried
    and how many failed for good."""
    return WebhookEndpoint.objects.select_related("created_by", "deactivated_by").annotate(
        pending=Count("deliveries", filter=Q(deliveries__state=WebhookDelivery.State.PENDING)),
        failed=Count("deliveries", filter=Q(deliveries__state=WebhookDelivery.State.FAILED)),
    )


def webhook_endpoint_get(*, pk):
    return get_object_or_404(WebhookEndpoint, pk=pk)


def webhook_deliveries_recent(*, state=None, limit=RECENT_DELIVERIES):
    """The latest ``limit`` deliveries, newest first, only those in ``state`` when given, with
    their event, the entitlement it is about and the endpoint, in one query."""
    deliveries = WebhookDelivery.objects.select_related("event", "endpoint")
    if state:
        deliveries = deliveries.filter(state=state)
    return deliveries.order_by("-pk")[:limit]

"""What the secretariat's webhook pages show."""

from django.db.models import Func, IntegerField, OuterRef, Q, Subquery
from django.shortcuts import get_object_or_404

from ..models import EntitlementRecord, WebhookDelivery, WebhookEndpoint
from ..selectors import Entitlement, entitlements_current

RECENT_DELIVERIES = 100


def _deliveries_in(state):
    """How many of the endpoint's deliveries are in ``state``, counted on the (endpoint, state)
    index: its rows in that state alone, not every delivery it was ever sent."""
    # COUNT(*) as a plain function, not Django's Count: the subquery then has no GROUP BY, and
    # answers one row, 0 for none.
    counted = (
        WebhookDelivery.objects.filter(endpoint=OuterRef("pk"), state=state)
        .order_by()
        .annotate(count=Func(template="COUNT(*)", output_field=IntegerField()))
        .values("count")
    )
    return Subquery(counted, output_field=IntegerField())


def webhook_endpoints_list():
    """Every endpoint, active ones first, with how many of its deliveries are still being tried
    and how many failed for good. One query, whose cost grows with the deliveries pending and
    failed, not with all those delivered."""
    return WebhookEndpoint.objects.select_related("created_by", "deactivated_by").annotate(
        pending=_deliveries_in(WebhookDelivery.State.PENDING),
        failed=_deliveries_in(WebhookDelivery.State.FAILED),
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


def entitlements_changed_since(since, *, on=None, person=None, project=None, dataset=None):
    """The entitlements granted, changed or ended since ``since`` (a moment), for a consumer
    that polls instead of, or besides, receiving webhooks: those in force today whose last
    publication is at or after it (or that are not published yet), and those no longer in
    force, ended since it or ending now, ahead of the sweep that will publish their ending.
    Optionally only one person's (a user), project's (its id) or dataset's (its slug). Two
    queries besides ``entitlements_current``'s."""
    current = entitlements_current(on=on, person=person, project=project, dataset=dataset)
    records = EntitlementRecord.objects.all()
    if person is not None:
        records = records.filter(person=person)
    if project is not None:
        records = records.filter(project_id=getattr(project, "pk", project))
    if dataset is not None:
        records = records.filter(dataset_slug=dataset)
    published = {
        record.key: record
        for record in records.filter(
            Q(changed_at__gte=since) | Q(state=EntitlementRecord.State.IN_FORCE)
        )
    }
    in_force = {entitlement.key for entitlement in current}
    changed = [
        entitlement
        for entitlement in current
        if (record := published.get(entitlement.key)) is None
        or record.changed_at >= since
        or record.state == EntitlementRecord.State.ENDED
    ]
    # Published as in force and not in force now, or ended since: ended.
    for key, record in published.items():
        if key in in_force:
            continue
        changed.append(
            Entitlement(
                person_id=record.person_id,
                person_email=record.person_email,
                person_name=record.person_name,
                project_id=record.project_id,
                project_title=record.project_title,
                dataset_slug=record.dataset_slug,
                dataset_name=record.dataset_name,
                variables=record.variables,
                access_mode=record.access_mode,
                valid_from=record.valid_from,
                valid_until=record.valid_until,
                state="ended",
            )
        )
    return sorted(changed, key=lambda e: (e.project_id, e.dataset_slug, e.person_id))

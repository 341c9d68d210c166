"""Reads of the audit trail, each in a fixed number of queries whatever its size."""

from django.shortcuts import get_object_or_404

from .models import AuditEvent


def events_for_browse():
    """Every event, newest first, with its actor fetched in the same query."""
    return AuditEvent.objects.select_related("actor").order_by("-created_at", "-id")


def event_get(*, pk):
    return get_object_or_404(AuditEvent.objects.select_related("actor"), pk=pk)


def actions_present():
    """The actions recorded so far, for choosing one in a filter."""
    return list(AuditEvent.objects.order_by("action").values_list("action", flat=True).distinct())


def object_types_present():
    """The object types recorded so far (empty for system events), for choosing one."""
    return list(
        AuditEvent.objects.exclude(object_type="")
        .order_by("object_type")
        .values_list("object_type", flat=True)
        .distinct()
    )

"""Reads of erasure requests, each in a fixed number of queries."""

from django.shortcuts import get_object_or_404

from ..models import ErasureRequest

# How many decided requests the queue lists below the open ones.
DECIDED_LISTED = 50


def erasure_requests_open() -> list[ErasureRequest]:
    """Requests waiting for a decision, oldest first: one query."""
    return list(
        ErasureRequest.objects.filter(state__in=ErasureRequest.OPEN)
        .select_related("person")
        .order_by("created_at", "pk")
    )


def erasure_requests_decided() -> list[ErasureRequest]:
    """The latest requests decided or withdrawn, newest first: one query."""
    return list(
        ErasureRequest.objects.exclude(state__in=ErasureRequest.OPEN)
        .select_related("person", "decided_by")
        .defer("assessment", "erased")
        .order_by("-decided_at", "-pk")[:DECIDED_LISTED]
    )


def erasure_request_get(*, pk: int) -> ErasureRequest:
    return get_object_or_404(
        ErasureRequest.objects.select_related("person", "decided_by", "schedule"), pk=pk
    )


def erasure_requests_own(*, person) -> list[ErasureRequest]:
    """``person``'s own requests, newest first: one query."""
    return list(ErasureRequest.objects.filter(person=person).order_by("-created_at", "-pk"))

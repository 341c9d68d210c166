"""Reads of a person's copies of their data."""

from django.shortcuts import get_object_or_404

from .models import DataExport

# How many of a person's past copies their page lists.
RECENT = 10


def data_exports_recent(*, person):
    """``person``'s latest copies, newest first: one query."""
    return list(DataExport.objects.filter(person=person).order_by("-created_at")[:RECENT])


def data_export_get_own(*, user, pk):
    """One of ``user``'s own copies; anyone else's is not found."""
    return get_object_or_404(DataExport, pk=pk, person_id=user.pk)

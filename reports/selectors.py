import datetime
from collections.abc import Mapping
from typing import Any

from django.shortcuts import get_object_or_404

from researchers.models import Organisation

from .models import ReportExport

RECENT_EXPORTS = 20


def exports_recent(*, limit=RECENT_EXPORTS):
    """The latest PDF exports, newest first, with who asked for them, in one query."""
    return list(ReportExport.objects.select_related("requested_by")[:limit])


def export_get(*, pk):
    return get_object_or_404(ReportExport.objects.select_related("requested_by"), pk=pk)


def filters_resolve(filters: Mapping[str, Any]) -> dict[str, Any]:
    """The keyword arguments of ``report_build`` from filters kept as JSON."""
    organisation_id = filters.get("organisation")
    organisation = (
        Organisation.objects.filter(pk=organisation_id).first() if organisation_id else None
    )
    return {
        "date_from": datetime.date.fromisoformat(filters["date_from"]),
        "date_to": datetime.date.fromisoformat(filters["date_to"]),
        "organisation": organisation,
    }

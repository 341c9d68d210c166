import json

from django.core.paginator import Paginator
from django.shortcuts import render
from django.urls import reverse

from researchers.permissions import role_required
from researchers.roles import Role

from . import selectors
from .filters import AuditEventFilter

EVENTS_PER_PAGE = 50


@role_required(Role.SECRETARIAT)
def event_list(request):
    event_filter = AuditEventFilter(request.GET or None, queryset=selectors.events_for_browse())
    form = event_filter.form
    page_obj = None
    if not event_filter.is_bound or form.is_valid():
        # A list filtered by only some of what the user asked for would mislead: with any
        # filter in error the page shows the errors and no events.
        page_obj = Paginator(event_filter.qs, EVENTS_PER_PAGE).get_page(request.GET.get("page"))
    filtered = event_filter.is_bound and any(
        value not in (None, "") for value in form.cleaned_data.values()
    )
    return render(
        request,
        "audit/event_list.html",
        {
            "form": form,
            "page_obj": page_obj,
            "events": page_obj.object_list if page_obj else [],
            "filtered": filtered,
            # Detail pages link back to the list as it was, filters and page included.
            "list_query": request.GET.urlencode(),
        },
    )


@role_required(Role.SECRETARIAT)
def event_detail(request, pk):
    event = selectors.event_get(pk=pk)
    back_url = reverse("audit:event_list")
    if request.GET:
        back_url = f"{back_url}?{request.GET.urlencode()}"
    return render(
        request,
        "audit/event_detail.html",
        {
            "event": event,
            "payload": json.dumps(event.payload, indent=2, sort_keys=True, ensure_ascii=False),
            "back_url": back_url,
        },
    )

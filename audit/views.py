import json

from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dates import MONTHS_3
from django.utils.functional import SimpleLazyObject

from govuk.csv_export import csv_response
from govuk.links import url_for_ids
from govuk.paging import ROWS_PER_PAGE
from govuk.search import query_without_page, seek_chunks, seek_page
from identity.permissions import role_required
from identity.roles import Role

from . import selectors
from .describe import object_urls
from .filters import AuditEventFilter
from .kept import kept_for_staff
from .personal import events_open

EVENTS_PER_PAGE = ROWS_PER_PAGE
# The CSV reads the trail this many events at a time, one query each.
CSV_CHUNK_SIZE = 2000


def _rows(events, list_query):
    """``events`` with what their rows show worked out in Python: a page of fifty rows spent
    most of its time in the template's date filters and URL tags, one of each per row. The
    time as the date filter writes it (``c`` and ``j M Y H:i:s``, in the current time zone),
    the link to the event's page (keeping the list's filters) and to its object's page."""
    detail_url = url_for_ids("audit:event_detail")
    object_url = object_urls()
    back = f"?{list_query}" if list_query else ""
    # "Sep", as the date filter's M writes it, translated once a page rather than once a row.
    months = {number: str(name).title() for number, name in MONTHS_3.items()}
    for event in events:
        moment = timezone.localtime(event.created_at)
        event.time_iso = moment.isoformat()
        event.time_shown = f"{moment.day} {months[moment.month]} {moment.year} {moment:%H:%M:%S}"
        event.detail_url = f"{detail_url(event.pk)}{back}"
        event.object_link = object_url(event.object_type, event.object_id)
    return events


@role_required(Role.SECRETARIAT)
def event_list(request):
    # Read once: the filters' choices and the kept page are both kept under it.
    latest = selectors.audit_latest_id()
    event_filter = AuditEventFilter(
        request.GET or None, queryset=selectors.events_for_browse(), latest=latest
    )
    form = event_filter.form
    # A list filtered by only some of what the user asked for would mislead: with any filter in
    # error the page shows the errors and no events.
    usable = not event_filter.is_bound or form.is_valid()
    filtered = event_filter.is_bound and any(
        value not in (None, "") for value in form.cleaned_data.values()
    )
    list_query = request.GET.urlencode()

    def listing():
        # Paged newest first by time, then by event, with no count of the trail: it grows
        # without end.
        page_obj = seek_page(event_filter.qs, request.GET, per_page=EVENTS_PER_PAGE)
        # Personal values opened where their person's key remains, in one query.
        return {"page_obj": page_obj, "events": _rows(events_open(page_obj.entries), list_query)}

    context = {
        "form": form,
        # The filters as rendered and the page of events, each kept once rendered. Events are
        # never changed, so a page of them stays as it is until the next event (or the erasure
        # of a person's values, which is an event too). The rows link back with the query, so
        # they are kept under it.
        "kept": kept_for_staff(vary=(list_query,), latest=latest),
        "usable": usable,
        "filtered": filtered,
        # Detail pages link back to the list as it was, filters and page included.
        "list_query": list_query,
        "export_query": query_without_page(request.GET).urlencode(),
    }
    if usable:
        # Read only when the page is not kept already.
        context["listing"] = SimpleLazyObject(listing)
    return render(request, "audit/event_list.html", context)


@role_required(Role.SECRETARIAT)
def event_detail(request, pk):
    (event,) = events_open([selectors.event_get(pk=pk)])
    back_url = reverse("audit:event_list")
    if request.GET:
        back_url = f"{back_url}?{request.GET.urlencode()}"
    return render(
        request,
        "audit/event_detail.html",
        {
            "event": event,
            "payload": json.dumps(
                event.shown.payload, indent=2, sort_keys=True, ensure_ascii=False
            ),
            "back_url": back_url,
        },
    )


CSV_HEADER = [
    "id",
    "time",
    "actor email",
    "action",
    "object type",
    "object id",
    "object",
    "from state",
    "to state",
    "IP address",
    "payload",
    "what happened",
]


def _csv_row(event):
    return (
        event.pk,
        timezone.localtime(event.created_at).isoformat(),
        event.actor.email if event.actor else "",
        event.action,
        event.object_type,
        event.object_id,
        event.shown.object_repr,
        event.from_state,
        event.to_state,
        event.shown.ip_address,
        json.dumps(event.shown.payload, sort_keys=True, ensure_ascii=False),
        event.words,
    )


@role_required(Role.SECRETARIAT)
def event_export(request):
    """The events the list's filters select, every page of them, as a streamed CSV file."""
    query = query_without_page(request.GET)
    event_filter = AuditEventFilter(query or None, queryset=selectors.events_for_browse())
    if event_filter.is_bound and not event_filter.form.is_valid():
        # The list explains what is wrong with the filters.
        return redirect(f"{reverse('audit:event_list')}?{query.urlencode()}")
    # Each chunk of events, then the keys of the people it holds personal values of.
    events = (
        event
        for chunk in seek_chunks(event_filter.qs, size=CSV_CHUNK_SIZE)
        for event in events_open(chunk)
    )
    return csv_response(
        header=CSV_HEADER,
        rows=(_csv_row(event) for event in events),
        filename=f"audit-events-{timezone.localdate():%Y-%m-%d}.csv",
    )

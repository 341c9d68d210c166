"""The register of accredited projects' pages: the list, searched, and its CSV download. Open
to anyone without signing in."""

from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from govuk.csv_export import csv_response
from govuk.search import filter_usable, query_without_page, search_page, seek_chunks

from .filters import register_filter
from .selectors import register_entry, with_published_outputs

ENTRIES_PER_PAGE = 20


def _entries(projects):
    return with_published_outputs([register_entry(project) for project in projects])


def register_list(request):
    context = search_page(
        request, register_filter(request.GET), per_page=ENTRIES_PER_PAGE, decorate=_entries
    )
    return render(request, "projects/register/list.html", context)


CSV_HEADER = (
    "Title",
    "Lay summary",
    "Organisations",
    "Datasets",
    "Legal gateway",
    "Decision date",
    "Approved by",
    "Status",
    "Published outputs",
)
# Register entries are decorated with their published outputs this many at a time, so the
# CSV costs a fixed number of queries per batch however many projects it holds.
CSV_BATCH_SIZE = 500


def _published_output_text(output):
    where = f"https://doi.org/{output.doi}" if output.doi else output.url
    return f"{output.citation} ({where})" if where else output.citation


def _csv_row(entry):
    return (
        entry.title,
        entry.lay_summary,
        "; ".join(entry.organisations),
        "; ".join(entry.dataset_names),
        "; ".join(act.title for act in entry.gateways),
        timezone.localdate(entry.decision_date) if entry.decision_date else "",
        entry.route_label,
        entry.get_state_display(),
        "; ".join(_published_output_text(output) for output in entry.published_outputs),
    )


def _csv_entries(projects):
    """Register entries of ``projects`` with their published outputs, batch by batch: each
    batch is read after the last project of the one before, so a batch costs the same few
    queries at the end of the register as at its start."""
    for batch in seek_chunks(projects, size=CSV_BATCH_SIZE):
        yield from _entries(batch)


def register_csv(request):
    """The projects the list's search selects, every page of them, as a streamed CSV file."""
    query = query_without_page(request.GET)
    searched = register_filter(query)
    if not filter_usable(searched):
        # The list explains what is wrong with the search.
        return redirect(f"{reverse('project_register:list')}?{query.urlencode()}")
    return csv_response(
        header=CSV_HEADER,
        rows=(_csv_row(entry) for entry in _csv_entries(searched.qs)),
        filename=f"accredited-projects-{timezone.localdate():%Y-%m-%d}.csv",
    )

"""The register of accredited researchers' pages: the list, searched, and its CSV download.
Open to anyone without signing in."""

from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from govuk.csv_export import csv_response
from govuk.search import filter_usable, query_without_page, search_page, seek_iterator

from .filters import register_filter

ENTRIES_PER_PAGE = 50
CSV_HEADER = ("Name", "Organisation", "Accreditation", "Valid until")
# The CSV reads the register this many entries at a time, one query each.
CSV_CHUNK_SIZE = 2000


def register_list(request):
    context = search_page(request, register_filter(request.GET), per_page=ENTRIES_PER_PAGE)
    return render(request, "accreditation/register/list.html", context)


def register_csv(request):
    """The researchers the list's search selects, every page of them, as a streamed CSV file."""
    query = query_without_page(request.GET)
    searched = register_filter(query)
    if not filter_usable(searched):
        # The list explains what is wrong with the search.
        return redirect(f"{reverse('researcher_register:list')}?{query.urlencode()}")
    entries = seek_iterator(searched.qs, size=CSV_CHUNK_SIZE)
    return csv_response(
        header=CSV_HEADER,
        rows=(
            (entry.name, entry.organisation, entry.get_level_display(), entry.valid_until)
            for entry in entries
        ),
        filename=f"accredited-researchers-{timezone.localdate():%Y-%m-%d}.csv",
    )

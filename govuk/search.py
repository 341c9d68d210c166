"""A searched, paginated list: the pattern both public registers follow, on the page and in the
CSV download of the same search."""

from django.core.paginator import Paginator


def query_without_page(query):
    """``query`` (a QueryDict) without its page number: the search alone."""
    query = query.copy()
    query.pop("page", None)
    return query


def filter_usable(filterset):
    """Whether the search ``filterset`` was given can be used: none, or one without errors."""
    return not filterset.is_bound or filterset.form.is_valid()


def search_page(request, filterset, *, per_page):
    """The context of a list page searched by ``filterset`` (bound to ``request.GET`` or
    unbound): its form, the page of results asked for, whether a search was made, and the
    query string of the same search for the CSV link.

    With a search in error the page shows the error and no results, rather than all of them.
    """
    usable = filter_usable(filterset)
    page_obj = None
    if usable:
        page_obj = Paginator(filterset.qs, per_page).get_page(request.GET.get("page"))
    form = filterset.form
    searched = (
        usable
        and filterset.is_bound
        and any(value not in (None, "") for value in form.cleaned_data.values())
    )
    return {
        "form": form,
        "page_obj": page_obj,
        "entries": list(page_obj.object_list) if page_obj else [],
        "searched": searched,
        "csv_query": query_without_page(request.GET).urlencode(),
    }

"""A searched, paginated list: the pattern both public registers follow, on the page and in the
CSV download of the same search, and the paging the audit trail and notifications share.

Lists that grow without bound are paged by their sort order ("keyset" or "seek" paging): the
link to the next page carries the sort key of the last entry shown, and the next page is the
entries after it. Reading page 2,000 then costs the same as reading page 1, and nothing counts
the whole list, where a page number would make the database count it and walk past every entry
before the page asked for. The price is that pages have no numbers: people go forward and back,
and a search narrows the list.
"""

import datetime
import uuid
from dataclasses import dataclass
from functools import reduce
from operator import or_

import django_filters
from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.db.models import Q
from django.utils import timezone
from django.utils.functional import SimpleLazyObject

# The query parameters that say which page: a cursor after or before an entry. ``page`` is the
# page number links used to carry; such a link still works and opens the first page.
AFTER = "after"
BEFORE = "before"
PAGE_PARAMETERS = (AFTER, BEFORE, "page")


class RowsReadFilterSet(django_filters.FilterSet):
    """A search whose rows (``rows``, a function that gives the queryset to search) are put
    together when its results are first read (``qs``) rather than when it is made: a page
    whose rendered results are kept checks the search and reads nothing else."""

    def __init__(self, data=None, *, rows, **kwargs):
        self._rows = rows
        super().__init__(data, queryset=self._meta.model._default_manager.none(), **kwargs)

    @property
    def qs(self):
        if not hasattr(self, "_qs"):
            self.queryset = self._rows()
        return super().qs


def query_without_page(query):
    """``query`` (a QueryDict) without what says which page: the search alone."""
    query = query.copy()
    for name in PAGE_PARAMETERS:
        query.pop(name, None)
    return query


def filter_usable(filterset):
    """Whether the search ``filterset`` was given can be used: none, or one without errors."""
    return not filterset.is_bound or filterset.form.is_valid()


def _sort_keys(queryset):
    """The field names ``queryset`` is ordered by, each with whether it goes down.

    The last must be unique (the primary key, say), so no two entries share a sort key and a
    cursor falls between two entries, never among several."""
    keys = []
    for key in queryset.query.order_by:
        if not isinstance(key, str) or key == "?":
            raise ValueError(f"seek paging needs an ordering by field names, not {key!r}")
        keys.append((key.removeprefix("-"), key.startswith("-")))
    if not keys:
        raise ValueError("seek paging needs an ordered queryset")
    return keys


def _salt(keys):
    # A cursor made for one ordering is refused by another rather than misread.
    return "govuk.search.seek:" + ",".join(("-" if down else "") + name for name, down in keys)


def _key_value(entry, name):
    value = getattr(entry, name)
    if isinstance(value, datetime.date):
        # Compared as the field's own type: the lookup parses it back.
        return value.isoformat()
    return value


def _cursor(entry, keys):
    return signing.dumps([_key_value(entry, name) for name, _ in keys], salt=_salt(keys))


def _read_cursor(token, keys):
    """The sort key a cursor carries, or None for one that is missing, altered or made for
    another list: such a link opens the first page."""
    if not token:
        return None
    try:
        values = signing.loads(token, salt=_salt(keys))
    except signing.BadSignature:
        return None
    if not isinstance(values, list) or len(values) != len(keys):
        return None
    return values


def _beyond(keys, values, *, forward):
    """Entries after (``forward``) or before the sort key ``values`` in the order ``keys``.

    Written as ``a >= x AND (a > x OR (a = x AND b > y) ...)``: the same condition as
    ``(a, b) > (x, y)``, with a first bound an index on ``a`` can start from."""

    def beyond(down):
        return "lt" if down == forward else "gt"

    def bound(down):
        return "lte" if down == forward else "gte"

    first_name, first_down = keys[0]
    alternatives = []
    for position, (name, down) in enumerate(keys):
        equal = {prior: values[index] for index, (prior, _) in enumerate(keys[:position])}
        alternatives.append(Q(**equal, **{f"{name}__{beyond(down)}": values[position]}))
    return Q(**{f"{first_name}__{bound(first_down)}": values[0]}) & reduce(or_, alternatives)


def _reversed(keys):
    return [("" if down else "-") + name for name, down in keys]


@dataclass
class SeekPage:
    """One page of a list paged by its sort order, and the query strings of its neighbours
    (None where there is none). With other pages the list holds more than ``per_page``
    entries, which is what a page can say of its length without counting them all."""

    entries: list
    per_page: int
    previous_query: str | None
    next_query: str | None

    @property
    def has_other_pages(self):
        return self.previous_query is not None or self.next_query is not None


def _query_with(query, name, token):
    query = query_without_page(query)
    query[name] = token
    return query.urlencode()


def seek_page(queryset, query, *, per_page):
    """The page of ``queryset`` (ordered, its last sort field unique) that ``query`` (the
    request's QueryDict) asks for with ``after`` or ``before``, the first page without either.

    One query for the page, whatever the list's length: ``per_page`` and one more entry, to know
    whether there is another page. A cursor that no longer leads anywhere (everything before it
    was deleted), or that was altered, opens the first page.
    """
    keys = _sort_keys(queryset)
    after = _read_cursor(query.get(AFTER), keys)
    before = None if after is not None else _read_cursor(query.get(BEFORE), keys)
    if before is not None:
        rows = list(
            queryset.filter(_beyond(keys, before, forward=False)).order_by(*_reversed(keys))[
                : per_page + 1
            ]
        )
        more_before = len(rows) > per_page
        entries = rows[:per_page][::-1]
        more_after = True
    else:
        rows = queryset
        if after is not None:
            rows = rows.filter(_beyond(keys, after, forward=True))
        rows = list(rows[: per_page + 1])
        entries = rows[:per_page]
        more_after = len(rows) > per_page
        more_before = after is not None
    if not entries and (after is not None or before is not None):
        return seek_page(queryset, query_without_page(query), per_page=per_page)
    return SeekPage(
        entries=entries,
        per_page=per_page,
        previous_query=_query_with(query, BEFORE, _cursor(entries[0], keys))
        if more_before
        else None,
        next_query=_query_with(query, AFTER, _cursor(entries[-1], keys)) if more_after else None,
    )


def seek_chunks(queryset, *, size):
    """Every entry of ``queryset`` (ordered, its last sort field unique), ``size`` at a time.

    Each chunk is one query for its entries (and one for each of the queryset's prefetches),
    starting after the last entry of the chunk before, so a long CSV download costs the same
    per chunk at its end as at its start and holds no database cursor open while it streams.
    """
    keys = _sort_keys(queryset)
    rows = queryset
    while True:
        chunk = list(rows[:size])
        if chunk:
            yield chunk
        if len(chunk) < size:
            return
        last = [_key_value(chunk[-1], name) for name, _ in keys]
        rows = queryset.filter(_beyond(keys, last, forward=True))


def seek_iterator(queryset, *, size):
    """Every entry of ``queryset``, one by one, read ``size`` at a time by ``seek_chunks``."""
    for chunk in seek_chunks(queryset, size=size):
        yield from chunk


# The kept results of the public registers carry the generation in their cache key: a new
# generation (a random token, so one lost from the cache can never come back and match old
# results) sets every kept page of results aside at once.
KEPT_RESULTS_GENERATION = "govuk.search.kept-results-generation"


def kept_results_renew():
    """Set aside every kept page of the registers' results: the next visitor to each reads it
    afresh. The registers call it after the transitions they show (a suspension, an approval, a
    closure), so a change of state shows at once; other changes (a new organisation name) show
    when the kept results expire."""
    cache.set(KEPT_RESULTS_GENERATION, uuid.uuid4().hex, timeout=None)


def kept_results_generation():
    """The current generation of the registers' kept results, made when there is none, and the
    day: results kept yesterday are not today's (an accreditation's last valid day has passed)."""
    generation = cache.get_or_set(KEPT_RESULTS_GENERATION, lambda: uuid.uuid4().hex, timeout=None)
    return f"{generation}:{timezone.localdate().isoformat()}"


def search_page(request, filterset, *, per_page, decorate=None):
    """The context of a list page searched by ``filterset`` (bound to ``request.GET`` or
    unbound): its form, the page of results asked for (paged by ``seek_page``), whether a
    search was made, and the query string of the same search for the CSV link.

    With a search in error the page shows the error and no results, rather than all of them.

    The page of results (``page_obj``) and its ``entries`` (passed through ``decorate``, which
    adds what the entries show) are read when the template first uses them, so a page that
    keeps its rendered results (``components/register.html``, for ``results_kept_seconds``
    under ``results_generation``) reads nothing from the database while they are kept.
    """
    usable = filter_usable(filterset)
    page_obj = entries = None
    if usable:
        page_obj = SimpleLazyObject(lambda: seek_page(filterset.qs, request.GET, per_page=per_page))
        entries = SimpleLazyObject(
            lambda: decorate(page_obj.entries) if decorate else page_obj.entries
        )
    form = filterset.form
    searched = (
        usable
        and filterset.is_bound
        and any(value not in (None, "") for value in form.cleaned_data.values())
    )
    return {
        "form": form,
        "page_obj": page_obj,
        "entries": entries if usable else [],
        "searched": searched,
        "csv_query": query_without_page(request.GET).urlencode(),
        "results_kept_seconds": settings.REGISTER_RESULTS_KEPT_SECONDS,
        "results_generation": kept_results_generation()
        if settings.REGISTER_RESULTS_KEPT_SECONDS
        else "",
    }

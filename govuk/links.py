"""Links to many rows of one kind, as a table shows them."""

from collections.abc import Callable

from django.urls import NoReverseMatch, reverse

# Digits no URL holds otherwise: an id put in its place gives the URL for that id.
_MARKER = "8101974286450539"


def url_for_ids(url_name: str, kwarg: str = "pk") -> Callable[[object], str | None]:
    """A function giving ``reverse(url_name, kwargs={kwarg: id})`` for each id, or None where
    the URL takes no such id.

    An id of digits alone, as every row's id is, is put into one URL reversed for all of them:
    reversing is slow next to the rest of a table's row. Any other id is reversed on its own.
    Made afresh for each page, as the URLs depend on the request (its script prefix).
    """
    try:
        marked = reverse(url_name, kwargs={kwarg: _MARKER})
    except NoReverseMatch:
        marked = ""
    before, found, after = marked.partition(_MARKER)
    one_place = found and _MARKER not in after

    def url(value):
        text = str(value)
        if one_place and text.isascii() and text.isdecimal():
            return f"{before}{text}{after}"
        try:
            return reverse(url_name, kwargs={kwarg: value})
        except NoReverseMatch:
            return None

    return url

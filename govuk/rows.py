"""What a long list's rows show, worked out in Python once a row instead of by template tags
and filters, each of which costs tens of microseconds a row: a link to each row's page, and a
day as the lists write it."""

from django.urls import reverse
from django.utils import timezone
from django.utils.dates import MONTHS_3

# A key no row has, reversed once to find where a row's own key goes in its link.
_MARKER = 918273645546372819


def url_for_each(name):
    """A function giving ``reverse(name, kwargs={"pk": pk})`` for any whole-number ``pk``,
    reversing ``name`` once. Made afresh for each request, so the script prefix the request
    was given is kept."""
    url = reverse(name, kwargs={"pk": _MARKER})
    before, marker, after = url.partition(str(_MARKER))
    if not marker or str(_MARKER) in after:
        return lambda pk: reverse(name, kwargs={"pk": pk})
    return lambda pk: f"{before}{int(pk)}{after}"


def short_date(value):
    """``value`` (a date, or a time of day read as a day in the service's time zone) as
    ``{{ value|date:"j M Y" }}`` writes it, "6 Dec 2026"; "" for None."""
    if value is None:
        return ""
    if hasattr(value, "tzinfo") and timezone.is_aware(value):
        value = timezone.localtime(value)
    return f"{value.day} {str(MONTHS_3[value.month]).title()} {value.year}"

"""What a long list's rows show, worked out in Python once a row instead of by template tags
and filters, each of which costs tens of microseconds a row: a day as the lists write it (and
``govuk.links.url_for_ids`` for a link to each row's page)."""

from django.utils import timezone
from django.utils.dates import MONTHS, MONTHS_3


def _local(value):
    if hasattr(value, "tzinfo") and timezone.is_aware(value):
        return timezone.localtime(value)
    return value


def long_date(value):
    """``value`` (a date, or a time of day read as a day in the service's time zone) as
    ``{{ value|date:"j F Y" }}`` writes it, "6 December 2026"; "" for None."""
    if value is None:
        return ""
    value = _local(value)
    return f"{value.day} {MONTHS[value.month]} {value.year}"


def short_date(value):
    """``value`` (a date, or a time of day read as a day in the service's time zone) as
    ``{{ value|date:"j M Y" }}`` writes it, "6 Dec 2026"; "" for None."""
    if value is None:
        return ""
    value = _local(value)
    return f"{value.day} {str(MONTHS_3[value.month]).title()} {value.year}"

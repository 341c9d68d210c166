"""The checkers' service level: a decision within a number of working days of submission.

Working days are Monday to Friday except the bank holidays of England and Wales, which share
one calendar. The holidays come from a maintained library, so a new or moved bank holiday (a
coronation, a jubilee) needs an upgrade, not an edit here.
"""

from datetime import datetime, time, timedelta
from functools import lru_cache

import holidays
from django.conf import settings
from django.utils import timezone


def bank_holidays(years):
    """The England and Wales bank holidays in ``years``."""
    return _bank_holidays(tuple(years))


@lru_cache(maxsize=64)
def _bank_holidays(years):
    # Building the calendar is slow next to using it; a queue of requests asks for the same
    # few years again and again. The library's calendar is read-only here.
    return holidays.UK(subdiv="ENG", years=years)


def is_working_day(day, *, closed=None):
    """Whether ``day`` is a weekday that is not a bank holiday in England and Wales."""
    closed = bank_holidays([day.year]) if closed is None else closed
    return day.weekday() < 5 and day not in closed


def add_working_days(start, days):
    """The day ``days`` working days after ``start`` (``start`` itself never counts)."""
    closed = bank_holidays(range(start.year, start.year + 2 + days // 200))
    day = start
    remaining = days
    while remaining > 0:
        day += timedelta(days=1)
        if is_working_day(day, closed=closed):
            remaining -= 1
    return day


def _local_date(moment):
    if isinstance(moment, datetime):
        return timezone.localdate(moment) if timezone.is_aware(moment) else moment.date()
    return moment


def due_date(submitted_at, *, days=None):
    """The last day for a decision on a request submitted at ``submitted_at``."""
    days = settings.OUTPUT_SERVICE_LEVEL_WORKING_DAYS if days is None else days
    return add_working_days(_local_date(submitted_at), days)


def is_overdue(submitted_at, *, today=None, days=None):
    """Whether the service level for a request submitted at ``submitted_at`` has passed."""
    today = timezone.localdate() if today is None else today
    return today > due_date(submitted_at, days=days)


def overdue_before(*, today=None, days=None):
    """The moment before which a submission is overdue ``today``: ``is_overdue`` for a whole
    queue at once, so the database can count and find the overdue requests in a range of
    ``submitted_at`` instead of reading every date into Python. A later submission is never due
    earlier, so the overdue ones are exactly those submitted before the start of the day after
    the last overdue submission day."""
    today = timezone.localdate() if today is None else today
    day = today - timedelta(days=1)
    while not today > due_date(day, days=days):
        day -= timedelta(days=1)
    return timezone.make_aware(datetime.combine(day + timedelta(days=1), time.min))

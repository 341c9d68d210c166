import datetime as dt
from zoneinfo import ZoneInfo

from outputs.service_level import (
    add_working_days,
    due_date,
    is_overdue,
    is_working_day,
    overdue_before,
)

LONDON = ZoneInfo("Europe/London")


def test_due_date_skips_weekend():
    # Monday 9 March 2026 -> the following Monday.
    assert due_date(dt.date(2026, 3, 9)) == dt.date(2026, 3, 16)


def test_due_date_skips_good_friday_and_easter_monday():
    # Submitted on the Thursday before Easter 2026: Good Friday (3 April) and Easter Monday
    # (6 April) are not working days, so the five days are 7, 8, 9, 10 and 13 April.
    assert due_date(dt.date(2026, 4, 2)) == dt.date(2026, 4, 13)


def test_due_date_skips_christmas_boxing_day_and_new_year():
    # Wednesday 23 December 2026: Christmas Day (Fri), Boxing Day observed (Mon 28) and New
    # Year's Day (Fri 1 January 2027) fall in the way.
    assert due_date(dt.date(2026, 12, 23)) == dt.date(2027, 1, 4)


def test_due_date_uses_the_london_date_of_a_late_evening_submission():
    # 23:30 on a Friday in London is still Friday there.
    late_friday = dt.datetime(2026, 6, 5, 23, 30, tzinfo=LONDON)
    assert due_date(late_friday) == dt.date(2026, 6, 12)
    # Just after midnight UTC in summer is already 01:00 Saturday in London.
    saturday_in_london = dt.datetime(2026, 6, 6, 0, 30, tzinfo=dt.UTC)
    assert due_date(saturday_in_london) == dt.date(2026, 6, 12)


def test_working_day_excludes_weekends_and_bank_holidays():
    assert is_working_day(dt.date(2026, 4, 7))
    assert not is_working_day(dt.date(2026, 4, 3))  # Good Friday
    assert not is_working_day(dt.date(2026, 8, 31))  # Summer bank holiday (England, Wales)
    assert not is_working_day(dt.date(2026, 4, 4))  # Saturday


def test_working_day_counts_a_scottish_only_holiday():
    # 2 January is a bank holiday in Scotland, not in England and Wales.
    assert is_working_day(dt.date(2026, 1, 2))


def test_service_level_follows_its_setting(settings):
    settings.OUTPUT_SERVICE_LEVEL_WORKING_DAYS = 2
    assert due_date(dt.date(2026, 3, 9)) == dt.date(2026, 3, 11)


def test_add_working_days_crosses_the_year():
    assert add_working_days(dt.date(2026, 12, 31), 1) == dt.date(2027, 1, 4)


def test_overdue_only_after_the_due_date():
    submitted = dt.date(2026, 4, 2)
    assert not is_overdue(submitted, today=dt.date(2026, 4, 13))
    assert is_overdue(submitted, today=dt.date(2026, 4, 14))


def test_overdue_before_marks_the_same_requests_as_is_overdue():
    # Every submission day and hour across a year with Easter, Christmas and clock changes,
    # seen from every day a little later: overdue exactly when submitted before the moment.
    start = dt.date(2026, 3, 1)
    for today in (start + dt.timedelta(days=n) for n in range(0, 330, 3)):
        cutoff = overdue_before(today=today)
        for back in range(0, 25):
            day = today - dt.timedelta(days=back)
            for hour in (0, 12, 23):
                moment = dt.datetime(day.year, day.month, day.day, hour, 30, tzinfo=LONDON)
                assert (moment < cutoff) == is_overdue(moment, today=today), (today, moment)


def test_overdue_before_follows_the_days_given():
    # Friday 10 April 2026: with two working days, a Wednesday submission (due Friday) is not
    # yet overdue, a Tuesday one (due Thursday) is.
    cutoff = overdue_before(today=dt.date(2026, 4, 10), days=2)
    assert cutoff == dt.datetime(2026, 4, 8, 0, 0, tzinfo=LONDON)

import datetime


def add_years(day: datetime.date, years: int) -> datetime.date:
    """``day`` moved by whole ``years`` (negative for earlier); 29 February becomes 28 February."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def years_for(level):
    """How many years an accreditation at ``level`` lasts, from the settings."""
    from django.conf import settings

    from .levels import Level

    if level == Level.PROVISIONAL:
        return settings.ACCREDITATION_PROVISIONAL_YEARS
    return settings.ACCREDITATION_FULL_YEARS


def validity_for(level: str, *, start: datetime.date) -> tuple[datetime.date, datetime.date]:
    """(valid_from, valid_until) of an accreditation at ``level`` starting on ``start``."""
    return start, add_years(start, years_for(level))


def training_refresh_years(level):
    """How many years Safe Researcher Training stays current for an accreditation at ``level``,
    from the settings: None where the scheme does not ask for it to be refreshed."""
    from django.conf import settings

    from .levels import Level

    if level == Level.PROVISIONAL:
        return settings.PROVISIONAL_TRAINING_MAX_AGE_YEARS
    return settings.TRAINING_REFRESH_YEARS or None


def training_refresh_day(passed_on, level=None):
    """The day training passed on ``passed_on`` must be refreshed by, for an accreditation at
    ``level`` (provisional when not given); None where the scheme asks for no refresh."""
    from .levels import Level

    years = training_refresh_years(level or Level.PROVISIONAL)
    if years is None:
        return None
    return add_years(passed_on, years)

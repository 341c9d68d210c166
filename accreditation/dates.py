def add_years(day, years):
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


def validity_for(level, *, start):
    """(valid_from, valid_until) of an accreditation at ``level`` starting on ``start``."""
    return start, add_years(start, years_for(level))


def training_refresh_day(passed_on):
    """The day training passed on ``passed_on`` becomes too old for a provisional researcher
    to rely on."""
    from django.conf import settings

    return add_years(passed_on, settings.PROVISIONAL_TRAINING_MAX_AGE_YEARS)

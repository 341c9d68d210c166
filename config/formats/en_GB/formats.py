# Dates and times as the service writes them everywhere: "6 December 2026", "14:28" (the
# 24-hour clock the pages' own formats use), never Django's "2:28 p.m.". Used wherever a
# template shows a date or time without a format of its own.
DATE_FORMAT = "j F Y"
TIME_FORMAT = "H:i"
DATETIME_FORMAT = "j F Y, H:i"
SHORT_DATE_FORMAT = "j M Y"
SHORT_DATETIME_FORMAT = "j M Y, H:i"
MONTH_DAY_FORMAT = "j F"
YEAR_MONTH_FORMAT = "F Y"

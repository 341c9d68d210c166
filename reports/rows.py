"""The report's rows for the CSV download: one row per application, proposal and output request,
read in batches of a fixed size, one query a batch, so the download takes the same memory and
the same queries a batch whatever the number of rows."""

from django.utils import timezone

from .figures import KINDS, STAGES, kind_records_in_batches

HEADER = [
    "record",
    "id",
    "organisation",
    "month",
    "state",
    "submitted",
    "decided",
    *[f"days, {stage.label}" for stage in STAGES],
]


def _when(moment, zone):
    return moment.astimezone(zone).isoformat(timespec="seconds") if moment else ""


def _days(value):
    return "" if value is None else f"{value:.2f}"


def report_rows(*, date_from, date_to, organisation=None, batch_size=2000):
    """Rows in ``HEADER``'s order, produced lazily."""
    # Looked up once: finding the current zone costs more than converting a time to it.
    zone = timezone.get_current_timezone()
    for kind in KINDS:
        own = {stage.key for stage in kind.stages}
        records = kind_records_in_batches(
            kind,
            date_from=date_from,
            date_to=date_to,
            organisation=organisation,
            batch_size=batch_size,
        )
        for record in records:
            yield [
                kind.model._meta.verbose_name.capitalize(),
                record.pk,
                record.organisation,
                record.month.strftime("%Y-%m"),
                record.state_label,
                _when(record.moments.get("submitted"), zone),
                _when(record.moments.get("decided"), zone),
                *[_days(record.stage_days(stage)) if stage.key in own else "" for stage in STAGES],
            ]

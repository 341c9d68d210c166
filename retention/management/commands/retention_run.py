"""``manage.py retention_run [--dry-run] [--date YYYY-MM-DD]``: destroy what has passed its
retention period, or, with --dry-run, only say what would go."""

from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from retention.services import RetentionRefused, retention_run


def _date(text):
    try:
        return date.fromisoformat(text)
    except ValueError as error:
        raise CommandError(
            f"--date must be a date as YYYY-MM-DD, like 2026-03-31: {text}"
        ) from error


class Command(BaseCommand):
    help = "Destroy what the retention schedule says has passed its period, writing a certificate."

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="Change nothing; print what would be destroyed."
        )
        parser.add_argument(
            "--date", help="Measure each period to this date (YYYY-MM-DD) instead of today."
        )

    def handle(self, *args, dry_run, date=None, **options):
        on = _date(date) if date else timezone.localdate()
        try:
            certificate = retention_run(on=on, dry_run=dry_run)
        except RetentionRefused as refusal:
            raise CommandError(str(refusal)) from refusal
        verb = "Would destroy" if dry_run else "Destroyed"
        self.stdout.write(
            f"{verb} {certificate.total} under retention schedule version "
            f"{certificate.schedule_id}, measured to {on:%d %B %Y}."
        )
        for entry in certificate.kinds:
            if not entry["run"]:
                self.stdout.write(f"- {entry['label']}: {entry['not_run']}")
                continue
            self.stdout.write(
                f"- {entry['label']} ({entry['period_days']} days after "
                f"{entry['clock_words'].lower()}): {entry['count']}"
                + (" reduced to anonymous records" if entry["action"] == "anonymise" else "")
            )
            for identifier in entry["identifiers"]:
                self.stdout.write(f"    {identifier}")
            for stored in entry["files"]:
                self.stdout.write(f"    file {stored['name']} sha256 {stored['sha256']}")
            for identifier in entry["held"]:
                self.stdout.write(f"    kept under a legal hold: {identifier}")
            for kept in entry["kept"]:
                self.stdout.write(f"    kept: {kept['identifier']}: {kept['reason']}")
            for name in entry.get("files_kept", []):
                self.stdout.write(f"    file kept, another record refers to it: {name}")
        if not dry_run:
            self.stdout.write(f"Certificate {certificate.pk} written.")

import datetime

from django.core.management.base import BaseCommand, CommandError

from notifications.hooks import reminder_rules
from notifications.reminders import reminders_sweep


class Command(BaseCommand):
    help = (
        "Send the reminders due on a day (default: today) that have not been sent yet, and print "
        "how many of each kind. Safe to run again: nothing already sent is sent twice."
    )

    def add_arguments(self, parser):
        parser.add_argument("--date", help="The day to send for, as YYYY-MM-DD (a missed day).")
        parser.add_argument(
            "--kind",
            action="append",
            dest="kinds",
            choices=sorted(reminder_rules()),
            help="Only this kind; give it more than once for several.",
        )

    def handle(self, *args, date=None, kinds=None, **options):
        try:
            today = datetime.date.fromisoformat(date) if date else None
        except ValueError as error:
            raise CommandError(
                f"Enter the date as YYYY-MM-DD, for example 2027-03-31: {date}"
            ) from error
        counts = reminders_sweep(today=today, kinds=kinds)
        for kind, count in counts.items():
            self.stdout.write(f"{kind}: {count}")
        self.stdout.write(f"Sent {sum(counts.values())} reminder(s).")

import json

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from outputs.check.acro import load_acro


class Command(BaseCommand):
    help = (
        "Print one JSON object mapping each output of an ACRO folder (a zip or a directory) "
        "to its status, file names, flagged cells per check and whether its checksums verified."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="An ACRO output folder, or a zip of one.")

    def handle(self, *args, path, **options):
        try:
            folder = load_acro(path)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        self.stdout.write(json.dumps(folder.summary(), indent=2, sort_keys=True))

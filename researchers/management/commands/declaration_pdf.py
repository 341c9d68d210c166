from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from researchers.declaration.selectors import declaration_latest_signed
from researchers.models import User


class Command(BaseCommand):
    help = (
        "Write a researcher's latest signed confidentiality declaration (the signed PDF) to PATH, "
        "for example to check its signature with other PDF tools."
    )

    def add_arguments(self, parser):
        parser.add_argument("email", help="The researcher's email address")
        parser.add_argument("path", help="Where to write the PDF")

    def handle(self, *args, email, path, **options):
        user = User.objects.filter(email__iexact=email.strip()).first()
        if user is None:
            raise CommandError(f"No account has the email address {email}.")
        declaration = declaration_latest_signed(user=user)
        if declaration is None:
            raise CommandError(f"{email} has no signed declaration yet.")
        try:
            with declaration.pdf.open("rb") as handle:
                data = handle.read()
        except (FileNotFoundError, ValueError) as error:
            raise CommandError(
                f"The signed PDF of declaration {declaration.reference} is missing from storage."
            ) from error
        target = Path(path)
        try:
            target.write_bytes(data)
        except OSError as error:
            raise CommandError(f"Could not write {target}: {error.strerror}.") from error
        self.stdout.write(
            self.style.SUCCESS(
                f"Wrote declaration {declaration.reference} (version "
                f"{declaration.version.number}, SHA-256 {declaration.sha256}) to {target}"
            )
        )

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from documents.keys import self_signed_pair_write


class Command(BaseCommand):
    help = (
        "Make a self-signed development key and certificate for signing declarations where "
        "settings point, unless both are already there."
    )

    def handle(self, *args, **options):
        key_path = Path(settings.DECLARATION_SIGNING_KEY)
        cert_path = Path(settings.DECLARATION_SIGNING_CERT)
        if key_path.is_file() and cert_path.is_file():
            self.stdout.write(f"Declaration signing key and certificate are in place: {cert_path}")
            return
        if settings.PRODUCTION:
            raise CommandError(
                "The declaration signing key or certificate is missing. In production they come "
                "from your certificate authority: set DECLARATION_SIGNING_KEY and "
                "DECLARATION_SIGNING_CERT."
            )
        if key_path.exists() != cert_path.exists():
            raise CommandError(
                f"Only one of {key_path} and {cert_path} exists. Remove it to make a new pair."
            )
        self_signed_pair_write(key_path=key_path, cert_path=cert_path)
        self.stdout.write(
            self.style.SUCCESS(f"Made a development signing key and certificate: {cert_path}")
        )

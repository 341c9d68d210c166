"""Issue an API token to a service account, for operators: the token is printed once."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from entitlements.models import Scope
from entitlements.services import TOKEN_DAYS_DEFAULT, api_token_create


class Command(BaseCommand):
    help = (
        "Issue an API token to the service account NAME (made if new) and print it. It is shown "
        "only this once: the service keeps only its hash."
    )

    def add_arguments(self, parser):
        parser.add_argument("name", help="The system the token is for, e.g. 'Secure environment'")
        parser.add_argument(
            "--scope",
            action="append",
            choices=Scope.values,
            required=True,
            help="What the token may read; give it more than once for more.",
        )
        parser.add_argument(
            "--days", type=int, default=TOKEN_DAYS_DEFAULT, help="How long the token lasts."
        )

    def handle(self, *args, name, scope, days, **options):
        try:
            token, raw = api_token_create(account_name=name, scopes=scope, days=days)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        self.stderr.write(
            f"Token for {token.account} ({', '.join(token.scopes)}), valid until "
            f"{token.expires_at:%Y-%m-%d}. Keep it secret; it is not shown again."
        )
        self.stdout.write(raw)

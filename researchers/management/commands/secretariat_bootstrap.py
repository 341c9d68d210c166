from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from researchers.models import User
from researchers.services import secretariat_bootstrap


class Command(BaseCommand):
    help = (
        "Give the secretariat role to the service's first secretariat member, who has registered "
        "on the site. Refused once anyone holds the role: the secretariat gives roles from then "
        "on, to people who have signed the confidentiality declaration."
    )

    def add_arguments(self, parser):
        parser.add_argument("email", help="The email address the person registered with")

    def handle(self, *args, email, **options):
        user = User.objects.filter(email__iexact=email.strip()).first()
        if user is None:
            raise CommandError(
                f"No account has the email address {email}. Ask them to register on the site first."
            )
        try:
            secretariat_bootstrap(user=user)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        self.stdout.write(
            self.style.SUCCESS(
                f"{user.email} is the first secretariat member. They sign the current "
                "confidentiality declaration when they next sign in, before any staff page opens."
            )
        )

"""Demo data for a development site: ``python manage.py seed_demo``.

Safe to run again and again: each step finds what it made last time instead of making it twice.
Later features add their demo data by writing a function ``seed_<thing>(command)`` and
appending it to ``SEED_STEPS``; steps run in order, so a step may use what earlier ones made.
"""

import os
from dataclasses import dataclass

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from researchers import services as researcher_services
from researchers.models import User
from researchers.roles import STAFF_ROLES, Role

# Demo accounts only; seed_demo refuses to run in production.
DEFAULT_DEMO_PASSWORD = "demo-password-not-for-production"  # noqa: S105


@dataclass(frozen=True)
class DemoUser:
    email: str
    full_name: str
    role: Role


DEMO_USERS = (
    DemoUser("researcher.one@example.ac.uk", "Amara Okafor", Role.RESEARCHER),
    DemoUser("researcher.two@example.ac.uk", "Tomasz Nowak", Role.RESEARCHER),
    DemoUser("reviewer.one@example.gov.uk", "Fiona MacLeod", Role.PANEL_REVIEWER),
    DemoUser("reviewer.two@example.gov.uk", "Rhys Pritchard", Role.PANEL_REVIEWER),
    DemoUser("reviewer.three@example.ac.uk", "Priya Raman", Role.PANEL_REVIEWER),
    DemoUser("checker.one@example.gov.uk", "Siobhan Byrne", Role.OUTPUT_CHECKER),
    DemoUser("checker.two@example.gov.uk", "Daniel Osei", Role.OUTPUT_CHECKER),
    DemoUser("data.owner@example.gov.uk", "Gareth Hughes", Role.DATA_OWNER),
    DemoUser("secretariat@example.gov.uk", "Helen Ashworth", Role.SECRETARIAT),
)


def demo_password():
    return os.environ.get("DEMO_PASSWORD") or DEFAULT_DEMO_PASSWORD


def seed_users(command):
    """One account per demo person, email verified, holding their demo role."""
    password = demo_password()
    rows = []
    for demo in DEMO_USERS:
        user = User.objects.filter(email=demo.email).first()
        if user is None:
            user = researcher_services.user_create(
                email=demo.email,
                full_name=demo.full_name,
                password=password,
                email_verified=True,
                by=None,
            )
        elif not user.check_password(password):
            # DEMO_PASSWORD changed since the last run: the printed password must work.
            user.set_password(password)
            user.save(update_fields=["password"])
        # Grant, not set: roles given while trying the demo stay, and re-running never fails.
        researcher_services.role_grant(user=user, role=demo.role, by=None)
        rows.append((demo.email, demo.role.label, password))
    command.print_table(("Email", "Role", "Password"), rows)
    command.stdout.write(
        "Staff users ("
        + ", ".join(sorted(Role(role).label.lower() for role in STAFF_ROLES))
        + ") are walked through two-factor set-up when they first sign in: "
        "have an authenticator app ready."
    )


def seed_declaration(command):
    """The first demo researcher has signed the current declaration, its PDF signed and stored.

    Signed here and now, so the demo needs no worker running.
    """
    from django.core.management import call_command

    from researchers.declaration_services import (
        declaration_already_signed,
        declaration_render_and_sign,
        declaration_sign,
    )
    from researchers.declarations import DeclarationVersion

    call_command("signing_keys_ensure", stdout=command.stdout)
    user = User.objects.get(email=DEMO_USERS[0].email)
    version = DeclarationVersion.objects.current()
    declaration = declaration_already_signed(user=user, version=version)
    if declaration is None:
        declaration = declaration_sign(
            user=user,
            typed_name=user.full_name,
            password=demo_password(),
            request=None,
            render_later=False,
        )
    declaration = declaration_render_and_sign(declaration=declaration)
    command.stdout.write(
        f"{user.email} has signed declaration {declaration.reference} "
        f"(version {declaration.version.number})."
    )


def seed_accredited_researcher(command):
    """The second demo researcher holds active full accreditation, so the public register of
    accredited researchers has someone on it.

    Taken through the same services as the site: profile, degree, training and declaration,
    then an application sent, screened and approved by the demo secretariat.
    """
    import datetime

    from django.utils import timezone

    from accreditation import services as accreditation_services
    from accreditation.conditions import screening_checks_needed
    from accreditation.levels import Level
    from accreditation.models import AccreditationApplication
    from accreditation.selectors import accreditation_active_for, application_open_for
    from researchers import criteria, profile_services
    from researchers.declaration_services import (
        declaration_already_signed,
        declaration_render_and_sign,
        declaration_sign,
    )
    from researchers.declarations import DeclarationVersion
    from researchers.models import Organisation, Qualification

    researcher = User.objects.get(email=DEMO_USERS[1].email)
    secretariat = User.objects.get(email=DEMO_USERS[-1].email)
    accreditation = accreditation_active_for(researcher)
    if accreditation is None:
        if not criteria.user_profile_complete(researcher):
            organisation = (
                Organisation.objects.filter(status=Organisation.Status.APPROVED)
                .order_by("name")
                .first()
            ) or profile_services.organisation_create(name="University of Leeds", by=None)
            profile_services.profile_update(
                user=researcher,
                full_name=researcher.full_name,
                organisation=organisation,
                job_title="Senior research fellow",
                contact_email="tomasz.nowak@research.example.ac.uk",
                by=researcher,
            )
        if not criteria.user_meets_full_criteria(researcher):
            profile_services.qualification_add(
                user=researcher,
                kind=Qualification.Kind.DEGREE,
                details={
                    "level": Qualification.Level.MASTER,
                    "subject": "Economics and econometrics",
                    "institution": "University of Warsaw",
                    "classification": Qualification.Classification.MERIT,
                    "quantitative": True,
                },
                by=researcher,
            )
        if not criteria.user_training_passed(researcher):
            profile_services.training_add(
                user=researcher,
                course="Safe Researcher Training",
                passed_on=timezone.localdate() - datetime.timedelta(days=60),
                by=researcher,
            )
        version = DeclarationVersion.objects.current()
        declaration = declaration_already_signed(user=researcher, version=version)
        if declaration is None:
            declaration = declaration_sign(
                user=researcher,
                typed_name=researcher.full_name,
                password=demo_password(),
                request=None,
                render_later=False,
            )
        declaration_render_and_sign(declaration=declaration)

        application = application_open_for(researcher) or accreditation_services.application_start(
            by=researcher
        )
        State = AccreditationApplication.State
        if application.state in (State.DRAFT, State.RETURNED):
            application = accreditation_services.application_update(
                application=application,
                by=researcher,
                kind=Level.FULL,
                register_consent=True,
                publish_commitment=True,
            )
            application = accreditation_services.application_submit(
                application=application, by=researcher
            )
        application = accreditation_services.application_screen(
            application=application,
            checks=[key for key, _ in screening_checks_needed(application)],
            by=secretariat,
        )
        accreditation = accreditation_services.application_approve(
            application=application, level=Level.FULL, by=secretariat
        )
    command.stdout.write(
        f"{researcher.email} holds {accreditation.get_level_display().lower()} accreditation "
        f"until {accreditation.valid_until:%-d %B %Y} and is on the public register."
    )


# Append later steps here; each takes the command, for its output helpers.
SEED_STEPS = [seed_users, seed_declaration, seed_accredited_researcher]


class Command(BaseCommand):
    help = "Create demo users for every role (and, as features arrive, demo data). Idempotent."

    def handle(self, *args, **options):
        if settings.PRODUCTION:
            raise CommandError(
                "seed_demo creates accounts with a known password: not in production."
            )
        with transaction.atomic():
            for step in SEED_STEPS:
                step(self)
        self.stdout.write(self.style.SUCCESS("Demo data is in place."))

    def print_table(self, headers, rows):
        columns = zip(headers, *rows, strict=True)
        widths = [max(len(str(cell)) for cell in column) for column in columns]
        line = "  ".join(f"{{:<{width}}}" for width in widths)
        for cells in (headers, ["-" * width for width in widths], *rows):
            self.stdout.write(line.format(*cells).rstrip())

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

from identity.roles import STAFF_ROLES, Role
from researchers import services as researcher_services
from researchers.models import User

# Demo accounts only; seed_demo refuses to run in production.
DEFAULT_DEMO_PASSWORD = "demo-password-not-for-production"  # noqa: S105
# The authenticator app key of the demo researcher who runs the active demo project: printed, so
# it can be added to an app, and the same on every run.
DEMO_TOTP_SECRET = "MFZHGLLEMVWW6LLSMVZWKYLSMNUGK4RS"  # noqa: S105


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


def demo_declaration_signed(user):
    """``user``'s signed declaration on the current version, signing it and preparing its PDF
    here and now when they have not, so the demo needs no worker running."""
    from researchers.declaration.models import DeclarationVersion
    from researchers.declaration.services import (
        declaration_already_signed,
        declaration_render_and_sign,
        declaration_sign,
    )

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
    if declaration.is_signed:
        return declaration
    return declaration_render_and_sign(declaration=declaration)


def seed_users(command):
    """One account per demo person, email verified, holding their demo role. Staff sign the
    confidentiality declaration first, as the service requires before it gives a staff role."""
    from django.core.management import call_command

    call_command("signing_keys_ensure", stdout=command.stdout)
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
        if demo.role in STAFF_ROLES:
            demo_declaration_signed(user)
        # Grant, not set: roles given while trying the demo stay, and re-running never fails.
        researcher_services.role_grant(user=user, role=demo.role, by=None)
        rows.append((demo.email, demo.role.label, password))
    command.print_table(("Email", "Role", "Password"), rows)
    command.stdout.write(
        "Staff users ("
        + ", ".join(sorted(Role(role).label.lower() for role in STAFF_ROLES))
        + ") are walked through two-factor set-up when they first sign in: "
        "have an authenticator app ready, or add a passkey."
    )


def seed_second_factor(command):
    """The second demo researcher, who runs the demo's active project, has an authenticator app
    set up: nobody on the team of a project that has started may be without a second factor.

    The key is printed so it can be added to an app; one the researcher set up themselves while
    trying the demo is left alone.
    """
    from allauth.mfa.totp.internal.auth import TOTP

    from researchers.selectors import user_has_second_factor

    user = User.objects.get(email=DEMO_USERS[1].email)
    if not user_has_second_factor(user):
        TOTP.activate(user, DEMO_TOTP_SECRET)
        command.stdout.write(
            f"{user.email} signs in with an authenticator app: add the key {DEMO_TOTP_SECRET} "
            "to yours (or add a passkey once signed in)."
        )
    else:
        command.stdout.write(f"{user.email} has set up two-factor authentication already.")


def seed_declaration(command):
    """The first demo researcher has signed the current declaration, its PDF signed and stored.

    Signed here and now, so the demo needs no worker running.
    """
    user = User.objects.get(email=DEMO_USERS[0].email)
    declaration = demo_declaration_signed(user)
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
    from researchers import criteria
    from researchers.models import Organisation, Qualification
    from researchers.profile import services as profile_services

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
        demo_declaration_signed(researcher)

        application = application_open_for(researcher) or accreditation_services.application_start(
            by=researcher
        )
        if application.state in AccreditationApplication.EDITABLE:
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


DEMO_PROJECTS = {
    "draft": "Commuting distance and job changes among young workers",
    "panel_review": "Regional earnings growth and local business births",
    "active": "Apprenticeship starts and earnings five years on",
    "data_owner_review": "Household incomes and work after local flooding",
}


def _demo_project_dataset():
    """A catalogue dataset whose department need not consent, so the demo needs no data
    owner's answer."""
    from legislation.models import Dataset

    return (
        Dataset.objects.filter(consent_required=False, acts__isnull=False)
        .order_by("name")
        .distinct()
        .first()
    )


def _demo_project(*, title, coordinator, dataset):
    """The demo proposal ``title``, written and ready to send, made once through the
    co-ordinator's own steps."""
    import datetime

    from django.utils import timezone

    from projects import conditions
    from projects.models import EthicsQuestion, Proposal, Purpose
    from projects.proposal import services as proposal_services

    proposal = Proposal.objects.filter(title=title, amends__isnull=True).first()
    if proposal is not None:
        return proposal
    proposal = proposal_services.proposal_create(by=coordinator, title=title)
    today = timezone.localdate()
    sections = {
        "title": {
            "title": title,
            "lay_summary": (
                "We want to learn how people's work and pay change over time in different "
                "parts of the country, so that public programmes can be aimed where they help "
                "most."
            ),
        },
        "purposes": {
            "purposes": [Purpose.POLICY_EVIDENCE, Purpose.UNDERSTANDING_TRENDS],
            "purpose_explanation": (
                "The findings will inform regional skills and employment policy."
            ),
        },
        "methods": {
            "aims": "Describe how outcomes differ by region and over time.",
            "methods": "Descriptive statistics and panel regression with regional fixed effects.",
            "software": "R 4.4 and Stata 18",
        },
        "dates": {"start_date": today, "end_date": today + datetime.timedelta(days=730)},
        "ethics": {
            "ethics": {
                question: {"answer": "yes", "details": ""} for question in EthicsQuestion.values
            }
        },
        "dpia": {"dpia_needed": False},
        "outputs": {
            "outputs_plan": "Tables and regression coefficients at regional level.",
            "publication_plan": "A working paper and a journal article, both open access.",
        },
    }
    for section, values in sections.items():
        proposal = proposal_services.proposal_update_section(
            proposal=proposal, section=section, values=values, by=coordinator
        )
    if dataset is not None:
        proposal_services.proposal_dataset_add(
            proposal=proposal,
            dataset=dataset,
            variables="Region, year, employment status, earnings",
            open_data_reason="Published tables are not broken down by both region and age.",
            by=coordinator,
        )
        proposal = proposal_services.proposal_update_section(
            proposal=proposal,
            section="access",
            values={"access_mode": conditions.strictest_access_mode(proposal)},
            by=coordinator,
        )
    return proposal


def seed_projects(command):
    """Three demo projects, so each role's queue shows something: a draft for the first demo
    researcher, and for the accredited second one a proposal with the panel (three demo
    reviewers assigned) and an active project approved on the fast track.

    Taken through the same services as the site.
    """
    from projects.lifecycle import services as lifecycle_services
    from projects.models import Proposal
    from projects.panel import services as panel_services
    from projects.proposal import services as proposal_services
    from projects.screening import services as screening_services
    from projects.screening.services import CHECK_KEYS

    State = Proposal.State
    first = User.objects.get(email=DEMO_USERS[0].email)
    accredited = User.objects.get(email=DEMO_USERS[1].email)
    reviewers = [User.objects.get(email=demo.email) for demo in DEMO_USERS[2:5]]
    secretariat = User.objects.get(email=DEMO_USERS[-1].email)
    dataset = _demo_project_dataset()

    draft = _demo_project(title=DEMO_PROJECTS["draft"], coordinator=first, dataset=dataset)

    def sent_and_screened(title):
        proposal = _demo_project(title=title, coordinator=accredited, dataset=dataset)
        if proposal.state in Proposal.EDITABLE:
            proposal = proposal_services.proposal_submit(proposal=proposal, by=accredited)
        if proposal.state == State.SUBMITTED:
            proposal = screening_services.screening_start(proposal=proposal, by=secretariat)
        return proposal

    panel = sent_and_screened(DEMO_PROJECTS["panel_review"])
    if panel.state == State.SCREENING:
        panel = screening_services.screening_pass(
            proposal=panel, checks=list(CHECK_KEYS), by=secretariat
        )
    if panel.state == State.PANEL_REVIEW:
        assigned = set(
            panel.assignments.filter(removed_at__isnull=True).values_list("reviewer", flat=True)
        )
        for number, reviewer in enumerate(reviewers):
            if reviewer.pk not in assigned:
                panel_services.reviewer_assign(
                    proposal=panel, reviewer=reviewer, independent=number == 0, by=secretariat
                )

    active = sent_and_screened(DEMO_PROJECTS["active"])
    if active.state == State.SCREENING:
        screening_services.proposal_fast_track(
            proposal=active,
            checks=list(CHECK_KEYS),
            rationale="Low risk: one dataset of aggregate-level returns, in a secure setting.",
            by=secretariat,
        )
        active.refresh_from_db()
    if active.state in Proposal.APPROVED_NOT_STARTED:
        active = lifecycle_services.project_activate(project=active, by=accredited)

    for proposal in (draft, panel, active):
        proposal.refresh_from_db()
        command.stdout.write(
            f"Project “{proposal.title}” ({proposal.coordinator.email}) is "
            f"{proposal.get_state_display().lower()}."
        )


def seed_consent_request(command):
    """The demo data owner speaks for the department that owns a dataset needing its consent,
    and a proposal requesting that dataset waits for their answer."""
    from legislation.models import Dataset
    from projects.consent import services as consent_services
    from projects.models import DataOwnerRepresentative, Proposal
    from projects.proposal import services as proposal_services
    from projects.screening import services as screening_services
    from projects.screening.services import CHECK_KEYS

    State = Proposal.State
    owner = User.objects.get(email=DEMO_USERS[7].email)
    accredited = User.objects.get(email=DEMO_USERS[1].email)
    secretariat = User.objects.get(email=DEMO_USERS[-1].email)
    dataset = (
        Dataset.objects.filter(consent_required=True, acts__isnull=False)
        .select_related("department")
        .order_by("name")
        .first()
    )
    if dataset is None:
        return
    if not DataOwnerRepresentative.objects.filter(
        user=owner, department=dataset.department
    ).exists():
        consent_services.representative_add(
            user=owner, department=dataset.department, by=secretariat
        )
    proposal = _demo_project(
        title=DEMO_PROJECTS["data_owner_review"], coordinator=accredited, dataset=dataset
    )
    if proposal.state in Proposal.EDITABLE:
        proposal = proposal_services.proposal_submit(proposal=proposal, by=accredited)
    if proposal.state == State.SUBMITTED:
        proposal = screening_services.screening_start(proposal=proposal, by=secretariat)
    if proposal.state == State.SCREENING:
        proposal = screening_services.screening_pass(
            proposal=proposal, checks=list(CHECK_KEYS), by=secretariat
        )
    proposal.refresh_from_db()
    command.stdout.write(
        f"{owner.email} speaks for {dataset.department} and has “{proposal.title}” waiting "
        f"for consent ({proposal.get_state_display().lower()})."
    )


DEMO_OUTPUT_REQUEST = "Apprenticeship starts by region, for the working paper"
# One cell under the threshold, so the checkers see a flagged cell in the demo.
DEMO_OUTPUT_TABLE = b"region,people\nNorth East,25\nNorth West,31\nYorkshire,7\nWales,18\n"


def seed_output_request(command):
    """The active demo project has an output request waiting for the output checkers, with a
    table whose automated checks flag one cell."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from outputs.check.services import file_checks_run
    from outputs.models import OutputRequest, OutputType
    from outputs.request.services import (
        file_add,
        group_add,
        output_request_create,
        output_request_submit,
    )
    from projects.models import Proposal

    project = Proposal.objects.filter(
        title=DEMO_PROJECTS["active"], amends__isnull=True, state=Proposal.State.ACTIVE
    ).first()
    if project is None:
        return
    author = project.coordinator
    output_request = OutputRequest.objects.filter(
        project=project, title=DEMO_OUTPUT_REQUEST
    ).first()
    if output_request is None:
        output_request = output_request_create(
            project=project, by=author, title=DEMO_OUTPUT_REQUEST
        )
        group = group_add(
            output_request=output_request,
            by=author,
            name="Apprenticeship starts by region",
            context="People starting an apprenticeship in 2019, by region of residence.",
            disclosure_controls="Counts rounded to the nearest whole person; no cells suppressed.",
        )
        output_file = file_add(
            group=group,
            by=author,
            upload_file=SimpleUploadedFile("starts-by-region.csv", DEMO_OUTPUT_TABLE),
            output_type=OutputType.FREQUENCY_TABLE,
        )
        # What the worker does once the upload commits; the demo needs no worker.
        file_checks_run(file=output_file)
    if output_request.state == OutputRequest.State.DRAFT:
        output_request = output_request_submit(output_request=output_request, by=author)
    command.stdout.write(
        f"Output request “{output_request.title}” is {output_request.get_state_display().lower()}."
    )


DEMO_OLD_NOTICE = "Your accreditation application was received (demo, read over a year ago)"
DEMO_HOLD_REASON = "Demo: named in a complaint the secretariat is still looking into."


def seed_retention(command):
    """Records past their retention period, so that ``retention_run --dry-run`` on the demo data
    lists what would go: three notifications the first researcher read 400 days ago, one of them
    under a legal hold the run keeps."""
    import datetime

    from django.utils import timezone

    from notifications.models import Notification
    from retention.models import LegalHold, RecordKind
    from retention.services import legal_hold_place

    researcher = User.objects.get(email=DEMO_USERS[0].email)
    secretariat = User.objects.get(email=DEMO_USERS[-1].email)
    old = Notification.objects.filter(recipient=researcher, subject=DEMO_OLD_NOTICE)
    read_at = timezone.now() - datetime.timedelta(days=400)
    for _ in range(3 - old.count()):
        Notification.objects.create(
            recipient=researcher,
            kind="accreditation_application.submit",
            subject=DEMO_OLD_NOTICE,
            created_at=read_at,
            read_at=read_at,
        )
    first = old.order_by("pk").first()
    kind = RecordKind.NOTIFICATION_READ
    if not LegalHold.objects.active().filter(kind=kind, identifier=str(first.pk)).exists():
        legal_hold_place(
            kind=kind, identifier=str(first.pk), reason=DEMO_HOLD_REASON, by=secretariat
        )
    command.stdout.write(
        f"{old.count()} notifications read 400 days ago are past their retention period; "
        f"notification {first.pk} is under a legal hold."
    )


# Append later steps here; each takes the command, for its output helpers.
SEED_STEPS = [
    seed_users,
    seed_declaration,
    seed_accredited_researcher,
    seed_second_factor,
    seed_projects,
    seed_consent_request,
    seed_output_request,
    seed_retention,
]


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

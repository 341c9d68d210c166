"""Fill a database for performance work: ``python manage.py seed_scale --researchers N``.

Every row goes in through ``bulk_create`` in batches: no services, no signals, no emails, one
password hash shared by every account. The audit trail is written as the services would have
written it (the same actions, states and actors), with times spread over the last two years, so
the reports have processing times to measure and the reminders have something to find. The same
``--seed`` gives the same data (times are relative to the day it runs).

What N researchers bring (``plan_for``):

==================  =========================================================================
researchers         N accounts (scale-<n>@example.org, verified, researcher role), each with a
                    profile, a qualification, a training record and one accreditation
                    application, mixed as ``APPLICATION_MIX``
accreditations      one per approved application, mixed as ``ACCREDITATION_MIX``; a tenth of
                    the active ones end within the next 90 days
organisations       N // 200, at least one
staff               2 secretariat, N // 500 output checkers (at least 4), N // 250 panel
                    reviewers (at least 6), one data owner per department whose datasets need
                    consent; each with two-factor set up (scale-<role>-<n>@example.org)
proposals           N // 10, at least one in every state, mixed as ``PROPOSAL_MIX``, each with
                    a team and dataset requests, screenings, reviewers, recommendations and
                    decisions as far as its state has gone
output requests     N // 5, at least one in every state, mixed as ``OUTPUT_MIX``, on active,
                    ended and closed projects, with files, check results, reviews, votes and
                    publications as far as their state has gone; each ended project has
                    released outputs still unpublished, which is what keeps it from closing
audit events        every step of every object above, several per object
notifications       one to the applicant, co-ordinator or author for each state change someone
                    else made; read within days, except about half of the last month's
==================  =========================================================================

Refused in production, and on a database that already holds its rows: seed a fresh database.
"""

import bisect
import datetime
import hashlib
import io
import random
import time
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass, field
from types import SimpleNamespace

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone

from accreditation.conditions import SCREENING_CHECKS
from accreditation.dates import add_years, years_for
from accreditation.levels import Level
from accreditation.models import Accreditation, AccreditationApplication
from audit.models import AuditEvent
from identity.roles import Role
from legislation.access_modes import access_mode_rank
from legislation.models import Dataset
from notifications.models import Notification
from outputs.check import checks as checks
from outputs.models import (
    CheckResult,
    FileGroup,
    FileVote,
    GroupComment,
    OutputFile,
    OutputRequest,
    OutputType,
    Publication,
    Review,
    output_file_path,
)
from projects.models import (
    DataOwnerRepresentative,
    DatasetRequest,
    EthicsQuestion,
    PanelDecision,
    Proposal,
    Purpose,
    Recommendation,
    ReviewerAssignment,
    ScreeningReview,
    TeamMember,
)
from projects.screening.services import CHECK_KEYS
from researchers.models import (
    Organisation,
    Qualification,
    ResearcherProfile,
    TrainingRecord,
    User,
)

from .seed_demo import demo_password

EMAIL_DOMAIN = "example.org"
EMAIL_PREFIX = "scale-"
MINIMUM_RESEARCHERS = 20
DAY = datetime.timedelta(days=1)
HISTORY_DAYS = 730

AppState = AccreditationApplication.State
AccState = Accreditation.State
PropState = Proposal.State
OutState = OutputRequest.State

APPLICATION_MIX = {
    AppState.APPROVED: 70,
    AppState.DRAFT: 8,
    AppState.SUBMITTED: 7,
    AppState.RETURNED: 3,
    AppState.REJECTED: 7,
    AppState.WITHDRAWN: 5,
}
ACCREDITATION_MIX = {
    AccState.ACTIVE: 85,
    AccState.EXPIRED: 9,
    AccState.SUSPENDED: 3,
    AccState.REVOKED: 3,
}
PROPOSAL_MIX = {
    PropState.DRAFT: 10,
    PropState.SUBMITTED: 4,
    PropState.SCREENING: 4,
    PropState.RETURNED: 4,
    PropState.DATA_OWNER_REVIEW: 4,
    PropState.PANEL_REVIEW: 6,
    PropState.APPROVED: 4,
    PropState.APPROVED_WITH_CONDITIONS: 3,
    PropState.REJECTED: 5,
    PropState.ACTIVE: 32,
    # Past the end date, released outputs still to be published.
    PropState.ENDED: 4,
    PropState.CLOSED: 14,
    PropState.WITHDRAWN: 6,
}
OUTPUT_MIX = {
    OutState.DRAFT: 8,
    OutState.SUBMITTED: 6,
    OutState.PARTIALLY_REVIEWED: 4,
    OutState.REVIEWED: 3,
    OutState.RETURNED: 5,
    OutState.APPROVED: 3,
    OutState.REJECTED: 3,
    OutState.RELEASED: 63,
    OutState.WITHDRAWN: 5,
}
EXPIRING_SHARE = 0.1
FULL_SHARE = 0.85

# Two small tables, each stored once at its content address and shared by every file row.
CLEAN_TABLE = b"region,people\nNorth East,125\nNorth West,311\nYorkshire,97\nWales,108\n"
FLAGGED_TABLE = b"region,people\nNorth East,25\nNorth West,31\nYorkshire,7\nWales,18\n"

FIRST_NAMES = (
    "Amara",
    "Ben",
    "Chloe",
    "Dafydd",
    "Eilidh",
    "Farah",
    "Gareth",
    "Hana",
    "Imran",
    "Jess",
    "Kwame",
    "Lena",
    "Marek",
    "Niamh",
    "Oluwaseun",
    "Priya",
    "Quentin",
    "Rosa",
    "Sean",
    "Tamsin",
    "Uzma",
    "Viktor",
    "Wen",
    "Xander",
    "Yasmin",
    "Zoltan",
)
LAST_NAMES = (
    "Adeyemi",
    "Brown",
    "Campbell",
    "Davies",
    "Evans",
    "Fraser",
    "Gill",
    "Hughes",
    "Iqbal",
    "Jones",
    "Khan",
    "Lewis",
    "Morgan",
    "Nowak",
    "Owen",
    "Patel",
    "Quinn",
    "Roberts",
    "Singh",
    "Taylor",
    "Usman",
    "Vaughan",
    "Williams",
    "Xu",
    "Young",
    "Zielinski",
)
SUBJECTS = (
    "Economics",
    "Statistics",
    "Geography",
    "Sociology",
    "Public health",
    "Mathematics",
    "Social policy",
)
TOPICS = (
    "Regional earnings",
    "Apprenticeship starts",
    "Small business survival",
    "Commuting distance",
    "Household incomes",
    "Housing moves",
    "Benefit take-up",
    "Farm employment",
    "Graduate outcomes",
    "Self-employment",
)
OUTCOMES = (
    "job changes",
    "local growth",
    "later earnings",
    "health at work",
    "retirement timing",
    "skills shortages",
)


def split(total, mix):
    """``total`` shared among ``mix``'s keys by weight (largest remainder), each key getting
    one first whenever ``total`` allows it."""
    keys = list(mix)
    counts = dict.fromkeys(keys, 1 if total >= len(keys) else 0)
    rest = total - sum(counts.values())
    weights = sum(mix.values())
    shares = {key: rest * mix[key] / weights for key in keys}
    for key in keys:
        counts[key] += int(shares[key])
    left = total - sum(counts.values())
    for key in sorted(keys, key=lambda key: shares[key] - int(shares[key]), reverse=True)[:left]:
        counts[key] += 1
    return counts


@dataclass(frozen=True)
class Plan:
    researchers: int
    organisations: int
    secretariat: int
    checkers: int
    reviewers: int
    proposals: int
    output_requests: int

    def applications(self):
        return split(self.researchers, APPLICATION_MIX)

    def accreditations(self):
        return split(self.applications()[AppState.APPROVED], ACCREDITATION_MIX)

    def proposal_states(self):
        return split(self.proposals, PROPOSAL_MIX)

    def output_states(self):
        return split(self.output_requests, OUTPUT_MIX)


def plan_for(researchers):
    """How many of each thing ``researchers`` researchers bring (the module docstring's table)."""
    return Plan(
        researchers=researchers,
        organisations=max(1, researchers // 200),
        secretariat=2,
        checkers=max(4, researchers // 500),
        reviewers=max(6, researchers // 250),
        proposals=max(len(PROPOSAL_MIX), researchers // 10),
        output_requests=max(len(OUTPUT_MIX), researchers // 5),
    )


def scale_accounts():
    """The accounts seed_scale made (its emails never collide with seed_demo's)."""
    return User.objects.filter(email__startswith=EMAIL_PREFIX, email__endswith="@" + EMAIL_DOMAIN)


@contextmanager
def times_as_given(models):
    """Let ``bulk_create`` keep the ``created_at``/``updated_at`` set on each row.

    ``auto_now`` and ``auto_now_add`` fields stamp the current time as a row is written, which
    would put two years of history into one second; they are switched off for the duration.
    """
    fields = [
        model_field
        for model in models
        for model_field in model._meta.concrete_fields
        if getattr(model_field, "auto_now", False) or getattr(model_field, "auto_now_add", False)
    ]
    saved = [
        (model_field, model_field.auto_now, model_field.auto_now_add) for model_field in fields
    ]
    try:
        for model_field in fields:
            model_field.auto_now = model_field.auto_now_add = False
        yield
    finally:
        for model_field, auto_now, auto_now_add in saved:
            model_field.auto_now, model_field.auto_now_add = auto_now, auto_now_add


@dataclass
class Step:
    """One audited step in an object's history; ``gap`` is the range of days since the last."""

    action: str
    actor: object
    gap: tuple = (0.0, 0.0)
    from_state: str = ""
    to_state: str = ""
    payload: dict = field(default_factory=dict)
    at: datetime.datetime = None


def transition(label, name, from_state, to_state, actor, gap, **payload):
    return Step(f"{label}.{name}", actor, gap, str(from_state), str(to_state), payload)


class Seeder:
    """Builds every row in memory, then writes each table with ``bulk_create`` in batches."""

    def __init__(self, *, plan, rng, batch_size, now, password):
        self.plan = plan
        self.rng = rng
        self.batch_size = batch_size
        self.now = now
        self.today = timezone.localdate(now)
        self.password = password
        self.created = Counter()
        self.events = []
        self.notifications = []

    # Writing ----------------------------------------------------------------------------------

    def insert(self, model, rows):
        rows = list(rows)
        if rows:
            model.objects.bulk_create(rows, batch_size=self.batch_size)
        self.created[str(model._meta.verbose_name_plural)] += len(rows)
        return rows

    def audit(self, obj, steps, *, owner=None, link=""):
        """Queue the audit events of ``steps`` (times already set) for ``obj``, and a
        notification to ``owner`` of each state change someone else made."""
        object_type = obj._meta.label_lower if obj is not None else ""
        object_id = str(obj.pk) if obj is not None else ""
        object_repr = str(obj)[:200] if obj is not None else ""
        for step in steps:
            self.events.append(
                AuditEvent(
                    actor=step.actor,
                    action=step.action,
                    object_type=object_type,
                    object_id=object_id,
                    object_repr=object_repr,
                    from_state=step.from_state,
                    to_state=step.to_state,
                    payload=step.payload,
                    created_at=step.at,
                )
            )
            if owner is not None and step.to_state and step.actor != owner:
                self.notify(owner, obj, step, link)

    def notify(self, owner, obj, step, link):
        # Read within a few days, except some of the last month's.
        recent = step.at > self.now - 30 * DAY
        read = (
            None if recent and self.rng.random() < 0.5 else step.at + self.rng.uniform(0, 5) * DAY
        )
        state = step.to_state.replace("_", " ")
        self.notifications.append(
            Notification(
                recipient=owner,
                kind=step.action,
                subject=f"{obj._meta.verbose_name.capitalize()}: {state}"[:200],
                body=f"{str(obj)[:150]} is now {state}.",
                link=link,
                created_at=step.at,
                read_at=min(read, self.now) if read else None,
            )
        )

    # Time -------------------------------------------------------------------------------------

    def timeline(self, steps, *, earliest=None, latest=None, ending=None):
        """Give ``steps`` their times: each its gap after the one before, the whole placed at
        random within [earliest, latest], or finishing at ``ending``. Gaps shrink to fit."""
        gaps = [self.rng.uniform(*step.gap) for step in steps[1:]]
        total = datetime.timedelta(days=sum(gaps))
        if ending is not None:
            start = ending - total
            scale = 1.0
        else:
            latest = latest or self.now
            earliest = min(earliest or latest - HISTORY_DAYS * DAY, latest)
            room = latest - earliest
            scale = min(1.0, room / total) if total else 1.0
            start = earliest + (room - total * scale) * self.rng.random()
        moment = start
        steps[0].at = moment
        for step, gap in zip(steps[1:], gaps, strict=True):
            moment += datetime.timedelta(days=gap) * scale
            step.at = moment
        return steps

    def moment_on(self, day, *, hour_from=9, hour_to=17):
        hour = self.rng.uniform(hour_from, hour_to)
        return timezone.make_aware(
            datetime.datetime.combine(day, datetime.time()) + datetime.timedelta(hours=hour)
        )

    def draw_states(self, counts):
        states = [state for state, count in counts.items() for _ in range(count)]
        self.rng.shuffle(states)
        return states

    # People -----------------------------------------------------------------------------------

    def name(self):
        return f"{self.rng.choice(FIRST_NAMES)} {self.rng.choice(LAST_NAMES)}"

    def person(self, email):
        return User(
            email=email,
            full_name=self.name(),
            password=self.password,
            date_joined=self.now - self.rng.uniform(30, HISTORY_DAYS) * DAY,
        )

    def accounts(self, users, roles):
        """Insert ``users``, each with a verified email address and the role beside it."""
        from allauth.account.models import EmailAddress

        self.insert(User, users)
        self.insert(
            EmailAddress,
            (EmailAddress(user=u, email=u.email, verified=True, primary=True) for u in users),
        )
        groups = {role: Group.objects.get_or_create(name=str(role))[0] for role in set(roles)}
        self.insert(
            User.groups.through,
            (
                User.groups.through(user_id=user.pk, group_id=groups[role].pk)
                for user, role in zip(users, roles, strict=True)
            ),
        )
        return users

    def staff(self):
        from allauth.mfa.models import Authenticator
        from allauth.mfa.totp.internal.auth import generate_totp_secret
        from allauth.mfa.utils import encrypt

        from legislation.models import Department
        from researchers.declaration.models import Declaration, DeclarationVersion, reference_new

        plan = self.plan
        owner_departments = list(
            Department.objects.filter(datasets__consent_required=True).distinct().order_by("pk")
        )
        specs = (
            [("secretariat", Role.SECRETARIAT)] * plan.secretariat
            + [("checker", Role.OUTPUT_CHECKER)] * plan.checkers
            + [("reviewer", Role.PANEL_REVIEWER)] * plan.reviewers
            + [("data-owner", Role.DATA_OWNER)] * len(owner_departments)
        )
        seen = Counter()
        users, roles = [], []
        for word, role in specs:
            seen[word] += 1
            users.append(self.person(f"{EMAIL_PREFIX}{word}-{seen[word]}@{EMAIL_DOMAIN}"))
            roles.append(role)
        self.accounts(users, roles)
        # Staff pages need two-factor set up; the secret is random and never shown, since the
        # benchmark signs in without a code.
        self.insert(
            Authenticator,
            (
                Authenticator(
                    user=user,
                    type=Authenticator.Type.TOTP,
                    data={"secret": encrypt(generate_totp_secret())},
                )
                for user in users
            ),
        )
        # Staff pages need the current declaration signed; the rows stand for signatures whose
        # signed copies are not made here (a PDF each would dwarf the rest of the seeding).
        version = DeclarationVersion.objects.current()
        self.insert(
            Declaration,
            (
                Declaration(
                    user=user,
                    version=version,
                    reference=reference_new(),
                    typed_name=user.full_name,
                    signed_at=user.date_joined,
                    state=Declaration.State.SIGNED,
                )
                for user in users
            ),
        )
        by_role = {
            role: [u for u, r in zip(users, roles, strict=True) if r == role] for role in Role
        }
        self.secretariat = by_role[Role.SECRETARIAT]
        self.checkers = by_role[Role.OUTPUT_CHECKER]
        self.reviewers = by_role[Role.PANEL_REVIEWER]
        representatives = self.insert(
            DataOwnerRepresentative,
            (
                DataOwnerRepresentative(user=user, department=department)
                for user, department in zip(
                    by_role[Role.DATA_OWNER], owner_departments, strict=True
                )
            ),
        )
        self.owner_for = {rep.department_id: rep.user for rep in representatives}

    def organisations(self):
        number = Organisation.objects.count()
        self.orgs = self.insert(
            Organisation,
            (
                Organisation(
                    name=f"Scale research institute {number + n + 1:04d}",
                    status=Organisation.Status.APPROVED,
                    created_at=self.now - HISTORY_DAYS * DAY,
                )
                for n in range(self.plan.organisations)
            ),
        )

    def researchers(self):
        """The researchers' accounts, in memory: written once their histories are known."""
        self.people = [
            self.person(f"{EMAIL_PREFIX}{n}@{EMAIL_DOMAIN}")
            for n in range(1, self.plan.researchers + 1)
        ]
        self.organisation_of = {id(user): self.rng.choice(self.orgs) for user in self.people}

    def researchers_insert(self):
        self.accounts(self.people, [Role.RESEARCHER] * len(self.people))
        self.insert(
            ResearcherProfile,
            (
                ResearcherProfile(
                    user=user,
                    organisation=self.organisation_of[id(user)],
                    job_title=self.rng.choice(("Research fellow", "Lecturer", "Analyst")),
                    contact_email=user.email,
                    updated_at=user.date_joined,
                )
                for user in self.people
            ),
        )
        for user in self.people:
            self.audit(
                user,
                [
                    Step(
                        "researchers.user_registered",
                        user,
                        payload={"email": user.email},
                        at=user.date_joined,
                    )
                ],
            )

    # Accreditation ------------------------------------------------------------------------

    def applications(self):
        plan = self.plan
        states = self.draw_states(plan.applications())
        accreditation_states = self.draw_states(plan.accreditations())
        label = AccreditationApplication.audit_label
        applications, histories, grants = [], [], []
        qualifications, trainings, audit_later = [], [], []
        full_accredited = {}  # organisation pk -> fully accredited researchers, for supervisors
        for user, state in zip(self.people, states, strict=True):
            secretariat = self.rng.choice(self.secretariat)
            approved = state == AppState.APPROVED
            level = Level.FULL if self.rng.random() < FULL_SHARE else Level.PROVISIONAL
            steps = [Step(f"{label}.start", user, to_state=AppState.DRAFT)]
            if state != AppState.DRAFT and not (
                state == AppState.WITHDRAWN and self.rng.random() < 0.5
            ):
                steps += [
                    Step(f"{label}.update", user, (0, 10), payload={"kind": level}),
                    transition(label, "submit", AppState.DRAFT, AppState.SUBMITTED, user, (0, 20)),
                ]
                if state == AppState.RETURNED or (approved and self.rng.random() < 0.2):
                    steps += [
                        transition(
                            label,
                            "return_to_applicant",
                            AppState.SUBMITTED,
                            AppState.RETURNED,
                            secretariat,
                            (1, 15),
                        )
                    ]
                    if approved:
                        steps.append(
                            transition(
                                label,
                                "submit",
                                AppState.RETURNED,
                                AppState.SUBMITTED,
                                user,
                                (1, 20),
                            )
                        )
                if state in (AppState.APPROVED, AppState.REJECTED):
                    steps.append(Step(f"{label}.screen", secretariat, (0.5, 10)))
                    steps.append(
                        transition(
                            label,
                            "approve" if approved else "reject",
                            AppState.SUBMITTED,
                            state,
                            secretariat,
                            (0, 5),
                            **({"level": level, "requested": level} if approved else {}),
                        )
                    )
            if state == AppState.WITHDRAWN:
                steps.append(
                    transition(
                        label,
                        "withdraw",
                        steps[-1].to_state or AppState.DRAFT,
                        state,
                        user,
                        (1, 30),
                    )
                )

            accreditation = None
            if approved:
                accreditation = self.accreditation_dates(level, accreditation_states.pop())
                self.timeline(steps, ending=self.moment_on(accreditation["valid_from"]))
            elif state in AccreditationApplication.OPEN:
                self.timeline(steps, earliest=self.now - 100 * DAY)
            else:
                self.timeline(steps)
            # Joined before starting, as people do.
            user.date_joined = min(user.date_joined, steps[0].at - self.rng.uniform(0, 20) * DAY)

            submits = [s.at for s in steps if s.to_state == AppState.SUBMITTED]
            application = AccreditationApplication(
                applicant=user,
                kind="" if state == AppState.DRAFT and self.rng.random() < 0.5 else level,
                state=state,
                created_at=steps[0].at,
                updated_at=steps[-1].at,
                submitted_at=submits[-1] if submits else None,
                decided_at=steps[-1].at
                if state in (AppState.APPROVED, AppState.REJECTED)
                else None,
                register_consent=state != AppState.DRAFT and self.rng.random() < 0.9,
                publish_commitment=state != AppState.DRAFT,
                return_comments="Please add your training certificate."
                if any(s.to_state == AppState.RETURNED for s in steps)
                else "",
                decision_reasons="Meets the criteria." if approved else "",
                screening={
                    key: True
                    for key, _ in SCREENING_CHECKS
                    if key != "supervisor" or level == Level.PROVISIONAL
                }
                if state in (AppState.APPROVED, AppState.REJECTED)
                else {},
            )
            if approved and level == Level.FULL:
                full_accredited.setdefault(self.organisation_of[id(user)].pk, []).append(user)
            applications.append(application)
            histories.append(steps)
            grants.append(accreditation)

            # What the applicant told the secretariat, before they submitted.
            until = steps[1].at if len(steps) > 1 else self.now
            told = steps[0].at + (until - steps[0].at) * self.rng.uniform(0, 0.9)
            qualifications.append(self.qualification(user, level, told))
            passed = (steps[0].at - self.rng.uniform(10, 300) * DAY).date()
            trainings.append(
                TrainingRecord(
                    user=user,
                    course="Safe Researcher Training",
                    passed_on=passed,
                    created_at=told,
                    updated_at=told,
                )
            )
            audit_later.append(
                (
                    user,
                    [
                        Step(
                            "researchers.qualification_added",
                            user,
                            payload={"kind": qualifications[-1].kind},
                            at=told,
                        ),
                        Step(
                            "researchers.training_added",
                            user,
                            payload={"passed_on": passed.isoformat()},
                            at=told,
                        ),
                    ],
                )
            )

        # A provisional applicant names a fully accredited supervisor from their organisation.
        everyone_full = [u for users in full_accredited.values() for u in users]
        for application in applications:
            if application.kind == Level.PROVISIONAL and application.state != AppState.DRAFT:
                pool = full_accredited.get(self.organisation_of[id(application.applicant)].pk)
                pool = pool or everyone_full
                if pool:
                    application.supervisor = self.rng.choice(pool)
                    application.supervisor_confirmed_at = application.created_at + DAY
        self.researchers_insert()
        for user, steps in audit_later:
            self.audit(user, steps)
        self.insert(Qualification, qualifications)
        self.insert(TrainingRecord, trainings)
        self.insert(AccreditationApplication, applications)
        link = reverse("accreditation:application_detail")
        for application, steps in zip(applications, histories, strict=True):
            self.audit(application, steps, owner=application.applicant, link=link)
        self.grant(applications, histories, grants)

    def qualification(self, user, level, at):
        if level == Level.FULL and self.rng.random() < 0.8:
            details = {
                "kind": Qualification.Kind.DEGREE,
                "level": self.rng.choice(
                    (Qualification.Level.MASTER, Qualification.Level.DOCTORATE)
                ),
                "classification": Qualification.Classification.MERIT,
                "quantitative": True,
            }
        elif level == Level.FULL:
            details = {"kind": Qualification.Kind.EXPERIENCE, "years": self.rng.randint(3, 15)}
        else:
            details = {
                "kind": Qualification.Kind.DEGREE,
                "level": Qualification.Level.BACHELOR,
                "classification": Qualification.Classification.UPPER_SECOND,
                "quantitative": False,
            }
        return Qualification(
            user=user,
            subject=self.rng.choice(SUBJECTS),
            institution="A university",
            description="Quantitative research" if "years" in details else "",
            created_at=at,
            updated_at=at,
            **details,
        )

    def accreditation_dates(self, level, state):
        """The dates and state of one accreditation; active ones end anywhere in their span,
        a tenth of them within 90 days."""
        days = years_for(level) * 365
        if state == AccState.EXPIRED:
            valid_until = self.today - self.rng.randint(1, 400) * DAY
        elif state == AccState.ACTIVE and self.rng.random() < EXPIRING_SHARE:
            valid_until = self.today + self.rng.randint(0, 90) * DAY
        else:
            valid_until = self.today + self.rng.randint(91, days - 2) * DAY
        return {
            "level": level,
            "state": state,
            "valid_from": add_years(valid_until, -years_for(level)),
            "valid_until": valid_until,
        }

    def grant(self, applications, histories, grants):
        label = Accreditation.audit_label
        accreditations, steps_of = [], []
        for application, history, dates in zip(applications, histories, grants, strict=True):
            if dates is None:
                continue
            granted = history[-1].at
            state = dates["state"]
            steps = [
                Step(
                    f"{label}.grant",
                    history[-1].actor,
                    to_state=AccState.ACTIVE,
                    payload={
                        "level": dates["level"],
                        "valid_from": dates["valid_from"].isoformat(),
                        "valid_until": dates["valid_until"].isoformat(),
                        "application": application.pk,
                    },
                    at=granted,
                )
            ]
            if state == AccState.EXPIRED:
                steps.append(transition(label, "expire", AccState.ACTIVE, state, None, (0, 0)))
                steps[-1].at = self.moment_on(dates["valid_until"] + DAY, hour_from=2, hour_to=3)
            elif state in (AccState.SUSPENDED, AccState.REVOKED):
                steps.append(
                    transition(
                        label,
                        "suspend" if state == AccState.SUSPENDED else "revoke",
                        AccState.ACTIVE,
                        state,
                        self.rng.choice(self.secretariat),
                        (0, 0),
                        reasons="Breach of the conditions of access.",
                    )
                )
                steps[-1].at = granted + (self.now - granted) * self.rng.uniform(0.2, 0.95)
            accreditations.append(
                Accreditation(
                    researcher=application.applicant,
                    application=application,
                    level=dates["level"],
                    valid_from=dates["valid_from"],
                    valid_until=dates["valid_until"],
                    state=state,
                    state_reasons=steps[-1].payload.get("reasons", ""),
                    created_at=granted,
                    updated_at=steps[-1].at,
                )
            )
            steps_of.append(steps)
        self.insert(Accreditation, accreditations)
        link = reverse("accreditation:application_detail")
        for accreditation, steps in zip(accreditations, steps_of, strict=True):
            self.audit(accreditation, steps, owner=accreditation.researcher, link=link)
        # Fully accredited and in date, by the last day they stay so: the pool project teams
        # are drawn from.
        self.accredited = sorted(
            (a.valid_until, a.researcher.pk, a.researcher)
            for a in accreditations
            if a.state == AccState.ACTIVE and a.level == Level.FULL
        )
        self.accredited_until = [entry[0] for entry in self.accredited]

    # Projects ---------------------------------------------------------------------------------

    def team_for(self, *, accredited_through=None, size):
        if accredited_through is None:
            return self.rng.sample(self.people, size)
        start = bisect.bisect_left(self.accredited_until, accredited_through)
        pool = [entry[2] for entry in self.accredited[start:]] or [
            entry[2] for entry in self.accredited[-size:]
        ]
        return self.rng.sample(pool, min(size, len(pool)))

    def proposal_steps(self, state, coordinator):
        label = Proposal.audit_label
        secretariat = self.rng.choice(self.secretariat)
        S = PropState

        def step(name, source, target, actor, gap):
            return transition(label, name, source, target, actor, gap)

        steps = [Step(f"{label}.create", coordinator, to_state=S.DRAFT)]
        if state == S.DRAFT or (state == S.WITHDRAWN and self.rng.random() < 0.5):
            steps.append(
                Step(f"{label}.update_section", coordinator, (0, 15), payload={"section": "title"})
            )
            if state == S.WITHDRAWN:
                steps.append(step("withdraw", S.DRAFT, S.WITHDRAWN, coordinator, (1, 60)))
            return steps, None
        steps.append(step("submit", S.DRAFT, S.SUBMITTED, coordinator, (2, 30)))
        if state == S.SUBMITTED:
            return steps, None
        steps.append(step("start_screening", S.SUBMITTED, S.SCREENING, secretariat, (0.5, 8)))
        decided = state in (
            S.APPROVED,
            S.APPROVED_WITH_CONDITIONS,
            S.REJECTED,
            S.ACTIVE,
            S.ENDED,
            S.CLOSED,
        )
        if state == S.RETURNED or (decided and self.rng.random() < 0.15):
            steps.append(
                step("return_to_coordinator", S.SCREENING, S.RETURNED, secretariat, (1, 10))
            )
            if state == S.RETURNED:
                return steps, None
            steps.append(step("submit", S.RETURNED, S.SUBMITTED, coordinator, (3, 30)))
            steps.append(step("start_screening", S.SUBMITTED, S.SCREENING, secretariat, (0.5, 8)))
        if state == S.SCREENING:
            return steps, None
        if state == S.WITHDRAWN:
            steps.append(step("withdraw", S.SCREENING, S.WITHDRAWN, coordinator, (1, 20)))
            return steps, None
        outcome = {S.ACTIVE: S.APPROVED, S.ENDED: S.APPROVED, S.CLOSED: S.APPROVED}.get(
            state, state
        )
        if outcome == S.APPROVED and self.rng.random() < 0.3:
            steps.append(step("fast_track_approve", S.SCREENING, S.APPROVED, secretariat, (1, 10)))
            route = PanelDecision.Route.FAST_TRACK
        else:
            consent = state == S.DATA_OWNER_REVIEW or self.rng.random() < 0.4
            if consent:
                steps.append(
                    step(
                        "send_to_data_owners",
                        S.SCREENING,
                        S.DATA_OWNER_REVIEW,
                        secretariat,
                        (1, 10),
                    )
                )
                if state == S.DATA_OWNER_REVIEW:
                    return steps, "consent"
                steps.append(
                    step("send_to_panel", S.DATA_OWNER_REVIEW, S.PANEL_REVIEW, secretariat, (3, 25))
                )
            else:
                steps.append(
                    step("send_to_panel", S.SCREENING, S.PANEL_REVIEW, secretariat, (1, 10))
                )
            if state == S.PANEL_REVIEW:
                return steps, "panel"
            name = {
                S.APPROVED: "approve",
                S.APPROVED_WITH_CONDITIONS: "approve_with_conditions",
                S.REJECTED: "reject",
            }[outcome]
            steps.append(step(name, S.PANEL_REVIEW, outcome, secretariat, (10, 45)))
            route = PanelDecision.Route.PANEL
        if state in (S.ACTIVE, S.ENDED, S.CLOSED):
            steps.append(step("activate", outcome, S.ACTIVE, coordinator, (1, 30)))
        if state == S.CLOSED:
            steps.append(step("close", S.ACTIVE, S.CLOSED, coordinator, (60, 500)))
        if state == S.ENDED:
            # The service, the night after the end date.
            steps.append(step("end", S.ACTIVE, S.ENDED, None, (90, 500)))
        return steps, route

    def proposals(self):
        S = PropState
        datasets = list(Dataset.objects.order_by("pk"))
        if not datasets:
            raise CommandError("The dataset catalogue is empty: run the migrations first.")
        consent_datasets = [d for d in datasets if d.consent_required]
        open_datasets = [d for d in datasets if not d.consent_required] or datasets
        proposals, histories, extras = [], [], []
        for number, state in enumerate(self.draw_states(self.plan.proposal_states()), start=1):
            in_force = state in (S.APPROVED, S.APPROVED_WITH_CONDITIONS, S.ACTIVE, S.PANEL_REVIEW)
            end = None
            if state == S.ACTIVE:
                # Some end soon, so the 60- and 14-day reminders find them.
                soon = self.rng.random() < 0.15
                end = self.today + self.rng.randint(1, 60 if soon else 900) * DAY
            elif in_force:
                end = self.today + self.rng.randint(400, 1100) * DAY
            team = self.team_for(
                accredited_through=end if in_force else None, size=self.rng.randint(1, 4)
            )
            if in_force:
                end = min(end, min(self.accredited_until[self._rank(u)] for u in team))
            coordinator = team[0]
            steps, stopped = self.proposal_steps(state, coordinator)
            open_state = state in Proposal.BEFORE_DECISION
            self.timeline(steps, earliest=self.now - 60 * DAY if open_state else None)
            moments = {s.to_state: s.at for s in steps if s.to_state}
            activated = moments.get(S.ACTIVE)
            if activated is not None:
                start = timezone.localdate(activated)
                if state == S.CLOSED:
                    end = timezone.localdate(moments[S.CLOSED])
                if state == S.ENDED:
                    end = timezone.localdate(moments[S.ENDED]) - DAY
                end = max(end, start + DAY)
            else:
                start = self.today + self.rng.randint(20, 120) * DAY
                end = end if end and end > start else start + self.rng.randint(365, 1000) * DAY
            chosen = [self.rng.choice(open_datasets)]
            # A dataset needing consent goes through the data owners' review, never round it.
            before_review = state in (S.DRAFT, S.SUBMITTED, S.SCREENING, S.RETURNED, S.WITHDRAWN)
            wants_consent = S.DATA_OWNER_REVIEW in moments or (
                before_review and S.PANEL_REVIEW not in moments and self.rng.random() < 0.2
            )
            if wants_consent and consent_datasets:
                chosen.append(self.rng.choice(consent_datasets))
            submits = [s.at for s in steps if s.to_state == S.SUBMITTED]
            decided = next(
                (
                    s.at
                    for s in steps
                    if s.to_state in (S.APPROVED, S.APPROVED_WITH_CONDITIONS, S.REJECTED)
                ),
                None,
            )
            proposal = Proposal(
                title=f"{self.rng.choice(TOPICS)} and {self.rng.choice(OUTCOMES)} ({number})",
                lay_summary="How work and pay change over time in different parts of the country.",
                purposes=[Purpose.POLICY_EVIDENCE, Purpose.UNDERSTANDING_TRENDS],
                purpose_explanation="The findings will inform regional policy.",
                aims="Describe how outcomes differ by region and over time.",
                methods="Descriptive statistics and panel regression.",
                software="R and Stata",
                ethics={q: {"answer": "yes", "details": ""} for q in EthicsQuestion.values},
                dpia_needed=False,
                access_mode=max((d.access_mode for d in chosen), key=access_mode_rank),
                outputs_plan="Tables and regression coefficients at regional level.",
                publication_plan="A working paper and a journal article.",
                coordinator=coordinator,
                start_date=start,
                end_date=end,
                state=state,
                fast_tracked=any(s.action.endswith(".fast_track_approve") for s in steps),
                created_at=steps[0].at,
                updated_at=steps[-1].at,
                submitted_at=submits[-1] if submits else None,
                # Saved in bulk, without Proposal.save, which keeps these.
                project_sent_at=submits[-1] if submits else None,
                project_created_at=steps[0].at,
                decided_at=decided,
                activated_at=activated,
                ended_at=moments.get(S.ENDED),
                closed_at=moments.get(S.CLOSED),
            )
            proposals.append(proposal)
            histories.append(steps)
            extras.append((team, chosen, stopped))
        self.insert(Proposal, proposals)
        for proposal, steps in zip(proposals, histories, strict=True):
            link = reverse("projects:proposal_detail", kwargs={"pk": proposal.pk})
            self.audit(proposal, steps, owner=proposal.coordinator, link=link)
        self.proposal_rows(proposals, histories, extras)
        self.projects = [
            (p, team) for p, (team, _, _) in zip(proposals, extras, strict=True) if p.activated_at
        ]

    def _rank(self, user):
        if not hasattr(self, "_ranks"):
            self._ranks = {entry[1]: n for n, entry in enumerate(self.accredited)}
        return self._ranks[user.pk]

    def proposal_rows(self, proposals, histories, extras):
        """Teams, dataset requests, screenings and the panel's work for each proposal."""
        S = PropState
        members, requests, screenings, assignments, decisions = [], [], [], [], []
        recommendation_of = []
        for proposal, steps, (team, chosen, _) in zip(proposals, histories, extras, strict=True):
            joined = steps[0].at
            for n, user in enumerate(team):
                members.append(
                    TeamMember(
                        proposal=proposal,
                        user=user,
                        email=user.email,
                        role=TeamMember.Role.COORDINATOR if n == 0 else TeamMember.Role.MEMBER,
                        invited_by=team[0],
                        invited_at=joined,
                        accepted_at=joined + self.rng.uniform(0, 3) * DAY,
                    )
                )
            moments = {s.to_state: s.at for s in steps if s.to_state}
            for dataset in chosen:
                given = dataset.consent_required and S.PANEL_REVIEW in moments
                requests.append(
                    DatasetRequest(
                        proposal=proposal,
                        dataset=dataset,
                        variables="Region, year, employment status, earnings",
                        open_data_reason="Published tables are not broken down by region and age.",
                        consent=(
                            DatasetRequest.Consent.GIVEN
                            if given
                            else DatasetRequest.Consent.PENDING
                            if dataset.consent_required
                            else DatasetRequest.Consent.NOT_NEEDED
                        ),
                        consent_by=self.owner_for.get(dataset.department_id) if given else None,
                        consent_at=moments[S.PANEL_REVIEW] if given else None,
                    )
                )
            for s in steps:
                outcome = {
                    "return_to_coordinator": ScreeningReview.Outcome.RETURNED,
                    "fast_track_approve": ScreeningReview.Outcome.FAST_TRACKED,
                    "send_to_data_owners": ScreeningReview.Outcome.PASSED,
                }.get(s.action.split(".")[-1])
                if s.action.endswith(".send_to_panel") and s.from_state == S.SCREENING:
                    outcome = ScreeningReview.Outcome.PASSED
                if outcome:
                    screenings.append(
                        ScreeningReview(
                            proposal=proposal,
                            by=s.actor,
                            checks=list(CHECK_KEYS),
                            outcome=outcome,
                            created_at=s.at,
                        )
                    )
            panel = moments.get(S.PANEL_REVIEW)
            if panel is not None:
                decision = next(
                    (
                        s
                        for s in steps
                        if s.from_state == S.PANEL_REVIEW and s.to_state != S.RETURNED
                    ),
                    None,
                )
                reviewers = self.rng.sample(self.reviewers, 3)
                written = 3 if decision else self.rng.randint(0, 2)
                for n, reviewer in enumerate(reviewers):
                    assigned = panel + self.rng.uniform(0, 2) * DAY
                    assignment = ReviewerAssignment(
                        proposal=proposal,
                        reviewer=reviewer,
                        independent=n == 0,
                        assigned_by=steps[-1].actor if decision is None else decision.actor,
                        assigned_at=assigned,
                        due_date=timezone.localdate(assigned) + 21 * DAY,
                        conflict_declared=False,
                        conflict_declared_at=assigned + DAY,
                    )
                    assignments.append(assignment)
                    if n < written:
                        until = decision.at if decision else self.now
                        recommendation_of.append(
                            (
                                assignment,
                                assigned + (until - assigned) * self.rng.uniform(0.2, 0.95),
                            )
                        )
                if decision is not None:
                    decisions.append(
                        PanelDecision(
                            proposal=proposal,
                            outcome=decision.to_state,
                            route=PanelDecision.Route.PANEL,
                            rationale="The panel's recommendations, weighed together.",
                            conditions="Outputs at regional level only."
                            if decision.to_state == S.APPROVED_WITH_CONDITIONS
                            else "",
                            decided_by=decision.actor,
                            decided_at=decision.at,
                        )
                    )
            fast = next((s for s in steps if s.action.endswith(".fast_track_approve")), None)
            if fast is not None:
                decisions.append(
                    PanelDecision(
                        proposal=proposal,
                        outcome=PanelDecision.Outcome.APPROVED,
                        route=PanelDecision.Route.FAST_TRACK,
                        rationale="Low risk: aggregate-level data in a secure setting.",
                        decided_by=fast.actor,
                        decided_at=fast.at,
                    )
                )
        self.insert(TeamMember, members)
        self.insert(DatasetRequest, requests)
        self.insert(ScreeningReview, screenings)
        self.insert(ReviewerAssignment, assignments)
        self.insert(PanelDecision, decisions)
        recommendations = []
        for assignment, at in recommendation_of:
            recommendations.append(
                Recommendation(
                    assignment=assignment,
                    recommendation=Recommendation.Choice.APPROVE,
                    score_public_benefit=self.rng.randint(2, 5),
                    score_analytical_merit=self.rng.randint(2, 5),
                    score_feasibility=self.rng.randint(2, 5),
                    score_privacy_risk_mitigation=self.rng.randint(2, 5),
                    score_ethics=self.rng.randint(2, 5),
                    comments="A clear and feasible proposal.",
                    submitted_at=at,
                )
            )
            self.audit(
                assignment.proposal,
                [
                    Step(
                        "proposal.recommendation_submit",
                        assignment.reviewer,
                        payload={"assignment": assignment.pk},
                        at=at,
                    )
                ],
            )
        self.insert(Recommendation, recommendations)

    # Outputs ----------------------------------------------------------------------------------

    def stored_tables(self):
        """The two tables' storage names and what the automated checks find in each."""
        stored = {}
        for kind, content in (("clean", CLEAN_TABLE), ("flagged", FLAGGED_TABLE)):
            digest = hashlib.sha256(content).hexdigest()
            name = output_file_path(SimpleNamespace(sha256=digest), "")
            if not default_storage.exists(name):
                default_storage.save(name, ContentFile(content))
            results = checks.run_checks(
                OutputType.FREQUENCY_TABLE,
                file=io.BytesIO(content),
                counts_file=None,
                degrees_of_freedom=None,
            )
            stored[kind] = SimpleNamespace(
                name=name, sha256=digest, size=len(content), results=results
            )
        return stored

    def output_steps(self, state, author, checkers):
        label = OutputRequest.audit_label
        S = OutState
        first, second = checkers

        def step(name, source, target, actor, gap):
            return transition(label, name, source, target, actor, gap)

        steps = [
            Step(f"{label}.created", author, to_state=S.DRAFT),
            Step(f"{label}.file_added", author, (0, 3)),
        ]
        if state == S.DRAFT:
            return steps
        if state == S.WITHDRAWN and self.rng.random() < 0.6:
            steps.append(step("withdraw", S.DRAFT, S.WITHDRAWN, author, (1, 40)))
            return steps
        steps.append(step("submit", S.DRAFT, S.SUBMITTED, author, (0.5, 20)))
        if state == S.SUBMITTED:
            return steps
        steps.append(
            step("record_first_review", S.SUBMITTED, S.PARTIALLY_REVIEWED, first, (0.2, 6))
        )
        if state == S.PARTIALLY_REVIEWED:
            return steps
        steps.append(
            step("record_second_review", S.PARTIALLY_REVIEWED, S.REVIEWED, second, (0.1, 4))
        )
        if state == S.REVIEWED:
            return steps
        if state in (S.RETURNED, S.WITHDRAWN):
            steps.append(step("return_to_author", S.REVIEWED, S.RETURNED, second, (0, 2)))
            if state == S.WITHDRAWN:
                steps.append(step("withdraw", S.RETURNED, S.WITHDRAWN, author, (1, 30)))
            return steps
        if state == S.REJECTED:
            steps.append(step("reject", S.REVIEWED, S.REJECTED, second, (0, 2)))
            return steps
        steps.append(step("approve", S.REVIEWED, S.APPROVED, second, (0, 2)))
        if state == S.RELEASED:
            steps.append(step("release", S.APPROVED, S.RELEASED, first, (0, 1)))
        return steps

    def output_requests(self):
        S = OutState
        if not self.projects:
            return
        active = [(p, team) for p, team in self.projects if p.state == PropState.ACTIVE]
        ended = [(p, team) for p, team in self.projects if p.state == PropState.ENDED]
        closed = [(p, team) for p, team in self.projects if p.state == PropState.CLOSED]
        # Each ended project gets a released request first: unpublished, it holds it open.
        holding_open = list(ended)
        tables = self.stored_tables()
        requests, histories, plans = [], [], []
        for number, state in enumerate(self.draw_states(self.plan.output_states()), start=1):
            finished = state in (S.RELEASED, S.REJECTED, S.WITHDRAWN)
            pool = active + ended + closed if finished or not active else active
            if state == S.RELEASED and holding_open:
                project, team = holding_open.pop()
            else:
                project, team = self.rng.choice(pool)
            author = self.rng.choice(team)
            checkers = self.rng.sample(self.checkers, 2)
            steps = self.output_steps(state, author, checkers)
            latest = project.closed_at or project.ended_at or self.now
            earliest = project.activated_at
            if not finished:
                earliest = max(earliest, self.now - 30 * DAY)
            self.timeline(steps, earliest=earliest, latest=latest)
            moments = {s.to_state: s.at for s in steps if s.to_state}
            submits = [s.at for s in steps if s.to_state == S.SUBMITTED]
            decided = moments.get(S.APPROVED) or moments.get(S.REJECTED)
            requests.append(
                OutputRequest(
                    project=project,
                    title=f"{self.rng.choice(TOPICS)} by region, table {number}",
                    author=author,
                    state=state,
                    created_at=steps[0].at,
                    updated_at=steps[-1].at,
                    submitted_at=submits[-1] if submits else None,
                    decided_at=decided,
                    released_at=moments.get(S.RELEASED),
                    returned_at=moments.get(S.RETURNED),
                )
            )
            histories.append(steps)
            kinds = ["flagged" if self.rng.random() < 0.2 else "clean"]
            if self.rng.random() < 0.4:
                kinds.append("clean")
            plans.append((kinds, checkers))
        self.insert(OutputRequest, requests)
        for output_request, steps in zip(requests, histories, strict=True):
            link = reverse("outputs:output_request_detail", kwargs={"pk": output_request.pk})
            self.audit(output_request, steps, owner=output_request.author, link=link)
        self.output_rows(requests, histories, plans, tables)

    def output_rows(self, requests, histories, plans, tables):
        S = OutState
        groups = self.insert(
            FileGroup,
            (
                FileGroup(
                    request=r,
                    name="Tables by region",
                    context="Counts of people by region of residence.",
                    disclosure_controls="Counts rounded; cells under 10 suppressed.",
                    created_at=r.created_at,
                )
                for r in requests
            ),
        )
        group_of = {group.request.pk: group for group in groups}
        files, file_kinds = [], []
        for group, (kinds, _) in zip(groups, plans, strict=True):
            for n, kind in enumerate(kinds, start=1):
                table = tables[kind]
                files.append(
                    OutputFile(
                        group=group,
                        name=f"table-{n}.csv",
                        output_type=OutputType.FREQUENCY_TABLE,
                        file=table.name,
                        sha256=table.sha256,
                        size=table.size,
                        content_type="text/csv",
                        uploaded_by=group.request.author,
                        uploaded_at=group.request.created_at,
                    )
                )
                file_kinds.append(kind)
        self.insert(OutputFile, files)
        self.insert(
            CheckResult,
            (
                CheckResult(
                    file=file,
                    check_name=result.check,
                    outcome=result.outcome,
                    message=result.message,
                    flagged_cells=result.flagged_cells,
                    details=result.details,
                    created_at=file.uploaded_at,
                )
                for file, kind in zip(files, file_kinds, strict=True)
                for result in tables[kind].results
                if result.check in CheckResult.Check.values
            ),
        )
        files_of = {}
        for file, kind in zip(files, file_kinds, strict=True):
            files_of.setdefault(file.group.request.pk, []).append((file, kind))

        reviews, comments = [], []
        for output_request, steps, (_, checkers) in zip(requests, histories, plans, strict=True):
            for s in steps:
                if s.action.endswith((".record_first_review", ".record_second_review")):
                    reviews.append(
                        Review(request=output_request, checker=s.actor, submitted_at=s.at)
                    )
            if output_request.state == S.RETURNED or output_request.returned_at:
                comments.append(
                    GroupComment(
                        author=checkers[1],
                        group=group_of[output_request.pk],
                        text="Please suppress the small cells before this can be released.",
                        public=True,
                        created_at=output_request.returned_at,
                    )
                )
        self.insert(Review, reviews)
        self.insert(GroupComment, comments)
        approving = {S.APPROVED, S.RELEASED}
        votes = []
        for review in reviews:
            for file, kind in files_of[review.request.pk]:
                approve = review.request.state in approving or (
                    kind == "clean" and self.rng.random() < 0.9
                )
                votes.append(
                    FileVote(
                        review=review,
                        file=file,
                        vote=FileVote.Vote.APPROVE if approve else FileVote.Vote.CHANGES,
                        comment="" if approve else "A cell is under the threshold.",
                        created_at=review.submitted_at,
                        updated_at=review.submitted_at,
                    )
                )
        self.insert(FileVote, votes)

        # Most released outputs are published in time; some are left for the 90-day reminder.
        publications = []
        for output_request in requests:
            if output_request.state != S.RELEASED:
                continue
            if output_request.project.state == PropState.ENDED:
                continue
            closed = output_request.project.state == PropState.CLOSED
            if not closed and self.rng.random() < 0.4:
                continue
            for file, _ in files_of[output_request.pk]:
                recorded = output_request.released_at + self.rng.uniform(10, 200) * DAY
                if closed:
                    recorded = min(recorded, output_request.project.closed_at)
                if recorded > self.now:
                    continue
                publications.append(
                    Publication(
                        file=file,
                        citation=f"Working paper: {output_request.title}.",
                        url="https://www.example.org/papers/",
                        recorded_by=output_request.author,
                        recorded_at=recorded,
                    )
                )
                self.audit(
                    output_request,
                    [
                        Step(
                            "output.publication_recorded",
                            output_request.author,
                            payload={"file": file.pk},
                            at=recorded,
                        )
                    ],
                )
        self.insert(Publication, publications)

    # The whole --------------------------------------------------------------------------------

    def run(self):
        self.organisations()
        self.staff()
        self.researchers()
        self.applications()
        self.proposals()
        self.output_requests()
        self.insert(AuditEvent, self.events)
        self.insert(Notification, self.notifications)


SEEDED_MODELS = (
    Organisation,
    ResearcherProfile,
    Qualification,
    TrainingRecord,
    AccreditationApplication,
    Accreditation,
    Proposal,
    TeamMember,
    ScreeningReview,
    ReviewerAssignment,
    Recommendation,
    PanelDecision,
    OutputRequest,
    FileGroup,
    CheckResult,
    Review,
    FileVote,
    GroupComment,
    Publication,
    AuditEvent,
    Notification,
)


class Command(BaseCommand):
    help = (
        "Fill a database for performance work with N researchers and, in proportion, "
        "projects, output requests and their audit trail, by bulk inserts."
    )

    def add_arguments(self, parser):
        parser.add_argument("--researchers", type=int, default=1000)
        parser.add_argument(
            "--seed", type=int, default=1, help="Random seed; same seed, same data."
        )
        parser.add_argument("--batch-size", type=int, default=2000, help="Rows per INSERT.")

    def handle(self, *args, researchers, seed, batch_size, **options):
        if settings.PRODUCTION:
            raise CommandError(
                "seed_scale fills the database with made-up people: not in production."
            )
        if researchers < MINIMUM_RESEARCHERS:
            raise CommandError(f"Give at least {MINIMUM_RESEARCHERS} researchers.")
        if batch_size < 1:
            raise CommandError("The batch size must be at least 1.")
        existing = scale_accounts().count()
        if existing:
            raise CommandError(
                f"This database already holds seed_scale's data ({existing} accounts): "
                "seed a fresh database instead."
            )
        started = time.monotonic()
        seeder = Seeder(
            plan=plan_for(researchers),
            rng=random.Random(seed),  # noqa: S311 -- made-up data, repeatable by seed
            batch_size=batch_size,
            now=timezone.now(),
            password=make_password(demo_password()),
        )
        with transaction.atomic(), times_as_given(SEEDED_MODELS):
            seeder.run()
        if connection.vendor == "postgresql":
            # Until autovacuum gets round to it the planner believes the new tables are empty
            # and picks plans that take seconds, and no page is marked all-visible, so no
            # index-only scan is possible; measure against the plans production would get.
            # VACUUM cannot run inside a transaction, as when a test calls the command.
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE" if connection.in_atomic_block else "VACUUM ANALYZE")
        took = time.monotonic() - started
        for name, count in sorted(seeder.created.items()):
            self.stdout.write(f"{count:>9,}  {name}")
        self.stdout.write(
            self.style.SUCCESS(
                f"Seeded {researchers:,} researchers in {took:.1f} s. Accounts are "
                f"{EMAIL_PREFIX}<n>@{EMAIL_DOMAIN} (and {EMAIL_PREFIX}secretariat-1@"
                f"{EMAIL_DOMAIN} and so on), with the demo password."
            )
        )

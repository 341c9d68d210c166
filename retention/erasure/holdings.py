"""What the service holds about a person, kind by kind, and whether the retention schedule or a
legal hold requires each kind to be kept, and until when.

The periods come from the schedule in force (its rules, read once); the clocks from the
person's own records, as the retention run reads them. Read in a fixed number of queries,
whatever the number of records.
"""

import datetime
from dataclasses import asdict, dataclass, field
from typing import Any

from django.db.models import F, Q
from django.db.models.functions import Coalesce
from django.utils import timezone

from accreditation.models import Accreditation, AccreditationApplication
from audit.selectors import audit_moment
from entitlements.models import EntitlementRecord
from notifications.models import Notification
from projects.models import Proposal
from researchers.data_export.models import DataExport
from researchers.declaration.models import Declaration
from researchers.models import Qualification, ResearcherProfile, TrainingRecord

from ..models import LegalHold, RecordKind, RetentionRule, RetentionSchedule

ACCOUNT = "account"
PROFILE = "profile"
EVIDENCE = "evidence"
DECLARATIONS = "declarations"
ACCREDITATION = "accreditation"
PROJECTS = "projects"
NOTIFICATIONS = "notifications"
DATA_EXPORTS = "data_exports"
AUDIT = "audit"
ENTITLEMENTS = "entitlements"

LABELS = {
    ACCOUNT: "Account: name, email addresses, password, sign-in and two-factor authentication",
    PROFILE: "Profile: organisation, job title, telephone, work address and email, ORCID iD",
    EVIDENCE: "Qualifications and training records, with the evidence files uploaded",
    DECLARATIONS: "Signed confidentiality declarations",
    ACCREDITATION: "Accreditation applications and accreditations",
    PROJECTS: "Project proposals and projects, as co-ordinator or team member",
    NOTIFICATIONS: "Notifications",
    DATA_EXPORTS: "Copies of their data prepared for download",
    AUDIT: "Personal details in the audit trail (name, email, internet address)",
    ENTITLEMENTS: "Name and email in the records of data access told to the secure environment",
}

# The kinds that go with the account: kept while it is, erased when it is.
WITH_ACCOUNT = (PROFILE, AUDIT, ENTITLEMENTS)


@dataclass
class Held:
    """One kind of what is held about the person: how many, how many must be kept, and why."""

    kind: str
    count: int
    kept: int = 0
    reasons: list[str] = field(default_factory=list)
    until: str = ""  # the last day a kept record must be kept, in words
    held: list[str] = field(default_factory=list)  # identifiers under a legal hold

    @property
    def label(self) -> str:
        return LABELS[self.kind]

    @property
    def erasable(self) -> int:
        return self.count - self.kept

    def as_json(self) -> dict[str, Any]:
        return {**asdict(self), "label": self.label, "erasable": self.erasable}


def _day(moment: datetime.datetime | datetime.date) -> datetime.date:
    if isinstance(moment, datetime.datetime):
        return timezone.localdate(moment)
    return moment


def _until(start, rule: RetentionRule) -> datetime.date:
    return _day(start) + datetime.timedelta(days=rule.period_days)


def _words(day: datetime.date) -> str:
    return f"{day.day} {day:%B %Y}"


def _rule_words(rule: RetentionRule) -> str:
    return (
        f"the retention schedule (version {rule.schedule_id}) keeps "
        f"{rule.get_kind_display().lower()} {rule.period_days} days from "
        f"“{rule.get_clock_display().lower()}”"
    )


def _hold_words(hold: LegalHold) -> str:
    return f"a legal hold placed on {_words(_day(hold.placed_at))}: {hold.reason}"


def holdings_assess(*, person, schedule: RetentionSchedule) -> list[Held]:
    """Every kind the service holds about ``person``, each saying what must be kept and why."""
    today = timezone.localdate()
    rules = {rule.kind: rule for rule in schedule.rules.all()}
    holds: dict[tuple[str, str], LegalHold] = {}

    accreditations = list(
        Accreditation.objects.filter(researcher=person)
        .annotate(
            ended_at=Coalesce(
                audit_moment(Accreditation._meta.label_lower, Accreditation.ENDED), F("updated_at")
            )
        )
        .order_by("pk")
    )
    running = [a for a in accreditations if a.state not in Accreditation.ENDED]
    last_ended = max(
        (a.ended_at for a in accreditations if a.state in Accreditation.ENDED), default=None
    )
    applications = list(
        AccreditationApplication.objects.filter(applicant=person).values_list(
            "pk", "state", "updated_at"
        )
    )
    projects = list(
        Proposal.objects.filter(
            Q(coordinator=person) | Q(team__user=person, team__accepted_at__isnull=False)
        )
        .distinct()
        .values_list("pk", "state", "end_date", "closed_at", "decided_at", "updated_at")
    )
    # Evidence is held as the run names it: ``training-<number>``, ``qualification-<number>``.
    evidence_ids = [
        f"training-{pk}"
        for pk in TrainingRecord.objects.filter(user=person).values_list("pk", flat=True)
    ] + [
        f"qualification-{pk}"
        for pk in Qualification.objects.filter(user=person).values_list("pk", flat=True)
    ]
    declarations = Declaration.objects.filter(user=person).count()
    notifications = list(Notification.objects.filter(recipient=person).values_list("pk", flat=True))
    for hold in LegalHold.objects.active().filter(
        Q(kind=RecordKind.TRAINING_EVIDENCE, identifier__in=evidence_ids)
        | Q(kind=RecordKind.NOTIFICATION_READ, identifier__in=[str(pk) for pk in notifications])
    ):
        holds[(hold.kind, hold.identifier)] = hold

    found: list[Held] = []

    # The account: kept while the person holds an accreditation that runs, or is on the team of a
    # project not closed, since the register and the secure environment must say who they are.
    account = Held(ACCOUNT, 1)
    live = [p for p in projects if p[1] in (*Proposal.LIVE, Proposal.State.ENDED)]
    if running:
        last = max(a.valid_until for a in running)
        account.kept = 1
        account.reasons.append(
            "an accreditation still runs: the register of accredited researchers and the secure "
            f"environment must say who holds it, until it ends ({_words(last)} at the latest)"
        )
        account.until = _words(last)
    if live:
        ends = [p[2] for p in live if p[2]]
        account.kept = 1
        account.reasons.append(
            "a project on whose team they are is not closed: its team must be known until it "
            "closes" + (f" (it is due to end on {_words(max(ends))})" if ends else "")
        )
        account.until = account.until or "the project closes"
    found.append(account)
    profile = ResearcherProfile.objects.filter(user=person).exists()
    counts = {
        PROFILE: int(profile),
        AUDIT: 1,
        ENTITLEMENTS: EntitlementRecord.objects.filter(person=person).count(),
    }
    for kind in WITH_ACCOUNT:
        if counts[kind]:
            found.append(
                Held(
                    kind,
                    counts[kind],
                    kept=counts[kind] if account.kept else 0,
                    reasons=["kept with the account"] if account.kept else [],
                    until=account.until,
                )
            )

    # Evidence and declarations: kept while an accreditation they supported runs, then for the
    # schedule's period from when the last one ended.
    def after_accreditation(kind: str, record_kind: str, count: int) -> Held:
        held = Held(kind, count)
        rule = rules.get(record_kind)
        if not count or rule is None or not accreditations:
            return held
        if running:
            held.kept = count
            held.reasons.append(_rule_words(rule) + ", and an accreditation still runs")
            held.until = f"{rule.period_days} days after the last accreditation ends"
        elif last_ended is not None and _until(last_ended, rule) > today:
            held.kept = count
            held.reasons.append(_rule_words(rule))
            held.until = _words(_until(last_ended, rule))
        return held

    evidence = after_accreditation(EVIDENCE, RecordKind.TRAINING_EVIDENCE, len(evidence_ids))
    if not evidence.kept:
        for identifier in evidence_ids:
            hold = holds.get((RecordKind.TRAINING_EVIDENCE, identifier))
            if hold is not None:
                evidence.kept += 1
                evidence.held.append(identifier)
                record = identifier.replace("training-", "training record ").replace(
                    "qualification-", "qualification "
                )
                evidence.reasons.append(f"{record}: {_hold_words(hold)}")
                evidence.until = "the hold is lifted"
    if evidence.count:
        found.append(evidence)

    if declarations:
        declared = after_accreditation(DECLARATIONS, RecordKind.DECLARATION, declarations)
        if not declared.kept:
            # Past its period, or of a person never accredited: the run destroys a declaration
            # under the schedule alone (reduced to what the public verification page needs), so
            # an erasure keeps it and says so.
            rule = rules.get(RecordKind.DECLARATION)
            declared.kept = declarations
            declared.reasons.append(
                "a signed declaration is destroyed only by the retention run, under "
                + (_rule_words(rule) if rule else "the retention schedule")
                + ", which leaves its reference for the public verification page"
            )
            declared.until = (
                "the retention run destroys it"
                if accreditations
                else "the schedule sets a period for declarations of people never accredited"
            )
        found.append(declared)

    # Accreditation applications and accreditations: every one is a record of a decision the
    # schedule keeps, and is reduced or destroyed by the retention run, never by an erasure.
    if applications or accreditations:
        held = Held(ACCREDITATION, len(applications) + len(accreditations))
        held.kept = held.count
        ends: list[datetime.date] = []
        rule = rules.get(RecordKind.ACCREDITATION_ENDED)
        if rule and accreditations:
            held.reasons.append(_rule_words(rule))
            if running:
                held.until = f"{rule.period_days} days after the accreditation ends"
            elif last_ended is not None:
                ends.append(_until(last_ended, rule))
        for _pk, state, updated_at in applications:
            kind = {
                AccreditationApplication.State.REJECTED: RecordKind.APPLICATION_REJECTED,
                AccreditationApplication.State.WITHDRAWN: RecordKind.APPLICATION_WITHDRAWN_DRAFT,
            }.get(state)
            if kind and kind in rules:
                ends.append(_until(updated_at, rules[kind]))
                words = _rule_words(rules[kind])
                if words not in held.reasons:
                    held.reasons.append(words)
        if not held.reasons:
            held.reasons.append("an application still open is a record of a decision being made")
        if not held.until:
            held.until = _words(max(ends)) if ends else "the application is decided"
        found.append(held)

    if projects:
        held = Held(PROJECTS, len(projects), kept=len(projects))
        ends = []
        for _pk, state, _end, closed_at, decided_at, updated_at in projects:
            if state == Proposal.State.CLOSED and closed_at:
                kind, start = RecordKind.PROJECT_CLOSED, closed_at
            elif state == Proposal.State.REJECTED:
                kind, start = RecordKind.PROPOSAL_REJECTED, decided_at or updated_at
            elif state == Proposal.State.WITHDRAWN:
                kind, start = RecordKind.PROPOSAL_WITHDRAWN_DRAFT, updated_at
            else:
                kind, start = RecordKind.PROJECT_CLOSED, None
            rule = rules.get(kind)
            if rule is None:
                continue
            words = _rule_words(rule)
            if words not in held.reasons:
                held.reasons.append(words)
            if start is None:
                held.until = f"{rule.period_days} days after the project closes"
            else:
                ends.append(_until(start, rule))
        if not held.until:
            held.until = _words(max(ends)) if ends else ""
        found.append(held)

    if notifications:
        held = Held(NOTIFICATIONS, len(notifications))
        for pk in notifications:
            hold = holds.get((RecordKind.NOTIFICATION_READ, str(pk)))
            if hold is not None:
                held.kept += 1
                held.held.append(str(pk))
                held.reasons.append(f"notification {pk}: {_hold_words(hold)}")
                held.until = "the hold is lifted"
        found.append(held)

    exports = DataExport.objects.filter(person=person).count()
    if exports:
        found.append(Held(DATA_EXPORTS, exports))
    return found


def assessment_json(found: list[Held]) -> list[dict[str, Any]]:
    return [held.as_json() for held in found]


def anything_kept(found: list[Held]) -> bool:
    return any(held.kept for held in found)

"""Every change to the retention schedule and its holds, and the destruction run.

Each function checks who is asking, changes what it changes and writes its audit event in one
``transaction.atomic()``. The audit trail is never touched by the run: it is append-only
whatever the schedule says.
"""

from datetime import date, datetime, time, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone

from audit.services import audit_record
from researchers.models import User

from .files import StoredFile, files_delete, fingerprint, names_in_use
from .kinds import KEPT_REFERRED, RUNS, Found, identifiers_held, record_exists
from .models import (
    Action,
    DestructionCertificate,
    LegalHold,
    RecordKind,
    RetentionRule,
    RetentionSchedule,
)
from .permissions import check_user_can_manage_retention

NOT_CONFIRMED = (
    "The retention schedule is still the proposed defaults the service was installed with. "
    "The secretariat must confirm it before anything is destroyed; a dry run shows what would go."
)
NOT_RUN = "Not yet destroyed by the run."
PERIOD_MOST = 100 * 366


class RetentionRefused(Exception):
    """The run cannot destroy anything now; the message says why."""


def schedule_current(*, lock: bool = False) -> RetentionSchedule:
    """The schedule in force: its latest version. ``lock`` holds it until the transaction ends,
    so a run and a change of schedule never overlap."""
    schedules = RetentionSchedule.objects.order_by("-version")
    if lock:
        schedules = schedules.select_for_update()
    schedule = schedules.first()
    if schedule is None:
        raise RetentionRefused("There is no retention schedule: run the migrations.")
    return schedule


def _new_version(
    *,
    latest: RetentionSchedule,
    by: User,
    change: str,
    changed: dict[str, dict[str, Any]],
    confirmed: bool,
) -> RetentionSchedule:
    # A change after the lock was granted reads the version committed meanwhile.
    latest = RetentionSchedule.objects.order_by("-version").first() or latest
    schedule = RetentionSchedule.objects.create(
        version=latest.version + 1, created_by=by, change=change, confirmed=confirmed
    )
    RetentionRule.objects.bulk_create(
        RetentionRule(
            schedule=schedule,
            **{
                "kind": rule.kind,
                "clock": rule.clock,
                "period_days": rule.period_days,
                "action": rule.action,
                "basis": rule.basis,
                **changed.get(rule.kind, {}),
            },
        )
        for rule in latest.rules.order_by("id")
    )
    return schedule


def _reason_check(reason: str, *, field: str, words: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({field: words})
    return reason


def retention_rule_change(
    *,
    kind: str,
    period_days: int,
    action: str,
    reason: str,
    by: User,
    request: HttpRequest | None = None,
) -> RetentionSchedule:
    """Change one kind's period or action: a new version of the whole schedule, keeping whether
    it is confirmed. Refuses an action the run cannot carry out for a kind it destroys."""
    check_user_can_manage_retention(by)
    reason = _reason_check(reason, field="reason", words="Enter why the period is changing")
    if not isinstance(period_days, int) or not 1 <= period_days <= PERIOD_MOST:
        raise ValidationError(
            {"period_days": f"Enter a period from 1 to {PERIOD_MOST:,} days, as a whole number"}
        )
    if action not in Action.values:
        raise ValidationError({"action": "Select what happens at the end of the period"})
    run = RUNS.get(kind)
    if run is not None and action not in run.actions:
        raise ValidationError(
            {
                "action": f"The run cannot yet {Action(action).label.lower()} "
                f"{RecordKind(kind).label.lower()}: choose "
                f"{' or '.join(sorted(Action(a).label.lower() for a in run.actions))}"
            }
        )
    with transaction.atomic():
        latest = schedule_current(lock=True)
        rule = latest.rules.filter(kind=kind).first()
        if rule is None:
            raise ValidationError({"kind": "The schedule has no rule for this kind of record"})
        if rule.period_days == period_days and rule.action == action:
            raise ValidationError({"period_days": "Change the period or the action, or cancel"})
        schedule = _new_version(
            latest=latest,
            by=by,
            change=f"{RecordKind(kind).label}: {rule.period_days} days, "
            f"{rule.get_action_display().lower()} → {period_days} days, "
            f"{Action(action).label.lower()}. {reason}",
            changed={kind: {"period_days": period_days, "action": action}},
            confirmed=latest.confirmed,
        )
        audit_record(
            actor=by,
            action="retention.rule_changed",
            obj=schedule,
            payload={
                "kind": kind,
                "from": {"period_days": rule.period_days, "action": rule.action},
                "to": {"period_days": period_days, "action": action},
                "version": schedule.version,
            },
            request=request,
        )
    return schedule


def retention_schedule_confirm(
    *, reason: str, by: User, request: HttpRequest | None = None
) -> RetentionSchedule:
    """The secretariat confirms the schedule as it stands, after the records manager's review:
    a new version, marked confirmed, from which on the run destroys."""
    check_user_can_manage_retention(by)
    reason = _reason_check(
        reason, field="reason", words="Enter who reviewed the schedule and what they decided"
    )
    with transaction.atomic():
        latest = schedule_current(lock=True)
        schedule = _new_version(
            latest=latest, by=by, change=f"Confirmed. {reason}", changed={}, confirmed=True
        )
        audit_record(
            actor=by,
            action="retention.schedule_confirmed",
            obj=schedule,
            payload={"version": schedule.version},
            request=request,
        )
    return schedule


def legal_hold_place(
    *, kind: str, identifier: str, reason: str, by: User, request: HttpRequest | None = None
) -> LegalHold:
    """Keep one record (or stored file) from the run, whatever the schedule says."""
    check_user_can_manage_retention(by)
    identifier = (identifier or "").strip()
    reason = _reason_check(reason, field="reason", words="Enter why the record must be kept")
    if kind not in RecordKind.values:
        raise ValidationError({"kind": "Select the kind of record to hold"})
    if not identifier:
        raise ValidationError({"identifier": "Enter the record's number or the file's name"})
    if not record_exists(kind, identifier):
        raise ValidationError(
            {
                "identifier": f"There is no {RecordKind(kind).label.lower()} with the "
                f"identifier {identifier}"
            }
        )
    with transaction.atomic():
        try:
            with transaction.atomic():
                hold = LegalHold.objects.create(
                    kind=kind, identifier=identifier, reason=reason, placed_by=by
                )
        except IntegrityError as error:
            raise ValidationError(
                {"identifier": "This record is already under a legal hold"}
            ) from error
        audit_record(
            actor=by,
            action="retention.hold_placed",
            obj=hold,
            payload={"kind": kind, "identifier": identifier},
            request=request,
        )
    return hold


def legal_hold_lift(
    *, hold: LegalHold, reason: str, by: User, request: HttpRequest | None = None
) -> LegalHold:
    """Lift a hold: from the next run on, the record is destroyed when its period has passed."""
    check_user_can_manage_retention(by)
    reason = _reason_check(reason, field="reason", words="Enter why the hold can be lifted")
    with transaction.atomic():
        hold = LegalHold.objects.select_for_update().get(pk=hold.pk)
        if hold.lifted_at is not None:
            raise ValidationError({"reason": "This hold has already been lifted"})
        hold.lifted_at = timezone.now()
        hold.lifted_by = by
        hold.lift_reason = reason
        hold.save(update_fields=["lifted_at", "lifted_by", "lift_reason"])
        audit_record(
            actor=by,
            action="retention.hold_lifted",
            obj=hold,
            payload={"kind": hold.kind, "identifier": hold.identifier},
            request=request,
        )
    return hold


def cutoff_for(*, on: date, period_days: int) -> datetime:
    """A record is past its period on ``on`` when its clock started before the start of the
    day ``period_days`` earlier: it is kept for at least that many whole days."""
    day = on - timedelta(days=period_days)
    return timezone.make_aware(datetime.combine(day, time.min))


def _rule_entry(rule: RetentionRule) -> dict[str, Any]:
    return {
        "kind": rule.kind,
        "label": rule.get_kind_display(),
        "clock": rule.clock,
        "clock_words": rule.get_clock_display(),
        "period_days": rule.period_days,
        "action": rule.action,
        "run": False,
        "count": 0,
        "identifiers": [],
        "references": [],
        "files": [],
        "held": [],
        "kept": [],
    }


class _DryRunDone(Exception):
    """Carries a dry run's certificate out of the transaction it rolls back."""

    def __init__(self, certificate: DestructionCertificate) -> None:
        self.certificate = certificate


def retention_run(*, on: date, dry_run: bool, by: User | None = None) -> DestructionCertificate:
    """Destroy what has passed its period on ``on`` under the schedule in force, skipping every
    record under a legal hold and every file another row still refers to.

    Rows go, and the certificate and its audit event are written, in one transaction; the files
    leave storage once it commits (a file the commit did not reach stays, and the next run
    finds it orphaned). A dry run does the same deletions in a transaction it then rolls back,
    so what it reports is exactly what a run would destroy, and it changes nothing: it writes no
    certificate or audit event, removes no file, and returns the certificate unsaved. ``by`` is
    None for the nightly run.
    """
    if by is not None:
        check_user_can_manage_retention(by)
    try:
        with transaction.atomic():
            certificate, leaving = _run(on=on, dry_run=dry_run, by=by)
            if dry_run:
                raise _DryRunDone(certificate)
            certificate.save()
            audit_record(
                actor=by,
                action="retention.run",
                obj=certificate,
                payload={
                    "run_on": on.isoformat(),
                    "schedule_version": certificate.schedule_id,
                    "counts": {
                        entry["kind"]: entry["count"] for entry in certificate.kinds if entry["run"]
                    },
                    "files": sum(len(entry["files"]) for entry in certificate.kinds),
                },
            )
            transaction.on_commit(lambda: files_delete(leaving))
    except _DryRunDone as done:
        # Saved inside the transaction rolled back, so kinds could name it: unsaved again.
        done.certificate.pk = None
        done.certificate._state.adding = True
        return done.certificate
    return certificate


def _run(
    *, on: date, dry_run: bool, by: User | None
) -> tuple[DestructionCertificate, list[StoredFile]]:
    schedule = schedule_current(lock=True)
    if not dry_run and not schedule.confirmed:
        raise RetentionRefused(NOT_CONFIRMED)
    held = identifiers_held(LegalHold.objects.active().values_list("kind", "identifier"))
    # Saved first, so a kind that keeps a trace of what it destroyed (a declaration) can name
    # the certificate; filled in below and saved again once every kind has run.
    certificate = DestructionCertificate(
        run_on=on, schedule=schedule, dry_run=dry_run, by=by, ran_at=timezone.now()
    )
    certificate.save()
    entries: list[dict[str, Any]] = []
    files_of: dict[str, list[StoredFile]] = {}
    rules = list(schedule.rules.order_by("id"))
    # Reductions after destructions: a kind reduced (an ended accreditation) may be the clock
    # of a kind destroyed (a declaration), and reducing it first would stop that clock.
    for rule in sorted(rules, key=lambda rule: rule.action == Action.ANONYMISE):
        entry = _rule_entry(rule)
        entries.append(entry)
        run = RUNS.get(rule.kind)
        if run is None:
            entry["not_run"] = NOT_RUN
            continue
        if rule.action not in run.actions:
            entry["not_run"] = f"The run cannot yet {rule.get_action_display().lower()} these."
            continue
        entry["run"] = True
        found = run.expired(cutoff=cutoff_for(on=on, period_days=rule.period_days))
        if run.model is None:
            # A file of a record this run destroyed goes with that record, not again as an orphan.
            claimed = {stored.name for files in files_of.values() for stored in files}
            found = [item for item in found if item.identifier not in claimed]
        kind_held = held.get(rule.kind, set())
        entry["held"] = [item.identifier for item in found if item.identifier in kind_held]
        unheld = [item for item in found if item.identifier not in kind_held]
        kept: list[Found] = []
        if rule.action == Action.ANONYMISE:
            destroyed = run.anonymise(unheld)
        else:
            destroyed, kept = run.destroy(unheld, certificate=certificate)
        entry["kept"] = [{"identifier": item.identifier, "reason": KEPT_REFERRED} for item in kept]
        entry["identifiers"] = [item.identifier for item in destroyed]
        entry["references"] = [item.reference for item in destroyed if item.reference]
        entry["count"] = len(destroyed)
        files_of[rule.kind] = [stored for item in destroyed for stored in item.files]
    place = {rule.kind: index for index, rule in enumerate(rules)}
    entries.sort(key=lambda entry: place[entry["kind"]])
    # Asked once every row is gone, so a file two destroyed rows shared goes too, and one a
    # surviving row still names stays.
    in_use = names_in_use(stored.name for files in files_of.values() for stored in files)
    leaving: list[StoredFile] = []
    seen: set[str] = set()
    for entry in entries:
        kind_files: list[StoredFile] = []
        for stored in files_of.get(entry["kind"], []):
            if stored.name not in seen:
                seen.add(stored.name)
                kind_files.append(stored)
        entry["files"] = [fingerprint(stored) for stored in kind_files if stored.name not in in_use]
        entry["files_kept"] = sorted(
            {stored.name for stored in kind_files if stored.name in in_use}
        )
        leaving.extend(stored for stored in kind_files if stored.name not in in_use)
    certificate.kinds = entries
    certificate.total = sum(entry["count"] for entry in entries)
    return certificate, leaving

"""Changes to researchers' profiles, qualifications, training and the organisation list.

Each runs in one transaction and writes its audit event in that same transaction. ``by`` is
who makes the change: a researcher changes only their own profile (``by=None`` is the service
itself, for demo data and operators); the secretariat keeps the organisation list.
Files come in as ``uploads.validators.ValidatedUpload``: the form has checked them already.
"""

import datetime
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.http import HttpRequest
from django.utils import timezone

from audit.services import audit_record
from identity.permissions import check_user_has_role
from identity.roles import Role
from researchers.models import Organisation, Qualification, ResearcherProfile, TrainingRecord, User
from uploads.storage import UploadBatch, delete_after_commit
from uploads.validators import ValidatedUpload

PROFILE_UPDATED = "researchers.profile_updated"
ORGANISATION_PROPOSED = "researchers.organisation_proposed"
ORGANISATION_CREATED = "researchers.organisation_created"
ORGANISATION_APPROVED = "researchers.organisation_approved"
ORGANISATION_MERGED = "researchers.organisation_merged"
ORGANISATION_REJECTED = "researchers.organisation_rejected"
QUALIFICATION_ADDED = "researchers.qualification_added"
QUALIFICATION_UPDATED = "researchers.qualification_updated"
QUALIFICATION_DELETED = "researchers.qualification_deleted"
TRAINING_ADDED = "researchers.training_added"
TRAINING_UPDATED = "researchers.training_updated"
TRAINING_DELETED = "researchers.training_deleted"

PROFILE_FIELDS = ("orcid", "job_title", "phone", "work_address", "contact_email")
QUALIFICATION_FIELDS = {
    Qualification.Kind.DEGREE: (
        "subject",
        "institution",
        "level",
        "classification",
        "quantitative",
    ),
    Qualification.Kind.EXPERIENCE: ("years", "description"),
}
ALL_QUALIFICATION_FIELDS = (
    "subject",
    "institution",
    "level",
    "classification",
    "quantitative",
    "years",
    "description",
)


def check_user_owns(by: User | None, user: User) -> None:
    """Only the researcher changes their own profile; the service itself (None) may too."""
    if by is not None and by.pk != user.pk:
        raise PermissionDenied("You can only change your own profile.")


def _same_name(name: str) -> str:
    return " ".join(name.split())


# Organisations ---------------------------------------------------------------------------


def organisation_propose(
    *, name: str, by: User | None, request: HttpRequest | None = None
) -> Organisation:
    """The organisation named ``name``: an existing entry when the name matches one (not a
    rejected one), else a new proposal awaiting the secretariat's approval."""
    name = _same_name(name)
    with transaction.atomic():
        existing = (
            Organisation.objects.select_for_update()
            .filter(name__iexact=name)
            .exclude(status=Organisation.Status.REJECTED)
            .first()
        )
        if existing is not None:
            return existing.merged_into or existing
        if Organisation.objects.filter(name__iexact=name).exists():
            raise ValidationError(
                {
                    "proposed_organisation": (
                        "The secretariat could not add this organisation. Choose one from "
                        "the list or contact the secretariat"
                    )
                }
            )
        organisation = Organisation.objects.create(
            name=name, status=Organisation.Status.PROPOSED, proposed_by=by
        )
        audit_record(
            actor=by,
            action=ORGANISATION_PROPOSED,
            obj=organisation,
            to_state=organisation.status,
            payload={"name": name},
            request=request,
        )
    return organisation


def organisation_create(
    *, name: str, by: User | None, request: HttpRequest | None = None
) -> Organisation:
    """Add an approved organisation to the list."""
    name = _same_name(name)
    with transaction.atomic():
        if by is not None:
            check_user_has_role(by, Role.SECRETARIAT)
        if Organisation.objects.filter(name__iexact=name).exists():
            raise ValidationError({"name": "An organisation with this name is already listed"})
        organisation = Organisation.objects.create(
            name=name,
            status=Organisation.Status.APPROVED,
            decided_by=by,
            decided_at=timezone.now(),
        )
        audit_record(
            actor=by,
            action=ORGANISATION_CREATED,
            obj=organisation,
            to_state=organisation.status,
            payload={"name": name},
            request=request,
        )
    return organisation


def _lock_proposed(organisation: Organisation) -> Organisation:
    locked = Organisation.objects.select_for_update().get(pk=organisation.pk)
    if locked.status != Organisation.Status.PROPOSED:
        raise ValidationError(
            f"{locked.name} has already been decided ({locked.get_status_display().lower()})"
        )
    return locked


def organisation_approve(
    *,
    organisation: Organisation,
    by: User | None,
    name: str | None = None,
    request: HttpRequest | None = None,
) -> Organisation:
    """Add a proposed organisation to the list, correcting its name if ``name`` is given."""
    with transaction.atomic():
        if by is not None:
            check_user_has_role(by, Role.SECRETARIAT)
        locked = _lock_proposed(organisation)
        payload = {"name": locked.name}
        if name and _same_name(name) != locked.name:
            name = _same_name(name)
            if Organisation.objects.filter(name__iexact=name).exclude(pk=locked.pk).exists():
                raise ValidationError(
                    {"name": "An organisation with this name is already listed. Merge into it"}
                )
            payload = {"name": name, "proposed_name": locked.name}
            locked.name = name
        locked.status = Organisation.Status.APPROVED
        locked.decided_by = by
        locked.decided_at = timezone.now()
        locked.save()
        audit_record(
            actor=by,
            action=ORGANISATION_APPROVED,
            obj=locked,
            from_state=Organisation.Status.PROPOSED,
            to_state=locked.status,
            payload=payload,
            request=request,
        )
    return locked


def organisation_merge(
    *,
    organisation: Organisation,
    into: Organisation,
    by: User | None,
    request: HttpRequest | None = None,
) -> Organisation:
    """Treat a proposed organisation as another name for ``into``, an approved one: every
    profile naming it names ``into`` instead."""
    with transaction.atomic():
        if by is not None:
            check_user_has_role(by, Role.SECRETARIAT)
        locked = _lock_proposed(organisation)
        if into.status != Organisation.Status.APPROVED or into.pk == locked.pk:
            raise ValidationError({"into": "Choose an organisation from the approved list"})
        moved = ResearcherProfile.objects.filter(organisation=locked).update(organisation=into)
        locked.status = Organisation.Status.MERGED
        locked.merged_into = into
        locked.decided_by = by
        locked.decided_at = timezone.now()
        locked.save()
        audit_record(
            actor=by,
            action=ORGANISATION_MERGED,
            obj=locked,
            from_state=Organisation.Status.PROPOSED,
            to_state=locked.status,
            payload={"name": locked.name, "into": into.name, "profiles_moved": moved},
            request=request,
        )
    return locked


def organisation_reject(
    *, organisation: Organisation, reason: str, by: User | None, request: HttpRequest | None = None
) -> Organisation:
    """Refuse a proposed organisation; researchers who named it choose again."""
    with transaction.atomic():
        if by is not None:
            check_user_has_role(by, Role.SECRETARIAT)
        locked = _lock_proposed(organisation)
        cleared = ResearcherProfile.objects.filter(organisation=locked).update(organisation=None)
        locked.status = Organisation.Status.REJECTED
        locked.decided_by = by
        locked.decided_at = timezone.now()
        locked.save()
        audit_record(
            actor=by,
            action=ORGANISATION_REJECTED,
            obj=locked,
            from_state=Organisation.Status.PROPOSED,
            to_state=locked.status,
            payload={"name": locked.name, "reason": reason, "profiles_cleared": cleared},
            request=request,
        )
    return locked


# Profile ---------------------------------------------------------------------------------


def profile_update(
    *,
    user: User,
    full_name: str,
    organisation: Organisation | None = None,
    proposed_organisation: str = "",
    orcid: str = "",
    job_title: str = "",
    phone: str = "",
    work_address: str = "",
    contact_email: str = "",
    by: User | None,
    request: HttpRequest | None = None,
) -> ResearcherProfile:
    """Save a researcher's profile. ``proposed_organisation`` (a name) is used when their
    organisation is not on the list: it is proposed to the secretariat."""
    check_user_owns(by, user)
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk)
        profile, _ = ResearcherProfile.objects.select_for_update().get_or_create(user=locked)
        if proposed_organisation:
            organisation = organisation_propose(name=proposed_organisation, by=by, request=request)
        elif (
            organisation is not None
            and organisation.status != Organisation.Status.APPROVED
            and organisation.pk != profile.organisation_id
        ):
            raise ValidationError({"organisation": "Choose an organisation from the list"})
        values = {
            "orcid": orcid,
            "job_title": job_title,
            "phone": phone,
            "work_address": work_address,
            "contact_email": contact_email,
        }
        changed = [name for name, value in values.items() if getattr(profile, name) != value]
        if profile.organisation_id != (organisation.pk if organisation else None):
            changed.append("organisation")
        full_name = _same_name(full_name)
        if locked.full_name != full_name:
            changed.append("full_name")
            locked.full_name = full_name
            locked.save(update_fields=["full_name"])
        for name, value in values.items():
            setattr(profile, name, value)
        profile.organisation = organisation
        profile.save()
        if changed:
            audit_record(
                actor=by,
                action=PROFILE_UPDATED,
                obj=locked,
                payload={"changed": sorted(changed)},
                # Where the person works is said about them, under their key.
                personal={"organisation": organisation.name if organisation else ""},
                request=request,
            )
    user.full_name = full_name
    # Keeps the caller's user in step, whatever it had cached of the profile before.
    user.profile = profile
    return profile


# Qualifications --------------------------------------------------------------------------


def _qualification_values(kind: str, details: Mapping[str, Any]) -> dict[str, Any]:
    kind = Qualification.Kind(kind)
    keep = QUALIFICATION_FIELDS[kind]
    values: dict[str, Any] = {}
    for name in ALL_QUALIFICATION_FIELDS:
        if name in keep:
            values[name] = details.get(name)
        else:
            values[name] = None if name == "years" else (False if name == "quantitative" else "")
    for name in ("subject", "institution", "level", "classification", "description"):
        values[name] = values[name] or ""
    values["quantitative"] = bool(values["quantitative"])
    return values


def _attach(
    batch: UploadBatch,
    record: models.Model,
    field: str,
    name_field: str,
    kind_field: str,
    upload: ValidatedUpload | None,
) -> str | None:
    if upload is None:
        return None
    field_file = getattr(record, field)
    previous = batch.store(field_file, upload)
    setattr(record, name_field, upload.original_name)
    setattr(record, kind_field, upload.kind)
    return previous


def _evidence_payload(upload: ValidatedUpload | None) -> dict[str, str]:
    if upload is None:
        return {}
    return {"kind": upload.kind, "sha256": upload.sha256}


def _evidence_name(upload: ValidatedUpload | None) -> dict[str, str]:
    """The name the person gave their file, for sealing under their key."""
    if upload is None:
        return {}
    return {"file": upload.original_name}


def qualification_add(
    *,
    user: User,
    kind: str,
    details: Mapping[str, Any],
    evidence: ValidatedUpload | None = None,
    by: User | None,
    request: HttpRequest | None = None,
) -> Qualification:
    """Record a degree or quantitative research experience, with its evidence."""
    check_user_owns(by, user)
    with UploadBatch() as batch, transaction.atomic():
        qualification = Qualification(user=user, kind=kind, **_qualification_values(kind, details))
        _attach(batch, qualification, "evidence", "evidence_name", "evidence_kind", evidence)
        qualification.save()
        audit_record(
            actor=by,
            action=QUALIFICATION_ADDED,
            obj=qualification,
            payload={"kind": kind, **_evidence_payload(evidence)},
            # The person's own record, under their key (the qualification's audit_person_id).
            personal={"summary": str(qualification), **_evidence_name(evidence)},
            request=request,
        )
    return qualification


def qualification_update(
    *,
    qualification: Qualification,
    details: Mapping[str, Any],
    evidence: ValidatedUpload | None = None,
    by: User | None,
    request: HttpRequest | None = None,
) -> Qualification:
    """Change a qualification; a new evidence file replaces the old one."""
    check_user_owns(by, qualification.user)
    with UploadBatch() as batch, transaction.atomic():
        locked = Qualification.objects.select_for_update().get(pk=qualification.pk)
        for name, value in _qualification_values(locked.kind, details).items():
            setattr(locked, name, value)
        previous = _attach(batch, locked, "evidence", "evidence_name", "evidence_kind", evidence)
        locked.save()
        if previous:
            delete_after_commit(locked.evidence.storage, previous)
        audit_record(
            actor=by,
            action=QUALIFICATION_UPDATED,
            obj=locked,
            payload=_evidence_payload(evidence),
            personal={"summary": str(locked), **_evidence_name(evidence)},
            request=request,
        )
    return locked


def qualification_delete(
    *, qualification: Qualification, by: User | None, request: HttpRequest | None = None
) -> None:
    """Remove a qualification and its evidence file."""
    check_user_owns(by, qualification.user)
    with transaction.atomic():
        locked = Qualification.objects.select_for_update().get(pk=qualification.pk)
        audit_record(
            actor=by,
            action=QUALIFICATION_DELETED,
            obj=locked,
            personal={"summary": str(locked), "file": locked.evidence_name},
            request=request,
        )
        delete_after_commit(locked.evidence.storage, locked.evidence.name)
        locked.delete()


# Training --------------------------------------------------------------------------------


def training_add(
    *,
    user: User,
    course: str,
    passed_on: datetime.date,
    certificate: ValidatedUpload | None = None,
    by: User | None,
    request: HttpRequest | None = None,
) -> TrainingRecord:
    """Record a pass of Safe Researcher Training, with its certificate."""
    check_user_owns(by, user)
    with UploadBatch() as batch, transaction.atomic():
        record = TrainingRecord(user=user, course=_same_name(course), passed_on=passed_on)
        _attach(batch, record, "certificate", "certificate_name", "certificate_kind", certificate)
        record.save()
        audit_record(
            actor=by,
            action=TRAINING_ADDED,
            obj=record,
            payload=_evidence_payload(certificate),
            # The person's own record, under their key (the record's audit_person_id).
            personal={
                "course": record.course,
                "passed_on": passed_on.isoformat(),
                **_evidence_name(certificate),
            },
            request=request,
        )
    return record


def training_update(
    *,
    record: TrainingRecord,
    course: str,
    passed_on: datetime.date,
    certificate: ValidatedUpload | None = None,
    by: User | None,
    request: HttpRequest | None = None,
) -> TrainingRecord:
    """Change a training record; a new certificate replaces the old one."""
    check_user_owns(by, record.user)
    with UploadBatch() as batch, transaction.atomic():
        locked = TrainingRecord.objects.select_for_update().get(pk=record.pk)
        locked.course = _same_name(course)
        locked.passed_on = passed_on
        previous = _attach(
            batch, locked, "certificate", "certificate_name", "certificate_kind", certificate
        )
        locked.save()
        if previous:
            delete_after_commit(locked.certificate.storage, previous)
        audit_record(
            actor=by,
            action=TRAINING_UPDATED,
            obj=locked,
            payload=_evidence_payload(certificate),
            personal={
                "course": locked.course,
                "passed_on": passed_on.isoformat(),
                **_evidence_name(certificate),
            },
            request=request,
        )
    return locked


def training_delete(
    *, record: TrainingRecord, by: User | None, request: HttpRequest | None = None
) -> None:
    """Remove a training record and its certificate."""
    check_user_owns(by, record.user)
    with transaction.atomic():
        locked = TrainingRecord.objects.select_for_update().get(pk=record.pk)
        audit_record(
            actor=by,
            action=TRAINING_DELETED,
            obj=locked,
            personal={"course": locked.course, "passed_on": locked.passed_on.isoformat()},
            request=request,
        )
        delete_after_commit(locked.certificate.storage, locked.certificate.name)
        locked.delete()

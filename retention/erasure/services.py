"""A person's request to have their data erased, the secretariat's decision, and carrying the
erasure out; each step in one transaction with its audit event.

Erasing never deletes or rewrites an audit event: the person's sealed values in the trail are
made unreadable by destroying their key (``audit_erase_person``), and every event still counts.
What the schedule keeps stays, pointing to the anonymised account.
"""

from typing import Any

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest

from audit.services import audit_erase_person, audit_record
from entitlements.models import EntitlementRecord, WebhookEvent
from identity.roles import Role, user_roles_forget
from notifications.models import Notification
from notifications.services import notifications_done, notify
from projects.models import TeamMember
from researchers.data_export.models import DataExport
from researchers.models import Qualification, ResearcherProfile, TrainingRecord, User
from workflow.errors import TransitionRefused
from workflow.services import transition_fire

from ..files import StoredFile, files_delete, fingerprint
from ..kinds import evidence_numbers
from ..models import ErasureRequest
from ..notices import ERASURE_REQUESTED, erasure_answered, erasure_requested
from ..services import schedule_current
from .holdings import (
    ACCOUNT,
    DATA_EXPORTS,
    EVIDENCE,
    NOTIFICATIONS,
    Held,
    anything_kept,
    assessment_json,
    holdings_assess,
)
from .permissions import check_user_can_ask_erasure, check_user_can_decide_erasure

ERASE = "erase"
REFUSE = "refuse"
REASON_MOST = 2000


def placeholder_email(person_id: int) -> str:
    """What an erased account's email address becomes: unique, and says nothing of the person.
    ``.invalid`` is reserved, so no email is ever sent to it."""
    return f"erased-{person_id}@erased.invalid"


def erasure_request_create(
    *, person: User, reason: str = "", request: HttpRequest | None = None
) -> ErasureRequest:
    """``person`` asks for their data to be erased; the secretariat is told. One open request
    at a time: a second is refused while the first waits."""
    check_user_can_ask_erasure(person)
    reason = (reason or "").strip()
    if len(reason) > REASON_MOST:
        raise ValidationError({"reason": f"Enter at most {REASON_MOST:,} characters"})
    with transaction.atomic():
        # Lock the person, so two clicks at once make one request.
        User.objects.select_for_update().filter(pk=person.pk).first()
        if ErasureRequest.objects.filter(person=person, state__in=ErasureRequest.OPEN).exists():
            raise ValidationError(
                "You have already asked us to erase your data. We will answer that request first."
            )
        erasure = ErasureRequest.objects.create(person=person, reason=reason)
        audit_record(
            actor=person,
            action=ERASURE_REQUESTED,
            obj=erasure,
            to_state=erasure.state,
            person=person.pk,
            personal={"reason": reason} if reason else None,
            request=request,
        )
        notify(
            [
                erasure_requested(
                    erasure,
                    people=User.objects.filter(groups__name=Role.SECRETARIAT, is_active=True)
                    .exclude(pk=person.pk)
                    .distinct(),
                )
            ]
        )
    return erasure


def erasure_request_withdraw(
    *, erasure: ErasureRequest, by: User, request: HttpRequest | None = None
) -> ErasureRequest:
    """The person withdraws their request before it is decided."""
    with transaction.atomic():
        erasure = transition_fire(obj=erasure, transition="withdraw", by=by, request=request)
        notifications_done(erasure)
    return erasure


def erasure_request_decide(
    *,
    erasure: ErasureRequest,
    decision: str,
    reason: str,
    by: User,
    request: HttpRequest | None = None,
) -> ErasureRequest:
    """The secretariat's decision: erase what the schedule and any legal hold do not require be
    kept (``ERASE``), or refuse (``REFUSE``). A reason is required when anything is kept, and
    for a refusal. The person is told at the address they had, before it is erased."""
    check_user_can_decide_erasure(by)
    reason = (reason or "").strip()
    if decision not in (ERASE, REFUSE):
        raise ValidationError({"decision": "Select whether to erase or refuse"})
    if len(reason) > REASON_MOST:
        raise ValidationError({"reason": f"Enter at most {REASON_MOST:,} characters"})
    with transaction.atomic():
        erasure = ErasureRequest.objects.select_for_update().get(pk=erasure.pk)
        # Asked before anything is erased: two decisions at once erase once, and nobody decides
        # their own request (the transition asks again).
        if erasure.state not in ErasureRequest.OPEN:
            raise TransitionRefused(["This request has been decided or withdrawn already."])
        if erasure.person_id == by.pk:
            raise PermissionDenied("Nobody decides their own request to be erased.")
        person = User.objects.select_for_update().get(pk=erasure.person_id)
        schedule = schedule_current()
        found = holdings_assess(person=person, schedule=schedule)
        kept = anything_kept(found)
        if decision == REFUSE and not reason:
            raise ValidationError({"reason": "Enter why the request is refused"})
        if decision == ERASE and kept and not reason:
            raise ValidationError(
                {"reason": "Enter why some of the data is kept: the person is told this"}
            )
        address = person.email
        notifications_done(erasure)
        assessment = assessment_json(found)
        if decision == REFUSE:
            erasure = transition_fire(
                obj=erasure,
                transition="refuse",
                by=by,
                request=request,
                payload={"person": person.pk},
                decider=by,
                reason=reason,
                assessment=assessment,
                schedule=schedule,
            )
            _answer(erasure, to=person)
            return erasure
        erased = erasure_carry_out(person=person, found=found, by=by, erasure=erasure)
        erasure = transition_fire(
            obj=erasure,
            transition="erase_in_part" if kept else "erase",
            by=by,
            request=request,
            payload={
                "person": person.pk,
                "erased": erased["counts"],
                "files": len(erased["files"]),
            },
            decider=by,
            reason=reason,
            assessment=assessment,
            erased=erased,
            schedule=schedule,
            forget_reason=erased["account"],
        )
        # An anonymised account has no address and no list: the answer goes to the address it
        # had, by email alone.
        _answer(erasure, to=person if not erased["account"] else address)
    return erasure


def _answer(erasure: ErasureRequest, *, to: Any) -> None:
    notify([erasure_answered(erasure, to=to)])


def erasure_carry_out(
    *, person: User, found: list[Held], by: User, erasure: ErasureRequest
) -> dict[str, Any]:
    """Erase what ``found`` says may go; returns the record of it (kinds, counts, files).
    Call it inside the transaction of the decision: the files leave storage once it commits."""
    by_kind = {held.kind: held for held in found}
    counts: dict[str, int] = {}
    files: list[StoredFile] = []
    account = by_kind[ACCOUNT].kept == 0

    evidence = by_kind.get(EVIDENCE)
    if evidence is not None and evidence.kept < evidence.count:
        training = TrainingRecord.objects.filter(user=person).exclude(
            pk__in=evidence_numbers(evidence.held, "training")
        )
        qualifications = Qualification.objects.filter(user=person).exclude(
            pk__in=evidence_numbers(evidence.held, "qualification")
        )
        stored = [record.certificate for record in training] + [
            qualification.evidence for qualification in qualifications
        ]
        files += [StoredFile(field.storage, field.name) for field in stored if field and field.name]
        counts[EVIDENCE] = training.delete()[0] + qualifications.delete()[0]

    notifications = by_kind.get(NOTIFICATIONS)
    if notifications is not None:
        counts[NOTIFICATIONS] = (
            Notification.objects.filter(recipient=person)
            .exclude(pk__in=[int(pk) for pk in notifications.held])
            .delete()[0]
        )

    if by_kind.get(DATA_EXPORTS) is not None:
        exports = DataExport.objects.filter(person=person)
        for export in exports:
            if export.file and export.file.name:
                files.append(StoredFile(export.file.storage, export.file.name))
        counts[DATA_EXPORTS] = exports.delete()[0]

    if account:
        counts.update(_account_anonymise(person=person, by=by, erasure=erasure))

    fingerprints = [fingerprint(stored) for stored in files]
    transaction.on_commit(lambda: files_delete(files))
    return {"account": account, "counts": counts, "files": fingerprints}


def _account_anonymise(*, person: User, by: User, erasure: ErasureRequest) -> dict[str, int]:
    """Replace the person's name and email with a placeholder, end every way of signing in,
    and erase what names them elsewhere; the records the schedule keeps stay, pointing here."""
    placeholder = placeholder_email(person.pk)
    counts = {
        "profile": ResearcherProfile.objects.filter(user=person).delete()[0],
        "email_addresses": EmailAddress.objects.filter(user=person).delete()[0],
        "authenticators": Authenticator.objects.filter(user=person).delete()[0],
        "team_invitations": TeamMember.objects.filter(user=person).update(email=placeholder),
    }
    records = list(EntitlementRecord.objects.filter(person=person).values_list("pk", flat=True))
    counts["entitlement_records"] = EntitlementRecord.objects.filter(pk__in=records).update(
        person_email=placeholder, person_name=""
    )
    events = list(WebhookEvent.objects.filter(record_id__in=records))
    for event in events:
        entitled = (event.body or {}).get("entitlement", {}).get("person")
        if isinstance(entitled, dict):
            entitled["email"] = placeholder
            entitled["name"] = ""
    WebhookEvent.objects.bulk_update(events, ["body"])
    counts["webhook_events"] = len(events)

    person.full_name = ""
    person.first_name = ""
    person.last_name = ""
    person.email = placeholder
    # An unusable password changes the hash every session is checked against, so each of the
    # person's sessions ends at its next request, whichever backend keeps sessions.
    person.set_unusable_password()
    person.is_active = False
    person.save()
    person.groups.clear()
    user_roles_forget(person)
    counts["account"] = 1
    # Last: nothing personal about the person is sealed once their key is destroyed.
    audit_erase_person(person_id=person.pk, by=by, reason=f"erasure request {erasure.reference}")
    counts["audit"] = 1
    return counts

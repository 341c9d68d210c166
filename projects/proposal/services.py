"""Every change the co-ordinator and the team make to a proposal while it is being written.

Each function locks what it changes, checks who is asking, changes it (state changes only
through ``workflow.services.transition_fire``), writes the audit event and queues the emails,
all inside one ``transaction.atomic()``. Refusals: PermissionDenied for the wrong person,
``TransitionRefused`` with sentences for a step not possible yet, ``ValidationError`` for bad
input or a change the proposal's state does not allow.
"""

from collections.abc import Mapping
from typing import Any, TypeVar

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, models, transaction
from django.http import HttpRequest
from django.utils import timezone

from audit.services import audit_record
from identity.permissions import check_user_has_role
from identity.roles import Role, user_has_role
from legislation.access_modes import AccessMode, access_mode_satisfies
from legislation.models import Dataset
from notifications.services import notifications_done, notify
from projects import conditions, notices
from projects.models import DatasetRequest, Proposal, ProposalSnapshot, Purpose, TeamMember
from projects.proposal.permissions import check_user_can_edit_proposal
from researchers.models import User
from researchers.selectors import user_has_second_factor
from uploads.storage import UploadBatch, delete_after_commit
from uploads.validators import ValidatedUpload
from workflow.errors import TransitionRefused
from workflow.services import transition_fire

M = TypeVar("M", bound=models.Model)
State = Proposal.State
NOT_EDITABLE = "This proposal has been sent to the secretariat, so it cannot be changed now."
JOIN_NEEDS_TWO_FACTOR = (
    "This project has started, so you must set up two-factor authentication (an authenticator "
    "app or a passkey) before you join its team."
)

# The proposal fields each question page saves (the team and datasets have their own steps).
SECTION_FIELDS = {
    "title": ("title", "lay_summary"),
    "purposes": ("purposes", "purpose_explanation"),
    "methods": ("aims", "methods", "software"),
    "dates": ("start_date", "end_date"),
    "ethics": ("ethics",),
    "dpia": ("dpia_needed",),
    "access": ("access_mode",),
    "outputs": ("outputs_plan", "publication_plan"),
}


def _lock(obj: M) -> M:
    return type(obj)._default_manager.select_for_update().get(pk=obj.pk)


def _lock_editable(proposal: Proposal, by: User) -> Proposal:
    proposal = _lock(proposal)
    check_user_can_edit_proposal(by, proposal)
    if proposal.state not in Proposal.EDITABLE:
        raise ValidationError(NOT_EDITABLE)
    return proposal


def _clean_text(value: str | None) -> str:
    return (value or "").strip()


# Starting and writing a proposal


def proposal_create(*, by: User, title: str | None, request: HttpRequest | None = None) -> Proposal:
    """Start a draft proposal with ``by`` as its co-ordinator and first team member."""
    check_user_has_role(by, Role.RESEARCHER)
    title = _clean_text(title)
    if not title:
        raise ValidationError({"title": "Enter the project's title"})
    with transaction.atomic():
        proposal = Proposal.objects.create(title=title, coordinator=by)
        TeamMember.objects.create(
            proposal=proposal,
            user=by,
            email=by.email,
            role=TeamMember.Role.COORDINATOR,
            invited_by=by,
            accepted_at=timezone.now(),
        )
        audit_record(
            actor=by,
            action="proposal.create",
            obj=proposal,
            to_state=proposal.state,
            # The title is the co-ordinator's free text, sealed under their key (the proposal's
            # audit_person_id).
            personal={"title": title},
            request=request,
        )
    return proposal


def _check_section_values(proposal: Proposal, section: str, values: Mapping[str, Any]) -> None:
    """Refuse values a question page's form should already have refused."""
    if section == "title" and not _clean_text(values.get("title")):
        raise ValidationError({"title": "Enter the project's title"})
    if section == "purposes":
        unknown = set(values.get("purposes") or []) - set(Purpose.values)
        if unknown:
            raise ValidationError({"purposes": "Choose purposes from the list"})
    if section == "dates":
        start, end = values.get("start_date"), values.get("end_date")
        if start and end and end <= start:
            raise ValidationError({"end_date": "The end date must be after the start date"})
    if section == "access":
        mode = values.get("access_mode") or ""
        if mode:
            if mode not in AccessMode.values:
                raise ValidationError({"access_mode": "Choose how the team will access the data"})
            required = conditions.strictest_access_mode(proposal)
            if required is not None and not access_mode_satisfies(mode, required):
                raise ValidationError({"access_mode": access_mode_refusal(proposal, required)})


def access_mode_refusal(proposal: Proposal, required: str) -> str:
    """The sentence refusing an access mode weaker than ``required``, naming the datasets."""
    names = [
        request.dataset.name
        for request in proposal.dataset_requests.select_related("dataset").order_by("dataset__name")
        if request.dataset.access_mode == required
    ]
    datasets = " and ".join(names) if len(names) <= 2 else ", ".join(names)
    need = "needs" if len(names) == 1 else "need"
    return (
        f"{datasets} {need} “{AccessMode(required).label}”. Choose that access mode or a "
        "stricter one."
    )


def proposal_update_section(
    *,
    proposal: Proposal,
    section: str,
    values: Mapping[str, Any],
    by: User,
    dpia: ValidatedUpload | None = None,
    request: HttpRequest | None = None,
) -> Proposal:
    """Save one question page of a draft or returned proposal.

    ``values`` holds that page's fields (``SECTION_FIELDS``); ``dpia`` is a ValidatedUpload
    replacing the stored assessment. Saying no assessment is needed removes a stored one.
    """
    if section not in SECTION_FIELDS:
        raise ValueError(f"{section!r} is not a proposal section saved here.")
    fields = SECTION_FIELDS[section]
    with UploadBatch() as batch, transaction.atomic():
        proposal = _lock_editable(proposal, by)
        _check_section_values(proposal, section, values)
        before = {name: _jsonable(getattr(proposal, name)) for name in fields}
        for name in fields:
            value = values.get(name)
            if isinstance(getattr(proposal, name), str) or name in ("title", "access_mode"):
                value = _clean_text(value)
            setattr(proposal, name, value)
        update_fields = [*fields, "updated_at"]
        file_payload: dict[str, str] = {}
        file_name: dict[str, str] = {}
        if section == "dpia":
            if proposal.dpia_needed is not True and proposal.dpia_file:
                delete_after_commit(proposal.dpia_file.storage, proposal.dpia_file.name)
                proposal.dpia_file = ""
                file_payload = {"dpia_file": "removed"}
            elif proposal.dpia_needed and dpia is not None:
                previous = batch.store(proposal.dpia_file, dpia)
                delete_after_commit(proposal.dpia_file.storage, previous)
                file_payload = {"kind": dpia.kind, "sha256": dpia.sha256}
                file_name = {"dpia_file": dpia.original_name}
            update_fields.append("dpia_file")
        proposal.save(update_fields=update_fields)
        after = {name: _jsonable(getattr(proposal, name)) for name in fields}
        audit_record(
            actor=by,
            action="proposal.update_section",
            obj=proposal,
            payload={"section": section, **file_payload},
            # What the co-ordinator wrote, and the name they gave the file, under their key.
            personal={"before": before, "after": after, **file_name},
            request=request,
        )
    return proposal


def _jsonable(value: object) -> object:
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def proposal_dataset_add(
    *,
    proposal: Proposal,
    dataset: Dataset,
    variables: str | None,
    open_data_reason: str | None,
    by: User,
    request: HttpRequest | None = None,
) -> DatasetRequest:
    """Request ``dataset`` from the catalogue, saying which variables and why open data won't do."""
    variables, open_data_reason = _clean_text(variables), _clean_text(open_data_reason)
    errors: dict[str, str] = {}
    if not variables:
        errors["variables"] = "Enter the variables you need"
    if not open_data_reason:
        errors["open_data_reason"] = "Enter why openly available data cannot be used"
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        proposal = _lock_editable(proposal, by)
        if proposal.dataset_requests.filter(dataset=dataset).exists():
            raise ValidationError({"dataset": f"You have already requested {dataset.name}"})
        dataset_request = DatasetRequest.objects.create(
            proposal=proposal,
            dataset=dataset,
            variables=variables,
            open_data_reason=open_data_reason,
            consent=(
                DatasetRequest.Consent.PENDING
                if dataset.consent_required
                else DatasetRequest.Consent.NOT_NEEDED
            ),
        )
        proposal.save(update_fields=["updated_at"])
        audit_record(
            actor=by,
            action="proposal.dataset_add",
            obj=proposal,
            payload={"dataset": dataset.slug, "variables": variables},
            request=request,
        )
    return dataset_request


def proposal_dataset_remove(
    *,
    proposal: Proposal,
    dataset_request: DatasetRequest,
    by: User,
    request: HttpRequest | None = None,
) -> Proposal:
    """Stop requesting a dataset."""
    with transaction.atomic():
        proposal = _lock_editable(proposal, by)
        if dataset_request.proposal_id != proposal.pk:
            raise ValidationError("That dataset is not requested by this proposal.")
        slug = dataset_request.dataset.slug
        dataset_request.delete()
        proposal.save(update_fields=["updated_at"])
        audit_record(
            actor=by,
            action="proposal.dataset_remove",
            obj=proposal,
            payload={"dataset": slug},
            request=request,
        )
    return proposal


# The team


def team_invite(
    *, proposal: Proposal, email: str | None, by: User, request: HttpRequest | None = None
) -> TeamMember:
    """Invite the person at ``email`` onto the team; they accept in the service."""
    email = _clean_text(email)
    try:
        validate_email(email)
    except ValidationError:
        raise ValidationError(
            {"email": "Enter an email address in the correct format, like name@example.com"}
        ) from None
    with transaction.atomic():
        proposal = _lock_editable(proposal, by)
        if email.lower() == (proposal.coordinator.email or "").lower():
            raise ValidationError({"email": "You are already on the team as its co-ordinator"})
        if proposal.team.filter(email__iexact=email).exists():
            raise ValidationError({"email": f"{email} has already been invited to this team"})
        try:
            with transaction.atomic():
                member = TeamMember.objects.create(
                    proposal=proposal, email=email, role=TeamMember.Role.MEMBER, invited_by=by
                )
        except IntegrityError:
            raise ValidationError(
                {"email": f"{email} has already been invited to this team"}
            ) from None
        proposal.save(update_fields=["updated_at"])
        audit_record(
            actor=by,
            action="proposal.team_invite",
            obj=proposal,
            # The invitation's id, not the address: an invitee may have no account, hence
            # no key under which their address could later be erased.
            payload={"member": member.pk},
            request=request,
        )
        invitee = get_user_model().objects.filter(email__iexact=email, is_active=True).first()
        notify([notices.team_invitation(member, invitee=invitee, by=by)])
    return member


def _answer_invitation(
    *, invitation: TeamMember, by: User, request: HttpRequest | None, accept: bool
) -> TeamMember:
    with transaction.atomic():
        invitation = _lock(invitation)
        proposal = _lock(invitation.proposal)
        if (by.email or "").lower() != invitation.email.lower():
            raise ValidationError(
                "This invitation was sent to a different email address. Sign in with the "
                "account for that address to answer it."
            )
        if invitation.accepted_at or invitation.declined_at:
            raise ValidationError("You have already answered this invitation.")
        if proposal.state not in Proposal.EDITABLE:
            raise ValidationError(
                "This proposal has been sent to the secretariat, so its team cannot change now."
            )
        if accept and not user_has_role(by, Role.RESEARCHER):
            raise ValidationError(
                "Only researchers can join a project team. Apply for accreditation first."
            )
        # An amendment is the only way onto the team of a project that has started.
        if accept and proposal.amends_id is not None and not user_has_second_factor(by):
            raise ValidationError(JOIN_NEEDS_TWO_FACTOR)
        now = timezone.now()
        if accept:
            invitation.user = by
            invitation.accepted_at = now
        else:
            invitation.declined_at = now
        invitation.save(update_fields=["user", "accepted_at", "declined_at"])
        proposal.save(update_fields=["updated_at"])
        verb = "accept" if accept else "decline"
        audit_record(
            actor=by,
            action=f"proposal.team_{verb}",
            obj=proposal,
            payload={"member": invitation.pk},
            request=request,
        )
        notifications_done(invitation)  # the invitation is answered
        notify([notices.team_answered(proposal, member=by, accepted=accept)])
    return invitation


def team_accept(
    *, invitation: TeamMember, by: User, request: HttpRequest | None = None
) -> TeamMember:
    """The invitee joins the team."""
    return _answer_invitation(invitation=invitation, by=by, request=request, accept=True)


def team_decline(
    *, invitation: TeamMember, by: User, request: HttpRequest | None = None
) -> TeamMember:
    """The invitee will not join the team."""
    return _answer_invitation(invitation=invitation, by=by, request=request, accept=False)


def team_remove(
    *, proposal: Proposal, member: TeamMember, by: User, request: HttpRequest | None = None
) -> Proposal:
    """Take a member, or an unanswered or declined invitation, off the team."""
    with transaction.atomic():
        proposal = _lock_editable(proposal, by)
        if member.proposal_id != proposal.pk:
            raise ValidationError("That person is not on this proposal's team.")
        if member.role == TeamMember.Role.COORDINATOR:
            raise ValidationError("The co-ordinator cannot be removed from the team.")
        member_id, user_id = member.pk, member.user_id
        notifications_done(member)  # an unanswered invitation is withdrawn
        member.delete()
        proposal.save(update_fields=["updated_at"])
        audit_record(
            actor=by,
            action="proposal.team_remove",
            obj=proposal,
            payload={"member": member_id, "user": user_id},
            request=request,
        )
    return proposal


# The proposal's steps


def proposal_snapshot_data(proposal: Proposal) -> dict[str, Any]:
    """What the proposal says now, as plain data for a ``ProposalSnapshot``."""
    return {
        "title": proposal.title,
        "lay_summary": proposal.lay_summary,
        "purposes": list(proposal.purposes or []),
        "purpose_explanation": proposal.purpose_explanation,
        "aims": proposal.aims,
        "methods": proposal.methods,
        "software": proposal.software,
        "start_date": _jsonable(proposal.start_date),
        "end_date": _jsonable(proposal.end_date),
        "ethics": dict(proposal.ethics or {}),
        "dpia_needed": proposal.dpia_needed,
        "access_mode": proposal.access_mode,
        "outputs_plan": proposal.outputs_plan,
        "publication_plan": proposal.publication_plan,
        "datasets": [
            {
                "dataset": request.dataset.slug,
                "name": request.dataset.name,
                "variables": request.variables,
                "open_data_reason": request.open_data_reason,
            }
            for request in proposal.dataset_requests.select_related("dataset").order_by(
                "dataset__name"
            )
        ],
        "team": [
            {"email": member.email, "role": member.role, "user": member.user_id}
            for member in proposal.team.filter(accepted_at__isnull=False).order_by("role", "email")
        ],
    }


def proposal_submit(
    *, proposal: Proposal, by: User, request: HttpRequest | None = None
) -> Proposal:
    """Send the proposal to the secretariat, once every submission condition is met."""
    with transaction.atomic():
        locked = _lock(proposal)
        check_user_can_edit_proposal(by, locked)
        state = locked.state
        if state == State.WITHDRAWN:
            raise TransitionRefused(["This proposal has been withdrawn, so it cannot be sent."])
        if state not in Proposal.EDITABLE:
            raise TransitionRefused(
                ["This proposal has already been sent to the secretariat. It cannot be sent twice."]
            )
        proposal = transition_fire(obj=proposal, transition="submit", by=by, request=request)
        ProposalSnapshot.objects.create(
            proposal=proposal,
            version=proposal.version,
            data=proposal_snapshot_data(proposal),
            reason="submitted",
        )
    return proposal


def proposal_withdraw(
    *, proposal: Proposal, by: User, request: HttpRequest | None = None
) -> Proposal:
    """The co-ordinator withdraws the proposal before a decision."""
    with transaction.atomic():
        proposal = transition_fire(obj=proposal, transition="withdraw", by=by, request=request)
    return proposal

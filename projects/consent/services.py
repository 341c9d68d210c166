"""Data owners' consent to the datasets a proposal requests, and who speaks for a department.

A data owner answers for each requested dataset their department owns. A refusal returns the
proposal to its co-ordinator at once, with the reasons; once every dataset needing consent has
it, the proposal goes on to the panel in the same transaction, fired by the data owner whose
answer completed it. Each function locks the proposal first, so two data owners answering at
once take turns and exactly one of them moves the proposal on.

Taking the data-owner role away ends the person's place as each department's representative
(``role_grants.py``); the answers they gave stand.
"""

from collections.abc import Iterable

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone

from audit.services import audit_record
from identity.roles import Role, user_has_role, user_roles_forget
from legislation.models import Department
from notifications.services import notify
from projects import conditions, notices
from projects.consent.permissions import (
    check_user_can_answer_consent,
    check_user_can_manage_representatives,
)
from projects.models import DataOwnerRepresentative, DatasetRequest, Proposal
from researchers.models import User
from researchers.permissions import check_user_can_manage_roles
from workflow.errors import TransitionRefused
from workflow.services import transition_fire

State = Proposal.State
Consent = DatasetRequest.Consent


def _lock(dataset_request: DatasetRequest) -> tuple[Proposal, DatasetRequest]:
    """Lock the proposal, then the request; refuse unless it is waiting for this answer."""
    proposal = Proposal.objects.select_for_update().get(pk=dataset_request.proposal_id)
    locked = (
        DatasetRequest.objects.select_for_update(of=("self",))
        .select_related("dataset__department")
        .get(pk=dataset_request.pk)
    )
    locked.proposal = proposal
    if proposal.state != State.DATA_OWNER_REVIEW:
        raise TransitionRefused(
            [
                f"This proposal is {proposal.get_state_display().lower()}, so consent cannot be "
                "given or refused now."
            ]
        )
    if locked.consent != Consent.PENDING:
        raise TransitionRefused(
            [
                f"Consent for {locked.dataset} has already been answered: "
                f"{locked.get_consent_display().lower()}."
            ]
        )
    return proposal, locked


def _answer(dataset_request: DatasetRequest, *, consent: str, reasons: str, by: User) -> None:
    dataset_request.consent = consent
    dataset_request.consent_by = by
    dataset_request.consent_at = timezone.now()
    dataset_request.consent_reasons = reasons
    dataset_request.save(update_fields=["consent", "consent_by", "consent_at", "consent_reasons"])


def consent_give(
    *,
    dataset_request: DatasetRequest,
    by: User,
    reasons: str | None = "",
    request: HttpRequest | None = None,
) -> Proposal:
    """Give the department's consent to one dataset request.

    When it is the last consent the proposal was waiting for, the proposal goes on to the
    panel. Returns the proposal as it now stands.
    """
    with transaction.atomic():
        proposal, dataset_request = _lock(dataset_request)
        check_user_can_answer_consent(by, dataset_request)
        _answer(dataset_request, consent=Consent.GIVEN, reasons=(reasons or "").strip(), by=by)
        audit_record(
            actor=by,
            action="proposal.consent_give",
            obj=proposal,
            payload={"dataset": dataset_request.dataset.slug, "request": dataset_request.pk},
            request=request,
        )
        # The rule the step to the panel checks, asked here so the two never disagree.
        if conditions.consent_given(proposal):
            proposal = transition_fire(
                obj=proposal,
                transition="send_to_panel",
                by=by,
                request=request,
                payload={"route": "consent"},
            )
    return proposal


def consent_refuse(
    *,
    dataset_request: DatasetRequest,
    reasons: str | None,
    by: User,
    request: HttpRequest | None = None,
) -> Proposal:
    """Refuse the department's consent to one dataset request, with reasons (required).

    The proposal goes back to its co-ordinator, who sees the reasons; the secretariat is told
    (``notices.py``).
    """
    reasons = (reasons or "").strip()
    if not reasons:
        raise ValidationError({"reasons": "Enter the reasons for refusing consent"})
    with transaction.atomic():
        proposal, dataset_request = _lock(dataset_request)
        check_user_can_answer_consent(by, dataset_request)
        _answer(dataset_request, consent=Consent.REFUSED, reasons=reasons, by=by)
        proposal = transition_fire(
            obj=proposal,
            transition="return_to_coordinator",
            by=by,
            request=request,
            payload={
                "route": "consent",
                "dataset": dataset_request.dataset.slug,
                "request": dataset_request.pk,
            },
        )
    return proposal


def representative_add(
    *, user: User, department: Department, by: User, request: HttpRequest | None = None
) -> DataOwnerRepresentative:
    """Record that ``user``, a data owner, speaks for ``department`` on consent."""
    check_user_can_manage_representatives(by)
    try:
        with transaction.atomic():
            # The person first, as taking a role away locks them, and their roles read again:
            # someone losing the data-owner role at this moment is not left speaking for one.
            get_user_model().objects.select_for_update(no_key=True).get(pk=user.pk)
            user_roles_forget(user)
            if not user_has_role(user, Role.DATA_OWNER):
                raise ValidationError({"user": "Choose someone who holds the data owner role"})
            representative = DataOwnerRepresentative.objects.create(
                user=user, department=department
            )
            audit_record(
                actor=by,
                action="data_owner_representative.add",
                obj=representative,
                payload={"user": user.pk, "department": department.slug},
                request=request,
            )
    except IntegrityError:
        raise ValidationError(
            {"user": f"{user.get_full_name() or user.email} already represents {department}"}
        ) from None
    return representative


def representative_remove(
    *,
    representative: DataOwnerRepresentative,
    by: User,
    request: HttpRequest | None = None,
) -> DataOwnerRepresentative | None:
    """Record that a data owner no longer speaks for a department."""
    check_user_can_manage_representatives(by)
    with transaction.atomic():
        locked = (
            # The row alone: the person's own row is locked first when their role is taken away.
            DataOwnerRepresentative.objects.select_for_update(of=("self",))
            .select_related("user", "department")
            .filter(pk=representative.pk)
            .first()
        )
        if locked is None:
            return None
        audit_record(
            actor=by,
            action="data_owner_representative.remove",
            obj=locked,
            payload={"user": locked.user_id, "department": locked.department.slug},
            request=request,
        )
        locked.delete()
    return locked


ROLE_REMOVED = "role_removed"


def representations_end(
    *, user: User, by: User | None, request: HttpRequest | None = None
) -> list[DataOwnerRepresentative]:
    """End ``user``'s place as a representative of every department, now that they have lost
    the data-owner role: called inside the transaction that takes the role away.

    The consent they gave or refused stands. Each ended representation is recorded in the audit
    trail, and the secretariat is told of each department left with nobody to answer for a
    proposal waiting for its consent.
    """
    with transaction.atomic():
        if by is not None:
            check_user_can_manage_roles(by)
        representations = list(
            DataOwnerRepresentative.objects.select_for_update(of=("self",))
            .filter(user=user)
            .select_related("department")
            .order_by("pk")
        )
        for representative in representations:
            audit_record(
                actor=by,
                action="data_owner_representative.remove",
                obj=representative,
                payload={
                    "user": user.pk,
                    "department": representative.department.slug,
                    "because": ROLE_REMOVED,
                },
                request=request,
            )
        DataOwnerRepresentative.objects.filter(pk__in=[r.pk for r in representations]).delete()
        waiting = _departments_waited_for([r.department for r in representations])
        notify(
            [
                notices.department_unrepresented(department, proposals, former=user)
                for department, proposals in waiting
            ]
        )
    return representations


def _departments_waited_for(
    departments: Iterable[Department],
) -> list[tuple[Department, list[Proposal]]]:
    """[(department, [proposals waiting for its consent])] for those of ``departments`` with no
    data owner left to answer for them."""
    waiting: list[tuple[Department, list[Proposal]]] = []
    for department in departments:
        answered_for = DataOwnerRepresentative.objects.filter(
            department=department,
            user__is_active=True,
            user__groups__name=Role.DATA_OWNER,
        ).exists()
        if answered_for:
            continue
        proposals = list(
            Proposal.objects.filter(
                state=State.DATA_OWNER_REVIEW,
                dataset_requests__dataset__department=department,
                dataset_requests__dataset__consent_required=True,
                dataset_requests__consent=Consent.PENDING,
            )
            .distinct()
            .order_by("submitted_at", "pk")
        )
        if proposals:
            waiting.append((department, proposals))
    return waiting

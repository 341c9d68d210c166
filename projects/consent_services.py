"""Data owners' consent to the datasets a proposal requests, and who speaks for a department.

A data owner answers for each requested dataset their department owns. A refusal returns the
proposal to its co-ordinator at once, with the reasons; once every dataset needing consent has
it, the proposal goes on to the panel in the same transaction, fired by the data owner whose
answer completed it. Each function locks the proposal first, so two data owners answering at
once take turns and exactly one of them moves the proposal on.
"""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from audit.services import audit_record
from researchers.roles import Role, user_has_role
from workflow.errors import TransitionRefused
from workflow.services import transition_fire

from . import conditions
from .consent_permissions import (
    check_user_can_answer_consent,
    check_user_can_manage_representatives,
)
from .models import DataOwnerRepresentative, DatasetRequest, Proposal

State = Proposal.State
Consent = DatasetRequest.Consent


def _lock(dataset_request):
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


def _answer(dataset_request, *, consent, reasons, by):
    dataset_request.consent = consent
    dataset_request.consent_by = by
    dataset_request.consent_at = timezone.now()
    dataset_request.consent_reasons = reasons
    dataset_request.save(update_fields=["consent", "consent_by", "consent_at", "consent_reasons"])


def consent_give(*, dataset_request, by, reasons="", request=None):
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


def consent_refuse(*, dataset_request, reasons, by, request=None):
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


def representative_add(*, user, department, by, request=None):
    """Record that ``user``, a data owner, speaks for ``department`` on consent."""
    check_user_can_manage_representatives(by)
    if not user_has_role(user, Role.DATA_OWNER):
        raise ValidationError({"user": "Choose someone who holds the data owner role"})
    try:
        with transaction.atomic():
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


def representative_remove(*, representative, by, request=None):
    """Record that a data owner no longer speaks for a department."""
    check_user_can_manage_representatives(by)
    with transaction.atomic():
        representative = (
            DataOwnerRepresentative.objects.select_for_update()
            .select_related("user", "department")
            .filter(pk=representative.pk)
            .first()
        )
        if representative is None:
            return None
        audit_record(
            actor=by,
            action="data_owner_representative.remove",
            obj=representative,
            payload={"user": representative.user_id, "department": representative.department.slug},
            request=request,
        )
        representative.delete()
    return representative

"""Reads for the data owners' consent pages and the secretariat's list of representatives,
each in a fixed number of queries."""

from django.contrib.auth import get_user_model
from django.db.models import CharField, Count, Exists, OuterRef, Q, Subquery
from django.db.models.functions import Cast, Coalesce
from django.shortcuts import get_object_or_404

from audit.models import AuditEvent
from identity.roles import Role
from projects.consent.permissions import check_user_can_see_consent_page
from projects.models import DataOwnerRepresentative, DatasetRequest, Proposal

Consent = DatasetRequest.Consent


def _own_requests(user):
    return DatasetRequest.objects.filter(dataset__department__representatives__user=user)


def consent_queue_for(*, user):
    """Proposals with the data owners that request a dataset of a department ``user`` speaks
    for, the longest waiting first, each with how many of those requests still wait."""
    own = _own_requests(user)
    return (
        Proposal.objects.filter(
            state=Proposal.State.DATA_OWNER_REVIEW,
            pk__in=own.values("proposal_id"),
        )
        .select_related("coordinator")
        .annotate(
            own_waiting=Count(
                "dataset_requests",
                filter=Q(
                    dataset_requests__in=own.filter(consent=Consent.PENDING),
                ),
                distinct=True,
            ),
            own_total=Count("dataset_requests", filter=Q(dataset_requests__in=own), distinct=True),
        )
        .order_by("submitted_at", "pk")
    )


def consent_queue_count_for(*, user):
    """How many proposals wait for an answer from a department ``user`` speaks for."""
    return (
        Proposal.objects.filter(state=Proposal.State.DATA_OWNER_REVIEW)
        .filter(
            Exists(_own_requests(user).filter(proposal=OuterRef("pk"), consent=Consent.PENDING))
        )
        .count()
    )


def consent_proposal_get(*, pk, user):
    """A proposal requesting a dataset of a department ``user`` speaks for, or 404."""
    proposal = get_object_or_404(Proposal.objects.select_related("coordinator"), pk=pk)
    check_user_can_see_consent_page(user, proposal)
    return proposal


def consent_requests_for(*, proposal, user):
    """``proposal``'s requests for datasets of the departments ``user`` speaks for."""
    return list(
        _own_requests(user)
        .filter(proposal=proposal)
        .select_related("dataset__department", "consent_by")
        .distinct()
        .order_by("dataset__name")
    )


def other_requests_for(*, proposal, user):
    """``proposal``'s other requests, for the data owner to see what else it asks for."""
    return list(
        proposal.dataset_requests.exclude(pk__in=_own_requests(user).values("pk"))
        .select_related("dataset__department")
        .order_by("dataset__name")
    )


def consent_request_get(*, proposal, user, pk):
    """One of ``proposal``'s requests ``user`` may answer for, or 404."""
    return get_object_or_404(
        _own_requests(user).filter(proposal=proposal).select_related("dataset__department"),
        pk=pk,
    )


def representatives_list():
    """Every data owner and the department they speak for, by department."""
    return DataOwnerRepresentative.objects.select_related("user", "department").order_by(
        "department__name", "user__full_name", "user__email"
    )


def data_owner_users():
    """Everyone holding the data owner role who can sign in."""
    return (
        get_user_model()
        .objects.filter(groups__name=Role.DATA_OWNER, is_active=True)
        .order_by("full_name", "email")
        .distinct()
    )


def representations_held(user):
    """The departments ``user`` speaks for, as representative rows: what the data-owner role
    gives, and taking it away ends."""
    return list(DataOwnerRepresentative.objects.filter(user=user).select_related("department"))


def represented_departments(*, user):
    """The departments ``user`` speaks for."""
    from legislation.models import Department

    return list(Department.objects.filter(representatives__user=user).order_by("name").distinct())


def consents_waiting():
    """Proposals with the data owners that still wait for at least one department's consent,
    the longest waiting first, each with ``waiting_since``: when it reached the data owners
    (from the audit trail; its submission when the trail has no such step)."""
    reached = (
        AuditEvent.objects.filter(
            object_type=Proposal._meta.label_lower,
            object_id=Cast(OuterRef("pk"), output_field=CharField()),
            to_state=Proposal.State.DATA_OWNER_REVIEW,
        )
        .order_by("-created_at", "-pk")
        .values("created_at")[:1]
    )
    return (
        Proposal.objects.filter(state=Proposal.State.DATA_OWNER_REVIEW)
        .filter(
            Exists(DatasetRequest.objects.filter(proposal=OuterRef("pk"), consent=Consent.PENDING))
        )
        .select_related("coordinator")
        .annotate(waiting_since=Coalesce(Subquery(reached), "submitted_at", "created_at"))
        .order_by("waiting_since", "pk")
    )

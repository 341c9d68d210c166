"""Reads the activation, closing and amendment pages and the daily ending and closing share."""

from datetime import date, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from projects.models import Proposal
from researchers.selectors import users_without_second_factor

State = Proposal.State


def project_get(*, pk):
    """One proposal or project with its co-ordinator and what it amends, or 404."""
    return get_object_or_404(Proposal.objects.select_related("coordinator", "amends"), pk=pk)


def project_members(project):
    """The co-ordinator and every team member who has accepted, each once, co-ordinator first."""
    accepted = (
        get_user_model()
        .objects.filter(
            project_memberships__proposal=project,
            project_memberships__accepted_at__isnull=False,
            project_memberships__declined_at__isnull=True,
        )
        .exclude(pk=project.coordinator_id)
        .order_by("full_name", "email", "pk")
        .distinct()
    )
    return [project.coordinator, *accepted]


def members_without_two_factor(project):
    """The co-ordinator and accepted team members of ``project`` (or of an amendment) who have
    set up neither an authenticator app nor a passkey, co-ordinator first."""
    return users_without_second_factor(project_members(project))


def projects_start_due(*, on: date | None = None) -> QuerySet[Proposal]:
    """Approved projects whose co-ordinator scheduled the start, and whose start date is ``on``
    (today) or earlier: the service starts them."""
    on = on or timezone.localdate()
    return Proposal.objects.filter(
        state__in=Proposal.APPROVED_NOT_STARTED,
        amends__isnull=True,
        start_scheduled_at__isnull=False,
        start_date__lte=on,
    )


def projects_past_end_date(*, on: date | None = None) -> QuerySet[Proposal]:
    """Active projects whose end date is before ``on`` (today): their access ends."""
    on = on or timezone.localdate()
    return Proposal.objects.filter(state=State.ACTIVE, end_date__lt=on)


def projects_ended() -> QuerySet[Proposal]:
    """Projects whose access has ended and which are not closed yet."""
    return Proposal.objects.filter(state=State.ENDED)


def projects_grace_over(*, on: date | None = None) -> QuerySet[Proposal]:
    """Ended projects whose grace period for checking outputs is over by ``on`` (today): the
    day after ``Proposal.checking_grace_until``."""
    on = on or timezone.localdate()
    return projects_ended().filter(
        end_date__lt=on - timedelta(days=settings.PROJECT_END_GRACE_DAYS)
    )


def amendment_open_for(project: Proposal) -> Proposal | None:
    """The amendment of ``project`` still being written or considered, or None."""
    return (
        project.amendments.filter(state__in=Proposal.BEFORE_DECISION)
        .order_by("-version", "-pk")
        .first()
    )

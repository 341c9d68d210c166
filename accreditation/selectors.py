"""Reads that several pages, services and other apps share, each in a fixed number of queries."""

import datetime
from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Case, Q, QuerySet, Value, When
from django.shortcuts import get_object_or_404
from django.utils import timezone

from identity.roles import Role

from .models import Accreditation, AccreditationApplication

if TYPE_CHECKING:
    from researchers.models import User

State = AccreditationApplication.State


def accreditation_active_for(
    user: "User", *, on: datetime.date | None = None
) -> Accreditation | None:
    """The user's accreditation that is active and in date on ``on`` (today), or None.

    The one with the latest end date when a renewal overlaps the accreditation it renews.
    """
    on = on or timezone.localdate()
    return (
        Accreditation.objects.filter(
            researcher=user,
            state=Accreditation.State.ACTIVE,
            valid_from__lte=on,
            valid_until__gte=on,
        )
        .order_by("-valid_until", "-pk")
        .first()
    )


def accreditation_latest_for(user: "User") -> Accreditation | None:
    """The user's most recent accreditation in any state, or None; without the application
    that granted it, which no page showing it reads."""
    return Accreditation.objects.filter(researcher=user).order_by("-valid_until", "-pk").first()


def application_open_for(user: "User") -> AccreditationApplication | None:
    """The user's application that is not yet decided or withdrawn, or None."""
    return (
        AccreditationApplication.objects.filter(
            applicant=user, state__in=AccreditationApplication.OPEN
        )
        .select_related("supervisor", "renewal_of")
        .order_by("-created_at", "-pk")
        .first()
    )


def application_latest_for(user):
    """The user's most recent application in any state, or None."""
    return (
        AccreditationApplication.objects.filter(applicant=user)
        .select_related("supervisor", "renewal_of")
        .order_by("-created_at", "-pk")
        .first()
    )


def renewable_accreditation_for(
    user: "User", *, on: datetime.date | None = None
) -> Accreditation | None:
    """The accreditation a renewal would carry on from: active, or expired recently enough."""
    on = on or timezone.localdate()
    since = on - datetime.timedelta(days=settings.ACCREDITATION_RENEWAL_AFTER_EXPIRY_DAYS)
    return (
        Accreditation.objects.filter(researcher=user)
        .filter(
            Q(state=Accreditation.State.ACTIVE)
            | Q(state=Accreditation.State.EXPIRED, valid_until__gte=since)
        )
        .order_by("-valid_until", "-pk")
        .first()
    )


def application_get(*, pk):
    return get_object_or_404(
        AccreditationApplication.objects.select_related(
            "applicant", "applicant__profile__organisation", "supervisor", "renewal_of"
        ),
        pk=pk,
    )


def accreditation_get(*, pk):
    return get_object_or_404(
        Accreditation.objects.select_related(
            "researcher", "researcher__profile__organisation", "application"
        ),
        pk=pk,
    )


def applications_queue(*, states=None):
    """Applications for the secretariat, oldest submission first, in one query.

    ``states`` narrows the list; by default it is the applications waiting for the
    secretariat (submitted).
    """
    states = states or [State.SUBMITTED]
    return (
        AccreditationApplication.objects.filter(state__in=states)
        .select_related("applicant", "applicant__profile__organisation", "supervisor")
        .order_by("submitted_at", "created_at", "pk")
    )


# What the secretariat's list of applications shows of each: the rest of an application (its
# answers and screening) and of its applicant is left unread.
QUEUE_FIELDS = (
    "state",
    "kind",
    "submitted_at",
    "applicant__full_name",
    "applicant__email",
    "applicant__profile__organisation__name",
)


def applications_queue_listed(*, states=None):
    """``applications_queue`` as the secretariat's list reads it: each application with its
    applicant and their organisation, and only their ``QUEUE_FIELDS``."""
    return (
        applications_queue(states=states)
        .select_related(None)
        .select_related("applicant__profile__organisation")
        .only(*QUEUE_FIELDS)
    )


def applications_to_supervise(user):
    """Applications naming ``user`` as supervisor that are still open."""
    return (
        AccreditationApplication.objects.filter(
            supervisor=user, state__in=AccreditationApplication.OPEN
        )
        .select_related("applicant")
        .order_by("created_at", "pk")
    )


def secretariat_users():
    """Everyone who holds the secretariat role and can sign in."""
    return get_user_model().objects.filter(groups__name=Role.SECRETARIAT, is_active=True)


def accreditations_lapsed(*, on: datetime.date | None = None) -> QuerySet[Accreditation]:
    """Active accreditations whose last valid day is before ``on`` (today)."""
    on = on or timezone.localdate()
    return Accreditation.objects.filter(state=Accreditation.State.ACTIVE, valid_until__lt=on)


def supervision_requests_waiting(user):
    """Open applications naming ``user`` as supervisor that they have not answered yet, with
    only what the researcher's home shows of each (the applicant's name)."""
    return (
        applications_to_supervise(user)
        .filter(supervisor_confirmed_at__isnull=True, supervisor_declined_at__isnull=True)
        .only("state", "applicant__full_name", "applicant__email")
    )


def accreditations_ending(*, within_days, on=None):
    """Active accreditations whose last valid day is within ``within_days`` of ``on`` (today),
    the soonest first, with their researchers."""
    on = on or timezone.localdate()
    return (
        Accreditation.objects.filter(
            state=Accreditation.State.ACTIVE,
            valid_until__gte=on,
            valid_until__lte=on + datetime.timedelta(days=within_days),
        )
        .select_related("researcher")
        .order_by("valid_until", "pk")
    )


class Standing:
    """Where a researcher stands with accreditation on a day, and the one thing to do next.

    ``status`` is one of ``STATUSES``; ``accreditation`` is their latest accreditation in any
    state, ``application`` the one in progress (or, with none in progress, their latest).
    """

    NONE = "none"
    IN_PROGRESS = "in_progress"
    WITH_SECRETARIAT = "with_secretariat"
    ACTIVE = "active"
    SUSPENDED = "suspended"
    REVOKED = "revoked"
    EXPIRED = "expired"
    STATUSES = (NONE, IN_PROGRESS, WITH_SECRETARIAT, ACTIVE, SUSPENDED, REVOKED, EXPIRED)

    def __init__(self, *, accreditation, application, today):
        self.accreditation = accreditation
        self.application = application
        self.today = today
        self.open = application is not None and application.state in AccreditationApplication.OPEN
        self.held = self._held()
        self.status = self._status()

    def _held(self):
        """The state of the latest accreditation as it stands today: an active one past its
        last day counts as expired before the nightly sweep records it."""
        accreditation = self.accreditation
        if accreditation is None:
            return None
        if accreditation.state == Accreditation.State.ACTIVE:
            return self.EXPIRED if accreditation.valid_until < self.today else self.ACTIVE
        return accreditation.state

    def _status(self):
        if self.open:
            if self.application.state == State.SUBMITTED:
                return self.WITH_SECRETARIAT
            return self.IN_PROGRESS
        return self.held or self.NONE

    @property
    def renew_from(self):
        """The first day renewal is offered for an active accreditation, or None."""
        if self.held != self.ACTIVE:
            return None
        return self.accreditation.valid_until - datetime.timedelta(
            days=settings.ACCREDITATION_RENEWAL_OFFERED_DAYS
        )

    @property
    def renewable(self):
        """Whether a renewal may be started today: active and within the offer window, or
        expired recently enough to carry it on."""
        if self.open:
            return False
        if self.held == self.ACTIVE:
            return self.today >= self.renew_from
        if self.held == self.EXPIRED:
            since = self.today - datetime.timedelta(
                days=settings.ACCREDITATION_RENEWAL_AFTER_EXPIRY_DAYS
            )
            return self.accreditation.valid_until >= since
        return False

    @property
    def may_apply(self):
        """Whether a new application is the next step: nothing held or in progress, or an
        accreditation that expired too long ago to renew. Never offered while suspended or
        revoked: the researcher is told why instead."""
        if self.open:
            return False
        return self.held is None or (self.held == self.EXPIRED and not self.renewable)


# What a ``Standing`` reads of the latest application: what it and the pages showing it use.
# The rest (the answers, the supervisor, the application renewed) is read by whoever shows it.
STANDING_APPLICATION_FIELDS = (
    "applicant",
    "kind",
    "state",
    "created_at",
    "submitted_at",
    "decided_at",
    "renewal_of",
)


def accreditation_standing(user, *, today=None):
    """``user``'s ``Standing`` today, in two queries: of the application only
    ``STANDING_APPLICATION_FIELDS``, and the latest accreditation."""
    today = today or timezone.localdate()
    # The open application if there is one (application_open_for), otherwise the latest in any
    # state (application_latest_for), in one query.
    application = (
        AccreditationApplication.objects.filter(applicant=user)
        .annotate(
            closed=Case(
                When(state__in=AccreditationApplication.OPEN, then=Value(0)),
                default=Value(1),
            )
        )
        .order_by("closed", "-created_at", "-pk")
        .only(*STANDING_APPLICATION_FIELDS)
        .first()
    )
    return Standing(
        accreditation=accreditation_latest_for(user), application=application, today=today
    )

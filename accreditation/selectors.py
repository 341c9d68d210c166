"""Reads that several pages, services and other apps share, each in a fixed number of queries."""

import datetime

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.shortcuts import get_object_or_404
from django.utils import timezone

from researchers.roles import Role

from .models import Accreditation, AccreditationApplication

State = AccreditationApplication.State
OPEN_STATES = (State.DRAFT, State.SUBMITTED, State.RETURNED)


def accreditation_active_for(user, *, on=None):
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


def accreditation_latest_for(user):
    """The user's most recent accreditation in any state, or None."""
    return (
        Accreditation.objects.filter(researcher=user)
        .select_related("application")
        .order_by("-valid_until", "-pk")
        .first()
    )


def application_open_for(user):
    """The user's application that is not yet decided or withdrawn, or None."""
    return (
        AccreditationApplication.objects.filter(applicant=user, state__in=OPEN_STATES)
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


def renewable_accreditation_for(user, *, on=None):
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


def applications_to_supervise(user):
    """Applications naming ``user`` as supervisor that are still open."""
    return (
        AccreditationApplication.objects.filter(supervisor=user, state__in=OPEN_STATES)
        .select_related("applicant")
        .order_by("created_at", "pk")
    )


def secretariat_users():
    """Everyone who holds the secretariat role and can sign in."""
    return get_user_model().objects.filter(groups__name=Role.SECRETARIAT, is_active=True)


def accreditations_lapsed(*, on=None):
    """Active accreditations whose last valid day is before ``on`` (today)."""
    on = on or timezone.localdate()
    return Accreditation.objects.filter(state=Accreditation.State.ACTIVE, valid_until__lt=on)

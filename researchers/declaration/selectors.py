import datetime
from typing import TYPE_CHECKING

from django.db.models import Exists, Max, OuterRef

from researchers.declaration.models import Declaration, DeclarationVersion

if TYPE_CHECKING:
    from researchers.models import User


def declaration_versions_list():
    """Every published version, newest first, with who published it and how many signed it."""
    from django.db.models import Count, Q

    return DeclarationVersion.objects.select_related("published_by").annotate(
        signed_count=Count("declarations", filter=Q(declarations__state=Declaration.State.SIGNED))
    )


def declarations_of(*, user):
    """``user``'s declarations, newest first, with their versions."""
    return Declaration.objects.filter(user=user).select_related("version")


def declaration_signed_current(*, user: "User") -> Declaration | None:
    """``user``'s signed declaration on the current version, or None."""
    current = DeclarationVersion.objects.current()
    if current is None:
        return None
    return (
        Declaration.objects.filter(user=user, version=current, state=Declaration.State.SIGNED)
        .order_by("-signed_at")
        .first()
    )


def declaration_to_sign(*, user):
    """The current version when ``user`` holds no signed declaration on it, else None.

    A declaration whose signed PDF is still being prepared, or could not be prepared, is not
    signed yet. None as well before any version is published: there is nothing to sign. One
    query, as the staff pages ask it on every request.
    """
    signed = Declaration.objects.filter(
        user=user, version=OuterRef("pk"), state=Declaration.State.SIGNED
    )
    current = DeclarationVersion.objects.annotate(signed=Exists(signed)).current()
    if current is None or current.signed:
        return None
    return current


def declaration_latest_signed(*, user):
    """``user``'s most recent signed declaration on any version, or None."""
    return (
        Declaration.objects.filter(user=user, state=Declaration.State.SIGNED)
        .select_related("version")
        .order_by("-signed_at", "-pk")
        .first()
    )


def declaration_by_reference(reference):
    """The signed declaration with this reference, or the one the retention run destroyed
    (``is_destroyed``: only its reference, version and dates remain), or None."""
    if not reference:
        return None
    return (
        Declaration.objects.filter(
            reference=reference,
            state__in=Declaration.VERIFIABLE,
        )
        .select_related("user", "version")
        .first()
    )


def declaration_version_current():
    """The version researchers sign now, or None before any is published."""
    return DeclarationVersion.objects.current()


def declarations_standing(*, people, on) -> "dict[int, datetime.date | None]":
    """Which of ``people`` (users or their ids) hold a declaration that counts for access to
    data on ``on``, each with the last day it counts (None: no end of its own).

    A signature on the current version counts with no end. One on an earlier version counts
    until the sign-by day of the first version published after it (``DeclarationVersion.sign_by``)
    and not at all when a later version has none. Two queries, however many people.
    """
    versions = list(DeclarationVersion.objects.order_by("number").values_list("number", "sign_by"))
    if not versions:
        return {}
    latest_signed = (
        Declaration.objects.filter(user_id__in=people, state=Declaration.State.SIGNED)
        .values("user_id")
        .annotate(number=Max("version__number"))
        .values_list("user_id", "number")
    )
    standing: dict[int, datetime.date | None] = {}
    for user_id, number in latest_signed:
        deadlines = [sign_by for later, sign_by in versions if later > number]
        if None in deadlines:
            continue  # a later version had to be signed at once
        last_day = min(deadlines, default=None)
        if last_day is not None and last_day < on:
            continue
        standing[user_id] = last_day
    return standing


def declaration_counts_until(*, user, on) -> "datetime.date | None":
    """The last day ``user``'s signature on an earlier version of the declaration still gives
    access to data, or None when it does not count, or counts with no end of its own (it is on
    the current version)."""
    return declarations_standing(people=[user.pk], on=on).get(user.pk)

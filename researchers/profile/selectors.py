"""Reads for the profile pages, each in a fixed number of queries."""

from django.db.models import Count, Prefetch, Q
from django.http import Http404
from django.shortcuts import get_object_or_404

from identity.roles import Role, user_has_role
from researchers.models import Organisation, Qualification, ResearcherProfile, TrainingRecord, User


def profile_owner_get(*, pk):
    """A researcher with their profile, organisation, qualifications and training, in three
    queries whatever they have recorded."""
    return get_object_or_404(_with_profile(User.objects.all()), pk=pk)


def _with_profile(queryset):
    return queryset.select_related("profile__organisation").prefetch_related(
        Prefetch("qualifications", queryset=Qualification.objects.order_by("created_at", "pk")),
        Prefetch("training_records", queryset=TrainingRecord.objects.order_by("-passed_on", "-pk")),
    )


def profile_of(user):
    """The user's profile, or an unsaved empty one when they have not filled it in yet."""
    try:
        return user.profile
    except ResearcherProfile.DoesNotExist:
        return ResearcherProfile(user=user)


def qualification_get_own(*, user, pk):
    """One of ``user``'s own qualifications; anyone else's is not found."""
    return get_object_or_404(Qualification.objects.select_related("user"), pk=pk, user=user)


def training_get_own(*, user, pk):
    """One of ``user``'s own training records; anyone else's is not found."""
    return get_object_or_404(TrainingRecord.objects.select_related("user"), pk=pk, user=user)


def _readable_by(queryset, user):
    if user_has_role(user, Role.SECRETARIAT):
        return queryset
    return queryset.filter(user=user)


def qualification_get_readable(*, user, pk):
    """A qualification its researcher or the secretariat may read; to anyone else, not found."""
    qualification = _readable_by(Qualification.objects.all(), user).filter(pk=pk).first()
    if qualification is None:
        raise Http404("No such qualification.")
    return qualification


def training_get_readable(*, user, pk):
    """A training record its researcher or the secretariat may read; else not found."""
    record = _readable_by(TrainingRecord.objects.all(), user).filter(pk=pk).first()
    if record is None:
        raise Http404("No such training record.")
    return record


def organisations_approved():
    return Organisation.objects.filter(status=Organisation.Status.APPROVED).order_by("name")


def organisations_for_secretariat():
    """Every listed or proposed organisation, with how many researchers name it."""
    return (
        Organisation.objects.filter(
            status__in=[Organisation.Status.APPROVED, Organisation.Status.PROPOSED]
        )
        .select_related("proposed_by")
        .annotate(researcher_count=Count("profiles"))
        .order_by("name")
    )


def organisations_awaiting_approval():
    return organisations_for_secretariat().filter(status=Organisation.Status.PROPOSED)


def organisation_get(*, pk):
    return get_object_or_404(
        Organisation.objects.select_related("proposed_by", "decided_by", "merged_into").annotate(
            researcher_count=Count("profiles", filter=Q(profiles__isnull=False))
        ),
        pk=pk,
    )


def organisation_similar(*, organisation, limit=5):
    """Approved organisations whose names share a word with ``organisation``'s, as merge
    suggestions."""
    words = [w for w in organisation.name.split() if len(w) > 3 and w.lower() not in _COMMON]
    if not words:
        return []
    query = Q()
    for word in words:
        query |= Q(name__icontains=word)
    return list(organisations_approved().filter(query)[:limit])


_COMMON = {"university", "institute", "college", "school", "department", "centre", "center"}


def training_latest(*, user):
    """``user``'s most recent pass of Safe Researcher Training, or None."""
    return TrainingRecord.objects.filter(user=user).order_by("-passed_on", "-pk").first()

"""Reads for the secretariat's proposal list and screening page, each in a fixed number of
queries."""

import django_filters
from django import forms
from django.db.models import Count, F, Prefetch

from .models import DatasetRequest, PanelDecision, Proposal, ScreeningReview, TeamMember


def proposals_for_secretariat():
    """Every proposal, the longest waiting first (never-submitted drafts last), with what the
    list shows."""
    return (
        Proposal.objects.select_related("coordinator")
        .annotate(dataset_count=Count("dataset_requests", distinct=True))
        .order_by(F("submitted_at").asc(nulls_last=True), "created_at", "pk")
    )


class SecretariatProposalFilter(django_filters.FilterSet):
    state = django_filters.MultipleChoiceFilter(
        label="Status",
        choices=Proposal.State.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "Select a status from the list"},
    )
    title = django_filters.CharFilter(
        label="Title",
        lookup_expr="icontains",
        help_text="All or part of the project's title",
    )

    class Meta:
        model = Proposal
        fields = ["state", "title"]


def proposal_for_screening(*, pk):
    """One proposal with everything the screening page shows, or 404."""
    from django.shortcuts import get_object_or_404

    return get_object_or_404(
        Proposal.objects.select_related("coordinator", "amends").prefetch_related(
            Prefetch(
                "dataset_requests",
                queryset=DatasetRequest.objects.select_related(
                    "dataset__department", "consent_by"
                ).order_by("dataset__name"),
            ),
            Prefetch(
                "team",
                queryset=TeamMember.objects.select_related("user").order_by("role", "pk"),
            ),
            Prefetch(
                "screenings",
                queryset=ScreeningReview.objects.select_related("by").order_by(
                    "-created_at", "-pk"
                ),
            ),
            Prefetch(
                "decisions",
                queryset=PanelDecision.objects.select_related("decided_by").order_by(
                    "-decided_at", "-pk"
                ),
            ),
        ),
        pk=pk,
    )


def screening_feedback(proposal):
    """What the co-ordinator must act on after a return: the latest screening's comments per
    section, and any data owner's refusal, as ``{"sections": [(heading, comment)],
    "refusals": [dataset request]}``. Empty lists unless the proposal is returned."""
    from .screening_sections import section_names

    feedback = {"sections": [], "refusals": [], "screening": None}
    if proposal.state != Proposal.State.RETURNED:
        return feedback
    latest = proposal.screenings.order_by("-created_at", "-pk").first()
    if latest is not None and latest.outcome == ScreeningReview.Outcome.RETURNED:
        names = section_names()
        comments = latest.section_comments or {}
        feedback["screening"] = latest
        feedback["sections"] = [
            (heading, comments[key]) for key, heading in names.items() if key in comments
        ]
    feedback["refusals"] = list(
        proposal.dataset_requests.filter(consent=DatasetRequest.Consent.REFUSED)
        .select_related("dataset__department")
        .order_by("dataset__name")
    )
    return feedback


def departments_without_data_owner(*, departments):
    """Those of ``departments`` nobody represents, so nobody could answer for their data."""
    from .models import DataOwnerRepresentative

    departments = list(departments)
    if not departments:
        return []
    represented = set(
        DataOwnerRepresentative.objects.filter(department__in=departments).values_list(
            "department_id", flat=True
        )
    )
    return sorted(
        (department for department in departments if department.pk not in represented),
        key=lambda department: department.name,
    )


def proposals_to_screen(*, amendments=False):
    """Proposals (or, with ``amendments``, amendments to projects in force) sent to the
    secretariat and not yet passed on, the longest waiting first."""
    return (
        Proposal.objects.filter(
            state__in=(Proposal.State.SUBMITTED, Proposal.State.SCREENING),
            amends__isnull=not amendments,
        )
        .select_related("coordinator")
        .order_by(F("submitted_at").asc(nulls_last=True), "created_at", "pk")
    )

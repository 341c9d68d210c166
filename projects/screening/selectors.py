"""Reads for the secretariat's proposal list and screening page, each in a fixed number of
queries."""

import django_filters
from django import forms
from django.db.models import F, Prefetch
from django.db.models.functions import Coalesce

from govuk.paging import CountedPaginator
from projects.models import DatasetRequest, PanelDecision, Proposal, ScreeningReview, TeamMember
from projects.proposal import selectors as proposal_selectors
from projects.proposal.selectors import count_of


def proposals_for_secretariat():
    """Every proposal, for the secretariat's list to filter; ``proposals_page`` puts them in
    the list's order and reads what it shows of one page."""
    return Proposal.objects.all()


def in_list_order(proposals):
    """``proposals`` the longest waiting first (never-sent drafts last), each amendment right
    after the project it amends, so they are read together: by their project's dates, which
    ``Proposal.save`` keeps on each proposal, in the order of the ``proposal_list_order``
    index."""
    return proposals.order_by(
        F("project_sent_at").asc(nulls_last=True),
        "project_created_at",
        Coalesce("amends_id", "pk"),
        "version",
    )


# What the list shows of each proposal, the project it amends and its co-ordinator: what a
# researcher's list shows, and when it was sent.
LISTED_FIELDS = (*proposal_selectors.LISTED_FIELDS, "submitted_at")


def proposals_page(proposals, *, number, per_page):
    """Page ``number`` of ``proposals`` (``proposals_for_secretariat``, filtered) in the list's
    order, each with its co-ordinator, the project it amends and ``dataset_count``. The list is
    counted without the join its order needs, the page is chosen by sorting the keys alone, and
    only the page's own rows are read, and of them only ``LISTED_FIELDS``, so no step sorts
    every column of every proposal."""
    paginator = CountedPaginator(
        in_list_order(proposals).values_list("pk", flat=True), per_page, count=proposals.count()
    )
    page_obj = paginator.get_page(number)
    keys = list(page_obj.object_list)
    rows = (
        Proposal.objects.filter(pk__in=keys)
        .select_related("coordinator", "amends")
        .only(*LISTED_FIELDS)
    )
    rows = rows.annotate(dataset_count=count_of(DatasetRequest.objects.all()))
    by_key = {proposal.pk: proposal for proposal in rows}
    page_obj.object_list = [by_key[key] for key in keys]
    return page_obj


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
                queryset=DatasetRequest.objects.select_related("dataset__department", "consent_by")
                .prefetch_related("dataset__acts")
                .order_by("dataset__name"),
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
    from projects.screening.sections import section_names

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
    from projects.models import DataOwnerRepresentative

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
            state__in=Proposal.TO_SCREEN,
            amends__isnull=not amendments,
        )
        .select_related("coordinator")
        .order_by(F("submitted_at").asc(nulls_last=True), "created_at", "pk")
    )


def team_accreditations(proposal, team):
    """Each joined member of ``team`` (``proposal``'s team rows, with their users) beside the
    accreditation they hold today, in one query: ``[(member, accreditation or None, lasts to
    the end date)]``, in the team's order. Invitations not accepted are left out."""
    from django.utils import timezone

    from accreditation.models import Accreditation

    joined = [member for member in team if member.user_id and member.accepted]
    today = timezone.localdate()
    held = {}
    for accreditation in Accreditation.objects.filter(
        researcher_id__in=[member.user_id for member in joined],
        state=Accreditation.State.ACTIVE,
        valid_from__lte=today,
        valid_until__gte=today,
    ).order_by("researcher_id", "-valid_until", "-pk"):
        held.setdefault(accreditation.researcher_id, accreditation)
    rows = []
    for member in joined:
        accreditation = held.get(member.user_id)
        lasts = (
            accreditation is not None
            and proposal.end_date is not None
            and accreditation.valid_until >= proposal.end_date
        )
        rows.append((member, accreditation, lasts))
    return rows

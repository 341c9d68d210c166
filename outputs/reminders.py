"""Reminders about output checks past their service level, stale drafts and unpublished outputs.

Registered in ``notifications.hooks`` from ``OutputsConfig.ready()``;
``notifications.reminders.reminders_sweep`` sends them.
"""

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef, Prefetch
from django.urls import reverse
from django.utils import timezone

from identity.roles import Role
from notifications.hooks import ReminderRule
from notifications.reminders import untouched_since
from notifications.stale_drafts import stale_draft_rules
from outputs.review.selectors import checking_open_filter
from projects.models import TeamMember

from . import service_level
from .models import OutputFile, OutputRequest, PublicationWaiver, Review

# Days after release by which the project should have said where its outputs were published.
UNPUBLISHED_DAYS = 90

State = OutputRequest.State


def _request_link(output_request):
    return reverse("outputs:output_request_detail", args=[output_request.pk])


def _author(output_request, audience):
    return [output_request.author]


def _accepted_team():
    return Prefetch(
        "project__team",
        queryset=TeamMember.objects.filter(
            user__isnull=False, accepted_at__isnull=False, declined_at__isnull=True
        ).select_related("user"),
        to_attr="accepted_team",
    )


# Output checks past the service level.


def _overdue_candidates(today):
    # A request cannot be overdue before a week has passed: the service level is at least five
    # working days, so this bounds the rows read; the due date then counts working days exactly.
    return (
        OutputRequest.objects.filter(
            state__in=OutputRequest.BEING_REVIEWED,
            submitted_at__lt=untouched_since(today - timedelta(days=6)),
        )
        # Never about a request its checkers may no longer check.
        .filter(checking_open_filter(today=today))
        .select_related("project__coordinator", "author")
        .prefetch_related(
            _accepted_team(),
            Prefetch(
                "reviews",
                queryset=Review.objects.filter(submitted_at__isnull=False),
                to_attr="submitted_reviews",
            ),
        )
    )


def _overdue_day(output_request):
    """The first day past the service level for this submission."""
    return service_level.due_date(output_request.submitted_at) + timedelta(days=1)


def _output_checkers():
    return list(
        get_user_model()
        .objects.filter(groups__name=Role.OUTPUT_CHECKER, is_active=True)
        .distinct()
        .order_by("pk")
    )


def _checkers_still_to_review(output_request, checkers):
    """Output checkers who may check this request and have not submitted a review this round."""
    members = {output_request.project.coordinator_id, output_request.author_id}
    members.update(member.user_id for member in output_request.project.accepted_team)
    reviewed = {
        review.checker_id
        for review in output_request.submitted_reviews
        if review.submitted_at >= output_request.submitted_at
    }
    return [user for user in checkers if user.pk not in members and user.pk not in reviewed]


OVERDUE_RULES = [
    ReminderRule(
        kind="output_check_overdue",
        candidates=_overdue_candidates,
        due_date=_overdue_day,
        recipients=_checkers_still_to_review,
        audience=_output_checkers,
        subject="An output request is past its service level",
        template="reminder_output_check_overdue",
        action_text="Review the request",
        link=lambda output_request: reverse("outputs:review", args=[output_request.pk]),
        context=lambda output_request: {
            "output_request": output_request,
            "due": service_level.due_date(output_request.submitted_at),
        },
        summary="The researcher should have had a decision by now. Review it as soon as you can.",
    ),
]


# Draft output requests nobody has touched.

DRAFT_RULES = stale_draft_rules(
    kind="output_request",
    model=OutputRequest,
    draft_state=State.DRAFT,
    owner="author",
    noun="output request",
    short_noun="request",
    link=_request_link,
    withdrawn_action_text="See the request",
    name="output_request",
)


# Released outputs nobody has said were published.


def _unpublished_candidates(today):
    unpublished = OutputFile.objects.filter(
        group__request=OuterRef("pk"), replaced_at__isnull=True, publication__isnull=True
    )
    waived = PublicationWaiver.objects.filter(project=OuterRef("project_id"))
    return (
        OutputRequest.objects.filter(
            state=State.RELEASED,
            released_at__lt=untouched_since(today - timedelta(days=UNPUBLISHED_DAYS)),
        )
        .filter(Exists(unpublished))
        .exclude(Exists(waived))
        .select_related("project__coordinator")
        .prefetch_related(_accepted_team())
    )


def _project_members(output_request, audience):
    project = output_request.project
    return [project.coordinator, *(member.user for member in project.accepted_team)]


PUBLICATION_RULES = [
    ReminderRule(
        kind="outputs_unpublished",
        candidates=_unpublished_candidates,
        due_date=lambda output_request: (
            timezone.localdate(output_request.released_at) + timedelta(days=UNPUBLISHED_DAYS)
        ),
        recipients=_project_members,
        subject="Tell us where your released outputs were published",
        template="reminder_outputs_unpublished",
        action_text="Record where they were published",
        link=lambda output_request: reverse(
            "outputs:project_outputs", args=[output_request.project_id]
        ),
        context=lambda output_request: {
            "output_request": output_request,
            "project": output_request.project,
            "days": UNPUBLISHED_DAYS,
        },
        summary="Record where each released output was published, with its DOI or web address.",
        once_per_object=True,
    ),
]


RULES = (*OVERDUE_RULES, *DRAFT_RULES, *PUBLICATION_RULES)

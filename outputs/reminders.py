"""Reminders about output checks past their service level, stale drafts and unpublished outputs.

Registered from ``OutputsConfig.ready()``; ``notifications.reminders.reminders_sweep`` sends
them.
"""

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef, Prefetch
from django.urls import reverse
from django.utils import timezone

from notifications.reminders import (
    ReminderRule,
    reminded,
    reminder_rule_register,
    untouched_since,
)
from projects.models import TeamMember
from researchers.roles import Role
from workflow.errors import TransitionRefused
from workflow.services import transition_fire

from . import service_level
from .models import OutputFile, OutputRequest, PublicationWaiver, Review

DRAFT_STALE_DAYS = 30
DRAFT_WITHDRAW_AFTER_DAYS = 30
# Days after release by which the project should have said where its outputs were published.
UNPUBLISHED_DAYS = 90

State = OutputRequest.State


def _request_link(output_request):
    return reverse("outputs:request_detail", args=[output_request.pk])


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
            state__in=[State.SUBMITTED, State.PARTIALLY_REVIEWED],
            submitted_at__lt=untouched_since(today - timedelta(days=6)),
        )
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


def _draft_candidates_stale(today):
    return OutputRequest.objects.filter(
        state=State.DRAFT, updated_at__lt=untouched_since(today - timedelta(days=DRAFT_STALE_DAYS))
    ).select_related("author")


def _draft_stale_day(output_request):
    return timezone.localdate(output_request.updated_at) + timedelta(days=DRAFT_STALE_DAYS)


def _draft_candidates_withdraw(today):
    days = DRAFT_STALE_DAYS + DRAFT_WITHDRAW_AFTER_DAYS
    return (
        OutputRequest.objects.filter(
            state=State.DRAFT, updated_at__lt=untouched_since(today - timedelta(days=days))
        )
        .filter(
            reminded(
                "output_request_stale",
                OutputRequest,
                sent_before=today - timedelta(days=DRAFT_WITHDRAW_AFTER_DAYS - 1),
                sent_after_field="updated_at",
            )
        )
        .select_related("author")
    )


def _draft_withdraw_day(output_request):
    days = DRAFT_STALE_DAYS + DRAFT_WITHDRAW_AFTER_DAYS
    return timezone.localdate(output_request.updated_at) + timedelta(days=days)


def output_requests_withdraw_stale(output_requests):
    """The service withdraws each draft output request; returns those it withdrew."""
    withdrawn = []
    for output_request in output_requests:
        try:
            transition_fire(
                obj=output_request,
                transition="withdraw",
                by=None,
                payload={"reason": "untouched", "automatic": True},
            )
        except TransitionRefused:
            continue
        withdrawn.append(output_request)
    return withdrawn


DRAFT_RULES = [
    ReminderRule(
        kind="output_request_stale",
        candidates=_draft_candidates_stale,
        due_date=_draft_stale_day,
        recipients=_author,
        subject="Finish your output request or it will be withdrawn",
        template="reminder_output_request_stale",
        action_text="Continue your request",
        link=_request_link,
        context=lambda output_request: {"output_request": output_request},
        summary=(
            f"Your draft has not changed for {DRAFT_STALE_DAYS} days. It will be withdrawn "
            f"after another {DRAFT_WITHDRAW_AFTER_DAYS} days unless you work on it."
        ),
    ),
    ReminderRule(
        kind="output_request_withdrawn",
        candidates=_draft_candidates_withdraw,
        due_date=_draft_withdraw_day,
        recipients=_author,
        subject="Your draft output request has been withdrawn",
        template="reminder_output_request_withdrawn",
        action_text="See the request",
        link=_request_link,
        context=lambda output_request: {"output_request": output_request},
        action=output_requests_withdraw_stale,
        summary="Nobody worked on it for 60 days. You can start a new request at any time.",
    ),
]


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


def register():
    for rule in (*OVERDUE_RULES, *DRAFT_RULES, *PUBLICATION_RULES):
        reminder_rule_register(rule)

"""Reminders about output checks past their service level (a daily digest for each output
checker), stale drafts and unpublished outputs.

Registered in ``notifications.hooks`` from ``OutputsConfig.ready()``;
``notifications.reminders.reminders_sweep`` sends them.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from itertools import islice

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db.models import Exists, OuterRef, Prefetch, Subquery
from django.urls import reverse
from django.utils import timezone

from identity.roles import Role
from notifications.hooks import ReminderRule
from notifications.models import ReminderSent
from notifications.reminders import untouched_since
from notifications.stale_drafts import stale_draft_rules
from outputs.review.selectors import checking_open_filter
from projects.models import TeamMember

from . import service_level
from .models import OutputFile, OutputRequest, Publication, PublicationWaiver, Review

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


# Output checks past the service level: a daily digest for each output checker.
#
# When a digest is sent: on a working day, to each active output checker who may still review
# at least one output request past its service level (not of a project they work on, not yet
# reviewed by them this round, checking still open), when at least one of those requests became
# overdue after the day of their last digest, or they have never had one. It lists every such
# request, old and new, oldest first. A backlog that has not grown is not sent again each day:
# the checkers' queue shows it. A request that becomes overdue on a weekend or a bank holiday is
# in the next working day's digest.
#
# The ledger row is (kind, the checker, the day), so however many sweeps run on a day, each
# checker gets at most one digest that day.

OVERDUE_DIGEST_KIND = "output_checks_overdue"

# Requests listed in a digest; the rest are counted, and found in the checkers' queue.
DIGEST_LISTED = 10


@dataclass(frozen=True)
class OverdueCheck:
    """One request in a digest, with the day its decision was due and its review page."""

    output_request: OutputRequest
    due: date
    link: str


@dataclass(frozen=True)
class OverdueDigest:
    """What one checker is told: how many overdue requests they may review, the oldest few."""

    day: date
    count: int
    listed: list[OverdueCheck]

    @property
    def more(self):
        return self.count - len(self.listed)


def _overdue_digest_candidates(today):
    # Nobody is asked to check on a weekend or a bank holiday; the next working day's digest
    # has whatever became overdue meanwhile.
    if not service_level.is_working_day(today):
        return get_user_model().objects.none()
    last_digest = (
        ReminderSent.objects.filter(
            kind=OVERDUE_DIGEST_KIND,
            content_type=ContentType.objects.get_for_model(get_user_model()),
            object_id=OuterRef("pk"),
        )
        .order_by("-due_date")
        .values("due_date")[:1]
    )
    return (
        get_user_model()
        .objects.filter(groups__name=Role.OUTPUT_CHECKER, is_active=True)
        .distinct()
        .annotate(last_digest_on=Subquery(last_digest))
    )


def _overdue_requests(today):
    """Requests past their service level ``today`` that checkers may still check."""
    return OutputRequest.objects.filter(
        state__in=OutputRequest.BEING_REVIEWED,
        submitted_at__lt=service_level.overdue_before(today=today),
    ).filter(checking_open_filter(today=today))


def _not_theirs(overdue, checker_ids, today):
    """For each checker, the overdue requests they may not review: of a project they work on
    (co-ordinator, author or accepted team member), or reviewed by them since it was sent.

    Read from the rows that link a checker to a request, so the work grows with the requests
    and the checkers, never with both multiplied."""
    in_projects = defaultdict(list)
    sent_at = {}
    excluded = defaultdict(set)
    for output_request in overdue:
        in_projects[output_request.project_id].append(output_request.pk)
        sent_at[output_request.pk] = output_request.submitted_at
        for person in (output_request.project.coordinator_id, output_request.author_id):
            if person in checker_ids:
                excluded[person].add(output_request.pk)
    overdue_requests = _overdue_requests(today)
    members = TeamMember.objects.filter(
        user_id__in=checker_ids,
        accepted_at__isnull=False,
        declined_at__isnull=True,
        proposal__in=overdue_requests.values("project_id"),
    ).values_list("proposal_id", "user_id")
    for project_id, user_id in members:
        excluded[user_id].update(in_projects.get(project_id, ()))
    reviews = Review.objects.filter(
        checker_id__in=checker_ids,
        submitted_at__isnull=False,
        request__in=overdue_requests.values("pk"),
    ).values_list("request_id", "checker_id", "submitted_at")
    for request_id, checker_id, submitted_at in reviews:
        # A review of an earlier round does not count once the request is sent again. A
        # request that became overdue between the queries is not in this digest at all.
        sent = sent_at.get(request_id)
        if sent is not None and submitted_at >= sent:
            excluded[checker_id].add(request_id)
    return excluded


def _overdue_digests_attach(checkers, today):
    """Give each checker of the batch ``overdue_digest``: the digest due to them ``today``, or
    None when nothing they may review became overdue since their last one.

    Three queries for the batch, whatever its size: the overdue requests, then the team
    memberships and reviews that tie the batch's checkers to them."""
    overdue = list(
        _overdue_requests(today)
        .select_related("project")
        # The state machines read their state field as each row is loaded.
        .only(
            "state",
            "title",
            "submitted_at",
            "author_id",
            "project_id",
            "project__state",
            "project__title",
            "project__coordinator_id",
        )
        .order_by("submitted_at", "pk")
    )
    if not overdue:
        for checker in checkers:
            checker.overdue_digest = None
        return
    excluded = _not_theirs(overdue, {checker.pk for checker in checkers}, today)
    # A request submitted from this moment on was not yet overdue on the day of a digest.
    overdue_after = {}
    for checker in checkers:
        theirs = excluded[checker.pk]
        newest = next((r for r in reversed(overdue) if r.pk not in theirs), None)
        last = checker.last_digest_on
        if last is not None and last not in overdue_after:
            overdue_after[last] = service_level.overdue_before(today=last)
        if newest is None or (last is not None and newest.submitted_at < overdue_after[last]):
            checker.overdue_digest = None
            continue
        # Walks past at most the requests they may not review: never every request for
        # every checker.
        oldest = islice((r for r in overdue if r.pk not in theirs), DIGEST_LISTED)
        checker.overdue_digest = OverdueDigest(
            day=today,
            count=len(overdue) - len(theirs),
            listed=[
                OverdueCheck(
                    output_request=output_request,
                    due=service_level.due_date(output_request.submitted_at),
                    link=reverse("outputs:review", args=[output_request.pk]),
                )
                for output_request in oldest
            ],
        )


def _digest_summary(checker):
    count = checker.overdue_digest.count
    if count == 1:
        return "An output request you can check is past its service level."
    return f"{count} output requests you can check are past their service level."


OVERDUE_RULES = [
    ReminderRule(
        kind=OVERDUE_DIGEST_KIND,
        candidates=_overdue_digest_candidates,
        batch_prepare=_overdue_digests_attach,
        due_date=lambda checker: checker.overdue_digest and checker.overdue_digest.day,
        recipients=lambda checker, audience: [checker],
        subject=lambda checker: (
            "An output request is past its service level"
            if checker.overdue_digest.count == 1
            else "Output requests are past their service level"
        ),
        template="reminder_output_checks_overdue",
        action_text="See every request waiting for a check",
        link=lambda checker: reverse("outputs:queue"),
        context=lambda checker: {
            "digest": checker.overdue_digest,
            "working_days": settings.OUTPUT_SERVICE_LEVEL_WORKING_DAYS,
        },
        summary=_digest_summary,
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
    # "No publication" as its own NOT EXISTS: as a left join inside the EXISTS, the planner
    # took it to match almost nothing and worked out every request's files for each batch.
    unpublished = OutputFile.objects.filter(
        group__request=OuterRef("pk"), replaced_at__isnull=True
    ).exclude(Exists(Publication.objects.filter(file=OuterRef("pk"))))
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

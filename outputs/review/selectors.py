"""What the output checkers read: their queue, the current review round and its votes."""

from datetime import timedelta

from django.conf import settings
from django.db.models import Count, F, Max, Prefetch, Q
from django.utils import timezone

from govuk.paging import ROWS_PER_PAGE, CountedPaginator
from identity.roles import Role, user_has_role
from outputs.check.selectors import BY_EYE, FAILED, RUNNING, check_summary, check_summary_set
from outputs.models import FileGroup, FileVote, GroupComment, OutputFile, OutputRequest, Review
from outputs.service_level import due_date, overdue_before
from projects.models import Proposal, TeamMember
from projects.proposal.selectors import count_of

REVIEWS_NEEDED = 2
# Requests on one page of the checkers' queue.
QUEUE_PER_PAGE = ROWS_PER_PAGE
# Oldest submission first.
QUEUE_ORDER = ("submitted_at", "pk")


def projects_joined(user):
    """Primary keys of the projects ``user`` has joined as an accepted team member."""
    return TeamMember.objects.filter(user=user, accepted_at__isnull=False).values("proposal_id")


def checking_open_filter(*, today=None):
    """Requests that may still be checked and released (``conditions.checking_open``): of an
    active project, or of an ended one when sent by its end date and the grace period after
    it is not over."""
    today = timezone.localdate() if today is None else today
    # Projects under way (active or ended) asked first as one list, which the index of
    # proposals by state answers: with only the "or" below the database read every proposal's
    # entry to find them.
    return Q(project__state__in=Proposal.UNDER_WAY) & (
        Q(project__state=Proposal.State.ACTIVE)
        | Q(
            project__state=Proposal.State.ENDED,
            submitted_at__date__lte=F("project__end_date"),
            project__end_date__gte=today - timedelta(days=settings.PROJECT_END_GRACE_DAYS),
        )
    )


def _waiting(user):
    """Requests waiting for output checkers that ``user`` may check now; none for someone
    without the output-checker role."""
    if not user_has_role(user, Role.OUTPUT_CHECKER):
        return OutputRequest.objects.none()
    return (
        OutputRequest.objects.filter(state__in=OutputRequest.IN_QUEUE)
        .filter(checking_open_filter())
        # Not of a project ``user`` works on. Asked as two conditions rather than one list of
        # their projects, which the database built by joining every proposal to its team.
        .exclude(project__coordinator=user)
        .exclude(project__in=projects_joined(user))
        .exclude(author=user)
    )


def checker_waiting(*, user):
    """The requests ``user`` may check now, oldest submission first, with project and author;
    none for someone without the output-checker role."""
    return _waiting(user).select_related("project", "author").order_by(*QUEUE_ORDER)


def checker_queue_summary(*, user, today=None):
    """How many requests wait for ``user`` to check (``waiting``) and how many of them are past
    the service level (``overdue``), in one query: the figures the queue and the dashboard
    show above the list."""
    return _summary(_waiting(user), today=today)


def _summary(waiting, *, today=None):
    return waiting.aggregate(
        waiting=Count("pk"),
        overdue=Count("pk", filter=Q(submitted_at__lt=overdue_before(today=today))),
    )


# What a row of the queue shows: the request's own columns and its project's, read without the
# author and the projects' long texts, which the page never shows.
_QUEUE_FIELDS = (
    "pk",
    "title",
    "state",
    "submitted_at",
    "returned_at",
    "project__title",
    "project__state",
    "project__end_date",
)


def checker_queue_page(*, user, number=None, today=None):
    """Page ``number`` of the requests ``user`` may check (``checker_waiting``: oldest
    submission first), with the queue's ``summary`` on it. Only the requests of the page carry
    ``file_count``, ``due``, ``overdue``, ``reviews_submitted`` and ``my_review_submitted``
    (in the current round), so a page costs the same few queries however long the queue."""
    # Built once for the figures and the page: a queryset this size takes longer to put
    # together than either query takes to run.
    waiting = _waiting(user)
    summary = _summary(waiting, today=today)
    requests = (
        waiting.select_related("project")
        .order_by(*QUEUE_ORDER)
        .only(*_QUEUE_FIELDS)
        .annotate(
            # Files as they are now: a replaced version is not counted.
            file_count=count_of(OutputFile.objects.filter(replaced_at=None), of="group__request")
        )
    )
    paginator = CountedPaginator(requests, QUEUE_PER_PAGE, count=summary["waiting"])
    page_obj = paginator.get_page(number)
    page_obj.object_list = _queue_rows(list(page_obj.object_list), user=user, today=today)
    page_obj.summary = summary
    return page_obj


def _queue_rows(requests, *, user, today=None):
    pks = [r.pk for r in requests]
    reviews_of = {}
    for review in Review.objects.filter(request__in=pks).values(
        "request", "round", "checker", "submitted_at"
    ):
        reviews_of.setdefault(review["request"], []).append(review)
    today = timezone.localdate() if today is None else today
    # Oldest first, a page's requests were mostly sent on a few days: each day's due date is
    # worked out once.
    due_by_day = {}
    for output_request in requests:
        own = reviews_of.get(output_request.pk, [])
        latest = max((r["round"] for r in own), default=None)
        current = [r for r in own if r["round"] == latest]
        returned_at = output_request.returned_at
        if returned_at and any(
            r["submitted_at"] and r["submitted_at"] <= returned_at for r in current
        ):
            current = []
        output_request.reviews_submitted = sum(1 for r in current if r["submitted_at"])
        output_request.my_review_submitted = any(
            r["checker"] == user.pk and r["submitted_at"] for r in current
        )
        day = timezone.localdate(output_request.submitted_at)
        if day not in due_by_day:
            due_by_day[day] = due_date(day)
        output_request.due = due_by_day[day]
        # As ``is_overdue``: past the due date.
        output_request.overdue = today > output_request.due
    return requests


def current_round(output_request: OutputRequest) -> int:
    """The review round now open: a return closes a round, and the next submission opens the
    next one. The first round is 1."""
    latest = output_request.reviews.aggregate(latest=Max("round"))["latest"]
    if latest is None:
        return 1
    returned_at = output_request.returned_at
    closed = returned_at is not None and (
        output_request.reviews.filter(round=latest, submitted_at__lte=returned_at).exists()
    )
    return latest + 1 if closed else latest


def checker_reviews_open(checker):
    """``checker``'s reviews not yet submitted in the round their request is in now: what the
    output-checker role gives, and taking it away ends."""
    reviews = Review.objects.filter(checker=checker, submitted_at__isnull=True).select_related(
        "request"
    )
    return [review for review in reviews if review.round == current_round(review.request)]


def current_files(output_request):
    """The request's files as they stand now (a replaced file's old row is left out)."""
    return OutputFile.objects.filter(group__request=output_request, replaced_at__isnull=True)


def round_reviews(output_request, round_number=None):
    round_number = current_round(output_request) if round_number is None else round_number
    return output_request.reviews.filter(round=round_number)


def files_not_approved_twice(output_request):
    """Current files without approvals from two checkers' submitted reviews this round."""
    round_number = current_round(output_request)
    return (
        current_files(output_request)
        .annotate(
            approvals=Count(
                "votes__review__checker",
                filter=Q(
                    votes__vote=FileVote.Vote.APPROVE,
                    votes__review__round=round_number,
                    votes__review__request=output_request,
                    votes__review__submitted_at__isnull=False,
                ),
                distinct=True,
            )
        )
        .filter(approvals__lt=REVIEWS_NEEDED)
    )


# A comment shows once the review it belongs to is submitted; one made after both reviews
# were in, while deciding, belongs to no review and shows at once.
_COMMENT_SHOWN = Q(review__isnull=True) | Q(review__submitted_at__isnull=False)


def groups_needing_public_comment(output_request):
    """Groups holding a file not approved by both checkers and no public comment this round."""
    round_number = current_round(output_request)
    unapproved = files_not_approved_twice(output_request).values("group")
    commented = (
        GroupComment.objects.filter(group__request=output_request, round=round_number, public=True)
        .filter(_COMMENT_SHOWN)
        .values("group")
    )
    return FileGroup.objects.filter(pk__in=unapproved).exclude(pk__in=commented)


APPROVAL_COMMENTS_NEEDED = {
    FAILED: "Say why this file is safe to release: its automated checks failed.",
    BY_EYE: (
        "Say what you checked by eye and why this file is safe to release: the automated "
        "checks could not check it."
    ),
    RUNNING: (
        "Say what you checked by eye and why this file is safe to release: its automated "
        "checks have not finished."
    ),
}


def approval_comment_needed(output_file: OutputFile) -> str:
    """Why approving ``output_file`` needs the checker's comment, or "" when its automated
    checks all passed."""
    return APPROVAL_COMMENTS_NEEDED.get(check_summary(output_file, output_file.checks.all()), "")


def review_page(*, output_request, user):
    """What the review page shows ``user``: groups, their current files with check results,
    this round's review of ``user``, their votes and comments, and the other checkers' votes
    and comments once ``user`` and both checkers have submitted."""
    round_number = current_round(output_request)
    reviews = list(
        output_request.reviews.filter(round=round_number).select_related("checker").order_by("pk")
    )
    mine = next((r for r in reviews if r.checker_id == user.pk), None)
    # The checker's votes from their earlier round: kept on each file unchanged since
    # (``review_services._votes_keep``), so the page offers them before the review starts.
    earlier = None
    earlier_votes = {}
    if round_number > 1:
        earlier = (
            Review.objects.filter(
                request=output_request,
                checker=user,
                round__lt=round_number,
                submitted_at__isnull=False,
            )
            .order_by("-round")
            .first()
        )
    if earlier is not None:
        earlier_votes = {vote.file_id: vote for vote in earlier.votes.all()}
    submitted = [r for r in reviews if r.submitted_at]
    all_in = len(submitted) >= REVIEWS_NEEDED
    visible_reviews = [r.pk for r in reviews if r.checker_id == user.pk or all_in]
    votes = list(
        FileVote.objects.filter(review__in=visible_reviews).select_related("review__checker")
    )
    comments = list(
        GroupComment.objects.filter(
            Q(review__in=visible_reviews)
            | Q(review__isnull=True, group__request=output_request, round=round_number)
        )
        .select_related("author")
        .order_by("created_at", "pk")
    )
    groups = list(
        output_request.groups.order_by("pk").prefetch_related(
            Prefetch(
                "files",
                queryset=OutputFile.objects.filter(replaced_at__isnull=True)
                .order_by("pk")
                .prefetch_related("checks"),
            )
        )
    )
    for group in groups:
        group.current_files = list(group.files.all())
        group.visible_comments = [c for c in comments if c.group_id == group.pk]
        for output_file in group.current_files:
            checks = list(output_file.checks.all())
            output_file.check_results = checks
            check_summary_set(output_file, checks)
            file_votes = [v for v in votes if v.file_id == output_file.pk]
            output_file.my_vote = next(
                (v for v in file_votes if mine and v.review_id == mine.pk), None
            )
            output_file.other_votes = [v for v in file_votes if not mine or v.review_id != mine.pk]
            output_file.kept_vote = None if mine else earlier_votes.get(output_file.pk)
            output_file.new_since_earlier = (
                earlier is not None and output_file.pk not in earlier_votes
            )
            output_file.approval_comment_needed = APPROVAL_COMMENTS_NEEDED.get(
                output_file.check_outcome, ""
            )
    return {
        "round": round_number,
        "groups": groups,
        "my_review": mine,
        "reviews": reviews,
        "submitted_reviews": submitted,
        "all_in": all_in,
        "earlier_round": earlier.round if earlier is not None else None,
    }


def public_comments(output_request):
    """The checkers' comments meant for the researcher, from submitted reviews, oldest first,
    each with its group and round: what the request's own page shows its author."""
    return (
        GroupComment.objects.filter(group__request=output_request, public=True)
        .filter(_COMMENT_SHOWN)
        .select_related("group")
        .order_by("round", "created_at", "pk")
    )

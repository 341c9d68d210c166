"""Every change the output checkers make to a request: votes, comments, reviews, decisions.

Each function locks the request, checks who is asking, writes the audit event and queues the
emails inside one ``transaction.atomic()``. Refusals: PermissionDenied for the wrong person,
``TransitionRefused`` with sentences for a step not possible yet, ``ValidationError`` for bad
input.

Taking the output-checker role away discards the checker's open reviews (``role_grants.py``);
reviews already submitted still count.
"""

from collections.abc import Mapping

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count
from django.http import HttpRequest
from django.utils import timezone

from audit.services import audit_record
from identity.roles import user_roles_forget
from outputs import conditions
from outputs.models import FileGroup, FileVote, GroupComment, OutputFile, OutputRequest, Review
from outputs.review.permissions import check_user_can_review
from outputs.review.selectors import REVIEWS_NEEDED, approval_comment_needed, current_round
from researchers.models import User
from researchers.permissions import check_user_can_manage_roles
from workflow.errors import TransitionRefused
from workflow.graph import sentence
from workflow.services import transition_fire

State = OutputRequest.State


def _lock(output_request: OutputRequest, by: User | None) -> OutputRequest:
    # The checker first, then the request, in the order taking a role away locks them, and the
    # checker's roles read again once locked: a step racing the role's removal either opens its
    # review first, for the removal to find and discard, or waits and finds the role gone.
    if by is not None:
        get_user_model().objects.select_for_update(no_key=True).get(pk=by.pk)
    user_roles_forget(by)
    return OutputRequest.objects.select_for_update().get(pk=output_request.pk)


def _check_checking_open(output_request: OutputRequest) -> None:
    """Votes and comments, like every checker's step, only while the request may be checked."""
    if not conditions.checking_open(output_request):
        raise TransitionRefused([sentence(conditions.checking_open)])


def _votes_keep(review: Review, *, by: User, request: HttpRequest | None = None) -> list[FileVote]:
    """Give ``review``, just started in a later round, ``by``'s votes and comments from their
    latest submitted review of this request on every file still as it was then: a replaced
    file is a new row, and a removed one is gone, so each of those needs a new vote. The
    checker may change a kept vote until they submit the review."""
    earlier = (
        Review.objects.filter(
            request_id=review.request_id,
            checker=by,
            round__lt=review.round,
            submitted_at__isnull=False,
        )
        .order_by("-round")
        .first()
    )
    if earlier is None:
        return []
    kept = FileVote.objects.bulk_create(
        [
            FileVote(review=review, file_id=vote.file_id, vote=vote.vote, comment=vote.comment)
            for vote in earlier.votes.filter(file__replaced_at__isnull=True).order_by("pk")
        ]
    )
    if kept:
        audit_record(
            actor=by,
            action="output_request.votes_kept",
            obj=review.request,
            payload={
                "round": review.round,
                "from_round": earlier.round,
                "votes": {str(vote.file_id): vote.vote for vote in kept},
            },
            request=request,
        )
    return kept


def _own_open_review(
    output_request: OutputRequest, by: User, request: HttpRequest | None = None
) -> Review:
    """``by``'s review of the current round, started now if need be (keeping their votes on
    files unchanged since their earlier round, ``_votes_keep``); refused once submitted, or
    when two other checkers already review this round."""
    if output_request.state not in OutputRequest.BEING_REVIEWED:
        raise TransitionRefused(
            [
                f"This output request is {output_request.get_state_display().lower()}, so "
                "reviews cannot be changed now."
            ]
        )
    round_number = current_round(output_request)
    review = Review.objects.filter(request=output_request, checker=by, round=round_number).first()
    if review is None:
        others = Review.objects.filter(request=output_request, round=round_number)
        if others.filter(submitted_at__isnull=False).count() >= REVIEWS_NEEDED:
            raise TransitionRefused(["Two checkers have already reviewed this request."])
        review = Review.objects.create(request=output_request, checker=by, round=round_number)
        if round_number > 1:
            _votes_keep(review, by=by, request=request)
    if review.submitted_at:
        raise TransitionRefused(["You have already submitted your review of this request."])
    return review


def file_vote_set(
    *,
    output_file: OutputFile,
    vote: str,
    comment: str | None = "",
    by: User,
    request: HttpRequest | None = None,
) -> FileVote:
    """Record ``by``'s vote (approve or request changes) on ``output_file`` in their review.

    Approving a file that the automated checks did not pass (one failed, could not run or
    could not decide, or the file's type has none) needs a comment: the checker's record of
    what they checked and why the file is safe (docs/policy.md, "Outputs the automated checks
    cannot check").
    """
    comment = (comment or "").strip()
    if vote not in FileVote.Vote.values:
        raise ValidationError({"vote": "Choose approve or request changes."})
    with transaction.atomic():
        output_request = _lock(output_file.group.request, by)
        check_user_can_review(by, output_request)
        _check_checking_open(output_request)
        output_file = OutputFile.objects.get(pk=output_file.pk)
        if output_file.replaced_at is not None:
            raise TransitionRefused(["This file has been replaced; vote on its new version."])
        if vote == FileVote.Vote.APPROVE and not comment:
            needed = approval_comment_needed(output_file)
            if needed:
                raise ValidationError({"comment": needed})
        review = _own_open_review(output_request, by, request)
        file_vote = _vote_record(review, output_file, vote, comment, by=by, request=request)
    return file_vote


def _vote_record(
    review: Review,
    output_file: OutputFile,
    vote: str,
    comment: str,
    *,
    by: User,
    request: HttpRequest | None,
) -> FileVote:
    file_vote, _ = FileVote.objects.update_or_create(
        review=review, file=output_file, defaults={"vote": vote, "comment": comment}
    )
    audit_record(
        actor=by,
        action="output_request.file_vote",
        obj=review.request,
        payload={"file": output_file.pk, "vote": vote, "round": review.round},
        request=request,
    )
    return file_vote


def group_review_save(
    *,
    group: FileGroup,
    votes: Mapping[int, tuple[str, str | None]],
    comment: str | None = "",
    public: bool = False,
    by: User,
    request: HttpRequest | None = None,
) -> list[FileVote]:
    """Save ``by``'s votes on the files of ``group`` and their comment on it, all at once.

    ``votes`` maps each file's primary key to ``(vote, comment)`` for the files given a vote;
    files left out keep what they had. Every vote is checked first, as ``file_vote_set``
    checks one, and nothing is saved while any is refused: the ValidationError names each
    problem by the group form's field (``vote_<file pk>``, ``comment_<file pk>``). A file
    replaced or removed since the page was read is refused with a sentence.
    """
    comment = (comment or "").strip()
    with transaction.atomic():
        output_request = _lock(group.request, by)
        check_user_can_review(by, output_request)
        _check_checking_open(output_request)
        # Started (or refused) first; a refused vote below rolls the start back with it.
        review = _own_open_review(output_request, by, request)
        files = {
            output_file.pk: output_file
            for output_file in OutputFile.objects.filter(
                group_id=group.pk, group__request=output_request, replaced_at__isnull=True
            ).prefetch_related("checks")
        }
        gone = [pk for pk in votes if pk not in files]
        if gone:
            raise TransitionRefused(
                [
                    "A file you voted on has been replaced or removed since you opened the "
                    "page: vote on the files as they are now."
                ]
            )
        errors: dict[str, str] = {}
        cleaned: dict[int, tuple[str, str]] = {}
        for pk, (vote, text) in votes.items():
            text = (text or "").strip()
            if vote not in FileVote.Vote.values:
                errors[f"vote_{pk}"] = f"Choose approve or request changes for {files[pk].name}."
                continue
            needed = approval_comment_needed(files[pk]) if vote == FileVote.Vote.APPROVE else ""
            if needed and not text:
                errors[f"comment_{pk}"] = f"{files[pk].name}: {needed}"
            cleaned[pk] = (vote, text)
        if errors:
            raise ValidationError(errors)
        saved = [
            _vote_record(review, files[pk], vote, text, by=by, request=request)
            for pk, (vote, text) in sorted(cleaned.items())
        ]
        if comment:
            _comment_record(
                output_request, group, comment, public, review=review, by=by, request=request
            )
    return saved


def group_comment_add(
    *,
    group: FileGroup,
    text: str | None,
    public: bool,
    by: User,
    request: HttpRequest | None = None,
) -> GroupComment:
    """Add ``by``'s comment on ``group``: private to the checkers, or public to the researcher.

    Checkers comment while reviewing (the comment belongs to their review and shows once it
    is submitted) and, once both reviews are in, before deciding: then any independent
    checker may comment, the one deciding included, so a request can always be returned with
    the public comments a return needs.
    """
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": "Enter a comment."})
    with transaction.atomic():
        output_request = _lock(group.request, by)
        check_user_can_review(by, output_request)
        _check_checking_open(output_request)
        review = None
        if output_request.state != State.REVIEWED:
            review = _own_open_review(output_request, by, request)
        return _comment_record(
            output_request, group, text, public, review=review, by=by, request=request
        )


def _comment_record(
    output_request: OutputRequest,
    group: FileGroup,
    text: str,
    public: bool,
    *,
    review: Review | None,
    by: User,
    request: HttpRequest | None,
) -> GroupComment:
    round_number = review.round if review is not None else current_round(output_request)
    comment = GroupComment.objects.create(
        review=review,
        author=by,
        round=round_number,
        group=group,
        text=text,
        public=bool(public),
    )
    audit_record(
        actor=by,
        action="output_request.group_comment",
        obj=output_request,
        payload={"group": group.pk, "public": bool(public), "round": round_number},
        request=request,
    )
    return comment


def review_submit(
    *, output_request: OutputRequest, by: User, request: HttpRequest | None = None
) -> OutputRequest:
    """Submit ``by``'s review: the first submitted review of a round fires
    ``record_first_review``, the second ``record_second_review``; the checkers are told when
    both are in. Every current file needs a vote first."""
    with transaction.atomic():
        output_request = _lock(output_request, by)
        check_user_can_review(by, output_request)
        review = _own_open_review(output_request, by, request)
        files = OutputFile.objects.filter(group__request=output_request, replaced_at__isnull=True)
        unvoted = files.exclude(votes__review=review)
        if unvoted.exists():
            names = ", ".join(f.name for f in unvoted.order_by("pk"))
            raise TransitionRefused([f"Vote on every file before submitting your review: {names}."])
        review.submitted_at = timezone.now()
        review.save(update_fields=["submitted_at"])
        submitted = Review.objects.filter(
            request=output_request, round=review.round, submitted_at__isnull=False
        ).count()
        transition = "record_first_review" if submitted == 1 else "record_second_review"
        output_request = transition_fire(
            obj=output_request,
            transition=transition,
            by=by,
            request=request,
            payload={"round": review.round},
        )
    return output_request


def _decide(
    *,
    output_request: OutputRequest,
    transition: str,
    by: User,
    request: HttpRequest | None,
    reasons: str,
) -> OutputRequest:
    with transaction.atomic():
        output_request = _lock(output_request, by)
        check_user_can_review(by, output_request)
        return transition_fire(
            obj=output_request,
            transition=transition,
            by=by,
            request=request,
            # Said to the author about their request, under their key (its audit_person_id).
            personal={"reasons": reasons} if reasons else None,
        )


def output_request_approve(
    *, output_request: OutputRequest, by: User, request: HttpRequest | None = None
) -> OutputRequest:
    """Approve a reviewed request: every current file has two checkers' approvals."""
    return _decide(
        output_request=output_request,
        transition="approve",
        by=by,
        request=request,
        reasons="",
    )


def output_request_return(
    *, output_request: OutputRequest, by: User, request: HttpRequest | None = None
) -> OutputRequest:
    """Return a reviewed request to its author for changes: every group with a file not
    approved by both checkers has a public comment saying what to change."""
    with transaction.atomic():
        locked = _lock(output_request, by)
        check_user_can_review(by, locked)
        return transition_fire(obj=locked, transition="return_to_author", by=by, request=request)


def output_request_reject(
    *,
    output_request: OutputRequest,
    reasons: str | None,
    by: User,
    request: HttpRequest | None = None,
) -> OutputRequest:
    """Reject a reviewed request, with reasons the author is told."""
    reasons = (reasons or "").strip()
    if not reasons:
        raise ValidationError({"reasons": "Say why the request is rejected."})
    return _decide(
        output_request=output_request,
        transition="reject",
        by=by,
        request=request,
        reasons=reasons,
    )


def reviews_open_discard(
    *, checker: User, by: User | None, request: HttpRequest | None = None
) -> list[Review]:
    """Discard ``checker``'s open reviews, with their votes and comments, now that they have lost
    the output-checker role: called inside the transaction that takes the role away.

    An open review is one not yet submitted, in the round a request is in now; a submitted
    review, and its votes, still count. Each discarded review is recorded in the audit trail,
    and its request waits in the queue for another checker.
    """
    with transaction.atomic():
        if by is not None:
            check_user_can_manage_roles(by)
        # Requests first, as every checker's step locks them, so a checker voting at this
        # moment either finishes first, and that vote is discarded here, or is refused.
        requests = (
            OutputRequest.objects.select_for_update()
            .filter(
                pk__in=Review.objects.filter(checker=checker, submitted_at__isnull=True).values(
                    "request_id"
                )
            )
            .order_by("pk")
        )
        discarded: list[Review] = []
        for output_request in requests:
            review = (
                Review.objects.filter(
                    request=output_request,
                    checker=checker,
                    round=current_round(output_request),
                    submitted_at__isnull=True,
                )
                .annotate(vote_count=Count("votes", distinct=True))
                .annotate(comment_count=Count("comments", distinct=True))
                .first()
            )
            if review is None:
                continue
            audit_record(
                actor=by,
                action="output_request.review_discarded",
                obj=output_request,
                payload={
                    "review": review.pk,
                    "checker": checker.pk,
                    "round": review.round,
                    "votes": review.vote_count,
                    "comments": review.comment_count,
                },
                request=request,
            )
            review.delete()
            discarded.append(review)
    return discarded


def votes_reset_for_file(
    output_file: OutputFile, *, by: User | None = None, request: HttpRequest | None = None
) -> int:
    """Forget the votes on ``output_file`` in reviews not yet submitted, because it changed;
    ``request_services.file_replace`` calls it when the author replaces the file.

    A replaced file is a new row, so its replacement starts with no votes anyway; this also
    clears votes given on the old row while a review is still open.
    """
    with transaction.atomic():
        deleted, _ = FileVote.objects.filter(
            file=output_file, review__submitted_at__isnull=True
        ).delete()
        if deleted:
            audit_record(
                actor=by,
                action="output_request.votes_reset",
                obj=output_file.group.request,
                payload={"file": output_file.pk, "votes": deleted},
                request=request,
            )
    return deleted

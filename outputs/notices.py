"""Who is told about each step of an output-checking request, from submission to release.

Registered in ``notifications.hooks`` by ``OutputsConfig.ready()``; the emails are
sent once the step has committed. Checkers on the request's project are never asked to check
it, since they may not.
"""

from django.contrib.auth import get_user_model
from django.db.models import Max
from django.urls import reverse

from identity.roles import Role
from notifications.hooks import Notice, notices_to
from projects.lifecycle.selectors import project_members

from .models import GroupComment, Review

REQUEST = "outputs.OutputRequest"


# Who


def _members(event):
    return project_members(event.instance.project)


def _author_and_coordinator(event):
    return [event.instance.author, event.instance.project.coordinator]


def _independent_checkers(event):
    """Output checkers who may check this request: active, and not on its project."""
    members = [user.pk for user in project_members(event.instance.project)]
    return list(
        get_user_model()
        .objects.filter(groups__name=Role.OUTPUT_CHECKER, is_active=True)
        .exclude(pk__in=members)
        .order_by("pk")
        .distinct()
    )


def _latest_round(output_request):
    return output_request.reviews.aggregate(latest=Max("round"))["latest"]


def _round_checkers(output_request, round_number):
    reviews = Review.objects.filter(request=output_request, round=round_number)
    return [review.checker for review in reviews.select_related("checker").order_by("pk")]


def _checkers_of_this_round(event):
    round_number = event.payload.get("round") or _latest_round(event.instance)
    return _round_checkers(event.instance, round_number)


def _second_checkers(event):
    """Every independent checker but the one whose review is already in."""
    reviewed = {user.pk for user in _checkers_of_this_round(event)}
    return [user for user in _independent_checkers(event) if user.pk not in reviewed]


def _checkers_who_returned_it(event):
    if event.from_state != "returned":
        return []
    return _round_checkers(event.instance, _latest_round(event.instance))


# Where


def _request_page(event):
    return reverse("outputs:output_request_detail", kwargs={"pk": event.instance.pk})


def _review_page(event):
    return reverse("outputs:review", kwargs={"pk": event.instance.pk})


def _released_page(event):
    return reverse("outputs:project_outputs", kwargs={"project_pk": event.instance.project_id})


def _queue_page(event):
    return reverse("outputs:queue")


# What


def _request(event):
    output_request = event.instance
    return {
        "output_request": output_request,
        "project": output_request.project,
        "resubmitted": bool(event.payload.get("resubmitted")),
        "reasons": event.payload.get("reasons", ""),
    }


def _returned(event):
    output_request = event.instance
    comments = (
        GroupComment.objects.filter(
            group__request=output_request, public=True, round=_latest_round(output_request) or 1
        )
        .select_related("group")
        .order_by("group__pk", "created_at", "pk")
    )
    return {**_request(event), "comments": [(c.group.name, c.text) for c in comments]}


_to_author = notices_to(
    "author", link=_request_page, action_text="See your request", context=_request
)


NOTICES = {
    (REQUEST, "submit"): (
        Notice(
            to=_independent_checkers,
            subject="An output request is waiting for checking",
            template="output_request_submitted",
            link=_review_page,
            action_text="Check the request",
            asks=True,
            context=_request,
            summary="Two independent checkers must review every file.",
        ),
        _to_author(
            "Your output request has been sent for checking",
            "output_request_sent",
            summary="Two output checkers will review it, normally within 5 working days.",
            tell_actor=True,
        ),
    ),
    (REQUEST, "record_first_review"): Notice(
        to=_second_checkers,
        subject="An output request needs a second check",
        template="output_request_second_check",
        link=_review_page,
        action_text="Check the request",
        asks=True,
        context=_request,
        summary="One checker has reviewed it. It needs a second, independent review.",
    ),
    (REQUEST, "record_second_review"): Notice(
        to=_checkers_of_this_round,
        subject="Both reviews are in for an output request",
        template="output_reviews_in",
        link=_review_page,
        action_text="Decide on the request",
        asks=True,
        context=_request,
        summary="See each other's votes, then approve, return or reject it.",
    ),
    (REQUEST, "approve"): _to_author(
        "Your output request has been approved",
        "output_request_approved",
        summary="A checker will release it to your project.",
    ),
    (REQUEST, "return_to_author"): _to_author(
        "Your output request has been returned for changes",
        "output_request_returned",
        summary="Change the files the checkers mention and submit it again.",
        context=_returned,
        action_text="See what to change",
        asks=True,
    ),
    (REQUEST, "reject"): _to_author(
        "Your output request has been rejected",
        "output_request_rejected",
        summary="Nothing in it will be released. Read the checkers' reasons.",
    ),
    (REQUEST, "release"): Notice(
        to=_members,
        subject="Your outputs have been released",
        template="outputs_released",
        link=_released_page,
        action_text="Download your outputs",
        context=_request,
        summary="Download them, then record where you publish them.",
    ),
    (REQUEST, "lapse"): Notice(
        to=_author_and_coordinator,
        subject="Your output request has been closed unreleased",
        template="output_request_lapsed",
        link=_request_page,
        action_text="See your request",
        context=_request,
        summary="The project has ended and the grace period for checking is over.",
    ),
    (REQUEST, "withdraw"): Notice(
        to=_checkers_who_returned_it,
        subject="An output request you returned has been withdrawn",
        template="output_request_withdrawn",
        link=_queue_page,
        action_text="See the checking queue",
        context=_request,
        summary="You do not need to check it again.",
    ),
}

"""The output checkers' pages: their queue and the review of one request. Each gets its objects
through a selector, calls one service and turns a refusal into words on the page."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.views.decorators.http import require_http_methods

from researchers.permissions import role_required
from researchers.roles import Role
from workflow.errors import TransitionRefused
from workflow.graph import sentence
from workflow.services import unmet_conditions

from . import conditions
from . import review_selectors as selectors
from . import review_services as services
from .models import FileGroup, OutputFile, OutputRequest
from .release_permissions import user_can_release
from .review_forms import CommentForm, RejectForm, VoteForm
from .review_permissions import user_can_review

State = OutputRequest.State
FILE_CHECKS = "outputs:file_checks"
DONE = {
    "vote": "Your vote has been saved.",
    "comment": "Your comment has been added.",
    "submit": "Your review has been submitted.",
    "approve": "The request has been approved.",
    "return": "The request has been returned to the researcher.",
    "reject": "The request has been rejected.",
}


@role_required(Role.OUTPUT_CHECKER)
def queue(request):
    return render(
        request,
        "outputs/review/queue.html",
        {
            "requests": selectors.checker_queue(user=request.user),
            "service_level_days": settings.OUTPUT_SERVICE_LEVEL_WORKING_DAYS,
        },
    )


def _request_for_checker(pk, user):
    output_request = get_object_or_404(
        OutputRequest.objects.select_related("project", "author"), pk=pk
    )
    if not user_can_review(output_request, user) or output_request.submitted_at is None:
        # A checker on the project, or its author, is not told the request exists; nor is any
        # checker told of a draft never submitted.
        raise Http404
    return output_request


def _file_checks_url_name():
    """The table view of a file's flagged cells, where it exists."""
    try:
        reverse(FILE_CHECKS, kwargs={"file_pk": 1})
    except NoReverseMatch:
        return None
    return FILE_CHECKS


def _put_on_form(form, error):
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error)


def _run(action, form, output_request, request):
    by = request.user
    data = form.cleaned_data if form is not None else {}
    if action == "vote":
        output_file = get_object_or_404(OutputFile, pk=data["file"], group__request=output_request)
        services.file_vote_set(
            output_file=output_file,
            vote=data["vote"],
            comment=data["comment"],
            by=by,
            request=request,
        )
    elif action == "comment":
        group = get_object_or_404(FileGroup, pk=data["group"], request=output_request)
        services.group_comment_add(
            group=group, text=data["text"], public=data["public"], by=by, request=request
        )
    elif action == "submit":
        services.review_submit(output_request=output_request, by=by, request=request)
    elif action == "approve":
        services.output_request_approve(output_request=output_request, by=by, request=request)
    elif action == "return":
        services.output_request_return(output_request=output_request, by=by, request=request)
    elif action == "reject":
        services.output_request_reject(
            output_request=output_request, reasons=data["reasons"], by=by, request=request
        )


@role_required(Role.OUTPUT_CHECKER)
@require_http_methods(["GET", "POST"])
def review(request, pk):
    output_request = _request_for_checker(pk, request.user)
    action = request.POST.get("action") if request.method == "POST" else None
    data = request.POST if request.method == "POST" else None
    forms = {
        "vote": VoteForm(data if action == "vote" else None, prefix="vote"),
        "comment": CommentForm(data if action == "comment" else None, prefix="comment"),
        "reject": RejectForm(data if action == "reject" else None, prefix="reject"),
    }
    refusals = []
    if action is not None:
        form = forms.get(action)
        if action not in DONE:
            refusals = ["Choose what to do with the request."]
        elif form is None or form.is_valid():
            try:
                _run(action, form, output_request, request)
            except TransitionRefused as refused:
                refusals = refused.reasons
            except ValidationError as error:
                if form is None:
                    refusals = error.messages
                else:
                    _put_on_form(form, error)
            else:
                messages.success(request, DONE[action])
                return redirect("outputs:review", pk=output_request.pk)
    if action is not None:
        # A step refused, or a form with errors: show the request as it stands now, read afresh
        # rather than reloaded in place, which is not safe with other threads reloading at once.
        output_request = _request_for_checker(pk, request.user)
    page = selectors.review_page(output_request=output_request, user=request.user)
    # After an ended project's grace period nothing more can be checked: the page says why.
    checking_open = conditions.checking_open(output_request)
    in_checking = output_request.state in OutputRequest.IN_CHECKING
    reviewed = output_request.state == State.REVIEWED and checking_open
    return render(
        request,
        "outputs/review/review.html",
        {
            "output_request": output_request,
            **page,
            "checking_closed": []
            if checking_open or not in_checking
            else [sentence(conditions.checking_open)],
            "in_grace": checking_open
            and in_checking
            and output_request.project.state == output_request.project.State.ENDED,
            "reviewing": checking_open
            and output_request.state in services.REVIEWING
            and not (page["my_review"] and page["my_review"].submitted_at),
            "deciding": reviewed,
            "can_release": checking_open
            and output_request.state == State.APPROVED
            and user_can_release(output_request, request.user),
            "approve_reasons": unmet_conditions(output_request, "approve") if reviewed else [],
            "return_reasons": unmet_conditions(output_request, "return_to_author")
            if reviewed
            else [],
            "refusals": refusals,
            "file_checks_url_name": _file_checks_url_name(),
            "posted_action": action,
            "vote_form": forms["vote"],
            "comment_form": forms["comment"],
            "reject_form": forms["reject"],
        },
    )

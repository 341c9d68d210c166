"""The output checkers' pages: their queue and the review of one request. Each gets its objects
through a selector, calls one service and turns a refusal into words on the page."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.functional import SimpleLazyObject
from django.views.decorators.http import require_GET, require_http_methods

from audit.kept import kept_for_staff
from govuk.links import url_for_ids
from identity.permissions import role_required
from identity.roles import Role
from outputs import conditions
from outputs.models import FileGroup, OutputRequest
from outputs.release.permissions import user_can_release
from outputs.review import selectors as selectors
from outputs.review import services as services
from outputs.review.forms import GroupReviewForm, RejectForm
from outputs.review.permissions import check_user_can_open_review
from workflow.confirm import confirmation_due, confirmation_page
from workflow.errors import TransitionRefused
from workflow.graph import sentence
from workflow.services import unmet_conditions

State = OutputRequest.State
FILE_CHECKS = "outputs:file_checks"
DONE = {
    "group": "Your votes and comments on {group} have been saved.",
    "submit": "Your review has been submitted.",
    "approve": "The request has been approved.",
    "return": "The request has been returned to the researcher.",
    "reject": "The request has been rejected.",
}


@role_required(Role.OUTPUT_CHECKER)
def queue(request):
    user, number = request.user, request.GET.get("page")

    def listing():
        page_obj = selectors.checker_queue_page(user=user, number=number)
        # One reverse for the page's links rather than one a row.
        review_url = url_for_ids("outputs:review")
        for output_request in page_obj.object_list:
            output_request.review_url = review_url(output_request.pk)
        return {
            "page_obj": page_obj,
            "requests": page_obj.object_list,
            "summary": page_obj.summary,
        }

    return render(
        request,
        "outputs/review/queue.html",
        {
            # Read only when the checker's page is not kept already. Each checker's queue is
            # their own (it leaves out the projects they work on), so it is kept for them alone.
            "listing": SimpleLazyObject(listing),
            "listing_kept": kept_for_staff(
                "outputs.outputrequest", "projects.proposal", vary=(user.pk, number)
            ),
            "service_level_days": settings.OUTPUT_SERVICE_LEVEL_WORKING_DAYS,
        },
    )


def _request_for_checker(pk, user):
    output_request = get_object_or_404(
        OutputRequest.objects.select_related("project", "author"), pk=pk
    )
    check_user_can_open_review(user, output_request)
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


def _rejection_confirmation(request, output_request, reasons):
    author = output_request.author.get_full_name()
    return confirmation_page(
        request,
        caption=output_request.project.title,
        title=f"Reject “{output_request}”?",
        consequences=[
            "The request is closed: nothing in it is released, and it cannot be returned for "
            "changes or approved after this.",
            f"{author} is told your reasons: {reasons}",
            "To take any of its outputs out of the secure setting, they must send them in a new "
            "request, which is checked afresh.",
        ],
        confirm_label="Yes, reject the request",
        cancel_url=reverse("outputs:review", kwargs={"pk": output_request.pk}),
    )


def _steps(output_request, page):
    """What the checker may do on the page now."""
    # After an ended project's grace period nothing more can be checked: the page says why.
    checking_open = conditions.checking_open(output_request)
    return {
        "checking_open": checking_open,
        "reviewing": checking_open
        and output_request.state in OutputRequest.BEING_REVIEWED
        and not (page["my_review"] and page["my_review"].submitted_at),
        "deciding": output_request.state == State.REVIEWED and checking_open,
    }


def _group_save(form, group, voting, request):
    data = form.cleaned_data
    if voting:
        services.group_review_save(
            group=group,
            votes=form.votes(),
            comment=data["text"],
            public=data["public"],
            by=request.user,
            request=request,
        )
    else:
        services.group_comment_add(
            group=group, text=data["text"], public=data["public"], by=request.user, request=request
        )


def _group_forms(page, steps, posted):
    """One form per group while the checker may vote or comment, each file's vote and comment
    given as they stand (their own vote this round, or the one kept from their earlier round);
    the form just posted, with what was entered, where it was refused."""
    voting = steps["reviewing"]
    for group in page["groups"]:
        group.form = None
        if not (voting or steps["deciding"]):
            continue
        if posted is not None and posted.group.pk == group.pk:
            group.form = posted
        else:
            initial = {}
            for output_file in group.current_files:
                vote = output_file.my_vote or output_file.kept_vote
                if vote is not None:
                    initial[f"vote_{output_file.pk}"] = vote.vote
                    initial[f"comment_{output_file.pk}"] = vote.comment
            group.form = GroupReviewForm(
                initial=initial, group=group, files=group.current_files, voting=voting
            )
        for output_file in group.current_files:
            if f"vote_{output_file.pk}" in group.form.fields:
                output_file.vote_field, output_file.comment_field = group.form.bound_fields_for(
                    output_file
                )


@role_required(Role.OUTPUT_CHECKER)
@require_GET
def review(request, pk):
    return _review_page(request, _request_for_checker(pk, request.user))


@role_required(Role.OUTPUT_CHECKER)
@require_http_methods(["GET", "POST"])
def review_group(request, pk, group_pk):
    """A checker's votes and comments on one group of files (or, once voting is over, a
    comment alone)."""
    output_request = _request_for_checker(pk, request.user)
    group = get_object_or_404(FileGroup, pk=group_pk, request=output_request)
    if request.method == "GET":
        # The address a form posts to, opened again (a reload, a bookmark): the page itself.
        return redirect(_review_url(output_request, group))
    page = selectors.review_page(output_request=output_request, user=request.user)
    voting = _steps(output_request, page)["reviewing"]
    files = next((g.current_files for g in page["groups"] if g.pk == group.pk), [])
    form = GroupReviewForm(request.POST, group=group, files=files, voting=voting)
    refusals = []
    if form.is_valid():
        try:
            _group_save(form, group, voting, request)
        except TransitionRefused as refused:
            refusals = refused.reasons
        except ValidationError as error:
            _put_on_form(form, error)
        else:
            messages.success(request, DONE["group"].format(group=group.name))
            # Back to the group the checker was working on, not the top of the page.
            return redirect(_review_url(output_request, group))
    return _review_page(
        request, _request_for_checker(pk, request.user), refusals=refusals, group_form=form
    )


def _review_url(output_request, group=None):
    url = reverse("outputs:review", kwargs={"pk": output_request.pk})
    return f"{url}#group-{group.pk}" if group is not None else url


def _step(request, pk, *, done, fire, form=None, confirm=None):
    """Take one step on the request: ``fire(output_request, data)`` calls its service once
    ``form`` (if any) is valid and, where ``confirm`` makes a confirmation page, the checker has
    confirmed. A refusal or a form in error shows the page again with the reasons."""
    output_request = _request_for_checker(pk, request.user)
    if request.method == "GET":
        # The address a button posts to, opened again (a reload, a bookmark): the page itself.
        return redirect(_review_url(output_request))
    refusals = []
    if form is None or form.is_valid():
        data = form.cleaned_data if form is not None else {}
        if confirm is not None:
            confirmation = confirm(output_request, data)
            if confirmation is not None:
                return confirmation
        try:
            fire(output_request, data)
        except TransitionRefused as refused:
            refusals = refused.reasons
        except ValidationError as error:
            if form is None:
                refusals = error.messages
            else:
                _put_on_form(form, error)
        else:
            messages.success(request, done)
            return redirect(_review_url(output_request))
    # Shown as the request stands now, read afresh rather than reloaded in place, which is not
    # safe with other threads reloading at once.
    return _review_page(
        request, _request_for_checker(pk, request.user), refusals=refusals, reject_form=form
    )


def _step_view(service, done):
    """The view of a step that needs nothing but the checker's press: ``service`` is called
    with the request and the checker."""

    @role_required(Role.OUTPUT_CHECKER)
    @require_http_methods(["GET", "POST"])
    def view(request, pk):
        return _step(
            request,
            pk,
            done=done,
            fire=lambda output_request, data: service(
                output_request=output_request, by=request.user, request=request
            ),
        )

    return view


review_submit = _step_view(services.review_submit, DONE["submit"])
output_request_approve = _step_view(services.output_request_approve, DONE["approve"])
output_request_return = _step_view(services.output_request_return, DONE["return"])


@role_required(Role.OUTPUT_CHECKER)
@require_http_methods(["GET", "POST"])
def output_request_reject(request, pk):
    def confirm(output_request, data):
        if confirmation_due(request, output_request, "reject", chosen="reject"):
            return _rejection_confirmation(request, output_request, data["reasons"])
        return None

    return _step(
        request,
        pk,
        done=DONE["reject"],
        form=RejectForm(request.POST, prefix="reject"),
        confirm=confirm,
        fire=lambda output_request, data: services.output_request_reject(
            output_request=output_request, reasons=data["reasons"], by=request.user, request=request
        ),
    )


def _review_page(request, output_request, *, refusals=(), group_form=None, reject_form=None):
    """The review page of ``output_request``: its groups with a form each while the checker
    may vote or comment, and the steps open to them; with the refusals and the form in error of
    a step just posted, what was entered kept."""
    if reject_form is None:
        reject_form = RejectForm(prefix="reject")
    page = selectors.review_page(output_request=output_request, user=request.user)
    steps = _steps(output_request, page)
    _group_forms(page, steps, group_form)
    checking_open = steps["checking_open"]
    in_checking = output_request.state in OutputRequest.IN_CHECKING
    reviewed = steps["deciding"]
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
            "reviewing": steps["reviewing"],
            "deciding": reviewed,
            "can_release": checking_open
            and output_request.state == State.APPROVED
            and user_can_release(request.user, output_request),
            "approve_reasons": unmet_conditions(output_request, "approve") if reviewed else [],
            "return_reasons": unmet_conditions(output_request, "return_to_author")
            if reviewed
            else [],
            "refusals": list(refusals),
            "file_checks_url_name": _file_checks_url_name(),
            "group_form": group_form,
            "reject_form": reject_form,
        },
    )

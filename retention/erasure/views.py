"""A person's page to ask for their data to be erased, and the secretariat's queue of requests
and decision page."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from govuk.forms import form_errors_add
from identity.permissions import role_required
from identity.roles import Role
from workflow.errors import TransitionRefused

from ..services import schedule_current
from . import selectors, services
from .forms import ErasureAskForm, ErasureDecideForm
from .holdings import anything_kept, holdings_assess


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def erasure_request(request):
    own = selectors.erasure_requests_own(person=request.user)
    waiting = next((erasure for erasure in own if erasure.state in erasure.OPEN), None)
    form = ErasureAskForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            erasure = services.erasure_request_create(
                person=request.user, reason=form.cleaned_data["reason"], request=request
            )
        except ValidationError as error:
            form_errors_add(form, error)
        else:
            messages.success(
                request,
                f"We have your request ({erasure.reference}). The secretariat will decide it "
                "and tell you what was erased and, for anything kept, why.",
            )
            return redirect("retention:erasure_request")
    return render(
        request,
        "retention/erasure_request.html",
        {"form": form, "requests": own, "waiting": waiting},
    )


@login_required
@require_http_methods(["GET", "POST"])
def erasure_withdraw(request, pk):
    if request.method != "POST":
        # Opened (a reload, a bookmark): the button is on the request page.
        return redirect("retention:erasure_request")
    erasure = selectors.erasure_request_get(pk=pk)
    if erasure.person_id != request.user.pk:
        raise PermissionDenied("Only the person who asked can withdraw a request.")
    try:
        services.erasure_request_withdraw(erasure=erasure, by=request.user, request=request)
    except TransitionRefused as refused:
        messages.error(request, " ".join(refused.reasons))
    else:
        messages.success(request, f"You have withdrawn request {erasure.reference}.")
    return redirect("retention:erasure_request")


@role_required(Role.SECRETARIAT)
@require_http_methods(["GET"])
def erasure_queue(request):
    return render(
        request,
        "retention/erasure_queue.html",
        {
            "waiting": selectors.erasure_requests_open(),
            "decided": selectors.erasure_requests_decided(),
        },
    )


@never_cache
@role_required(Role.SECRETARIAT)
@require_http_methods(["GET", "POST"])
def erasure_decide(request, pk):
    erasure = selectors.erasure_request_get(pk=pk)
    form = ErasureDecideForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and erasure.state in erasure.OPEN and form.is_valid():
        try:
            erasure = services.erasure_request_decide(
                erasure=erasure,
                decision=form.cleaned_data["decision"],
                reason=form.cleaned_data["reason"],
                by=request.user,
                request=request,
            )
        except ValidationError as error:
            form_errors_add(form, error)
        except TransitionRefused as refused:
            form.add_error(None, refused.reasons)
        else:
            messages.success(
                request, f"Request {erasure.reference}: {erasure.get_state_display().lower()}."
            )
            return redirect("retention:erasure_decide", pk=erasure.pk)
    if erasure.state in erasure.OPEN:
        found = holdings_assess(person=erasure.person, schedule=schedule_current())
        assessment = [held.as_json() for held in found]
        kept = anything_kept(found)
    else:
        assessment = erasure.assessment
        kept = any(held["kept"] for held in assessment)
    return render(
        request,
        "retention/erasure_decide.html",
        {"erasure": erasure, "form": form, "assessment": assessment, "kept": kept},
    )

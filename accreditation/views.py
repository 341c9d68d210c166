"""Accreditation pages: each gets its object through a selector, calls one service, and turns
the service's refusal into words on the page (TransitionRefused), a form error
(ValidationError) or a 403 (TransitionNotPermitted, a PermissionDenied)."""

from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import SimpleLazyObject
from django.views.decorators.http import require_http_methods

from audit.kept import kept_for_staff
from govuk.links import url_for_ids
from govuk.paging import ROWS_PER_PAGE
from govuk.rows import short_date
from identity.permissions import role_required
from identity.roles import Role
from researchers.declaration.selectors import declaration_latest_signed
from workflow.confirm import confirmation_due, confirmation_page
from workflow.errors import TransitionRefused
from workflow.graph import sentence
from workflow.services import available_transitions, user_may_fire

from . import conditions, selectors, services
from .forms import (
    ApplicationForm,
    ApproveForm,
    OptionalReasonsForm,
    ReasonsForm,
    ReturnForm,
    ScreeningForm,
)
from .models import Accreditation, AccreditationApplication
from .permissions import check_user_is_named_supervisor, user_can_edit_application
from .task_list import application_task_list

State = AccreditationApplication.State
APPLICATIONS_PER_PAGE = ROWS_PER_PAGE


def _posted(request):
    return request.POST if request.method == "POST" else None


def _put_on_form(form, error):
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error)


# The applicant


def _editable_by(application, user):
    """Whether ``user`` may change ``application`` now: its applicant, while it is a draft or
    returned for changes."""
    return application.state in AccreditationApplication.EDITABLE and user_can_edit_application(
        user, application
    )


def _application_page(request, *, refusals=(), status=200):
    user = request.user
    application = selectors.application_open_for(user) or selectors.application_latest_for(user)
    accreditation = selectors.accreditation_latest_for(user)
    editable = application is not None and _editable_by(application, user)
    context = {
        "application": application,
        "accreditation": accreditation,
        "active": selectors.accreditation_active_for(user),
        "editable": editable,
        "tasks": application_task_list(application) if editable else [],
        "can_withdraw": application is not None and user_may_fire(application, "withdraw", user),
        "can_start": application is None or application.state not in AccreditationApplication.OPEN,
        "renewable": selectors.renewable_accreditation_for(user),
        "to_supervise": list(selectors.applications_to_supervise(user)),
        "standing": selectors.Standing(
            accreditation=accreditation, application=application, today=timezone.localdate()
        ),
        "refusals": list(refusals),
    }
    context["ready"] = editable and all(task.done for task in context["tasks"])
    return render(request, "accreditation/application_detail.html", context, status=status)


@login_required
def application_detail(request):
    return _application_page(request)


@login_required
@require_http_methods(["GET", "POST"])
def application_start(request):
    if selectors.application_open_for(request.user) is not None:
        return redirect("accreditation:application_detail")
    errors = []
    if request.method == "POST":
        try:
            services.application_start(by=request.user, request=request)
        except ValidationError as error:
            errors = error.messages
        else:
            messages.success(request, "Your application has been started.")
            return redirect("accreditation:application_detail")
    return render(
        request,
        "accreditation/application_start.html",
        {
            "refusals": errors,
            "renewable": selectors.renewable_accreditation_for(request.user),
            # A suspended or revoked researcher is told where they stand before anything else.
            "accreditation": selectors.accreditation_latest_for(request.user),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def application_renew(request):
    if selectors.application_open_for(request.user) is not None:
        return redirect("accreditation:application_detail")
    renewable = selectors.renewable_accreditation_for(request.user)
    errors = []
    if request.method == "POST":
        try:
            services.application_renew(by=request.user, request=request)
        except ValidationError as error:
            errors = error.messages
        else:
            messages.success(
                request,
                "Your renewal application has been started. Your profile, qualifications and "
                "training have been carried over: check they are up to date.",
            )
            return redirect("accreditation:application_detail")
    return render(
        request,
        "accreditation/application_renew.html",
        {"refusals": errors, "renewable": renewable},
    )


@login_required
@require_http_methods(["GET", "POST"])
def application_edit(request):
    application = selectors.application_open_for(request.user)
    if application is None:
        return redirect("accreditation:application_detail")
    if not _editable_by(application, request.user):
        messages.error(
            request,
            "Your application has been sent to the secretariat, so it cannot be changed now.",
        )
        return redirect("accreditation:application_detail")
    initial = {
        "kind": application.kind,
        "supervisor_email": application.supervisor.email if application.supervisor else "",
        "register_consent": application.register_consent,
        "publish_commitment": application.publish_commitment,
    }
    form = ApplicationForm(_posted(request), initial=initial)
    if form.is_bound and form.is_valid():
        try:
            services.application_update(
                application=application, by=request.user, request=request, **form.cleaned_data
            )
        except ValidationError as error:
            _put_on_form(form, error)
        else:
            messages.success(request, "Your application has been saved.")
            return redirect("accreditation:application_detail")
    return render(
        request,
        "accreditation/application_edit.html",
        {"form": form, "application": application},
    )


@login_required
@require_http_methods(["GET", "POST"])
def application_submit(request):
    if request.method == "GET":
        return redirect("accreditation:application_detail")
    application = selectors.application_open_for(request.user)
    if application is None:
        return _application_page(
            request, refusals=["You have no application in progress to submit."]
        )
    try:
        services.application_submit(application=application, by=request.user, request=request)
    except TransitionRefused as refused:
        return _application_page(request, refusals=refused.reasons)
    messages.success(
        request,
        "Your application has been sent to the secretariat. We will email you when it has been "
        "decided.",
    )
    return redirect("accreditation:application_detail")


@login_required
@require_http_methods(["GET", "POST"])
def application_withdraw(request):
    application = selectors.application_open_for(request.user)
    if application is None:
        return redirect("accreditation:application_detail")
    refusals = []
    if request.method == "POST":
        try:
            services.application_withdraw(application=application, by=request.user, request=request)
        except TransitionRefused as refused:
            refusals = refused.reasons
        else:
            messages.success(request, "Your application has been withdrawn.")
            return redirect("accreditation:application_detail")
    return render(
        request,
        "accreditation/application_withdraw.html",
        {"application": application, "refusals": refusals},
    )


# The supervisor


@login_required
@require_http_methods(["GET", "POST"])
def supervision(request, pk):
    application = selectors.application_get(pk=pk)
    check_user_is_named_supervisor(request.user, application)
    errors = []
    if request.method == "POST":
        answer = request.POST.get("answer")
        step = {
            "confirm": services.supervision_confirm,
            "decline": services.supervision_decline,
        }.get(answer)
        if step is None:
            errors = ["Select whether you will supervise this researcher."]
        else:
            try:
                step(application=application, by=request.user, request=request)
            except ValidationError as error:
                errors = error.messages
            else:
                applicant = application.applicant.get_full_name()
                messages.success(
                    request,
                    f"You have confirmed you will supervise {applicant}."
                    if answer == "confirm"
                    else f"You have declined to supervise {applicant}.",
                )
                return redirect("accreditation:supervision", pk=application.pk)
    return render(
        request,
        "accreditation/supervision.html",
        {
            "application": application,
            "applicant": application.applicant,
            "supervisor_accreditation": selectors.accreditation_active_for(request.user),
            "refusals": errors,
        },
    )


# The secretariat


@dataclass(frozen=True)
class ListedApplication:
    """One row of the secretariat's list: the application and what its cells show, worked out
    here once a row rather than by template tags and filters."""

    application: AccreditationApplication
    url: str
    applicant: str
    organisation: str
    kind: str
    sent: str


def _listed(applications):
    screen = url_for_ids("accreditation:screen")
    rows = []
    for application in applications:
        profile = getattr(application.applicant, "profile", None)
        organisation = profile.organisation if profile is not None else None
        organisation = organisation.name if organisation is not None else ""
        rows.append(
            ListedApplication(
                application=application,
                url=screen(application.pk),
                applicant=application.applicant.get_full_name(),
                organisation=organisation or "Not given",
                kind=application.get_kind_display() or "Not chosen",
                sent=short_date(application.submitted_at) or "Not sent",
            )
        )
    return rows


@role_required(Role.SECRETARIAT)
def queue(request):
    states = [value for value in request.GET.getlist("state") if value in State.values]
    number = request.GET.get("page")

    def listing():
        applications = selectors.applications_queue_listed(states=states or None)
        page_obj = Paginator(applications, APPLICATIONS_PER_PAGE).get_page(number)
        applications = list(page_obj.object_list)
        return {"page_obj": page_obj, "applications": applications, "rows": _listed(applications)}

    return render(
        request,
        "accreditation/queue.html",
        {
            # Read only when the page's list is not kept already.
            "listing": SimpleLazyObject(listing),
            "listing_kept": kept_for_staff(
                "accreditation.accreditationapplication", vary=(sorted(states), number)
            ),
            "states": State.choices,
            "chosen_states": states or [State.SUBMITTED],
        },
    )


def _screen_forms(application, data=None, action=None):
    def bound(name):
        return data if action == name else None

    return {
        "screening_form": ScreeningForm(
            bound("screen"),
            application=application,
            prefix="screen",
            initial={"checks": [k for k, v in (application.screening or {}).items() if v]},
        ),
        "return_form": ReturnForm(bound("return"), prefix="return"),
        "approve_form": ApproveForm(
            bound("approve"), prefix="approve", initial={"level": application.kind or None}
        ),
        "reject_form": ReasonsForm(
            bound("reject"),
            prefix="reject",
            required_message="Enter the reasons for rejecting the application",
        ),
    }


def _screen_step(request, application, action, form):
    by = request.user
    if action == "screen":
        services.application_screen(
            application=application, checks=form.cleaned_data["checks"], by=by, request=request
        )
        return "Screening checks saved."
    if action == "return":
        services.application_return(
            application=application,
            comments=form.cleaned_data["comments"],
            by=by,
            request=request,
        )
        return "The application has been returned to the applicant."
    if action == "approve":
        accreditation = services.application_approve(
            application=application,
            level=form.cleaned_data["level"],
            reasons=form.cleaned_data["reasons"],
            by=by,
            request=request,
        )
        return (
            f"The application has been approved: {accreditation.get_level_display().lower()} "
            f"accreditation until {accreditation.valid_until:%-d %B %Y}."
        )
    services.application_reject(
        application=application, reasons=form.cleaned_data["reasons"], by=by, request=request
    )
    return "The application has been rejected."


@role_required(Role.SECRETARIAT)
@require_http_methods(["GET", "POST"])
def screen(request, pk):
    application = selectors.application_get(pk=pk)
    action = request.POST.get("action") if request.method == "POST" else None
    forms = _screen_forms(application, _posted(request), action)
    form = forms.get(f"{action}_form" if action != "screen" else "screening_form")
    refusals = []
    if request.method == "POST" and form is None:
        refusals = ["Choose what to do with the application."]
    elif form is not None and form.is_valid():
        if confirmation_due(request, application, "reject", chosen=action):
            applicant = application.applicant.get_full_name()
            return confirmation_page(
                request,
                caption=applicant,
                title=f"Reject {applicant}'s application?",
                consequences=[
                    "The application is closed: it cannot be returned for changes or approved "
                    "after this.",
                    f"{applicant} is told your reasons: {form.cleaned_data['reasons']}",
                    "They may apply again with a new application.",
                ],
                confirm_label="Yes, reject the application",
                cancel_url=reverse("accreditation:screen", kwargs={"pk": application.pk}),
            )
        try:
            message = _screen_step(request, application, action, form)
        except TransitionRefused as refused:
            refusals = refused.reasons
        except ValidationError as error:
            _put_on_form(form, error)
        else:
            messages.success(request, message)
            return redirect("accreditation:screen", pk=application.pk)
    has_errors = bool(refusals) or any(f.errors for f in forms.values())
    return render(
        request,
        "accreditation/screen.html",
        {
            "application": application,
            "applicant": application.applicant,
            "profile": getattr(application.applicant, "profile", None),
            "qualifications": application.applicant.qualifications.all(),
            "training_records": application.applicant.training_records.all(),
            "declaration": declaration_latest_signed(user=application.applicant),
            "rules": [
                (sentence(rule), met, needed)
                for rule, met, needed in conditions.submission_rules_for(application)
            ],
            "can_decide": user_may_fire(application, "approve", request.user),
            "accreditation": Accreditation.objects.filter(application=application).first(),
            "refusals": refusals,
            "has_errors": has_errors,
            **forms,
        },
    )


def _accreditation_forms(data=None, action=None):
    def bound(name):
        return data if action == name else None

    return {
        "suspend_form": ReasonsForm(
            bound("suspend"),
            prefix="suspend",
            required_message="Enter the reasons for suspending the accreditation",
        ),
        "revoke_form": ReasonsForm(
            bound("revoke"),
            prefix="revoke",
            required_message="Enter the reasons for revoking the accreditation",
        ),
        "reinstate_form": OptionalReasonsForm(bound("reinstate"), prefix="reinstate"),
    }


ACCREDITATION_STEPS = {
    "suspend": (services.accreditation_suspend, "The accreditation has been suspended."),
    "revoke": (services.accreditation_revoke, "The accreditation has been revoked."),
    "reinstate": (services.accreditation_reinstate, "The accreditation has been reinstated."),
}


def _revoke_confirmation(request, accreditation, reasons):
    researcher = accreditation.researcher.get_full_name()
    return confirmation_page(
        request,
        caption=researcher,
        title=f"Revoke {researcher}'s accreditation?",
        consequences=[
            f"{researcher} loses access to unpublished data at once, on every project, and "
            "comes off the public register.",
            "Their output requests cannot be submitted, and the co-ordinators of their "
            "projects are told.",
            "A revoked accreditation cannot be reinstated: to work with data again they must "
            "apply afresh.",
            f"They are told your reasons: {reasons}",
        ],
        confirm_label="Yes, revoke the accreditation",
        cancel_url=reverse("accreditation:accreditation_detail", kwargs={"pk": accreditation.pk}),
    )


@role_required(Role.SECRETARIAT)
@require_http_methods(["GET", "POST"])
def accreditation_detail(request, pk):
    accreditation = selectors.accreditation_get(pk=pk)
    action = request.POST.get("action") if request.method == "POST" else None
    forms = _accreditation_forms(_posted(request), action)
    refusals = []
    if request.method == "POST":
        form = forms.get(f"{action}_form")
        if form is None:
            refusals = ["Choose what to do with the accreditation."]
        elif form.is_valid():
            if confirmation_due(request, accreditation, "revoke", chosen=action):
                return _revoke_confirmation(request, accreditation, form.cleaned_data["reasons"])
            step, message = ACCREDITATION_STEPS[action]
            try:
                step(
                    accreditation=accreditation,
                    reasons=form.cleaned_data["reasons"],
                    by=request.user,
                    request=request,
                )
            except TransitionRefused as refused:
                refusals = refused.reasons
            except ValidationError as error:
                _put_on_form(form, error)
            else:
                messages.success(request, message)
                return redirect("accreditation:accreditation_detail", pk=accreditation.pk)
    steps = {step.name: step for step in available_transitions(accreditation, request.user)}
    return render(
        request,
        "accreditation/accreditation_detail.html",
        {
            "accreditation": accreditation,
            "researcher": accreditation.researcher,
            "steps": steps,
            "refusals": refusals,
            "has_errors": bool(refusals) or any(f.errors for f in forms.values()),
            **forms,
        },
    )

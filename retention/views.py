"""The secretariat's retention pages: the schedule and its versions, changing a rule, confirming
the schedule, legal holds, and the certificates of what each run destroyed."""

import json

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from govuk.forms import form_errors_add
from identity.permissions import role_required
from identity.roles import Role

from . import selectors, services
from .forms import ConfirmForm, HoldForm, LiftForm, RuleForm
from .models import RecordKind


@role_required(Role.SECRETARIAT)
@require_http_methods(["GET"])
def schedule(request):
    current = selectors.schedule_get()
    return render(
        request,
        "retention/schedule.html",
        {
            "schedule": current,
            "rows": selectors.schedule_rules(schedule=current),
            "versions": selectors.schedule_versions(),
            "current": True,
        },
    )


@role_required(Role.SECRETARIAT)
@require_http_methods(["GET"])
def schedule_version(request, pk):
    version = selectors.schedule_get(version=pk)
    latest = selectors.schedule_get()
    return render(
        request,
        "retention/schedule_version.html",
        {
            "schedule": version,
            "rows": selectors.schedule_rules(schedule=version),
            "current": version.version == latest.version,
        },
    )


@never_cache
@role_required(Role.SECRETARIAT)
@require_http_methods(["GET", "POST"])
def rule_edit(request, kind):
    if kind not in RecordKind.values:
        raise Http404("There is no such kind of record in the schedule.")
    current = selectors.schedule_get()
    rule = current.rules.filter(kind=kind).first()
    if rule is None:
        raise Http404("The schedule has no rule for this kind of record.")
    form = RuleForm(
        request.POST if request.method == "POST" else None,
        initial={"period_days": rule.period_days, "action": rule.action},
    )
    if request.method == "POST" and form.is_valid():
        try:
            new = services.retention_rule_change(
                kind=kind,
                period_days=form.cleaned_data["period_days"],
                action=form.cleaned_data["action"],
                reason=form.cleaned_data["reason"],
                by=request.user,
                request=request,
            )
        except ValidationError as error:
            form_errors_add(form, error)
        else:
            messages.success(
                request,
                f"{rule.get_kind_display()}: changed. The schedule is now version {new.version}.",
            )
            return redirect("retention:schedule")
    return render(
        request,
        "retention/rule_edit.html",
        {"form": form, "rule": rule, "schedule": current},
    )


@never_cache
@role_required(Role.SECRETARIAT)
@require_http_methods(["GET", "POST"])
def schedule_confirm(request):
    current = selectors.schedule_get()
    form = ConfirmForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            new = services.retention_schedule_confirm(
                reason=form.cleaned_data["reason"], by=request.user, request=request
            )
        except ValidationError as error:
            form_errors_add(form, error)
        else:
            messages.success(
                request,
                f"The schedule is confirmed as version {new.version}. The nightly run now "
                "destroys what has passed its period.",
            )
            return redirect("retention:schedule")
    return render(
        request,
        "retention/schedule_confirm.html",
        {"form": form, "schedule": current, "rows": selectors.schedule_rules(schedule=current)},
    )


@never_cache
@role_required(Role.SECRETARIAT)
@require_http_methods(["GET", "POST"])
def hold_list(request):
    """The legal holds, in force first, and the form to place one."""
    form = HoldForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            hold = services.legal_hold_place(
                kind=form.cleaned_data["kind"],
                identifier=form.cleaned_data["identifier"],
                reason=form.cleaned_data["reason"],
                by=request.user,
                request=request,
            )
        except ValidationError as error:
            form_errors_add(form, error)
        else:
            messages.success(request, f"{hold} is placed. The run will not destroy it.")
            return redirect("retention:hold_list")
    return render(
        request, "retention/hold_list.html", {"form": form, "holds": selectors.holds_list()}
    )


@never_cache
@role_required(Role.SECRETARIAT)
@require_http_methods(["GET", "POST"])
def hold_lift(request, pk):
    hold = selectors.hold_get(pk=pk)
    if not hold.active:
        messages.info(request, f"{hold} was already lifted.")
        return redirect("retention:hold_list")
    form = LiftForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.legal_hold_lift(
                hold=hold, reason=form.cleaned_data["reason"], by=request.user, request=request
            )
        except ValidationError as error:
            form_errors_add(form, error)
        else:
            messages.success(
                request,
                f"{hold} is lifted. The next run destroys it if its period has passed.",
            )
            return redirect("retention:hold_list")
    return render(request, "retention/hold_lift.html", {"form": form, "hold": hold})


@role_required(Role.SECRETARIAT)
@require_http_methods(["GET"])
def certificate_list(request):
    return render(
        request,
        "retention/certificate_list.html",
        {"certificates": selectors.certificates_list(), "limit": selectors.LISTED},
    )


@role_required(Role.SECRETARIAT)
@require_http_methods(["GET"])
def certificate_detail(request, pk):
    certificate = selectors.certificate_get(pk=pk)
    return render(
        request,
        "retention/certificate_detail.html",
        {"certificate": certificate, "entries": certificate.kinds},
    )


@role_required(Role.SECRETARIAT)
@require_http_methods(["GET"])
def certificate_download(request, pk):
    """The certificate as JSON, for the records manager's files."""
    certificate = selectors.certificate_get(pk=pk)
    document = {
        "certificate": certificate.pk,
        "run_on": certificate.run_on.isoformat(),
        "ran_at": certificate.ran_at.isoformat(),
        "schedule_version": certificate.schedule_id,
        "dry_run": certificate.dry_run,
        "started_by": certificate.by.email if certificate.by else "the nightly run",
        "total": certificate.total,
        "kinds": certificate.kinds,
    }
    response = HttpResponse(
        json.dumps(document, indent=2, ensure_ascii=False),
        content_type="application/json; charset=utf-8",
    )
    response["Content-Disposition"] = (
        f'attachment; filename="destruction-certificate-{certificate.pk}.json"'
    )
    response["Cache-Control"] = "private, no-store"
    return response

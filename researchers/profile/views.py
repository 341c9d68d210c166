"""The researcher's own profile pages, the secretariat's read-only view of any profile, the
evidence downloads and the organisation list."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse

from govuk.forms import form_errors_add
from identity.permissions import role_required
from identity.roles import Role
from researchers import criteria
from researchers.models import Organisation, Qualification
from researchers.profile import selectors as selectors
from researchers.profile import services as services
from researchers.profile.forms import (
    DegreeForm,
    ExperienceForm,
    OrganisationDecisionForm,
    OrganisationForm,
    ProfileForm,
    QualificationKindForm,
    TrainingForm,
)
from uploads.responses import serve_file


def _download_name(stored_name, original, fallback):
    extension = stored_name.rsplit(".", 1)[-1] if "." in stored_name else ""
    stem = original.rsplit(".", 1)[0] if original else fallback
    return f"{stem}.{extension}" if extension else stem


# The profile page -----------------------------------------------------------------------


@role_required(Role.RESEARCHER)
def profile(request):
    owner = selectors.profile_owner_get(pk=request.user.pk)
    return render(request, "researchers/profile/profile.html", _profile_context(owner, own=True))


@role_required(Role.SECRETARIAT)
def person_profile(request, pk):
    owner = selectors.profile_owner_get(pk=pk)
    return render(request, "researchers/profile/profile.html", _profile_context(owner, own=False))


def _profile_context(owner, *, own):
    return {
        "owner": owner,
        "own": own,
        "profile": selectors.profile_of(owner),
        "qualifications": list(owner.qualifications.all()),
        "training_records": list(owner.training_records.all()),
        # Read from what was prefetched above, so the checks cost no further queries.
        "checks": [
            ("Profile complete", criteria.user_profile_complete(owner)),
            ("Meets the full criteria", criteria.user_meets_full_criteria(owner)),
            ("Safe Researcher Training passed", criteria.user_training_passed(owner)),
        ],
        "full_experience_years": settings.ACCREDITATION_FULL_EXPERIENCE_YEARS,
    }


@role_required(Role.RESEARCHER)
def profile_edit(request):
    user = request.user
    current = selectors.profile_of(user)
    current_organisation = current.organisation if current.organisation_id else None
    initial = {
        "full_name": user.full_name,
        "organisation": current_organisation,
        "orcid": current.orcid,
        "job_title": current.job_title,
        "phone": current.phone,
        "work_address": current.work_address,
        "contact_email": current.contact_email,
    }
    form = ProfileForm(
        request.POST if request.method == "POST" else None,
        initial=initial,
        current_organisation=current_organisation,
    )
    if form.is_bound and form.is_valid():
        try:
            services.profile_update(user=user, **form.cleaned_data, by=user, request=request)
        except ValidationError as error:
            form_errors_add(form, error)
        else:
            messages.success(request, "Your profile has been saved.")
            return redirect("researchers:profile")
    return render(request, "researchers/profile/profile_edit.html", {"form": form})


# Qualifications --------------------------------------------------------------------------

_KIND_FORMS = {Qualification.Kind.DEGREE: DegreeForm, Qualification.Kind.EXPERIENCE: ExperienceForm}


@role_required(Role.RESEARCHER)
def qualification_add(request):
    kind = request.GET.get("kind")
    if kind not in _KIND_FORMS:
        kind_form = QualificationKindForm(request.GET if "kind" in request.GET else None)
        kind_form.is_valid()
        return render(request, "researchers/profile/qualification_kind.html", {"form": kind_form})
    form_class = _KIND_FORMS[kind]
    form = form_class(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        services.qualification_add(
            user=request.user,
            kind=kind,
            details=form.details(),
            evidence=form.cleaned_data.get("evidence"),
            by=request.user,
            request=request,
        )
        messages.success(request, "Your qualification has been added.")
        return redirect("researchers:profile")
    return render(
        request,
        "researchers/profile/qualification_form.html",
        {"form": form, "kind": kind, "qualification": None},
    )


@role_required(Role.RESEARCHER)
def qualification_edit(request, pk):
    qualification = selectors.qualification_get_own(user=request.user, pk=pk)
    form_class = _KIND_FORMS[qualification.kind]
    form = form_class(
        request.POST or None,
        request.FILES or None,
        initial=form_class.initial_from(qualification),
        has_evidence=bool(qualification.evidence),
    )
    if request.method == "POST" and form.is_valid():
        services.qualification_update(
            qualification=qualification,
            details=form.details(),
            evidence=form.cleaned_data.get("evidence"),
            by=request.user,
            request=request,
        )
        messages.success(request, "Your qualification has been updated.")
        return redirect("researchers:profile")
    return render(
        request,
        "researchers/profile/qualification_form.html",
        {"form": form, "kind": qualification.kind, "qualification": qualification},
    )


@role_required(Role.RESEARCHER)
def qualification_delete(request, pk):
    qualification = selectors.qualification_get_own(user=request.user, pk=pk)
    if request.method == "POST":
        services.qualification_delete(qualification=qualification, by=request.user, request=request)
        messages.success(request, f"{qualification} has been removed from your profile.")
        return redirect("researchers:profile")
    return render(
        request,
        "researchers/profile/confirm_delete.html",
        {"thing": qualification, "what": "qualification"},
    )


def evidence_download(request, pk):
    """A qualification's evidence, for its researcher and the secretariat only."""
    if not request.user.is_authenticated:
        return _login(request)
    qualification = selectors.qualification_get_readable(user=request.user, pk=pk)
    return serve_file(
        request,
        qualification.evidence,
        download_name=_download_name(
            qualification.evidence.name, qualification.evidence_name, "evidence"
        ),
    )


# Training --------------------------------------------------------------------------------


@role_required(Role.RESEARCHER)
def training_add(request):
    form = TrainingForm(
        request.POST or None,
        request.FILES or None,
        initial={"course": "Safe Researcher Training"},
    )
    if request.method == "POST" and form.is_valid():
        services.training_add(
            user=request.user,
            course=form.cleaned_data["course"],
            passed_on=form.cleaned_data["passed_on"],
            certificate=form.cleaned_data["certificate"],
            by=request.user,
            request=request,
        )
        messages.success(request, "Your training has been added.")
        return redirect("researchers:profile")
    return render(request, "researchers/profile/training_form.html", {"form": form, "record": None})


@role_required(Role.RESEARCHER)
def training_edit(request, pk):
    record = selectors.training_get_own(user=request.user, pk=pk)
    form = TrainingForm(
        request.POST or None,
        request.FILES or None,
        initial={"course": record.course, "passed_on": record.passed_on},
        has_certificate=bool(record.certificate),
    )
    if request.method == "POST" and form.is_valid():
        services.training_update(
            record=record,
            course=form.cleaned_data["course"],
            passed_on=form.cleaned_data["passed_on"],
            certificate=form.cleaned_data["certificate"],
            by=request.user,
            request=request,
        )
        messages.success(request, "Your training record has been updated.")
        return redirect("researchers:profile")
    return render(
        request, "researchers/profile/training_form.html", {"form": form, "record": record}
    )


@role_required(Role.RESEARCHER)
def training_delete(request, pk):
    record = selectors.training_get_own(user=request.user, pk=pk)
    if request.method == "POST":
        services.training_delete(record=record, by=request.user, request=request)
        messages.success(request, f"{record.course} has been removed from your profile.")
        return redirect("researchers:profile")
    return render(
        request,
        "researchers/profile/confirm_delete.html",
        {"thing": record, "what": "training record"},
    )


def certificate_download(request, pk):
    """A training certificate, for its researcher and the secretariat only."""
    if not request.user.is_authenticated:
        return _login(request)
    record = selectors.training_get_readable(user=request.user, pk=pk)
    return serve_file(
        request,
        record.certificate,
        download_name=_download_name(
            record.certificate.name, record.certificate_name, "certificate"
        ),
    )


def _login(request):
    from django.contrib.auth.views import redirect_to_login

    return redirect_to_login(request.get_full_path())


# Organisations (the secretariat) ---------------------------------------------------------


@role_required(Role.SECRETARIAT)
def organisation_list(request):
    organisations = list(selectors.organisations_for_secretariat())
    form = OrganisationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            organisation = services.organisation_create(
                name=form.cleaned_data["name"], by=request.user, request=request
            )
        except ValidationError as error:
            form_errors_add(form, error)
        else:
            messages.success(request, f"{organisation.name} has been added to the list.")
            return redirect("researchers:organisation_list")
    return render(
        request,
        "researchers/profile/organisation_list.html",
        {
            "form": form,
            "awaiting": [o for o in organisations if o.status == Organisation.Status.PROPOSED],
            "approved": [o for o in organisations if o.status == Organisation.Status.APPROVED],
        },
    )


@role_required(Role.SECRETARIAT)
def organisation_review(request, pk):
    organisation = selectors.organisation_get(pk=pk)
    form = OrganisationDecisionForm(
        request.POST or None, organisation=organisation, initial={"name": organisation.name}
    )
    decided = organisation.status != Organisation.Status.PROPOSED
    if request.method == "POST" and not decided and form.is_valid():
        decision = form.cleaned_data["decision"]
        try:
            if decision == form.APPROVE:
                result = services.organisation_approve(
                    organisation=organisation,
                    name=form.cleaned_data["name"],
                    by=request.user,
                    request=request,
                )
                message = f"{result.name} has been added to the list."
            elif decision == form.MERGE:
                into = form.cleaned_data["into"]
                services.organisation_merge(
                    organisation=organisation, into=into, by=request.user, request=request
                )
                message = f"{organisation.name} has been merged into {into.name}."
            else:
                services.organisation_reject(
                    organisation=organisation,
                    reason=form.cleaned_data["reason"],
                    by=request.user,
                    request=request,
                )
                message = f"{organisation.name} has been rejected."
        except ValidationError as error:
            form_errors_add(form, error)
        else:
            messages.success(request, message)
            return redirect(reverse("researchers:organisation_list"))
    return render(
        request,
        "researchers/profile/organisation_review.html",
        {
            "organisation": organisation,
            "form": form,
            "decided": decided,
            "similar": selectors.organisation_similar(organisation=organisation),
        },
    )

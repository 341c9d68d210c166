import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from documents.keys import SigningNotConfigured
from documents.signing import verify_pdf
from govuk.forms import form_errors_add
from identity.permissions import role_required
from identity.roles import Role
from researchers.declaration import selectors as selectors
from researchers.declaration import services as services
from researchers.declaration.forms import (
    DeclarationReferenceForm,
    DeclarationSignForm,
    DeclarationUploadForm,
    DeclarationVersionForm,
    SignByForm,
)
from researchers.declaration.models import Declaration, DeclarationVersion
from researchers.declaration.permissions import check_user_can_download_declaration
from uploads.responses import serve_file


@role_required(*Role)
@require_http_methods(["GET", "POST"])
def declaration(request):
    """Everyone given access signs: researchers, and every staff role."""
    version = DeclarationVersion.objects.current()
    signed = (
        services.declaration_already_signed(user=request.user, version=version) if version else None
    )
    form = DeclarationSignForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.declaration_sign(
                user=request.user,
                typed_name=form.cleaned_data["typed_name"],
                password=form.cleaned_data["password"],
                request=request,
            )
        except ValidationError as error:
            form_errors_add(form, error)
        else:
            messages.success(
                request,
                "You have signed the confidentiality declaration. Your signed copy will be "
                "ready to download in a moment.",
            )
            return redirect("researchers:declaration")
    return render(
        request,
        "researchers/declaration/sign.html",
        {
            "form": form,
            "version": version,
            "signed": signed,
            "declarations": selectors.declarations_of(user=request.user),
            "counts_until": (
                selectors.declaration_counts_until(user=request.user, on=timezone.localdate())
                if version is not None and signed is None
                else None
            ),
        },
    )


@never_cache
@role_required(*Role)
@require_safe
def declaration_status(request):
    """Whether the signed copy of the current version is still being prepared, for the
    declaration page's script to poll."""
    version = DeclarationVersion.objects.current()
    signed = (
        services.declaration_already_signed(user=request.user, version=version) if version else None
    )
    return JsonResponse({"pending": bool(signed and signed.state == Declaration.State.PENDING)})


@login_required
def declaration_download(request, pk):
    declaration = get_object_or_404(
        Declaration.objects.select_related("user"), pk=pk, state=Declaration.State.SIGNED
    )
    check_user_can_download_declaration(request.user, declaration)
    response = serve_file(
        request,
        declaration.pdf,
        download_name=declaration.download_name,
        content_type="application/pdf",
    )
    services.declaration_download_record(declaration=declaration, by=request.user, request=request)
    return response


# The date to sign a new version by, offered when publishing it.
SIGN_BY_DEFAULT_DAYS = 30


@role_required(Role.SECRETARIAT)
@require_http_methods(["GET", "POST"])
def declaration_versions(request):
    form = DeclarationVersionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            version = services.declaration_version_publish(
                text=form.cleaned_data["text"],
                sign_by=form.cleaned_data["sign_by"],
                by=request.user,
                request=request,
            )
        except ValidationError as error:
            form_errors_add(form, error)
        else:
            messages.success(
                request,
                f"Version {version.number} of the declaration is published. Everyone given "
                "access signs it from now on: every member of staff and everyone who signed an "
                "earlier version is being told. Signatures on earlier versions give access to "
                f"data until the end of {version.sign_by:%-d %B %Y}.",
            )
            return redirect("researchers:declaration_versions")
    current = DeclarationVersion.objects.current()
    if not form.is_bound:
        form = DeclarationVersionForm(
            initial={
                "text": current.text if current else "",
                "sign_by": timezone.localdate() + datetime.timedelta(days=SIGN_BY_DEFAULT_DAYS),
            }
        )
    return render(
        request,
        "researchers/declaration/versions.html",
        {"form": form, "versions": selectors.declaration_versions_list(), "current": current},
    )


@role_required(Role.SECRETARIAT)
@require_http_methods(["GET", "POST"])
def declaration_sign_by(request):
    """Move the date by which everyone must sign the current version."""
    current = DeclarationVersion.objects.current()
    if current is None:
        messages.error(request, "No version of the declaration has been published yet.")
        return redirect("researchers:declaration_versions")
    form = SignByForm(request.POST or None, initial={"sign_by": current.sign_by})
    if request.method == "POST" and form.is_valid():
        try:
            version = services.declaration_version_sign_by_change(
                version=current,
                sign_by=form.cleaned_data["sign_by"],
                by=request.user,
                request=request,
            )
        except ValidationError as error:
            form_errors_add(form, error)
        else:
            messages.success(
                request,
                f"Everyone must now sign version {version.number} by "
                f"{version.sign_by:%-d %B %Y}. Entitlements have been updated.",
            )
            return redirect("researchers:declaration_versions")
    return render(
        request, "researchers/declaration/sign_by.html", {"form": form, "version": current}
    )


@require_http_methods(["GET", "POST"])
def declaration_verify(request):
    """Public: check an uploaded signed declaration, or look one up by its reference."""
    upload_form = DeclarationUploadForm()
    reference_form = DeclarationReferenceForm()
    context = {}
    if request.method == "POST":
        upload_form = DeclarationUploadForm(request.POST, request.FILES)
        if upload_form.is_valid():
            data = upload_form.cleaned_data["file"].read()
            try:
                verification = verify_pdf(data)
            except SigningNotConfigured:
                verification = None
                upload_form.add_error(
                    None, "Declarations cannot be checked at the moment. Try again later."
                )
            if verification is not None:
                stored = selectors.declaration_by_reference(verification.reference)
                context.update(
                    verification=verification,
                    stored=stored,
                    fingerprint_matches=bool(
                        stored
                        and not stored.is_destroyed
                        and stored.sha256 == verification.fingerprint
                    ),
                    file_name=upload_form.cleaned_data["file"].name,
                )
    elif "reference" in request.GET:
        reference_form = DeclarationReferenceForm(request.GET)
        if reference_form.is_valid():
            reference = reference_form.cleaned_data["reference"]
            context.update(
                looked_up=reference, stored=selectors.declaration_by_reference(reference)
            )
    return render(
        request,
        "researchers/declaration/verify.html",
        {"upload_form": upload_form, "reference_form": reference_form, **context},
    )

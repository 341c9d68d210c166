from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from documents.keys import SigningNotConfigured
from documents.signing import verify_pdf
from identity.permissions import role_required
from identity.roles import Role
from researchers.declaration import selectors as selectors
from researchers.declaration import services as services
from researchers.declaration.forms import (
    DeclarationReferenceForm,
    DeclarationSignForm,
    DeclarationUploadForm,
    DeclarationVersionForm,
)
from researchers.declaration.models import Declaration, DeclarationVersion
from researchers.declaration.permissions import check_user_can_download_declaration
from uploads.responses import serve_file


def _add_errors(form, error):
    if hasattr(error, "error_dict"):
        for field, messages_ in error.message_dict.items():
            form.add_error(field if field in form.fields else None, messages_)
    else:
        form.add_error(None, error.messages)


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
            _add_errors(form, error)
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


@role_required(Role.SECRETARIAT)
@require_http_methods(["GET", "POST"])
def declaration_versions(request):
    form = DeclarationVersionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            version = services.declaration_version_publish(
                text=form.cleaned_data["text"], by=request.user, request=request
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(
                request,
                f"Version {version.number} of the declaration is published. Everyone given "
                "access signs it from now on: every member of staff and everyone who signed an "
                "earlier version is being told.",
            )
            return redirect("researchers:declaration_versions")
    if not form.is_bound:
        current = DeclarationVersion.objects.current()
        form = DeclarationVersionForm(initial={"text": current.text if current else ""})
    return render(
        request,
        "researchers/declaration/versions.html",
        {"form": form, "versions": selectors.declaration_versions_list()},
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
                    fingerprint_matches=bool(stored and stored.sha256 == verification.fingerprint),
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

"""A file's table with the cells the automated checks flagged, its check results beside it, the
rule for checking by eye what the checks cannot check, and the upload of an ACRO output folder
into a group."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.template.defaultfilters import pluralize
from django.views.decorators.http import require_GET, require_http_methods

from outputs.check import selectors as selectors
from outputs.check.forms import AcroUploadForm
from outputs.check.permissions import check_user_can_see_file_checks, check_user_can_upload_acro
from outputs.check.services import acro_import


@login_required
@require_GET
def file_checks(request, file_pk):
    output_file = selectors.file_for_checks(pk=file_pk)
    check_user_can_see_file_checks(request.user, output_file)
    table = selectors.file_table(output_file)
    return render(
        request,
        "outputs/checks/file_checks.html",
        {
            "output_file": output_file,
            "output_request": output_file.group.request,
            "results": selectors.file_check_results(output_file),
            "table": table,
            "rows_shown": selectors.TABLE_ROWS_SHOWN,
        },
    )


@login_required
@require_GET
def checking_by_eye(request):
    """The rule for outputs the automated checks cannot check: which, who, what evidence."""
    return render(
        request,
        "outputs/checks/checking_by_eye.html",
        {
            "threshold": settings.OUTPUT_MIN_THRESHOLD,
            "table_limit": settings.OUTPUT_TABLE_MAX_READ_BYTES,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def acro_upload(request, pk, group_pk):
    group = selectors.group_for_upload(request_pk=pk, pk=group_pk)
    output_request = group.request
    check_user_can_upload_acro(request.user, output_request)
    form = (
        AcroUploadForm(request.POST, request.FILES)
        if request.method == "POST"
        else AcroUploadForm()
    )
    if form.is_bound and form.is_valid():
        try:
            imported = acro_import(
                request=output_request,
                group=group,
                zip_file=form.cleaned_data["zip_file"],
                by=request.user,
                http_request=request,
            )
        except ValidationError as error:
            form.add_error("zip_file", error.messages)
        else:
            count = len(imported.files)
            message = (
                f"{count} file{pluralize(count)} from the ACRO folder "
                f"{pluralize(count, 'was,were')} added to {group.name}."
            )
            if imported.left_out:
                message += (
                    " ACRO's session summary was left out: ACRO marks it as for output "
                    "checkers only, never for release."
                )
            messages.success(request, message)
            return redirect("outputs:output_request_detail", pk=output_request.pk)
    return render(
        request,
        "outputs/checks/acro_upload.html",
        {"form": form, "group": group, "output_request": output_request},
    )

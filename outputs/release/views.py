"""Releasing an approved request, the project's released outputs, and their downloads. Each
view gets its objects through a selector, calls one service and shows refusals in words."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from documents.keys import SigningNotConfigured
from identity.permissions import role_required
from identity.roles import Role
from outputs.publication.selectors import project_released_files, project_waivers
from outputs.release import selectors as selectors
from outputs.release import services as services
from outputs.release.forms import ReleaseRecordCheckForm
from outputs.release.permissions import (
    check_user_can_release,
    check_user_can_see_project_outputs,
    user_can_waive_publication,
)
from outputs.release.records import JSON_NAME, JWS_NAME
from outputs.release.records import release_record_verify as record_verify
from projects.lifecycle.selectors import project_get
from projects.permissions import user_is_project_member
from uploads.responses import serve_file
from workflow.errors import TransitionRefused
from workflow.services import unmet_conditions

State = selectors.OutputRequest.State


@role_required(Role.OUTPUT_CHECKER)
@require_http_methods(["GET", "POST"])
def release(request, pk):
    output_request = selectors.output_request_get(pk=pk)
    check_user_can_release(request.user, output_request)
    refusals = []
    if request.method == "POST":
        try:
            services.output_request_release(
                output_request=output_request, by=request.user, request=request
            )
        except TransitionRefused as refused:
            refusals = refused.reasons
        else:
            messages.success(
                request, "The outputs are released. The project's members have been told."
            )
            return redirect("outputs:queue")
    return render(
        request,
        "outputs/release/release.html",
        {
            "output_request": output_request,
            "files": selectors.current_files(output_request),
            "refusals": refusals,
            "unmet": unmet_conditions(output_request, "release"),
        },
    )


@login_required
@require_GET
def project_outputs(request, project_pk):
    project = project_get(pk=project_pk)
    check_user_can_see_project_outputs(request.user, project)
    files = list(project_released_files(project))
    requests = {}
    for output_file in files:
        requests.setdefault(output_file.group.request, []).append(output_file)
    return render(
        request,
        "outputs/release/project_outputs.html",
        {
            "project": project,
            "released": list(requests.items()),
            "unpublished": sum(1 for f in files if not hasattr(f, "publication")),
            "waivers": project_waivers(project),
            "is_member": user_is_project_member(request.user, project),
            "can_waive": user_can_waive_publication(request.user, project),
        },
    )


@login_required
@require_GET
def released_file(request, file_pk):
    output_file = selectors.released_file_for_member(file_pk=file_pk, user=request.user)
    services.download_record(
        output_request=output_file.group.request,
        files=[output_file],
        by=request.user,
        request=request,
    )
    return serve_file(
        request,
        output_file.file,
        download_name=output_file.name,
        content_type=output_file.content_type,
    )


@login_required
@require_GET
def released_zip(request, pk):
    output_request = selectors.released_request_for_member(pk=pk, user=request.user)
    files = list(selectors.current_files(output_request))
    if any(not output_file.file for output_file in files):
        raise Http404("The released files were destroyed under the retention schedule.")
    record = services.release_record_ensure(output_request=output_request)
    handle = services.released_zip_build(output_request=output_request, files=files, record=record)
    services.download_record(
        output_request=output_request, files=files, by=request.user, as_zip=True, request=request
    )
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=f"output-request-{output_request.pk}.zip",
        content_type="application/zip",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


def _record_response(request, pk, *, signed):
    output_request = selectors.released_request_for_member(pk=pk, user=request.user)
    record = services.release_record_ensure(output_request=output_request)
    if signed and not record.jws:
        messages.error(
            request,
            "The release record cannot be signed at the moment. Download it as JSON, or try "
            "again later.",
        )
        return redirect("outputs:output_request_detail", pk=output_request.pk)
    services.release_record_downloaded(
        output_request=output_request,
        record=record,
        signed=signed,
        by=request.user,
        request=request,
    )
    if signed:
        response = HttpResponse(record.jws, content_type="application/jose")
        name = JWS_NAME
    else:
        response = HttpResponse(record.document_bytes, content_type="application/json")
        name = JSON_NAME
    response["Content-Disposition"] = (
        f'attachment; filename="output-request-{output_request.pk}-{name}"'
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_GET
def release_record_json(request, pk):
    return _record_response(request, pk, signed=False)


@login_required
@require_GET
def release_record_jws(request, pk):
    return _record_response(request, pk, signed=True)


@require_http_methods(["GET", "POST"])
def release_record_verify(request):
    """Public: check a release record, uploaded as JSON or JWS or pasted as JWS."""
    form = ReleaseRecordCheckForm()
    verification = None
    if request.method == "POST":
        form = ReleaseRecordCheckForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                verification = record_verify(form.record())
            except SigningNotConfigured:
                form.add_error(
                    None, "Release records cannot be checked at the moment. Try again later."
                )
    return render(
        request,
        "outputs/release/record_verify.html",
        {"form": form, "verification": verification},
    )

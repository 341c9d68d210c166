"""Pages for writing an output request: each gets its object through a selector, calls one
service, and turns a refusal into words on the page (TransitionRefused), a form error
(ValidationError) or a 403/404 (PermissionDenied, Http404)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from outputs.check.permissions import user_can_upload_acro
from outputs.check.selectors import files_needing_attention
from outputs.release.permissions import user_can_download_released
from outputs.request import selectors as selectors
from outputs.request import services as services
from outputs.request.forms import FileForm, GroupForm, ReplaceForm, RequestStartForm
from outputs.request.permissions import (
    check_user_can_edit_request,
    check_user_can_list_requests,
    check_user_can_read_file,
    check_user_can_remove_file,
    check_user_can_view_request,
    user_can_edit_request,
    user_can_read_request_files,
    user_can_start_request,
)
from outputs.review.selectors import public_comments
from uploads.responses import serve_file
from workflow.errors import TransitionRefused
from workflow.services import unmet_conditions, user_may_fire


def _put_on_form(form, error):
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error)


@login_required
def output_request_list(request, project_pk):
    project = selectors.project_get(pk=project_pk)
    check_user_can_list_requests(request.user, project)
    return render(
        request,
        "outputs/request/list.html",
        {
            "project": project,
            "output_requests": selectors.output_requests_for_project(project),
            "can_start": user_can_start_request(request.user, project),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def output_request_create(request, project_pk):
    project = selectors.project_get(pk=project_pk)
    check_user_can_list_requests(request.user, project)
    form = RequestStartForm(request.POST or None)
    if form.is_bound and form.is_valid():
        try:
            output_request = services.output_request_create(
                project=project, by=request.user, title=form.cleaned_data["title"], request=request
            )
        except ValidationError as error:
            _put_on_form(form, error)
        else:
            messages.success(request, "Your output request has been started.")
            return redirect("outputs:output_request_detail", pk=output_request.pk)
    elif not user_can_start_request(request.user, project):
        form.add_error(None, services.PROJECT_NOT_ACTIVE)
    return render(request, "outputs/request/start.html", {"form": form, "project": project})


@login_required
def output_request_detail(request, pk):
    output_request = selectors.output_request_get(pk=pk)
    check_user_can_view_request(request.user, output_request)
    groups = selectors.output_request_groups(output_request)
    readable = user_can_read_request_files(request.user, output_request)
    can_edit = user_can_edit_request(request.user, output_request)
    comments = {}
    for comment in public_comments(output_request):
        comments.setdefault(comment.group_id, []).append(comment)
    for group in groups:
        group.public_comments = comments.get(group.pk, [])
        for output_file in group.current_files:
            output_file.readable = readable
    can_submit = user_may_fire(output_request, "submit", request.user)
    return render(
        request,
        "outputs/request/detail.html",
        {
            "output_request": output_request,
            "groups": groups,
            "can_edit": can_edit,
            "can_upload_acro": user_can_upload_acro(request.user, output_request),
            "can_download_released": user_can_download_released(request.user, output_request),
            "is_author": output_request.author_id == request.user.pk,
            "can_submit": can_submit,
            "can_withdraw": user_may_fire(output_request, "withdraw", request.user),
            "unmet": unmet_conditions(output_request, "submit") if can_submit else [],
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def group_add(request, pk):
    output_request = selectors.output_request_get(pk=pk)
    check_user_can_edit_request(request.user, output_request)
    form = GroupForm(request.POST or None)
    if form.is_bound and form.is_valid():
        try:
            services.group_add(
                output_request=output_request, by=request.user, request=request, **form.cleaned_data
            )
        except ValidationError as error:
            _put_on_form(form, error)
        else:
            messages.success(request, "The group has been added.")
            return redirect("outputs:output_request_detail", pk=output_request.pk)
    return render(
        request, "outputs/request/group.html", {"form": form, "output_request": output_request}
    )


@login_required
@require_http_methods(["GET", "POST"])
def group_edit(request, pk, group_pk):
    output_request = selectors.output_request_get(pk=pk)
    check_user_can_edit_request(request.user, output_request)
    group = selectors.group_get(output_request=output_request, pk=group_pk)
    form = GroupForm(
        request.POST or None,
        initial={
            "name": group.name,
            "context": group.context,
            "disclosure_controls": group.disclosure_controls,
        },
    )
    if form.is_bound and form.is_valid():
        try:
            services.group_update(
                group=group, by=request.user, request=request, **form.cleaned_data
            )
        except ValidationError as error:
            _put_on_form(form, error)
        else:
            messages.success(request, "The group has been saved.")
            return redirect("outputs:output_request_detail", pk=output_request.pk)
    return render(
        request,
        "outputs/request/group.html",
        {"form": form, "output_request": output_request, "group": group},
    )


@login_required
@require_http_methods(["GET", "POST"])
def file_add(request, pk, group_pk):
    output_request = selectors.output_request_get(pk=pk)
    check_user_can_edit_request(request.user, output_request)
    group = selectors.group_get(output_request=output_request, pk=group_pk)
    form = FileForm(
        request.POST or None,
        request.FILES or None,
        files_in_request=selectors.output_request_current_files(output_request),
    )
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        try:
            services.file_add(
                group=group,
                by=request.user,
                upload_file=data["file"],
                output_type=data["output_type"],
                counts_file=data["counts_file"],
                counts_upload=data["counts_upload"],
                degrees_of_freedom=data["degrees_of_freedom"],
                request=request,
            )
        except ValidationError as error:
            _put_on_form(form, error)
        else:
            messages.success(request, "The file has been added.")
            return redirect("outputs:output_request_detail", pk=output_request.pk)
    return render(
        request,
        "outputs/request/file.html",
        {"form": form, "output_request": output_request, "group": group},
    )


@login_required
@require_http_methods(["GET", "POST"])
def file_replace(request, file_pk):
    output_file = selectors.file_get(pk=file_pk)
    output_request = output_file.group.request
    check_user_can_edit_request(request.user, output_request)
    form = ReplaceForm(request.POST or None, request.FILES or None)
    if form.is_bound and form.is_valid():
        try:
            services.file_replace(
                output_file=output_file,
                by=request.user,
                upload_file=form.cleaned_data["file"],
                request=request,
            )
        except ValidationError as error:
            _put_on_form(form, error)
        else:
            messages.success(request, "The file has been replaced.")
            return redirect("outputs:output_request_detail", pk=output_request.pk)
    return render(
        request,
        "outputs/request/replace.html",
        {"form": form, "output_request": output_request, "output_file": output_file},
    )


@login_required
@require_http_methods(["GET", "POST"])
def file_remove(request, file_pk):
    """Ask first, then take the file out of the request."""
    output_file = selectors.file_get(pk=file_pk)
    output_request = output_file.group.request
    check_user_can_remove_file(request.user, output_file)
    refusals = []
    if request.method == "POST":
        try:
            services.file_remove(output_file=output_file, by=request.user, request=request)
        except ValidationError as error:
            refusals = error.messages
        else:
            messages.success(request, f"{output_file.name} has been removed from the request.")
            return redirect("outputs:output_request_detail", pk=output_request.pk)
    return render(
        request,
        "outputs/request/remove.html",
        {
            "output_file": output_file,
            "output_request": output_request,
            "votes": output_file.votes.count(),
            "refusals": refusals,
        },
    )


@login_required
def file_download(request, file_pk):
    output_file = selectors.file_get(pk=file_pk)
    check_user_can_read_file(request.user, output_file)
    return serve_file(
        request,
        output_file.file,
        download_name=output_file.name,
        content_type=output_file.content_type,
    )


@login_required
@require_http_methods(["GET", "POST"])
def output_request_submit(request, pk):
    output_request = selectors.output_request_get(pk=pk)
    check_user_can_edit_request(request.user, output_request)
    refusals = []
    if request.method == "POST":
        try:
            services.output_request_submit(
                output_request=output_request, by=request.user, request=request
            )
        except TransitionRefused as refused:
            refusals = refused.reasons
        else:
            messages.success(
                request,
                "Your output request has been sent to the output checkers. We will email you "
                "when they have reviewed it.",
            )
            return redirect("outputs:output_request_detail", pk=output_request.pk)
    else:
        refusals = unmet_conditions(output_request, "submit")
    groups = selectors.output_request_groups(output_request)
    return render(
        request,
        "outputs/request/submit.html",
        {
            "output_request": output_request,
            "groups": groups,
            "needing_attention": files_needing_attention(groups),
            "refusals": refusals,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def output_request_withdraw(request, pk):
    output_request = selectors.output_request_get(pk=pk)
    check_user_can_view_request(request.user, output_request)
    refusals = []
    if request.method == "POST":
        try:
            services.output_request_withdraw(
                output_request=output_request, by=request.user, request=request
            )
        except TransitionRefused as refused:
            refusals = refused.reasons
        else:
            messages.success(request, "Your output request has been withdrawn.")
            return redirect("outputs:output_request_detail", pk=output_request.pk)
    return render(
        request,
        "outputs/request/withdraw.html",
        {
            "output_request": output_request,
            "refusals": refusals,
            "can_withdraw": user_may_fire(output_request, "withdraw", request.user),
        },
    )

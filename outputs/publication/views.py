"""Where a released output was published (a project member), and the secretariat's waiver."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from outputs.publication import services as services
from outputs.publication.forms import PublicationForm, WaiverForm
from outputs.release.permissions import check_user_can_waive_publication
from outputs.release.selectors import released_file_for_member
from projects.lifecycle.selectors import project_get


def _closed_now(project):
    """Words for a project the step just closed, which an ended project does once nothing is
    left open; empty otherwise."""
    project.refresh_from_db(fields=["state"])
    return " The project has closed." if project.state == project.State.CLOSED else ""


@login_required
@require_http_methods(["GET", "POST"])
def publication(request, file_pk):
    output_file = released_file_for_member(file_pk=file_pk, user=request.user)
    project = output_file.group.request.project
    existing = getattr(output_file, "publication", None)
    initial = (
        {"citation": existing.citation, "doi": existing.doi, "url": existing.url}
        if existing
        else None
    )
    form = PublicationForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        services.publication_record(
            output_file=output_file, by=request.user, request=request, **form.cleaned_data
        )
        messages.success(
            request, f"Publication of “{output_file.name}” recorded.{_closed_now(project)}"
        )
        return redirect("outputs:project_outputs", project_pk=project.pk)
    return render(
        request,
        "outputs/release/publication.html",
        {"form": form, "output_file": output_file, "project": project},
    )


@login_required
@require_http_methods(["GET", "POST"])
def waiver(request, project_pk):
    project = project_get(pk=project_pk)
    check_user_can_waive_publication(request.user, project)
    form = WaiverForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        services.waiver_record(
            project=project, reasons=form.cleaned_data["reasons"], by=request.user, request=request
        )
        messages.success(request, f"Waiver recorded.{_closed_now(project)}")
        return redirect("outputs:project_outputs", project_pk=project.pk)
    return render(request, "outputs/release/waiver.html", {"form": form, "project": project})

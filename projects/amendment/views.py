"""Amending an active or ended project, and comparing a project's versions."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from projects.amendment import services as amendment_services
from projects.amendment.selectors import project_differences, project_in_force
from projects.lifecycle.permissions import check_user_can_see_versions
from projects.lifecycle.selectors import amendment_open_for
from projects.lifecycle.views import _project_for_coordinator
from workflow.errors import TransitionRefused


@login_required
@require_http_methods(["GET", "POST"])
def amend(request, pk):
    project = _project_for_coordinator(pk, request.user)
    refusals = []
    if request.method == "POST":
        try:
            amendment = amendment_services.amendment_start(
                project=project, by=request.user, request=request
            )
        except TransitionRefused as refused:
            refusals = refused.reasons
        else:
            messages.success(
                request,
                f"Version {amendment.version} is a draft. Change what needs changing, then send "
                "it: the approved version stays in force until the amendment is approved.",
            )
            return redirect("projects:proposal_detail", pk=amendment.pk)
    return render(
        request,
        "projects/lifecycle/amend.html",
        {
            "project": project,
            "refusals": refusals,
            "amendable": project.state in project.UNDER_WAY,
            "in_progress": amendment_open_for(project) if project.amends_id is None else None,
        },
    )


@login_required
def versions(request, pk):
    from projects.lifecycle.selectors import project_get

    proposal = project_get(pk=pk)
    project = project_in_force(proposal)
    check_user_can_see_versions(request.user, project)
    return render(
        request,
        "projects/lifecycle/versions.html",
        {"project": project, "proposal": proposal, "differences": project_differences(project)},
    )

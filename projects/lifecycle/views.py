"""The co-ordinator's pages for starting and closing an approved project. Each gets the
project through a selector, calls one service, and shows a refusal as an error summary."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from projects.lifecycle import services as lifecycle_services
from projects.lifecycle.permissions import check_user_can_coordinate_project
from projects.lifecycle.selectors import members_without_two_factor, project_get
from workflow.errors import TransitionRefused
from workflow.services import unmet_conditions


def _project_for_coordinator(pk, user):
    """The project, if ``user`` co-ordinates it: 404 to outsiders, 403 to the rest of the team."""
    project = project_get(pk=pk)
    check_user_can_coordinate_project(user, project)
    return project


@login_required
@require_http_methods(["GET", "POST"])
def activate(request, pk):
    project = _project_for_coordinator(pk, request.user)
    refusals = []
    if request.method == "POST":
        try:
            lifecycle_services.project_activate(project=project, by=request.user, request=request)
        except TransitionRefused as refused:
            refusals = refused.reasons
        else:
            messages.success(request, f"“{project.title}” is now active.")
            return redirect("projects:proposal_detail", pk=project.pk)
    return render(
        request,
        "projects/lifecycle/activate.html",
        {
            "project": project,
            "refusals": refusals,
            "unmet": unmet_conditions(project, "activate"),
            "without_two_factor": members_without_two_factor(project),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def close(request, pk):
    project = _project_for_coordinator(pk, request.user)
    refusals = []
    reason = ""
    if request.method == "POST":
        reason = request.POST.get("reason", "")
        try:
            lifecycle_services.project_close(
                project=project, by=request.user, reason=reason, request=request
            )
        except TransitionRefused as refused:
            refusals = refused.reasons
        else:
            messages.success(request, f"“{project.title}” has closed.")
            return redirect("projects:proposal_detail", pk=project.pk)
    return render(
        request,
        "projects/lifecycle/close.html",
        {
            "project": project,
            "refusals": refusals,
            "reason": reason,
            "closable": project.state == project.State.ACTIVE,
            "unmet": unmet_conditions(project, "close"),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def schedule_start(request, pk):
    """Schedule the start of an approved project for its start date, or stop a scheduled one."""
    project = _project_for_coordinator(pk, request.user)
    refusals = []
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "schedule":
                project = lifecycle_services.project_start_schedule(
                    project=project, by=request.user, request=request
                )
                message = (
                    f"“{project.title}” will start itself on "
                    f"{project.start_date:%-d %B %Y}, if every condition is met that day."
                )
            elif action == "unschedule":
                project = lifecycle_services.project_start_unschedule(
                    project=project, by=request.user, request=request
                )
                message = f"“{project.title}” will not start itself: start it by hand."
            else:
                raise TransitionRefused(["Choose whether to schedule the start."])
        except TransitionRefused as refused:
            refusals = refused.reasons
        else:
            messages.success(request, message)
            return redirect("projects:activate", pk=project.pk)
    return render(
        request,
        "projects/lifecycle/schedule.html",
        {
            "project": project,
            "refusals": refusals,
            "unmet": unmet_conditions(project, "activate"),
        },
    )

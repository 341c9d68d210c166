"""The panel's pages: the secretariat's panel page for a proposal, the reviewer's queue and the
reviewer's page for one proposal. Each gets its objects through a selector, calls one service
and turns a refusal into words on the page."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from identity.permissions import role_required
from identity.roles import Role
from projects.models import Proposal
from projects.panel import selectors as selectors
from projects.panel import services as services
from projects.panel.forms import (
    AssignForm,
    ConflictForm,
    DecisionForm,
    ExclusionForm,
    RecommendationForm,
    UnassignForm,
)
from projects.panel.permissions import (
    check_user_can_run_panel,
    user_can_read_full_proposal_as_reviewer,
    user_can_run_panel,
)
from workflow.confirm import confirmation_due, confirmation_needed, confirmation_page
from workflow.errors import TransitionRefused
from workflow.graph import sentence

State = Proposal.State


def _posted(request):
    return request.POST if request.method == "POST" else None


def _put_on_form(form, error):
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error)


# The secretariat


def _panel_forms(proposal, active, data=None, action=None):
    def bound(name):
        return data if action == name else None

    posted_assignment = (data or {}).get("assignment") if action == "unassign" else None
    return {
        "exclusion_form": ExclusionForm(
            bound("exclusion"),
            prefix="exclusion",
            initial={"exclude_team_organisations": proposal.exclude_team_organisations},
        ),
        "assign_form": AssignForm(
            bound("assign"), prefix="assign", reviewers=selectors.reviewers_eligible(proposal)
        ),
        "decision_form": DecisionForm(bound("decide"), prefix="decide"),
        "unassign_forms": {
            assignment.pk: UnassignForm(
                data if posted_assignment == str(assignment.pk) else None,
                prefix=f"unassign-{assignment.pk}",
            )
            for assignment in active
        },
    }


def _form_for(forms, action, data):
    if action == "unassign":
        try:
            return forms["unassign_forms"].get(int(data.get("assignment", "")))
        except ValueError:
            return None
    return forms.get(
        {"exclusion": "exclusion_form", "assign": "assign_form", "decide": "decision_form"}.get(
            action, ""
        )
    )


def _panel_step(request, proposal, action, form, active):
    by = request.user
    data = form.cleaned_data
    if action == "exclusion":
        services.proposal_exclusion_set(
            proposal=proposal,
            exclude=data["exclude_team_organisations"],
            by=by,
            request=request,
        )
        return (
            "Reviewers from the team's organisations are now excluded."
            if data["exclude_team_organisations"]
            else "Reviewers from the team's organisations may now be assigned."
        )
    if action == "assign":
        assignment = services.reviewer_assign(
            proposal=proposal,
            reviewer=data["reviewer"],
            independent=data["independent"],
            due_date=data["due_date"],
            by=by,
            request=request,
        )
        return f"{assignment.reviewer.get_full_name()} has been assigned and emailed."
    if action == "unassign":
        assignment = active[int(request.POST["assignment"])]
        services.reviewer_unassign(
            assignment=assignment, reason=data["reason"], by=by, request=request
        )
        return f"{assignment.reviewer.get_full_name()} has been unassigned."
    decision = services.decision_record(
        proposal=proposal,
        outcome=data["outcome"],
        rationale=data["rationale"],
        conditions_text=data["conditions"],
        by=by,
        request=request,
    )
    return f"The panel's decision has been recorded: {decision.get_outcome_display().lower()}."


def _unassign_confirmation(request, proposal, assignment, reason):
    """The page asking first when unassigning a reviewer throws away a recommendation they
    submitted; ``None`` when nothing would be lost that assigning them again could not mend."""
    recommendation = getattr(assignment, "recommendation", None)
    if recommendation is None:
        return None
    reviewer = assignment.reviewer.get_full_name()
    consequences = [
        f"{reviewer}'s recommendation ({recommendation.get_recommendation_display().lower()}) "
        "stops counting towards the panel's decision, which then needs another reviewer's.",
        "Assigning them again would not bring it back: they would have to review the proposal "
        "afresh.",
    ]
    if assignment.removed_at is None:
        consequences.insert(
            0,
            f"{reviewer} comes off the panel at once, can no longer read the proposal, and is "
            f"told your reason: {reason}",
        )
    return confirmation_page(
        request,
        caption=proposal.title,
        title=f"Unassign {reviewer}?",
        consequences=consequences,
        confirm_label="Yes, unassign the reviewer",
        cancel_url=reverse("projects:panel", kwargs={"pk": proposal.pk}),
    )


def _rejection_due(request, proposal, action, form):
    """Whether the decision posted is a rejection still to be confirmed, which the panel may
    record now (one that would be refused is refused at once instead)."""
    chosen = services.DECISIONS[form.cleaned_data["outcome"]][0] if action == "decide" else None
    return confirmation_due(request, proposal, "reject", chosen=chosen) and not (
        services.decision_refusals(proposal)
    )


def _rejection_confirmation(request, proposal, rationale):
    return confirmation_page(
        request,
        caption=proposal.title,
        title=f"Reject “{proposal.title}”?",
        consequences=[
            "The proposal is closed: it cannot be returned for changes, approved or sent to "
            "the panel again after this.",
            f"The co-ordinator is told the panel's decision and your rationale: {rationale}",
            "The project cannot go ahead. To do the research, the team must send a new "
            "proposal, which is screened and reviewed afresh.",
        ],
        confirm_label="Yes, reject the proposal",
        cancel_url=reverse("projects:panel", kwargs={"pk": proposal.pk}),
    )


def _confirmation(request, proposal, action, form, active):
    """The page asking the secretariat to confirm a step that cannot be undone, or ``None``
    when the step goes ahead now."""
    if _rejection_due(request, proposal, action, form):
        return _rejection_confirmation(request, proposal, form.cleaned_data["rationale"])
    if action == "unassign" and confirmation_needed(request):
        assignment = active[int(request.POST["assignment"])]
        return _unassign_confirmation(request, proposal, assignment, form.cleaned_data["reason"])
    return None


@role_required(Role.SECRETARIAT)
@require_http_methods(["GET", "POST"])
def panel(request, pk):
    proposal = selectors.proposal_for_panel(pk=pk)
    # A member of the secretariat who is on the project neither runs its panel nor reads what
    # the reviewers wrote about it.
    check_user_can_run_panel(request.user, proposal)
    active = {assignment.pk: assignment for assignment in selectors.assignments_active(proposal)}
    action = request.POST.get("action") if request.method == "POST" else None
    forms = _panel_forms(proposal, active.values(), _posted(request), action)
    form = _form_for(forms, action, request.POST) if action else None
    refusals = []
    if request.method == "POST" and form is None:
        refusals = (
            ["That reviewer is no longer on this proposal's panel."]
            if action == "unassign"
            else ["Choose what to do with the panel."]
        )
    elif form is not None and form.is_valid():
        asking = _confirmation(request, proposal, action, form, active)
        if asking is not None:
            return asking
        try:
            message = _panel_step(request, proposal, action, form, active)
        except TransitionRefused as refused:
            refusals = refused.reasons
        except ValidationError as error:
            _put_on_form(form, error)
        else:
            messages.success(request, message)
            return redirect("projects:panel", pk=proposal.pk)
    all_forms = [
        forms["exclusion_form"],
        forms["assign_form"],
        forms["decision_form"],
        *forms["unassign_forms"].values(),
    ]
    purposes, ethics = selectors.proposal_purposes_and_ethics(proposal)
    return render(
        request,
        "projects/panel/panel.html",
        {
            "proposal": selectors.proposal_for_review_page(proposal),
            "purposes": purposes,
            "ethics": ethics,
            "outline": selectors.proposal_outline(proposal),
            "assignments": [
                (assignment, forms["unassign_forms"][assignment.pk])
                for assignment in active.values()
            ],
            "removed": list(selectors.assignments_removed(proposal)),
            "panel_full": len(active) >= selectors.PANEL_SIZE,
            "reviewers_needed": max(selectors.PANEL_SIZE - len(active), 0),
            "panel_size": selectors.PANEL_SIZE,
            "in_panel_review": proposal.state == State.PANEL_REVIEW,
            "can_run": user_can_run_panel(request.user, proposal),
            "rules": [(sentence(rule), rule(proposal)) for rule in services.decision_rules()],
            "decisions": list(proposal.decisions.select_related("decided_by")),
            "failed_form": form if form is not None and form.errors else None,
            "refusals": refusals,
            "has_errors": bool(refusals) or any(f.errors for f in all_forms),
            "exclusion_form": forms["exclusion_form"],
            "assign_form": forms["assign_form"],
            "decision_form": forms["decision_form"],
        },
    )


# The reviewer


@role_required(Role.PANEL_REVIEWER)
def reviewer_queue(request):
    assignments = list(selectors.reviewer_queue_for(request.user))
    return render(request, "projects/panel/reviewer_queue.html", {"assignments": assignments})


@login_required
@require_http_methods(["GET", "POST"])
def review(request, pk):
    proposal, assignment = selectors.assignment_for_reviewer(pk=pk, user=request.user)
    action = request.POST.get("action") if request.method == "POST" else None
    data = _posted(request)
    conflict_form = ConflictForm(data if action == "conflict" else None, prefix="conflict")
    recommendation_form = RecommendationForm(
        data if action == "recommend" else None, prefix="recommend"
    )
    form = {"conflict": conflict_form, "recommend": recommendation_form}.get(action)
    refusals = []
    if request.method == "POST" and form is None:
        refusals = ["Choose what to do with the proposal."]
    elif form is not None and form.is_valid():
        try:
            if action == "conflict":
                services.conflict_declare(
                    assignment=assignment,
                    conflict=form.cleaned_data["conflict"],
                    details=form.cleaned_data["details"],
                    by=request.user,
                    request=request,
                )
            else:
                services.recommendation_submit(
                    assignment=assignment, by=request.user, request=request, **form.cleaned_data
                )
        except TransitionRefused as refused:
            refusals = refused.reasons
        except ValidationError as error:
            _put_on_form(form, error)
        else:
            if action == "conflict" and form.cleaned_data["conflict"]:
                messages.success(
                    request,
                    "You have declared a conflict of interest, so you will not review this "
                    "proposal. The secretariat will assign another reviewer.",
                )
                return redirect("projects:reviewer_queue")
            messages.success(
                request,
                "You have declared no conflict of interest: you can now write your recommendation."
                if action == "conflict"
                else "Your recommendation has been submitted.",
            )
            return redirect("projects:review", pk=proposal.pk)
    own = getattr(assignment, "recommendation", None)
    # Until the reviewer declares no conflict, the page holds the outline only: the rest of the
    # proposal is never sent to them.
    if user_can_read_full_proposal_as_reviewer(request.user, proposal):
        purposes, ethics = selectors.proposal_purposes_and_ethics(proposal)
        reading = {
            "proposal": selectors.proposal_for_review_page(proposal),
            "purposes": purposes,
            "ethics": ethics,
            "full": True,
        }
    else:
        reading = {"proposal": proposal, "outline": selectors.proposal_outline(proposal)}
    return render(
        request,
        "projects/panel/review.html",
        {
            **reading,
            "assignment": assignment,
            "recommendation": own,
            # Others' recommendations only once the reviewer's own is in.
            "others": list(selectors.recommendations_of_others(assignment)) if own else [],
            "in_panel_review": proposal.state == State.PANEL_REVIEW,
            "conflict_form": conflict_form,
            "recommendation_form": recommendation_form,
            "refusals": refusals,
            "has_errors": bool(refusals) or conflict_form.errors or recommendation_form.errors,
        },
    )

"""The secretariat's proposal list and screening page. Each view gets its object through a
selector, calls one service, and turns a refusal into words on the page (TransitionRefused), a
form error (ValidationError) or a 403 (PermissionDenied)."""

from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.functional import SimpleLazyObject
from django.views.decorators.http import require_http_methods

from audit.kept import kept_for_staff
from govuk.links import url_for_ids
from govuk.paging import ROWS_PER_PAGE
from govuk.rows import short_date
from identity.permissions import role_required
from identity.roles import Role
from legislation.access_modes import AccessMode
from projects import conditions
from projects.models import DatasetRequest, Proposal
from projects.panel.selectors import proposal_purposes_and_ethics
from projects.proposal.selectors import proposals_grouped
from projects.screening import selectors as screening_selectors
from projects.screening import services as screening_services
from projects.screening.forms import ScreeningForm
from projects.screening.sections import section_names
from projects.screening.services import SCREENING_CHECKS
from workflow.errors import TransitionRefused
from workflow.graph import sentence
from workflow.services import available_transitions, user_may_fire

State = Proposal.State
PROPOSALS_PER_PAGE = ROWS_PER_PAGE


def _access_mode_label(mode):
    return AccessMode(mode).label if mode else ""


def _checks_with_answers(form):
    """(key, label, ticked, input id) of each screening check, in the checklist's order, for
    the page that shows the proposal's answers beside each."""
    ticked = set(form["checks"].value() or ())
    return [
        (key, label, key in ticked, f"{form['checks'].auto_id}_{index}")
        for index, (key, label) in enumerate(SCREENING_CHECKS)
    ]


def _without_page(query):
    query = query.copy()
    query.pop("page", None)
    return query


@dataclass(frozen=True)
class ListedProposal:
    """One row of the secretariat's list: the proposal and what its cells show, worked out
    here once a row rather than by template tags and filters."""

    proposal: Proposal
    url: str  # the page where its next step is taken
    under_project: bool  # an amendment shown under the project it amends
    amendment: str  # for an amendment, where it stands against the project it amends
    coordinator: str
    sent: str


def _amendment(proposal):
    """What ``projects/proposal/version.html`` says of an amendment below its version."""
    if not proposal.amends_id:
        return ""
    if proposal.state in Proposal.APPROVED_NOT_STARTED:
        if proposal.amends.version == proposal.version:
            return "Amendment, in force"
        if proposal.amends.version > proposal.version:
            return "Amendment, since replaced"
    return "Amendment"


def _listed(groups):
    """``groups`` (``proposals_grouped``) with each proposal as a ``ListedProposal``."""
    screen = url_for_ids("projects:screen")
    panel = url_for_ids("projects:panel")
    detail = url_for_ids("projects:proposal_detail")
    listed = []
    for group in groups:
        rows = []
        for index, proposal in enumerate(group):
            if proposal.state in Proposal.TO_SCREEN:
                url = screen(proposal.pk)
            elif proposal.state == State.PANEL_REVIEW:
                url = panel(proposal.pk)
            else:
                url = detail(proposal.pk)
            coordinator = proposal.coordinator
            rows.append(
                ListedProposal(
                    proposal=proposal,
                    url=url,
                    under_project=bool(proposal.amends_id) and index > 0,
                    amendment=_amendment(proposal),
                    coordinator=coordinator.get_full_name() or coordinator.email,
                    sent=short_date(proposal.submitted_at) or "Not sent",
                )
            )
        listed.append(rows)
    return listed


@role_required(Role.SECRETARIAT)
def secretariat_list(request):
    proposal_filter = screening_selectors.SecretariatProposalFilter(
        request.GET or None, queryset=screening_selectors.proposals_for_secretariat()
    )
    form = proposal_filter.form
    usable = not proposal_filter.is_bound or form.is_valid()
    context = {"form": form}
    if usable:
        number = request.GET.get("page")

        def listing():
            page_obj = screening_selectors.proposals_page(
                proposal_filter.qs, number=number, per_page=PROPOSALS_PER_PAGE
            )
            groups = _listed(proposals_grouped(page_obj.object_list))
            return {"page_obj": page_obj, "proposals": page_obj.object_list, "groups": groups}

        chosen = form.cleaned_data if proposal_filter.is_bound else {}
        context |= {
            # Read only when the page's list is not kept already.
            "listing": SimpleLazyObject(listing),
            "listing_kept": kept_for_staff(
                "projects.proposal",
                vary=(sorted(chosen.get("state") or []), chosen.get("title") or "", number),
            ),
        }
    return render(request, "projects/screening/list.html", context)


def _put_on_form(form, error):
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error)


def _screen_step(request, proposal, form):
    by = request.user
    checks = form.cleaned_data["checks"]
    if form.action == "return":
        screening_services.screening_return(
            proposal=proposal,
            section_comments=form.section_comments,
            checks=checks,
            by=by,
            request=request,
        )
        return "The proposal has been returned to its co-ordinator with your comments."
    if form.action == "fast_track":
        screening_services.proposal_fast_track(
            proposal=proposal,
            checks=checks,
            rationale=form.cleaned_data["rationale"],
            by=by,
            request=request,
        )
        return "The proposal has been approved under delegated authority."
    proposal = screening_services.screening_pass(
        proposal=proposal, checks=checks, by=by, request=request
    )
    if proposal.state == State.DATA_OWNER_REVIEW:
        return "The proposal has been sent to the data owners for their consent."
    return "The proposal has been sent to the panel."


@role_required(Role.SECRETARIAT)
@require_http_methods(["GET", "POST"])
def screen(request, pk):
    proposal = screening_selectors.proposal_for_screening(pk=pk)
    action = request.POST.get("action") if request.method == "POST" else None
    refusals = []
    form = ScreeningForm(
        request.POST if action in ("pass", "return", "fast_track") else None, action=action
    )
    if action == "start":
        try:
            screening_services.screening_start(proposal=proposal, by=request.user, request=request)
        except TransitionRefused as refused:
            refusals = refused.reasons
        else:
            messages.success(request, "You have started screening the proposal.")
            return redirect("projects:screen", pk=proposal.pk)
    elif request.method == "POST" and not form.is_bound:
        refusals = ["Choose what to do with the proposal."]
    elif form.is_bound and form.is_valid():
        try:
            message = _screen_step(request, proposal, form)
        except TransitionRefused as refused:
            refusals = refused.reasons
        except ValidationError as error:
            _put_on_form(form, error)
        else:
            messages.success(request, message)
            return redirect("projects:screen", pk=proposal.pk)
    steps = {step.name: step for step in available_transitions(proposal, request.user)}
    requests = list(proposal.dataset_requests.all())
    team = list(proposal.team.all())
    purposes, ethics = proposal_purposes_and_ethics(proposal)
    rules = [(sentence(rule), rule(proposal)) for rule in conditions.SUBMISSION_CONDITIONS]
    unrepresented = screening_selectors.departments_without_data_owner(
        departments={r.dataset.department for r in requests if r.dataset.consent_required}
    )
    return render(
        request,
        "projects/screening/screen.html",
        {
            "proposal": proposal,
            "dataset_requests": requests,
            "needs_consent": any(r.dataset.consent_required for r in requests),
            "unrepresented": unrepresented,
            "team": team,
            "team_accreditations": screening_selectors.team_accreditations(proposal, team),
            "purposes": purposes,
            "ethics": ethics,
            "required_access_mode": _access_mode_label(conditions.strictest_access_mode(proposal)),
            "checks": _checks_with_answers(form),
            "screenings": list(proposal.screenings.all()),
            "decisions": list(proposal.decisions.all()),
            "section_names": section_names(),
            "steps": steps,
            "can_start": "start_screening" in steps,
            "can_screen": user_may_fire(proposal, "return_to_coordinator", request.user)
            and proposal.state == State.SCREENING,
            "fast_track": steps.get("fast_track_approve"),
            "rules": rules,
            "unmet_rules": [text for text, met in rules if not met],
            "return_open": form.is_bound and form.action == "return",
            "fast_track_open": form.is_bound and form.action == "fast_track",
            "form": form,
            "refusals": refusals,
            "has_errors": bool(refusals) or bool(form.errors),
            "Consent": DatasetRequest.Consent,
        },
    )

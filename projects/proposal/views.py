"""Proposal pages: each gets its object through a selector, calls one service, and turns the
service's refusal into words on the page (TransitionRefused), a form error (ValidationError) or
a 403/404 (PermissionDenied, Http404)."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.functional import SimpleLazyObject
from django.views.decorators.http import require_http_methods

from audit.kept import kept_for_person
from govuk.forms import posted_id
from govuk.paging import ROWS_PER_PAGE, ShortListPaginator
from identity.permissions import role_required
from identity.roles import Role, user_has_role
from legislation.access_modes import AccessMode
from projects import conditions
from projects.models import Proposal, Purpose
from projects.panel.permissions import user_can_run_panel
from projects.proposal import selectors as selectors
from projects.proposal import services as services
from projects.proposal.forms import (
    AccessForm,
    DatasetRequestForm,
    DatesForm,
    DpiaForm,
    EthicsForm,
    InviteForm,
    MethodsForm,
    OutputsForm,
    ProposalStartForm,
    PurposesForm,
    TitleForm,
)
from projects.proposal.permissions import (
    check_user_can_edit_proposal,
    check_user_can_read_dpia,
    check_user_can_view_proposal,
    user_can_edit_proposal,
)
from projects.proposal.sections import SECTIONS, SECTIONS_BY_SLUG, proposal_task_list
from researchers.selectors import user_has_second_factor
from uploads.responses import serve_file
from workflow.errors import TransitionRefused
from workflow.services import user_may_fire

PROPOSALS_PER_PAGE = ROWS_PER_PAGE

FORMS = {
    "title": TitleForm,
    "purposes": PurposesForm,
    "methods": MethodsForm,
    "dates": DatesForm,
    "ethics": EthicsForm,
    "dpia": DpiaForm,
    "access": AccessForm,
    "outputs": OutputsForm,
}


def _posted(request):
    return request.POST if request.method == "POST" else None


def _put_on_form(form, error):
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error)


def _editable(proposal):
    return proposal.state in Proposal.EDITABLE


def _proposal_for_editing(request, pk):
    """The proposal, for its co-ordinator only: others on the team get 403, anyone else 404."""
    proposal = selectors.proposal_get(pk=pk)
    check_user_can_view_proposal(request.user, proposal)
    check_user_can_edit_proposal(request.user, proposal)
    return proposal


# Lists and starting


@login_required
def proposal_list(request):
    user, number = request.user, request.GET.get("page")

    def listing():
        proposals = selectors.proposals_listed_for(user)
        page_obj = ShortListPaginator(proposals, PROPOSALS_PER_PAGE).get_page(number)
        return {
            "page_obj": page_obj,
            "proposals": page_obj.object_list,
            "groups": selectors.proposals_grouped(page_obj.object_list),
            "invitations": list(selectors.invitations_open_for(user)),
        }

    return render(
        request,
        "projects/proposal/list.html",
        {
            # Read only when the researcher's page is not kept already: it is kept for them
            # alone until an event about one of their proposals or invitations.
            "listing": SimpleLazyObject(listing),
            "listing_kept": kept_for_person(
                user.pk, seconds=settings.RESEARCHER_PAGES_KEPT_SECONDS, vary=(number,)
            ),
        },
    )


@role_required(Role.RESEARCHER)
@require_http_methods(["GET", "POST"])
def proposal_start(request):
    form = ProposalStartForm(_posted(request))
    if form.is_bound and form.is_valid():
        try:
            proposal = services.proposal_create(
                by=request.user, title=form.cleaned_data["title"], request=request
            )
        except ValidationError as error:
            _put_on_form(form, error)
        else:
            messages.success(request, "Your proposal has been started.")
            return redirect("projects:proposal_detail", pk=proposal.pk)
    return render(request, "projects/proposal/start.html", {"form": form})


# The proposal


def _answers(proposal):
    """What the check-your-answers page and the read-only summary show, section by section."""
    requests = selectors.proposal_dataset_requests(proposal)
    team = selectors.proposal_team(proposal)
    purposes = dict(Purpose.choices)
    from projects.proposal.forms import ETHICS_LABELS

    ethics = proposal.ethics or {}
    return {
        "requests": requests,
        "team": team,
        "purposes": [purposes.get(value, value) for value in proposal.purposes or []],
        "ethics": [
            (label, (ethics.get(question) or {}).get("answer", ""), ethics.get(question) or {})
            for question, label in ETHICS_LABELS.items()
        ],
        "access_mode_label": (
            AccessMode(proposal.access_mode).label if proposal.access_mode else ""
        ),
        "required_access_mode": conditions.strictest_access_mode(proposal),
    }


def _actions(proposal, user):
    """(label, url) of the next steps this person may take from the proposal's page."""
    from projects.lifecycle.permissions import user_can_coordinate_project, user_can_see_versions

    pk = {"pk": proposal.pk}
    state = proposal.state
    actions = []
    secretariat = user_has_role(user, Role.SECRETARIAT)
    if secretariat and state in Proposal.TO_SCREEN:
        actions.append(("Screen the proposal", reverse("projects:screen", kwargs=pk)))
    if state == Proposal.State.PANEL_REVIEW and user_can_run_panel(user, proposal):
        actions.append(("Open the panel", reverse("projects:panel", kwargs=pk)))
    # An approved amendment comes into force on the running project; it is never started itself.
    if not proposal.amends_id and user_may_fire(proposal, "activate", user):
        actions.append(("Start the project", reverse("projects:activate", kwargs=pk)))
    if user_may_fire(proposal, "close", user):
        actions.append(("Close the project", reverse("projects:close", kwargs=pk)))
    if state in Proposal.UNDER_WAY and user_can_coordinate_project(user, proposal):
        actions.append(("Amend the project", reverse("projects:amend", kwargs=pk)))
    if (proposal.version > 1 or proposal.amends_id) and user_can_see_versions(user, proposal):
        actions.append(("Compare versions", reverse("projects:versions", kwargs=pk)))
    return actions


def _detail_page(request, proposal, *, template, refusals=(), status=200):
    user = request.user
    editable = _editable(proposal) and user_can_edit_proposal(user, proposal)
    tasks = proposal_task_list(proposal) if editable else []
    context = {
        "proposal": proposal,
        "editable": editable,
        "is_coordinator": user_can_edit_proposal(user, proposal),
        "tasks": tasks,
        "ready": editable and all(task.done for task in tasks),
        "sections": SECTIONS,
        "can_withdraw": user_may_fire(proposal, "withdraw", user),
        "refusals": list(refusals),
        "actions": _actions(proposal, user),
        "decision": selectors.decision_in_force(proposal),
        **_answers(proposal),
    }
    return render(request, template, context, status=status)


@login_required
def proposal_detail(request, pk):
    proposal = selectors.proposal_get(pk=pk)
    check_user_can_view_proposal(request.user, proposal)
    return _detail_page(request, proposal, template="projects/proposal/detail.html")


@login_required
@require_http_methods(["GET", "POST"])
def proposal_check(request, pk):
    proposal = _proposal_for_editing(request, pk)
    if request.method == "POST":
        try:
            services.proposal_submit(proposal=proposal, by=request.user, request=request)
        except TransitionRefused as refused:
            proposal = selectors.proposal_get(pk=pk)
            return _detail_page(
                request, proposal, template="projects/proposal/check.html", refusals=refused.reasons
            )
        messages.success(
            request,
            "Your proposal has been sent to the secretariat. We will email you when it has been "
            "screened.",
        )
        return redirect("projects:proposal_detail", pk=proposal.pk)
    if not _editable(proposal):
        return redirect("projects:proposal_detail", pk=proposal.pk)
    return _detail_page(request, proposal, template="projects/proposal/check.html")


@login_required
@require_http_methods(["GET", "POST"])
def proposal_withdraw(request, pk):
    proposal = _proposal_for_editing(request, pk)
    refusals = []
    if request.method == "POST":
        try:
            services.proposal_withdraw(proposal=proposal, by=request.user, request=request)
        except TransitionRefused as refused:
            refusals = refused.reasons
        else:
            messages.success(request, "Your proposal has been withdrawn.")
            return redirect("projects:proposal_detail", pk=proposal.pk)
    return render(
        request,
        "projects/proposal/withdraw.html",
        {
            "proposal": proposal,
            "refusals": refusals,
            "can_withdraw": user_may_fire(proposal, "withdraw", request.user),
        },
    )


@login_required
def proposal_dpia(request, pk):
    proposal = selectors.proposal_get(pk=pk)
    # A reviewer reads the assessment only once they have declared no conflict of interest.
    check_user_can_read_dpia(request.user, proposal)
    if not proposal.dpia_file:
        raise Http404("No assessment has been uploaded.")
    return serve_file(
        request,
        proposal.dpia_file,
        download_name=f"dpia-proposal-{proposal.pk}.pdf",
        content_type="application/pdf",
    )


# Question pages


def _section_initial(proposal, section):
    if section == "ethics":
        return EthicsForm.initial_from(proposal.ethics)
    if section == "dpia":
        needed = proposal.dpia_needed
        return {"dpia_needed": None if needed is None else ("yes" if needed else "no")}
    fields = services.SECTION_FIELDS[section]
    return {name: getattr(proposal, name) for name in fields}


def _section_values(section, form):
    if section == "ethics":
        return {"ethics": form.ethics()}
    return {name: form.cleaned_data.get(name) for name in services.SECTION_FIELDS[section]}


@login_required
@require_http_methods(["GET", "POST"])
def proposal_section(request, pk, section):
    if section not in SECTIONS_BY_SLUG:
        raise Http404("No such section.")
    proposal = _proposal_for_editing(request, pk)
    if not _editable(proposal):
        messages.error(request, services.NOT_EDITABLE)
        return redirect("projects:proposal_detail", pk=proposal.pk)
    if section == "datasets":
        return _datasets_page(request, proposal)
    if section == "team":
        return _team_page(request, proposal)
    form_class = FORMS[section]
    kwargs = {"has_file": bool(proposal.dpia_file)} if section == "dpia" else {}
    form = form_class(
        _posted(request),
        request.FILES if request.method == "POST" else None,
        initial=_section_initial(proposal, section),
        **kwargs,
    )
    if form.is_bound and form.is_valid():
        try:
            services.proposal_update_section(
                proposal=proposal,
                section=section,
                values=_section_values(section, form),
                dpia=form.cleaned_data.get("dpia_file") if section == "dpia" else None,
                by=request.user,
                request=request,
            )
        except ValidationError as error:
            _put_on_form(form, error)
        else:
            messages.success(request, f"{SECTIONS_BY_SLUG[section].label}: saved.")
            return redirect("projects:proposal_detail", pk=proposal.pk)
    return render(
        request,
        "projects/proposal/section.html",
        {
            "proposal": proposal,
            "section": SECTIONS_BY_SLUG[section],
            "form": form,
            "multipart": section == "dpia",
            "required_access_mode": (
                conditions.strictest_access_mode(proposal) if section == "access" else None
            ),
        },
    )


def _datasets_page(request, proposal):
    action = request.POST.get("action") if request.method == "POST" else None
    form = DatasetRequestForm(
        _posted(request) if action == "add" else None,
        datasets=selectors.datasets_requestable(proposal),
    )
    if action == "remove":
        dataset_request = get_object_or_404(
            proposal.dataset_requests.select_related("dataset"),
            pk=posted_id(request.POST, "request"),
        )
        services.proposal_dataset_remove(
            proposal=proposal, dataset_request=dataset_request, by=request.user, request=request
        )
        messages.success(request, f"{dataset_request.dataset.name} has been removed.")
        return redirect("projects:proposal_section", pk=proposal.pk, section="datasets")
    if action == "add" and form.is_valid():
        try:
            services.proposal_dataset_add(
                proposal=proposal,
                dataset=form.cleaned_data["dataset"],
                variables=form.cleaned_data["variables"],
                open_data_reason=form.cleaned_data["open_data_reason"],
                by=request.user,
                request=request,
            )
        except ValidationError as error:
            _put_on_form(form, error)
        else:
            messages.success(request, f"{form.cleaned_data['dataset'].name} has been added.")
            return redirect("projects:proposal_section", pk=proposal.pk, section="datasets")
    return render(
        request,
        "projects/proposal/datasets.html",
        {
            "proposal": proposal,
            "section": SECTIONS_BY_SLUG["datasets"],
            "requests": selectors.proposal_dataset_requests(proposal),
            "form": form,
        },
    )


def _team_page(request, proposal):
    action = request.POST.get("action") if request.method == "POST" else None
    form = InviteForm(_posted(request) if action == "invite" else None)
    if action == "remove":
        member = get_object_or_404(proposal.team, pk=posted_id(request.POST, "member"))
        try:
            services.team_remove(proposal=proposal, member=member, by=request.user, request=request)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, f"{member.email} has been removed from the team.")
        return redirect("projects:proposal_section", pk=proposal.pk, section="team")
    if action == "invite" and form.is_valid():
        try:
            member = services.team_invite(
                proposal=proposal,
                email=form.cleaned_data["email"],
                by=request.user,
                request=request,
            )
        except ValidationError as error:
            _put_on_form(form, error)
        else:
            messages.success(request, f"We have emailed an invitation to {member.email}.")
            return redirect("projects:proposal_section", pk=proposal.pk, section="team")
    return render(
        request,
        "projects/proposal/team.html",
        {
            "proposal": proposal,
            "section": SECTIONS_BY_SLUG["team"],
            "team": selectors.proposal_team_status(proposal),
            "form": form,
        },
    )


# Invitations


@login_required
@require_http_methods(["GET", "POST"])
def team_invitation(request, token):
    invitation = selectors.invitation_get(token=token)
    if (request.user.email or "").lower() != invitation.email.lower():
        # The link is only for the person it was sent to.
        raise Http404("No such invitation.")
    errors = []
    if request.method == "POST":
        answer = request.POST.get("answer")
        step = {"accept": services.team_accept, "decline": services.team_decline}.get(answer)
        if step is None:
            errors = ["Select whether you will join the project team."]
        else:
            try:
                step(invitation=invitation, by=request.user, request=request)
            except ValidationError as error:
                errors = error.messages
            else:
                title = invitation.proposal.title
                if answer == "accept":
                    messages.success(request, f"You have joined the team of “{title}”.")
                    return redirect("projects:proposal_detail", pk=invitation.proposal_id)
                messages.success(request, f"You have declined to join the team of “{title}”.")
                return redirect("projects:proposal_list")
    proposal = invitation.proposal
    return render(
        request,
        "projects/proposal/invitation.html",
        {
            "invitation": invitation,
            "proposal": proposal,
            "refusals": errors,
            # Joining a project that has started (through its amendment) needs two factors.
            "needs_two_factor": (
                proposal.amends_id is not None and not user_has_second_factor(request.user)
            ),
        },
    )

"""The data owners' consent pages and the secretariat's list of who represents which
department. A data owner is told a proposal that asks nothing of their departments does not
exist."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from govuk.forms import posted_id
from govuk.paging import ROWS_PER_PAGE, ShortListPaginator
from identity.permissions import role_required
from identity.roles import Role
from legislation.selectors import departments_list
from projects.consent import selectors as consent_selectors
from projects.consent import services as consent_services
from projects.consent.forms import ConsentForm, RepresentativeForm
from projects.models import DataOwnerRepresentative, DatasetRequest, Proposal
from workflow.errors import TransitionRefused

State = Proposal.State
Consent = DatasetRequest.Consent
PROPOSALS_PER_PAGE = ROWS_PER_PAGE


def _put_on_form(form, error):
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error)


@role_required(Role.DATA_OWNER)
def consent_queue(request):
    proposals = consent_selectors.consent_queue_for(user=request.user)
    page_obj = ShortListPaginator(proposals, PROPOSALS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "projects/consent/queue.html",
        {
            "page_obj": page_obj,
            "proposals": page_obj.object_list,
            "departments": consent_selectors.represented_departments(user=request.user),
        },
    )


@role_required(Role.DATA_OWNER)
@require_http_methods(["GET", "POST"])
def consent(request, pk):
    proposal = consent_selectors.consent_proposal_get(pk=pk, user=request.user)
    refusals = []
    form = None
    answering = None
    if request.method == "POST":
        answering = consent_selectors.consent_request_get(
            proposal=proposal, user=request.user, pk=posted_id(request.POST, "request")
        )
        form = ConsentForm(request.POST, prefix=f"request-{answering.pk}")
        if form.is_valid():
            answer = form.cleaned_data["answer"]
            try:
                if answer == "give":
                    proposal = consent_services.consent_give(
                        dataset_request=answering,
                        reasons=form.cleaned_data["reasons"],
                        by=request.user,
                        request=request,
                    )
                else:
                    proposal = consent_services.consent_refuse(
                        dataset_request=answering,
                        reasons=form.cleaned_data["reasons"],
                        by=request.user,
                        request=request,
                    )
            except TransitionRefused as refused:
                refusals = refused.reasons
            except ValidationError as error:
                _put_on_form(form, error)
            else:
                if answer == "refuse":
                    message = (
                        f"You have refused consent for {answering.dataset}. The proposal has "
                        "been returned to its co-ordinator."
                    )
                elif proposal.state == State.PANEL_REVIEW:
                    message = (
                        f"You have given consent for {answering.dataset}. Every consent the "
                        "proposal needs has been given, so it has gone to the panel."
                    )
                else:
                    message = f"You have given consent for {answering.dataset}."
                messages.success(request, message)
                return redirect("projects:consent", pk=proposal.pk)
    own = consent_selectors.consent_requests_for(proposal=proposal, user=request.user)
    open_for_answers = proposal.state == State.DATA_OWNER_REVIEW
    rows = []
    for dataset_request in own:
        row_form = None
        if open_for_answers and dataset_request.consent == Consent.PENDING:
            if answering is not None and answering.pk == dataset_request.pk and form is not None:
                row_form = form
            else:
                row_form = ConsentForm(prefix=f"request-{dataset_request.pk}")
        rows.append((dataset_request, row_form))
    return render(
        request,
        "projects/consent/consent.html",
        {
            "proposal": proposal,
            "rows": rows,
            "others": consent_selectors.other_requests_for(proposal=proposal, user=request.user),
            "form": form,
            "refusals": refusals,
            "has_errors": bool(refusals) or bool(form is not None and form.errors),
            "open_for_answers": open_for_answers,
        },
    )


@role_required(Role.SECRETARIAT)
@require_http_methods(["GET", "POST"])
def representatives(request):
    users = consent_selectors.data_owner_users()
    departments = departments_list()
    form = RepresentativeForm(
        request.POST if request.POST.get("action") == "add" else None,
        users=users,
        departments=departments,
    )
    if request.method == "POST":
        if request.POST.get("action") == "remove":
            representative = get_object_or_404(
                DataOwnerRepresentative.objects.select_related("user", "department"),
                pk=posted_id(request.POST, "representative"),
            )
            consent_services.representative_remove(
                representative=representative, by=request.user, request=request
            )
            messages.success(
                request,
                f"{representative.user.get_full_name() or representative.user.email} no longer "
                f"represents {representative.department}.",
            )
            return redirect("projects:representatives")
        if form.is_bound and form.is_valid():
            try:
                representative = consent_services.representative_add(
                    user=form.cleaned_data["user"],
                    department=form.cleaned_data["department"],
                    by=request.user,
                    request=request,
                )
            except ValidationError as error:
                _put_on_form(form, error)
            else:
                messages.success(
                    request,
                    f"{representative.user.get_full_name() or representative.user.email} now "
                    f"represents {representative.department}.",
                )
                return redirect("projects:representatives")
    return render(
        request,
        "projects/consent/representatives.html",
        {"form": form, "representatives": consent_selectors.representatives_list()},
    )

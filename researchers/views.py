from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.template.loader import render_to_string

from govuk.paging import ROWS_PER_PAGE
from identity.permissions import role_required
from identity.roles import Role
from researchers.declaration.selectors import declaration_latest_signed, declaration_version_current
from researchers.profile.selectors import training_latest

from . import selectors, services
from .filters import PersonFilter
from .forms import PersonRolesForm
from .hooks import person_sections, role_grants

PEOPLE_PER_PAGE = ROWS_PER_PAGE


@role_required(Role.SECRETARIAT)
def people_list(request):
    person_filter = PersonFilter(request.GET or None, queryset=selectors.people_list())
    page_obj = Paginator(person_filter.qs, PEOPLE_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "researchers/people_list.html",
        {"filter": person_filter, "page_obj": page_obj, "people": page_obj.object_list},
    )


@role_required(Role.SECRETARIAT)
def person_detail(request, pk):
    person = selectors.person_get(pk=pk)
    sections = [
        render_to_string(template, {"person": person, **context}, request=request)
        for template, context in person_sections(person=person, viewer=request.user)
    ]
    return render(
        request,
        "researchers/person_detail.html",
        {
            "person": person,
            "roles": person.held_roles(),
            "events": selectors.person_audit_events(user=person),
            "declaration": declaration_latest_signed(user=person),
            "declaration_current": declaration_version_current(),
            "training": training_latest(user=person),
            "sections": sections,
        },
    )


@role_required(Role.SECRETARIAT)
def person_roles(request, pk):
    person = selectors.person_get(pk=pk)
    initial = {"roles": [role.value for role in person.held_roles()]}
    # Unticking every box sends an empty POST, which is still a submission.
    data = request.POST if request.method == "POST" else None
    form = PersonRolesForm(data, initial=initial)
    if form.is_bound and form.is_valid():
        try:
            granted, revoked = services.roles_set(
                user=person, roles=form.cleaned_data["roles"], by=request.user, request=request
            )
        except ValidationError as error:
            form.add_error("roles", error.message_dict["roles"])
        else:
            messages.success(request, _roles_changed_message(person, granted, revoked))
            return redirect("researchers:person_detail", pk=person.pk)
    endings = [
        (role.label, grant.gives) for role in person.held_roles() for grant in role_grants(role)
    ]
    return render(
        request,
        "researchers/person_roles.html",
        {"person": person, "form": form, "endings": endings},
    )


def _roles_changed_message(person, granted, revoked):
    if not granted and not revoked:
        return f"No roles were changed for {person}."
    changes = []
    if granted:
        changes.append("given " + _labels(granted))
    if revoked:
        changes.append("removed " + _labels(revoked))
    return f"Roles updated for {person}: " + "; ".join(changes) + "."


def _labels(roles):
    return ", ".join(Role(role).label.lower() for role in roles)

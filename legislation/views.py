import copy

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render

from identity.permissions import role_required
from identity.roles import Role

from . import selectors, services
from .filters import DatasetFilter
from .forms import ActForm, DatasetForm
from .permissions import user_can_edit_catalogue

DATASETS_PER_PAGE = 25


def act_list(request):
    return render(
        request,
        "legislation/act_list.html",
        {
            "acts": selectors.acts_list(),
            "can_edit": user_can_edit_catalogue(request.user),
        },
    )


def act_detail(request, slug):
    act = selectors.act_get(slug=slug)
    return render(
        request,
        "legislation/act_detail.html",
        {"act": act, "can_edit": user_can_edit_catalogue(request.user)},
    )


def _posted(request):
    # An empty POST is still a submission, and must show what is missing.
    return request.POST if request.method == "POST" else None


def _save_or_show_errors(form, save):
    """Run ``save`` and return its result, or put the service's refusal on the form."""
    try:
        return save()
    except ValidationError as error:
        if hasattr(error, "error_dict"):
            for field, errors in error.error_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            form.add_error(None, error)
        return None


@role_required(Role.SECRETARIAT)
def act_create(request):
    form = ActForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        act = _save_or_show_errors(
            form,
            lambda: services.act_create(**form.cleaned_data, by=request.user, request=request),
        )
        if act is not None:
            messages.success(request, f"{act.title} has been added.")
            return redirect(act)
    return render(request, "legislation/act_form.html", {"form": form, "act": None})


@role_required(Role.SECRETARIAT)
def act_edit(request, slug):
    act = selectors.act_get(slug=slug)
    # The form writes typed values onto its instance; the heading keeps the saved title.
    form = ActForm(_posted(request), instance=copy.copy(act))
    if request.method == "POST" and form.is_valid():
        updated = _save_or_show_errors(
            form,
            lambda: services.act_update(
                act=act, **form.cleaned_data, by=request.user, request=request
            ),
        )
        if updated is not None:
            messages.success(request, f"{updated.title} has been updated.")
            return redirect(updated)
    return render(request, "legislation/act_form.html", {"form": form, "act": act})


def dataset_list(request):
    dataset_filter = DatasetFilter(request.GET or None, queryset=selectors.datasets_list())
    page_obj = Paginator(dataset_filter.qs, DATASETS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "legislation/dataset_list.html",
        {
            "filter": dataset_filter,
            "page_obj": page_obj,
            "datasets": page_obj.object_list,
            "can_edit": user_can_edit_catalogue(request.user),
        },
    )


def dataset_detail(request, slug):
    dataset = selectors.dataset_get(slug=slug)
    return render(
        request,
        "legislation/dataset_detail.html",
        {"dataset": dataset, "can_edit": user_can_edit_catalogue(request.user)},
    )


@role_required(Role.SECRETARIAT)
def dataset_create(request):
    form = DatasetForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        dataset = _save_or_show_errors(
            form,
            lambda: services.dataset_create(**form.cleaned_data, by=request.user, request=request),
        )
        if dataset is not None:
            messages.success(request, f"{dataset.name} has been added.")
            return redirect(dataset)
    return render(request, "legislation/dataset_form.html", {"form": form, "dataset": None})


@role_required(Role.SECRETARIAT)
def dataset_edit(request, slug):
    dataset = selectors.dataset_get(slug=slug)
    form = DatasetForm(_posted(request), instance=copy.copy(dataset))
    if request.method == "POST" and form.is_valid():
        updated = _save_or_show_errors(
            form,
            lambda: services.dataset_update(
                dataset=dataset, **form.cleaned_data, by=request.user, request=request
            ),
        )
        if updated is not None:
            messages.success(request, f"{updated.name} has been updated.")
            return redirect(updated)
    return render(request, "legislation/dataset_form.html", {"form": form, "dataset": dataset})

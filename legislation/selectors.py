"""Reads of the catalogue shared by pages and by later apps, each in a fixed number of queries."""

from collections.abc import Iterable

from django.db.models import Count, Prefetch
from django.shortcuts import get_object_or_404

from .access_modes import access_mode_strictest
from .models import Act, Dataset, Department


def acts_list():
    """Every act, with how many datasets are held under it."""
    return Act.objects.annotate(dataset_count=Count("datasets", distinct=True)).order_by("title")


def act_get(*, slug):
    """One act with its datasets and their owners, or 404."""
    datasets = Dataset.objects.select_related("department").order_by("name")
    return get_object_or_404(
        Act.objects.prefetch_related(Prefetch("datasets", queryset=datasets)), slug=slug
    )


def datasets_list():
    """Every dataset with its owning department and gateway acts."""
    return (
        Dataset.objects.select_related("department")
        .prefetch_related(Prefetch("acts", queryset=Act.objects.order_by("title")))
        .order_by("name")
    )


def dataset_get(*, slug):
    """One dataset with its owner and gateway acts, or 404."""
    return get_object_or_404(datasets_list(), slug=slug)


def departments_list():
    return Department.objects.order_by("name")


def datasets_strictest_access_mode(*, datasets):
    """The strictest access mode any of ``datasets`` requires, or None for no datasets.

    A project's access mode must be at least this strict.
    """
    return access_mode_strictest(dataset.access_mode for dataset in datasets)


def datasets_needing_consent(*, datasets: Iterable[Dataset]) -> list[Dataset]:
    """Those of ``datasets`` whose owning department must consent to onward access."""
    return [dataset for dataset in datasets if dataset.consent_required]

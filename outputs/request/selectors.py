"""Reading output requests for the pages that write them."""

from django.db.models import Count, Prefetch, Q
from django.shortcuts import get_object_or_404

from outputs.check.selectors import check_summary_set
from outputs.models import FileGroup, OutputFile, OutputRequest
from projects.models import Proposal


def project_get(*, pk):
    return get_object_or_404(Proposal.objects.select_related("coordinator"), pk=pk)


def output_requests_for_project(project):
    """The project's output requests, newest first, with how many current files each has."""
    return (
        OutputRequest.objects.filter(project=project)
        .select_related("author")
        .annotate(
            file_count=Count("groups__files", filter=Q(groups__files__replaced_at__isnull=True))
        )
        .order_by("-created_at", "-id")
    )


def project_nothing_in_checking(project):
    """Whether no output request of ``project`` is with the output checkers. Registered in
    ``projects.hooks.checking_checks``, which an ended project's close asks."""
    return not OutputRequest.objects.filter(
        project=project, state__in=OutputRequest.IN_CHECKING
    ).exists()


def output_request_get(*, pk):
    return get_object_or_404(
        OutputRequest.objects.select_related("project", "project__coordinator", "author"), pk=pk
    )


def current_files():
    return OutputFile.objects.filter(replaced_at__isnull=True)


def output_request_groups(output_request):
    """The request's groups in order, each with its current files (and their counts files),
    each file with what its automated checks say (``check_outcome``)."""
    groups = list(
        FileGroup.objects.filter(request=output_request)
        .prefetch_related(
            Prefetch(
                "files",
                queryset=current_files()
                .select_related("counts_file")
                .prefetch_related("checks")
                .order_by("uploaded_at", "id"),
                to_attr="current_files",
            )
        )
        .order_by("created_at", "id")
    )
    for group in groups:
        for output_file in group.current_files:
            check_summary_set(output_file, list(output_file.checks.all()))
    return groups


def output_request_current_files(output_request):
    return current_files().filter(group__request=output_request).order_by("uploaded_at", "id")


def group_get(*, output_request, pk):
    return get_object_or_404(FileGroup, request=output_request, pk=pk)


def file_get(*, pk):
    return get_object_or_404(
        OutputFile.objects.select_related(
            "group", "group__request", "group__request__project", "group__request__author"
        ),
        pk=pk,
    )


def output_requests_needing_author(user):
    """``user``'s output requests waiting for them: drafts to send and requests returned for
    changes, the longest untouched first, with their projects' titles, in one query."""
    return (
        OutputRequest.objects.filter(author=user, state__in=OutputRequest.EDITABLE)
        .select_related("project")
        .only("title", "state", "project__title", "project__state")
        .order_by("updated_at", "pk")
    )

"""Reads for releasing output requests and for the project members' downloads of released files.

Before release, and for anyone outside the project, a released file does not exist: every
selector here answers 404 rather than saying whether the output is there.
"""

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from outputs.models import OutputFile, OutputRequest
from outputs.release.permissions import check_user_can_download_released

RELEASED = OutputRequest.State.RELEASED


def output_request_get(*, pk):
    """One output request with its project, or 404."""
    return get_object_or_404(
        OutputRequest.objects.select_related("project", "project__coordinator", "author"), pk=pk
    )


def current_files(output_request: OutputRequest) -> QuerySet[OutputFile]:
    """The request's files as they stand (replaced versions left out), group by group."""
    return (
        OutputFile.objects.filter(group__request=output_request, replaced_at__isnull=True)
        .select_related("group")
        .order_by("group__name", "group__pk", "name", "pk")
    )


def released_request_for_member(*, pk, user):
    """A released request of a project ``user`` works on, or 404."""
    output_request = output_request_get(pk=pk)
    check_user_can_download_released(user, output_request)
    return output_request


def released_file_for_member(*, file_pk, user):
    """A current file of a released request of a project ``user`` works on, or 404."""
    output_file = get_object_or_404(
        OutputFile.objects.select_related("group__request__project"),
        pk=file_pk,
        replaced_at__isnull=True,
        group__request__state=RELEASED,
        # Emptied once the retention run has destroyed the stored file.
        file__gt="",
    )
    check_user_can_download_released(user, output_file.group.request)
    return output_file

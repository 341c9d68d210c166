"""Reads for where released outputs were published, for the project's outputs page, the close
rule and the public register. The last two are registered in ``projects.hooks`` from
``OutputsConfig.ready()``, so projects asks them without importing outputs."""

from outputs.models import OutputFile, OutputRequest, Publication, PublicationWaiver
from projects.hooks import PublishedOutput

RELEASED = OutputRequest.State.RELEASED


def project_released_files(project):
    """The current files of every released request of ``project``, each with its publication
    (or None), oldest release first."""
    return (
        OutputFile.objects.filter(
            group__request__project=project,
            group__request__state=RELEASED,
            replaced_at__isnull=True,
        )
        .select_related("group__request", "publication")
        .order_by("group__request__released_at", "group__request__pk", "group__name", "name", "pk")
    )


def project_waivers(project):
    return PublicationWaiver.objects.filter(project=project).select_related("recorded_by")


def project_outputs_settled(project):
    """Whether every released output of ``project`` is published, or the secretariat has
    recorded a waiver for the project."""
    if PublicationWaiver.objects.filter(project=project).exists():
        return True
    return not project_released_files(project).filter(publication__isnull=True).exists()


def _title(output_file):
    title = output_file.group.request.title
    return f"{title}: {output_file.name}" if title else output_file.name


def published_outputs_by_project(projects):
    """``{project pk: [PublishedOutput, ...]}`` for ``projects``, in one query: only what the
    public may read (title, citation, DOI, URL)."""
    publications = (
        Publication.objects.filter(
            file__group__request__project__in=[project.pk for project in projects],
            file__group__request__state=RELEASED,
            file__replaced_at__isnull=True,
        )
        .select_related("file__group__request")
        # Only what a register entry shows (and the request's state, which the state machine
        # reads as each request is made, or it is read again one request at a time): the
        # register asks for a page of projects at once, and whole rows of four tables cost more
        # than the query.
        .only(
            "citation",
            "doi",
            "url",
            "file__name",
            "file__group__request__title",
            "file__group__request__state",
            "file__group__request__project",
        )
        .order_by("recorded_at", "pk")
    )
    found = {}
    for publication in publications:
        output_file = publication.file
        found.setdefault(output_file.group.request.project_id, []).append(
            PublishedOutput(
                title=_title(output_file),
                citation=publication.citation,
                doi=publication.doi,
                url=publication.url,
            )
        )
    return found

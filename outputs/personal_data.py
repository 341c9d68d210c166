"""What output checking holds about a person, for their copy of their data: the output requests
they wrote, each file's name and SHA-256, what the checkers said to them and the outcome, and
the files they uploaded themselves. Registered into ``researchers.hooks`` from
``OutputsConfig.ready()``; a fixed number of queries.

The checkers' own votes and who they were stay out: the person sees what they were told.
"""

from django.db.models import Prefetch

from researchers.data_export.archive import file_path
from researchers.hooks import PersonalData

from .models import GroupComment, OutputFile, OutputRequest


def _file_path(output_file):
    return file_path("outputs", output_file.pk, output_file.name, output_file.file.name)


def _requests(person):
    requests = (
        OutputRequest.objects.filter(author=person)
        .select_related("project")
        .prefetch_related(
            "groups",
            Prefetch(
                "groups__files",
                queryset=OutputFile.objects.select_related("publication").order_by(
                    "uploaded_at", "pk"
                ),
            ),
            Prefetch(
                "groups__comments",
                queryset=GroupComment.objects.filter(public=True).order_by("created_at", "pk"),
                to_attr="public_comments",
            ),
        )
        .order_by("created_at", "pk")
    )
    return [
        {
            "id": output_request.pk,
            "project": output_request.project_id,
            "project_title": output_request.project.title,
            "title": output_request.title,
            "state": output_request.get_state_display(),
            "created_at": output_request.created_at,
            "submitted_at": output_request.submitted_at,
            "returned_at": output_request.returned_at,
            "decided_at": output_request.decided_at,
            "released_at": output_request.released_at,
            "groups": [
                {
                    "name": group.name,
                    "context": group.context,
                    "disclosure_controls": group.disclosure_controls,
                    "checkers_comments": [
                        {"text": comment.text, "round": comment.round, "at": comment.created_at}
                        for comment in group.public_comments
                    ],
                    "files": [
                        {
                            "id": output_file.pk,
                            "name": output_file.name,
                            "output_type": output_file.get_output_type_display(),
                            "sha256": output_file.sha256,
                            "size": output_file.size,
                            "uploaded_at": output_file.uploaded_at,
                            "replaced_at": output_file.replaced_at,
                            "uploaded_by_you": output_file.uploaded_by_id == person.pk,
                            "file": _file_path(output_file)
                            if output_file.uploaded_by_id == person.pk
                            else None,
                            "publication": _publication(output_file),
                        }
                        for output_file in group.files.all()
                    ],
                }
                for group in output_request.groups.all()
            ],
        }
        for output_request in requests
    ]


def _publication(output_file):
    try:
        publication = output_file.publication
    except OutputFile.publication.RelatedObjectDoesNotExist:
        return None
    return {
        "citation": publication.citation,
        "doi": publication.doi,
        "url": publication.url,
        "recorded_at": publication.recorded_at,
    }


def _request_files(person):
    files = OutputFile.objects.filter(group__request__author=person, uploaded_by=person).order_by(
        "uploaded_at", "pk"
    )
    return [(_file_path(output_file), output_file.file) for output_file in files]


PARTS = (
    PersonalData(
        name="output_requests",
        describes="The output requests you wrote: each group of files with its context and "
        "disclosure controls, each file's name, SHA-256 fingerprint and size, what the output "
        "checkers told you, the outcome and any publication you recorded. The files you "
        "uploaded are under files/outputs/.",
        rows=_requests,
        files=_request_files,
        order=50,
    ),
)

"""Recording where a released output was published, and the secretariat's waiver that lets a
project close with released outputs unpublished. Both audited in their own transaction, which
also closes an ended project when this settled the last thing it waited for."""

from django.db import transaction
from django.http import HttpRequest

from audit.services import audit_record
from outputs.models import OutputFile, Publication, PublicationWaiver
from projects.lifecycle.services import project_close_when_settled
from projects.models import Proposal
from researchers.models import User


def publication_record(
    *,
    output_file: OutputFile,
    citation: str,
    doi: str = "",
    url: str = "",
    by: User,
    request: HttpRequest | None = None,
) -> Publication:
    """Record (or correct) where ``output_file`` was published, by a member of its project."""
    with transaction.atomic():
        output_file = OutputFile.objects.select_for_update().get(pk=output_file.pk)
        publication, created = Publication.objects.update_or_create(
            file=output_file,
            defaults={"citation": citation, "doi": doi, "url": url, "recorded_by": by},
        )
        audit_record(
            actor=by,
            action="output.publication_recorded" if created else "output.publication_changed",
            obj=output_file,
            payload={"doi": doi, "url": url},
            # The citation is free text naming people, under the key of whoever wrote it.
            person=by.pk,
            personal={"citation": citation},
            request=request,
        )
        project_close_when_settled(project=output_file.group.request.project)
    return publication


def waiver_record(
    *, project: Proposal, reasons: str, by: User, request: HttpRequest | None = None
) -> PublicationWaiver:
    """The secretariat lets ``project`` close although released outputs are unpublished."""
    with transaction.atomic():
        waiver = PublicationWaiver.objects.create(project=project, reasons=reasons, recorded_by=by)
        audit_record(
            actor=by,
            action="project.publication_waived",
            obj=project,
            payload={"waiver": waiver.pk},
            # Said about the co-ordinator's project, under their key (its audit_person_id).
            personal={"reasons": reasons},
            request=request,
        )
        project_close_when_settled(project=project)
    return waiver

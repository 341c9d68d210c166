"""Approved and released output requests with real file content, for the release and
publication tests."""

import hashlib

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone

from identity.roles import Role
from outputs.models import FileGroup, OutputFile, OutputRequest, OutputType
from outputs.publication.services import publication_record
from outputs.release.services import output_request_release
from projects.models import Proposal
from tests.factories import UserFactory
from tests.outputs.factories import OutputRequestFactory
from tests.projects.factories import ProposalFactory

TABLE = b"region,count\nNorth,120\nSouth,245\n"
FIGURE = b"%PDF-1.4\n" + b"0" * 300_000 + b"\n%%EOF\n"


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def checker():
    return UserFactory(roles=[Role.OUTPUT_CHECKER], totp=True)


def output_file_add(group, *, name, content, output_type=OutputType.FREQUENCY_TABLE):
    output_file = OutputFile(
        group=group,
        name=name,
        output_type=output_type,
        sha256=hashlib.sha256(content).hexdigest(),
        size=len(content),
        content_type="text/csv" if name.endswith(".csv") else "application/pdf",
        uploaded_by=group.request.author,
    )
    output_file.file.save(name, ContentFile(content), save=False)
    output_file.save()
    return output_file


def approved_request(*, team=(), project=None, title="Earnings by region"):
    """An approved request with two groups: a table and a larger figure, plus a replaced file
    that must never be released."""
    project = project or ProposalFactory(state=Proposal.State.ACTIVE, team=list(team))
    output_request = OutputRequestFactory(
        project=project,
        title=title,
        state=OutputRequest.State.APPROVED,
        submitted_at=timezone.now(),
        decided_at=timezone.now(),
    )
    tables = FileGroup.objects.create(
        request=output_request, name="Tables", context="Counts.", disclosure_controls="None."
    )
    figures = FileGroup.objects.create(
        request=output_request, name="Figures", context="Plots.", disclosure_controls="None."
    )
    old = output_file_add(tables, name="table.csv", content=b"region,count\nNorth,3\n")
    old.replaced_at = timezone.now()
    old.save()
    output_file_add(tables, name="table.csv", content=TABLE)
    output_file_add(figures, name="figure.pdf", content=FIGURE, output_type=OutputType.FIGURE)
    return output_request


def released_request(**kwargs):
    output_request = approved_request(**kwargs)
    return output_request_release(output_request=output_request, by=checker())


def current_files(output_request):
    return list(
        OutputFile.objects.filter(group__request=output_request, replaced_at=None).order_by(
            "group__name", "name"
        )
    )


def publish_all(output_request, by):
    """Record a publication of every current file of a released request, by ``by``."""
    for output_file in current_files(output_request):
        publication_record(
            output_file=output_file,
            citation=f"Smith J (2027) {output_file.name}. Journal of Examples 4(2).",
            doi="10.1234/example.5678",
            by=by,
        )

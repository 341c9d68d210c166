import hashlib

import factory
from django.core.files.uploadedfile import SimpleUploadedFile

from outputs.check.services import file_checks_run
from outputs.models import FileGroup, OutputFile, OutputRequest, OutputType
from outputs.request.services import (
    OUTPUT_KINDS,
    file_add,
    group_add,
    output_request_create,
    output_request_submit,
    output_store,
)
from projects.models import Proposal
from tests.projects.factories import ProposalFactory, accredit
from uploads.validators import validate_upload


class OutputRequestFactory(factory.django.DjangoModelFactory):
    """A draft output request by the co-ordinator of an active project."""

    class Meta:
        model = OutputRequest

    project = factory.SubFactory(ProposalFactory, state=Proposal.State.ACTIVE)
    author = factory.SelfAttribute("project.coordinator")


SMALL_TABLE_CSV = b"region,count\nNorth,25\nSouth,31\nEast,18\n"


class FileGroupFactory(factory.django.DjangoModelFactory):
    """A group with its context and disclosure controls, in a draft request."""

    class Meta:
        model = FileGroup

    request = factory.SubFactory(OutputRequestFactory)
    name = factory.Sequence(lambda n: f"Tables for chapter {n + 1}")
    context = "Counts of people by region, for the paper's first table."
    disclosure_controls = "Cells under 10 suppressed; totals rounded to the nearest 5."


class OutputFileFactory(factory.django.DjangoModelFactory):
    """A small CSV frequency table stored at its content address: ``OutputFileFactory(
    content=b"...")`` for other bytes. Its automated checks have run, as the worker would run
    them (``checks_run=False`` for a file still awaiting them). Needs ``settings.MEDIA_ROOT``
    pointing somewhere temporary in the test."""

    class Meta:
        model = OutputFile
        exclude = ["content"]
        skip_postgeneration_save = True

    content = SMALL_TABLE_CSV
    group = factory.SubFactory(FileGroupFactory)
    name = "table.csv"
    output_type = OutputType.FREQUENCY_TABLE
    sha256 = factory.LazyAttribute(lambda o: hashlib.sha256(o.content).hexdigest())
    size = factory.LazyAttribute(lambda o: len(o.content))
    content_type = "text/csv"
    uploaded_by = factory.SelfAttribute("group.request.author")
    file = factory.LazyAttribute(
        lambda o: output_store(
            validate_upload(
                SimpleUploadedFile(o.name, o.content), allowed=OUTPUT_KINDS, max_bytes=10**9
            )
        )
    )

    @factory.post_generation
    def checks_run(obj, create, extracted, **kwargs):
        if create and extracted is not False:
            file_checks_run(file=obj)


def upload(content=SMALL_TABLE_CSV, name="table.csv"):
    """An uploaded file as a form would give it to a service."""
    return SimpleUploadedFile(name, content)


def output_request_submitted(*, author=None, project=None, groups=1, files_per_group=1, **kwargs):
    """A request made and submitted through the authoring services: ``groups`` described groups
    of ``files_per_group`` distinct CSV tables each, checked. The author (the project's co-ordinator
    unless given) holds active accreditation. Needs ``settings.MEDIA_ROOT`` set for the test."""
    output_request = output_request_ready(
        author=author, project=project, groups=groups, files_per_group=files_per_group
    )
    return output_request_submit(output_request=output_request, by=output_request.author, **kwargs)


def output_request_ready(*, author=None, project=None, groups=1, files_per_group=1):
    """A draft ready to submit, made as ``output_request_submitted`` makes it, left unsent."""
    project = project or ProposalFactory(state=Proposal.State.ACTIVE)
    author = author or project.coordinator
    accredit(author)
    output_request = output_request_create(project=project, by=author, title="Tables for the paper")
    for g in range(groups):
        group = group_add(
            output_request=output_request,
            by=author,
            name=f"Group {g + 1}",
            context="Counts of people by region.",
            disclosure_controls="Cells under 10 suppressed.",
        )
        for f in range(files_per_group):
            content = SMALL_TABLE_CSV + f"G{g + 1}F{f + 1},{f + 11}\n".encode()
            output_file = file_add(
                group=group,
                by=author,
                upload_file=upload(content, f"table-{g + 1}-{f + 1}.csv"),
                output_type=OutputType.FREQUENCY_TABLE,
            )
            # What the worker does once the upload commits.
            file_checks_run(file=output_file)
    return output_request

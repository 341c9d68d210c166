import hashlib

import factory
from django.core.files.uploadedfile import SimpleUploadedFile

from outputs.check.services import file_checks_run
from outputs.models import FileGroup, OutputFile, OutputRequest, OutputType
from outputs.request.services import (
    OUTPUT_KINDS,
    output_store,
)
from tests.projects.states import ProposalAtFactory
from uploads.validators import validate_upload


class OutputRequestFactory(factory.django.DjangoModelFactory):
    """A draft output request by the co-ordinator of an active project."""

    class Meta:
        model = OutputRequest

    # Taken to active through the services: ``project__state=...`` for another state.
    project = factory.SubFactory(ProposalAtFactory)
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

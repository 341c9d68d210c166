"""Factories for profiles, organisations, qualifications and training records."""

import datetime

import factory
from django.core.files.base import ContentFile

from identity.roles import Role
from researchers.models import Organisation, Qualification, ResearcherProfile, TrainingRecord
from tests.factories import UserFactory

# The smallest file every PDF check accepts.
PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"University of Testshire {n}")
    status = Organisation.Status.APPROVED


class ResearcherProfileFactory(factory.django.DjangoModelFactory):
    """A complete profile: approved organisation, job title and a work email address."""

    class Meta:
        model = ResearcherProfile

    user = factory.SubFactory(UserFactory, roles=[Role.RESEARCHER])
    organisation = factory.SubFactory(OrganisationFactory)
    job_title = "Research fellow"
    contact_email = factory.LazyAttribute(lambda o: o.user.email)


class QualificationFactory(factory.django.DjangoModelFactory):
    """A degree meeting the full criteria: a first with substantial quantitative content.

    ``QualificationFactory(evidence__data=b"...")`` stores an evidence file (a small PDF by
    default when ``evidence`` is asked for with ``with_evidence=True``).
    """

    class Meta:
        model = Qualification

    class Params:
        with_evidence = factory.Trait(
            evidence=factory.django.FileField(filename="degree.pdf", data=PDF_BYTES),
            evidence_name="degree certificate.pdf",
            evidence_kind="pdf",
        )

    user = factory.SubFactory(UserFactory, roles=[Role.RESEARCHER])
    kind = Qualification.Kind.DEGREE
    subject = "Economics"
    institution = "University of Manchester"
    level = Qualification.Level.BACHELOR
    classification = Qualification.Classification.FIRST
    quantitative = True


class ExperienceFactory(QualificationFactory):
    kind = Qualification.Kind.EXPERIENCE
    subject = ""
    institution = ""
    level = ""
    classification = ""
    quantitative = False
    years = 3
    description = "Analysed survey microdata as a research officer."


class TrainingRecordFactory(factory.django.DjangoModelFactory):
    """A pass of Safe Researcher Training a month ago."""

    class Meta:
        model = TrainingRecord

    class Params:
        with_certificate = factory.Trait(
            certificate=factory.django.FileField(filename="certificate.pdf", data=PDF_BYTES),
            certificate_name="certificate.pdf",
            certificate_kind="pdf",
        )

    user = factory.SubFactory(UserFactory, roles=[Role.RESEARCHER])
    course = "Safe Researcher Training"
    passed_on = factory.LazyFunction(lambda: datetime.date.today() - datetime.timedelta(days=30))


def upload_bytes(data, name):
    return ContentFile(data, name=name)

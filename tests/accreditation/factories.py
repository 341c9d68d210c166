import datetime

import factory
from django.contrib.auth.models import Group
from django.utils import timezone

from accreditation.conditions import SCREENING_CHECKS
from accreditation.models import Accreditation, AccreditationApplication, Level
from identity.roles import Role
from researchers.models import Declaration, DeclarationVersion
from tests.factories import UserFactory
from tests.researchers.profile_factories import (
    OrganisationFactory,
    QualificationFactory,
    ResearcherProfileFactory,
    TrainingRecordFactory,
)

State = AccreditationApplication.State
EVERY_CHECK_TICKED = {key: True for key, _ in SCREENING_CHECKS}


def declaration_sign_for(user):
    """A signed declaration on the current version, as if its PDF had been made: the row is made
    directly, as rendering a PDF for every applicant would slow every test that makes one
    (``tests.researchers.states.declaration_signed`` goes through the services)."""
    from researchers.declaration.models import reference_new

    # Transactional tests empty every table, the published first version included.
    version = DeclarationVersion.objects.current() or DeclarationVersion.objects.create(
        number=1, text="I will keep the data confidential."
    )
    return Declaration.objects.create(
        user=user,
        version=version,
        reference=reference_new(),
        typed_name=user.full_name or user.email,
        signed_at=timezone.now(),
        state=Declaration.State.SIGNED,
    )


class ApplicantFactory(UserFactory):
    """A researcher with everything a full application needs: a complete profile at an approved
    organisation, a qualifying degree, Safe Researcher Training a month ago and the current
    declaration signed.

    ``ApplicantFactory(ready__organisation=org)`` picks the organisation,
    ``ready__qualified=False`` leaves out the degree (provisional only), and ``ready=False``
    gives a bare researcher.
    """

    @factory.post_generation
    def ready(self, create, extracted, **kwargs):
        if not create or extracted is False:
            return
        group, _ = Group.objects.get_or_create(name=str(Role.RESEARCHER))
        self.groups.add(group)
        organisation = kwargs.get("organisation") or OrganisationFactory()
        ResearcherProfileFactory(user=self, organisation=organisation)
        if kwargs.get("qualified", True):
            QualificationFactory(user=self)
        TrainingRecordFactory(user=self)
        declaration_sign_for(self)


class AccreditationApplicationFactory(factory.django.DjangoModelFactory):
    """A draft application whose applicant meets every submission rule, so it can be submitted at
    once on the full route. ``application_at`` (``states.py``) takes one to any other state
    through the services; ``state=...`` here is only for a row no service would make (a
    guard against corrupt data), or rows made in bulk as the services would leave them.
    """

    class Meta:
        model = AccreditationApplication

    applicant = factory.SubFactory(ApplicantFactory)
    kind = factory.LazyAttribute(
        lambda o: Level.FULL if o.state in (State.DRAFT, State.RETURNED) else ""
    )
    state = State.DRAFT
    register_consent = True
    publish_commitment = True
    screening = factory.LazyAttribute(
        lambda o: {} if o.state in (State.DRAFT, State.RETURNED) else dict(EVERY_CHECK_TICKED)
    )


class AccreditationFactory(factory.django.DjangoModelFactory):
    """An active full accreditation for five years from today, from an approved application:
    the rows ``application_approve`` leaves, made directly because nearly every test needs an
    accredited researcher, often with chosen dates. ``accreditation_at`` (``states.py``)
    suspends, revokes or expires one through the services."""

    class Meta:
        model = Accreditation

    researcher = factory.SubFactory(UserFactory, roles=[Role.RESEARCHER])
    application = factory.SubFactory(
        AccreditationApplicationFactory,
        applicant=factory.SelfAttribute("..researcher"),
        kind=Level.FULL,
        state=AccreditationApplication.State.APPROVED,
    )
    level = Level.FULL
    valid_from = factory.LazyFunction(timezone.localdate)
    valid_until = factory.LazyAttribute(lambda o: o.valid_from + datetime.timedelta(days=5 * 365))

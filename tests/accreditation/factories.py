import datetime

import factory
from django.utils import timezone

from accreditation.models import Accreditation, AccreditationApplication, Level
from researchers.roles import Role
from tests.factories import UserFactory


class AccreditationApplicationFactory(factory.django.DjangoModelFactory):
    """An application in any state: ``AccreditationApplicationFactory(state=State.SUBMITTED)``."""

    class Meta:
        model = AccreditationApplication

    applicant = factory.SubFactory(UserFactory, roles=[Role.RESEARCHER])


class AccreditationFactory(factory.django.DjangoModelFactory):
    """An active full accreditation for five years from today, from an approved application."""

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

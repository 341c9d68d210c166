import datetime

import factory
from django.utils import timezone

from projects.models import DatasetRequest, Proposal
from researchers.roles import Role
from tests.factories import UserFactory
from tests.legislation.factories import DatasetFactory


class ProposalFactory(factory.django.DjangoModelFactory):
    """A proposal running for a year from today, in any state: ``ProposalFactory(state=...)``.

    ``ProposalFactory(datasets=[dataset, ...])`` requests those datasets.
    """

    class Meta:
        model = Proposal
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Regional earnings and health outcomes {n}")
    coordinator = factory.SubFactory(UserFactory, roles=[Role.RESEARCHER])
    start_date = factory.LazyFunction(timezone.localdate)
    end_date = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=365))

    @factory.post_generation
    def datasets(self, create, extracted, **kwargs):
        if not create or not extracted:
            return
        for dataset in extracted:
            DatasetRequestFactory(proposal=self, dataset=dataset)


class DatasetRequestFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DatasetRequest

    proposal = factory.SubFactory(ProposalFactory)
    dataset = factory.SubFactory(DatasetFactory)
    variables = "Annual earnings, region, age band"
    open_data_reason = "The published tables are too coarse to answer the question."

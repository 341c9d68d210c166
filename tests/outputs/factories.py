import factory

from outputs.models import OutputRequest
from projects.models import Proposal
from tests.projects.factories import ProposalFactory


class OutputRequestFactory(factory.django.DjangoModelFactory):
    """A draft output request by the co-ordinator of an active project."""

    class Meta:
        model = OutputRequest

    project = factory.SubFactory(ProposalFactory, state=Proposal.State.ACTIVE)
    author = factory.SelfAttribute("project.coordinator")

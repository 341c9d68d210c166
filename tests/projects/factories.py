import datetime

import factory
from django.utils import timezone

from accreditation.selectors import accreditation_active_for
from identity.roles import Role
from legislation.access_modes import AccessMode
from projects.models import DatasetRequest, Proposal, Purpose, TeamMember
from tests.accreditation.factories import AccreditationFactory
from tests.factories import UserFactory
from tests.legislation.factories import DatasetFactory

EVERY_ETHICS_ANSWER_YES = {
    question: {"answer": "yes", "details": ""}
    for question in (
        "public_good",
        "confidentiality",
        "methods_quality",
        "legal_compliance",
        "public_views",
    )
}


def accredit(user, *, until=None, **kwargs):
    """Give ``user`` active accreditation (full, five years) unless they hold one lasting to
    ``until`` already. ``AccreditationFactory`` keywords pass through (``level=...``)."""
    if not kwargs:
        active = accreditation_active_for(user)
        if active is not None and (until is None or active.valid_until >= until):
            return active
    five_years = timezone.localdate() + datetime.timedelta(days=5 * 365)
    if until is not None and until > five_years:
        kwargs.setdefault("valid_until", until)
    return AccreditationFactory(researcher=user, **kwargs)


def accredited_researcher(**kwargs):
    """A researcher holding active full accreditation for five years from today."""
    user = UserFactory(roles=[Role.RESEARCHER], **kwargs)
    accredit(user)
    return user


class ProposalFactory(factory.django.DjangoModelFactory):
    """A draft proposal running for a year from today. ``proposal_at`` (``states.py``) takes one
    to any other state through the services; ``ProposalFactory(state=...)`` is only for a row no
    service would make (a guard against corrupt data).

    The co-ordinator holds active accreditation lasting past the end date and is on the team
    (``accredited=False`` leaves the accreditation out). ``ProposalFactory(datasets=[dataset,
    ...])`` requests those datasets. The sections are left empty: ``proposal_ready_to_submit``
    fills them in.
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

    @factory.post_generation
    def accredited(self, create, extracted, **kwargs):
        if not create or extracted is False:
            return
        accredit(self.coordinator, until=self.end_date)

    @factory.post_generation
    def team(self, create, extracted, **kwargs):
        """The co-ordinator's own team row, and ``team=[user, ...]`` as accepted members."""
        if not create:
            return
        TeamMember.objects.get_or_create(
            proposal=self,
            email=self.coordinator.email,
            defaults={
                "user": self.coordinator,
                "role": TeamMember.Role.COORDINATOR,
                "invited_by": self.coordinator,
                "accepted_at": timezone.now(),
            },
        )
        for user in extracted or []:
            TeamMemberFactory(proposal=self, user=user, email=user.email)


class DatasetRequestFactory(factory.django.DjangoModelFactory):
    """A request with its variables and reason given; consent waits when the owner must give it."""

    class Meta:
        model = DatasetRequest

    proposal = factory.SubFactory(ProposalFactory)
    dataset = factory.SubFactory(DatasetFactory)
    variables = "Annual earnings, region, age band"
    open_data_reason = "The published tables are too coarse to answer the question."
    consent = factory.LazyAttribute(
        lambda o: (
            DatasetRequest.Consent.PENDING
            if o.dataset.consent_required
            else DatasetRequest.Consent.NOT_NEEDED
        )
    )


class TeamMemberFactory(factory.django.DjangoModelFactory):
    """An accepted team member; ``accepted_at=None`` leaves the invitation unanswered."""

    class Meta:
        model = TeamMember

    proposal = factory.SubFactory(ProposalFactory)
    user = factory.SubFactory(UserFactory, roles=[Role.RESEARCHER])
    email = factory.LazyAttribute(lambda o: o.user.email if o.user else "invitee@example.org")
    role = TeamMember.Role.MEMBER
    invited_by = factory.LazyAttribute(lambda o: o.proposal.coordinator)
    accepted_at = factory.LazyFunction(timezone.now)


def proposal_ready_to_submit(
    *, coordinator=None, datasets=None, consent_needed=False, members=(), **kwargs
):
    """A draft proposal meeting every submission rule: each section answered, the team
    (co-ordinator plus ``members``, each accepted) accredited to the end date, every dataset
    with a legal gateway and the access mode its strictest dataset needs.

    ``datasets=None`` requests one new dataset (whose owner must consent when
    ``consent_needed``); ``datasets=[]`` requests none. Other keywords set proposal fields.
    """
    if coordinator is None:
        coordinator = UserFactory(roles=[Role.RESEARCHER])
    if datasets is None:
        datasets = [DatasetFactory(consent_required=consent_needed)]
    values = {
        "lay_summary": "How earnings in each region relate to health, for the public.",
        "purposes": [Purpose.POLICY_EVIDENCE.value, Purpose.UNDERSTANDING_TRENDS.value],
        "purpose_explanation": "Evidence for regional health policy.",
        "aims": "Measure the link between earnings and health outcomes by region.",
        "methods": "Panel regression with regional fixed effects.",
        "software": "R 4.4 and Stata 18",
        "ethics": EVERY_ETHICS_ANSWER_YES,
        "dpia_needed": False,
        "outputs_plan": "Aggregate tables and regression coefficients.",
        "publication_plan": "A working paper and a journal article.",
        **kwargs,
    }
    if "access_mode" not in kwargs:
        modes = [dataset.access_mode for dataset in datasets]
        from legislation.access_modes import access_mode_strictest

        values["access_mode"] = access_mode_strictest(modes) or AccessMode.SAFE_SETTING
    proposal = ProposalFactory(coordinator=coordinator, datasets=datasets, **values)
    for user in members:
        accredit(user, until=proposal.end_date)
        TeamMemberFactory(proposal=proposal, user=user, email=user.email)
    return proposal

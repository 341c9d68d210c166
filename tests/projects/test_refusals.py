"""Each refusal on a project says who may take the step instead, in the words the refused person
reads: on the 403 page for a page, in the refusal a service raises for a step. And the consent
steps stay with the people the policy names: a data owner for the dataset's department or the
secretariat, never a member of the project."""

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from identity.roles import Role
from projects.consent.services import consent_give, consent_refuse
from projects.models import DataOwnerRepresentative, DatasetRequest, Proposal
from projects.proposal.services import proposal_create
from projects.screening.services import CHECK_KEYS, screening_pass, screening_start
from tests.factories import UserFactory
from tests.legislation.factories import DatasetFactory
from tests.projects.factories import ProposalFactory, proposal_ready_to_submit
from tests.projects.states import proposal_at, proposal_submitted
from tests.refusals import refusal_shown
from workflow.services import transition_fire, user_may_fire

pytestmark = pytest.mark.django_db
State = Proposal.State
Consent = DatasetRequest.Consent


@pytest.fixture
def secretariat():
    return UserFactory(roles=[Role.SECRETARIAT], totp=True)


def refusal(step):
    """The sentence a refused step gives."""
    with pytest.raises(PermissionDenied) as refused:
        step()
    return str(refused.value)


def data_owner_for(department, **kwargs):
    owner = UserFactory(roles=[Role.DATA_OWNER, *kwargs.pop("roles", [])], totp=True)
    DataOwnerRepresentative.objects.create(user=owner, department=department)
    return owner


def with_data_owners(secretariat, *datasets, **kwargs):
    """A proposal requesting ``datasets``, passed on by the secretariat to the data owners."""
    proposal = proposal_submitted(datasets=list(datasets), **kwargs)
    proposal = screening_start(proposal=proposal, by=secretariat)
    proposal = screening_pass(proposal=proposal, checks=CHECK_KEYS, by=secretariat)
    assert proposal.state == State.DATA_OWNER_REVIEW
    return proposal


# Pages and services that say who may


def test_proposal_edit_page_tells_a_team_member_only_the_coordinator_changes_it(client):
    member = UserFactory(roles=[Role.RESEARCHER])
    proposal = ProposalFactory(team=[member])
    client.force_login(member)

    response = client.get(reverse("projects:proposal_check", kwargs={"pk": proposal.pk}))

    assert refusal_shown(response) == "Only the project's co-ordinator can change the proposal."


def test_proposal_create_by_someone_without_the_researcher_role_says_which_role_it_needs():
    data_owner = UserFactory(roles=[Role.DATA_OWNER], totp=True)

    message = refusal(lambda: proposal_create(by=data_owner, title="Earnings and health"))

    assert message == "This page is for the researcher role."
    assert not Proposal.objects.exists()


def test_proposal_submit_by_a_team_member_says_it_is_for_the_coordinator():
    member = UserFactory(roles=[Role.RESEARCHER])
    proposal = proposal_ready_to_submit(members=[member])

    message = refusal(lambda: transition_fire(obj=proposal, transition="submit", by=member))

    assert message == "“Submit” on this proposal is for the project's co-ordinator."


def test_screening_start_by_the_secretariat_on_its_own_team_says_who_screens():
    coordinator = UserFactory(roles=[Role.RESEARCHER, Role.SECRETARIAT], totp=True)
    proposal = proposal_submitted(coordinator=coordinator)

    message = refusal(lambda: screening_start(proposal=proposal, by=coordinator))

    assert message.endswith("is for the secretariat, except members of the project.")


def test_proposal_withdraw_by_someone_else_says_who_may_withdraw_it():
    proposal = ProposalFactory()

    message = refusal(
        lambda: transition_fire(obj=proposal, transition="withdraw", by=UserFactory())
    )

    assert message.endswith(
        "is for the project's co-ordinator, or the service itself once nobody has worked on a "
        "draft for 60 days."
    )


def test_project_end_by_a_person_says_only_the_service_ends_a_project(secretariat):
    project = proposal_at(State.ACTIVE)

    message = refusal(lambda: transition_fire(obj=project, transition="end", by=secretariat))

    assert message == "“End” on this proposal is for the service itself, never a person."


def test_project_activate_by_someone_else_says_who_may_start_it(secretariat):
    project = proposal_at(State.APPROVED)

    message = refusal(lambda: transition_fire(obj=project, transition="activate", by=secretariat))

    assert message.endswith(
        "is for the project's co-ordinator, or the service itself on the start date when the "
        "co-ordinator has scheduled the start."
    )


# Consent stays with the data owners of the dataset's department and the secretariat


def test_consent_give_refused_to_the_departments_data_owner_who_is_on_the_project(secretariat):
    hmrc = DatasetFactory(consent_required=True)
    owner = data_owner_for(hmrc.department, roles=[Role.RESEARCHER])
    proposal = with_data_owners(secretariat, hmrc, members=[owner])
    dataset_request = proposal.dataset_requests.get()

    message = refusal(lambda: consent_give(dataset_request=dataset_request, by=owner))

    assert message == (
        "Only a data owner for the department that owns this dataset can answer for it."
    )
    dataset_request.refresh_from_db()
    assert dataset_request.consent == Consent.PENDING


def test_consent_refuse_refused_to_a_data_owner_of_another_department(secretariat):
    hmrc = DatasetFactory(consent_required=True)
    other = data_owner_for(DatasetFactory().department)
    proposal = with_data_owners(secretariat, hmrc)

    with pytest.raises(PermissionDenied):
        consent_refuse(dataset_request=proposal.dataset_requests.get(), reasons="No.", by=other)

    proposal.refresh_from_db()
    assert proposal.state == State.DATA_OWNER_REVIEW


def test_return_from_the_data_owners_is_for_an_owner_of_its_data_or_the_secretariat(
    secretariat,
):
    hmrc = DatasetFactory(consent_required=True)
    owner = data_owner_for(hmrc.department)
    elsewhere = data_owner_for(DatasetFactory(consent_required=True).department)
    on_the_team = UserFactory(roles=[Role.RESEARCHER, Role.SECRETARIAT], totp=True)
    proposal = with_data_owners(secretariat, hmrc, members=[on_the_team])

    may_return = {
        "the department's data owner": user_may_fire(proposal, "return_to_coordinator", owner),
        "the secretariat": user_may_fire(proposal, "return_to_coordinator", secretariat),
        "another department's data owner": user_may_fire(
            proposal, "return_to_coordinator", elsewhere
        ),
        "the secretariat on the team": user_may_fire(
            proposal, "return_to_coordinator", on_the_team
        ),
        "the co-ordinator": user_may_fire(proposal, "return_to_coordinator", proposal.coordinator),
        "the service": user_may_fire(proposal, "return_to_coordinator", None),
    }

    assert may_return == {
        "the department's data owner": True,
        "the secretariat": True,
        "another department's data owner": False,
        "the secretariat on the team": False,
        "the co-ordinator": False,
        "the service": False,
    }
    message = refusal(
        lambda: transition_fire(obj=proposal, transition="send_to_panel", by=elsewhere)
    )
    assert message == (
        "“Send to the panel” on this proposal is for a data owner for a department whose data "
        "the proposal requests, or the secretariat, never a member of the project."
    )


def test_return_from_the_data_owners_refused_to_the_departments_data_owner_on_the_team(
    secretariat,
):
    hmrc = DatasetFactory(consent_required=True)
    owner = data_owner_for(hmrc.department, roles=[Role.RESEARCHER])
    proposal = with_data_owners(secretariat, hmrc, members=[owner])

    assert not user_may_fire(proposal, "return_to_coordinator", owner)
    assert not user_may_fire(proposal, "send_to_panel", owner)

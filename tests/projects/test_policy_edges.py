"""The edges of the rules for submitting and starting a project: the aims and the methods are
each needed; an ethics answer other than yes needs its details and is enough with them; a
project can start up to and on its end date, not after; and a member whose accreditation ends
on the project's end date is accredited to the end. Mutation testing (`make mutate`) found
these untested."""

import datetime

import pytest
import time_machine

from accreditation.models import Accreditation
from identity.roles import Role
from projects.lifecycle.services import project_activate
from projects.models import Proposal
from projects.proposal.services import proposal_submit, proposal_update_section
from tests.factories import UserFactory
from tests.projects.factories import (
    EVERY_ETHICS_ANSWER_YES,
    accredit,
    proposal_ready_to_submit,
)
from tests.projects.states import proposal_at
from workflow.errors import TransitionRefused

pytestmark = pytest.mark.django_db

State = Proposal.State
TODAY = datetime.date(2027, 3, 1)
ONE_DAY = datetime.timedelta(days=1)


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(datetime.datetime(2027, 3, 1, 9, tzinfo=datetime.UTC), tick=False):
        yield


def approved(**kwargs):
    # A team with two factors, as starting the project needs.
    kwargs.setdefault("coordinator", UserFactory(roles=[Role.RESEARCHER], totp=True))
    return proposal_at(State.APPROVED_WITH_CONDITIONS, **kwargs)


def test_project_activate_allowed_on_its_end_date():
    project = approved(start_date=TODAY - 30 * ONE_DAY, end_date=TODAY)

    project = project_activate(project=project, by=project.coordinator)

    assert project.state == State.ACTIVE


def test_project_activate_refused_once_its_end_date_has_passed():
    project = approved(start_date=TODAY - 30 * ONE_DAY, end_date=TODAY - ONE_DAY)

    with pytest.raises(TransitionRefused) as refused:
        project_activate(project=project, by=project.coordinator)

    assert "A project whose end date has passed cannot start." in refused.value.reasons
    project.refresh_from_db()
    assert project.state == State.APPROVED_WITH_CONDITIONS


def test_project_activate_allowed_when_a_member_is_accredited_to_the_end_date_exactly():
    member = UserFactory(roles=[Role.RESEARCHER], totp=True)
    project = approved(team=[member])
    accredit(member, valid_until=project.end_date)

    project = project_activate(project=project, by=project.coordinator)

    assert project.state == State.ACTIVE


def test_proposal_submit_accepts_a_member_accredited_to_the_end_date_exactly():
    member = UserFactory(roles=[Role.RESEARCHER], totp=True)
    proposal = proposal_ready_to_submit(members=[member])
    Accreditation.objects.filter(researcher=member).update(valid_until=proposal.end_date)

    proposal = proposal_submit(proposal=proposal, by=proposal.coordinator)

    assert proposal.state == State.SUBMITTED


@pytest.mark.parametrize("blank", ["aims", "methods"])
def test_proposal_submit_refused_while_the_aims_or_methods_are_blank(blank):
    proposal = proposal_ready_to_submit()
    values = {"aims": "Measure earnings.", "methods": "Regression.", "software": "R", blank: ""}
    proposal_update_section(
        proposal=proposal, section="methods", values=values, by=proposal.coordinator
    )

    with pytest.raises(TransitionRefused) as refused:
        proposal_submit(proposal=proposal, by=proposal.coordinator)

    assert refused.value.reasons == [
        "Describe the project's aims, methods and the software it will use."
    ]


@pytest.mark.parametrize("blank", ["outputs_plan", "publication_plan"])
def test_proposal_submit_refused_while_the_outputs_or_publication_plan_is_blank(blank):
    proposal = proposal_ready_to_submit()
    values = {
        "outputs_plan": "Tables of earnings by region.",
        "publication_plan": "An open-access paper.",
        blank: "",
    }
    proposal_update_section(
        proposal=proposal, section="outputs", values=values, by=proposal.coordinator
    )

    with pytest.raises(TransitionRefused) as refused:
        proposal_submit(proposal=proposal, by=proposal.coordinator)

    assert refused.value.reasons == [
        "Describe the outputs the project plans and how its results will be published."
    ]


def ethics_with(answer, details):
    ethics = {question: dict(entry) for question, entry in EVERY_ETHICS_ANSWER_YES.items()}
    ethics["public_views"] = {"answer": answer, "details": details}
    return {"ethics": ethics}


def test_proposal_submit_accepts_an_ethics_answer_other_than_yes_with_its_details():
    proposal = proposal_ready_to_submit()
    proposal_update_section(
        proposal=proposal,
        section="ethics",
        values=ethics_with("partly", "We ran a public panel on part of the work."),
        by=proposal.coordinator,
    )

    proposal = proposal_submit(proposal=proposal, by=proposal.coordinator)

    assert proposal.state == State.SUBMITTED


def test_proposal_submit_refused_for_an_ethics_answer_other_than_yes_without_details():
    proposal = proposal_ready_to_submit()
    proposal_update_section(
        proposal=proposal, section="ethics", values=ethics_with("no", ""), by=proposal.coordinator
    )

    with pytest.raises(TransitionRefused) as refused:
        proposal_submit(proposal=proposal, by=proposal.coordinator)

    assert refused.value.reasons == [
        "Answer every question of the ethics self-assessment, with details for any answer other "
        "than yes."
    ]

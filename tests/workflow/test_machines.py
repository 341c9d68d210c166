"""Properties every state machine keeps, whichever app declares it."""

import pytest
from django.contrib import admin
from django.urls import reverse

from accreditation.models import AccreditationApplication
from identity.roles import Role
from outputs.models import OutputRequest
from projects.models import Proposal
from tests.factories import UserFactory
from tests.projects.states import proposal_at
from workflow.graph import sentence, state_machines

MACHINES = {machine.label: machine for machine in state_machines()}


def test_the_three_journeys_and_the_background_pdfs_have_their_machines():
    assert set(MACHINES) == {
        "accreditation.AccreditationApplication",
        "accreditation.Accreditation",
        "projects.Proposal",
        "outputs.OutputRequest",
        "researchers.Declaration",
        "reports.ReportExport",
        "researchers.DataExport",
        "retention.ErasureRequest",
    }


@pytest.mark.parametrize("label", sorted(MACHINES))
def test_every_state_is_mapped_to_the_role_that_owns_the_next_step(label):
    machine = MACHINES[label]

    assert set(machine.owners) == set(machine.state_values), "states missing from STATE_OWNERS"
    assert all(owner is None or owner in Role for owner in machine.owners.values())
    for state in machine.final_states:
        assert machine.owners[state] is None, f"{state} is final: nobody has a next step"


@pytest.mark.parametrize("label", sorted(MACHINES))
def test_every_state_has_the_colour_of_the_tag_that_shows_it(label):
    machine = MACHINES[label]

    assert set(machine.tag_colours) == set(machine.state_values), "states missing a tag colour"


@pytest.mark.parametrize("label", sorted(MACHINES))
def test_every_state_field_is_protected_and_every_state_reachable(label):
    machine = MACHINES[label]
    reached = {machine.initial} | {step.target for step in machine.steps}

    assert machine.field.protected
    assert reached == set(machine.state_values)


@pytest.mark.parametrize("label", sorted(MACHINES))
def test_every_transition_says_who_may_fire_it_and_why_it_may_not(label):
    for step in MACHINES[label].steps:
        assert callable(step.permission), f"{step.name} has no permission function"
        assert sentence(step.permission), f"{step.permission.__name__} has no message"
        for condition in step.conditions:
            assert sentence(condition).endswith("."), f"{condition.__name__} needs a sentence"


@pytest.mark.parametrize("label", sorted(MACHINES))
def test_every_group_of_states_says_what_it_means_and_holds_states_of_its_machine(label):
    machine = MACHINES[label]
    for name, group in machine.groups:
        states = [str(state) for state in group]

        assert group.meaning and not group.meaning.endswith("."), f"{name} needs a short meaning"
        assert states and set(states) <= set(machine.state_values), f"{name} names no state"
        assert len(set(states)) == len(states), f"{name} names a state twice"


def test_the_groups_the_code_asks_about_are_on_the_models():
    assert AccreditationApplication.EDITABLE == ("draft", "returned")
    assert set(AccreditationApplication.OPEN) == {"draft", "submitted", "returned"}
    assert Proposal.EDITABLE == ("draft", "returned")
    assert set(Proposal.ON_REGISTER) == {
        "approved",
        "approved_with_conditions",
        "active",
        "ended",
        "closed",
    }
    assert set(Proposal.FINISHED) == set(MACHINES["projects.Proposal"].final_states)
    assert set(OutputRequest.IN_QUEUE) == {"submitted", "partially_reviewed", "reviewed"}
    assert set(OutputRequest.UNFINISHED) | set(MACHINES["outputs.OutputRequest"].final_states) == (
        set(OutputRequest.State.values)
    )


@pytest.mark.django_db
@pytest.mark.parametrize("label", sorted(MACHINES))
def test_admin_shows_workflow_records_read_only(label, rf):
    model_admin = admin.site._registry[MACHINES[label].model]
    request = rf.get("/")
    request.user = UserFactory(is_staff=True, is_superuser=True)

    assert model_admin.has_view_permission(request)
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request)
    assert not model_admin.has_delete_permission(request)


@pytest.mark.django_db
def test_admin_cannot_change_a_proposal_state(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True, totp=True))
    proposal = proposal_at(Proposal.State.PANEL_REVIEW)
    change_url = reverse("admin:projects_proposal_change", args=[proposal.pk])

    listing = client.get(reverse("admin:projects_proposal_changelist"))
    page = client.get(change_url)
    posted = client.post(change_url, {"title": proposal.title, "state": "approved"})

    assert listing.status_code == 200
    assert page.status_code == 200
    assert 'name="state"' not in page.content.decode()
    assert posted.status_code == 403
    assert Proposal.objects.get(pk=proposal.pk).state == Proposal.State.PANEL_REVIEW

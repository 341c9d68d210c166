"""Taking a role away ends everything it gave, role by role: no open assignment, open review or
representation outlives the role."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from identity.roles import Role
from outputs.review.selectors import checker_reviews_open
from outputs.review.services import file_vote_set
from projects.consent.services import representative_add
from projects.models import DataOwnerRepresentative, ReviewerAssignment
from researchers import hooks
from researchers import services as role_services
from researchers.hooks import RoleGrant, role_grants_held
from tests.factories import UserFactory
from tests.legislation.factories import DepartmentFactory
from tests.outputs.states import files_of, review_with, submitted_request
from tests.projects.factories import ProposalFactory
from tests.projects.states import assigned, panel_proposal, recommended

pytestmark = pytest.mark.django_db


@pytest.fixture
def secretariat():
    return UserFactory(roles=[Role.SECRETARIAT], totp=True)


# What each role is given to work with, as the service gives it: a new role needs a line here.


def _give_researcher(person, secretariat):
    ProposalFactory(coordinator=person)


def _give_panel_reviewer(person, secretariat):
    assigned(panel_proposal(), by=secretariat, reviewer=person)
    recommended(assigned(panel_proposal(), by=secretariat, reviewer=person, independent=True))


def _give_output_checker(person, secretariat):
    open_request = submitted_request()
    file_vote_set(output_file=files_of(open_request)[0], vote="approve", by=person)
    review_with(submitted_request(), person)


def _give_data_owner(person, secretariat):
    representative_add(user=person, department=DepartmentFactory(), by=secretariat)
    representative_add(user=person, department=DepartmentFactory(), by=secretariat)


def _give_secretariat(person, secretariat):
    assigned(panel_proposal(), by=person)


GIVE = {
    Role.RESEARCHER: _give_researcher,
    Role.PANEL_REVIEWER: _give_panel_reviewer,
    Role.OUTPUT_CHECKER: _give_output_checker,
    Role.DATA_OWNER: _give_data_owner,
    Role.SECRETARIAT: _give_secretariat,
}


def what_remains(person):
    """Everything a person can hold beyond their groups, whichever role gave it."""
    remains = {
        "open panel assignments": list(
            ReviewerAssignment.objects.filter(reviewer=person, removed_at=None)
        ),
        "open output reviews": checker_reviews_open(person),
        "departments represented": list(DataOwnerRepresentative.objects.filter(user=person)),
    }
    return {name: items for name, items in remains.items() if items}


@pytest.mark.parametrize("role", list(Role), ids=str)
def test_role_revoked_leaves_no_open_assignment_review_or_representation(role, secretariat):
    person = UserFactory(totp=True, declaration=True)
    role_services.role_grant(user=person, role=role, by=secretariat)
    GIVE[role](person, secretariat)
    # What the role declares it gives is there to be ended.
    assert bool(role_grants_held(user=person, role=role)) == bool(hooks.role_grants(role))

    refusal = role_services.role_revoke_refusal(user=person, role=role, by=secretariat)
    if refusal:
        # A role never taken away here has nothing to end.
        with pytest.raises(ValidationError):
            role_services.role_revoke(user=person, role=role, by=secretariat)
        assert hooks.role_grants(role) == ()
        return
    role_services.role_revoke(user=person, role=role, by=secretariat)

    assert not person.groups.filter(name=role).exists()
    assert what_remains(person) == {}
    assert role_grants_held(user=person, role=role) == {}


def test_role_revoked_leaves_what_another_role_gave(secretariat):
    person = UserFactory(roles=[Role.PANEL_REVIEWER, Role.OUTPUT_CHECKER], totp=True)
    _give_panel_reviewer(person, secretariat)
    _give_output_checker(person, secretariat)

    role_services.role_revoke(user=person, role=Role.OUTPUT_CHECKER, by=secretariat)

    assert set(what_remains(person)) == {"open panel assignments"}

    role_services.roles_set(user=person, roles=[], by=secretariat)

    assert what_remains(person) == {}


def test_role_revoked_and_all_it_gave_stay_together_when_ending_fails(secretariat, monkeypatch):
    person = UserFactory(roles=[Role.PANEL_REVIEWER], totp=True)
    _give_panel_reviewer(person, secretariat)

    def refuse(*, user, by, request=None):
        raise RuntimeError("could not end")

    failing = RoleGrant(role=Role.PANEL_REVIEWER, gives="", held=lambda user: [], end=refuse)
    grants = hooks.role_grants(Role.PANEL_REVIEWER)
    monkeypatch.setitem(hooks._grants, Role.PANEL_REVIEWER, (*grants, failing))

    with pytest.raises(RuntimeError):
        role_services.role_revoke(user=person, role=Role.PANEL_REVIEWER, by=secretariat)

    assert person.groups.filter(name=Role.PANEL_REVIEWER).exists()
    assert set(what_remains(person)) == {"open panel assignments"}


def test_roles_that_give_more_than_their_group_each_declare_how_it_ends():
    declared = {role for role in Role if hooks.role_grants(role)}

    assert declared == {Role.PANEL_REVIEWER, Role.OUTPUT_CHECKER, Role.DATA_OWNER}


def test_person_roles_page_says_what_taking_each_held_role_away_ends(client, secretariat):
    person = UserFactory(roles=[Role.RESEARCHER, Role.OUTPUT_CHECKER], totp=True)
    client.force_login(secretariat)

    page = client.get(reverse("researchers:person_roles", kwargs={"pk": person.pk}))

    endings = page.context["endings"]
    assert [label for label, _ in endings] == ["Output checker"]
    assert "Open reviews of output requests" in page.content.decode()

"""Entitlements are derived from the project, the team, accreditation, the declaration and two
factors, on the day asked about; each rule below takes one away."""

import datetime

import pytest
from allauth.mfa.models import Authenticator
from django.utils import timezone

from accreditation.models import Accreditation
from accreditation.services import accreditation_suspend
from entitlements.selectors import entitlements_current
from projects.models import DatasetRequest, TeamMember
from researchers.declaration.models import DeclarationVersion
from tests.accreditation.factories import AccreditationFactory
from tests.entitlements.states import project_entitled
from tests.factories import UserFactory, declaration_signed_row, secretariat_for
from tests.projects.states import project_closed

pytestmark = pytest.mark.django_db


def member_of(project):
    """The one team member who is not the co-ordinator."""
    return project.team.exclude(user=project.coordinator).get().user


def holders(entitlements):
    return sorted((e.person_email, e.dataset_slug) for e in entitlements)


def test_every_member_of_an_active_project_is_entitled_to_each_approved_dataset():
    project = project_entitled(team_size=1)
    member = member_of(project)
    datasets = sorted(project.dataset_requests.values_list("dataset__slug", flat=True))

    entitlements = entitlements_current()

    assert datasets
    assert holders(entitlements) == sorted(
        (person.email, slug) for person in (project.coordinator, member) for slug in datasets
    )
    mine = next(e for e in entitlements if e.person_id == member.pk)
    assert mine.project_id == project.pk
    assert mine.access_mode == project.access_mode
    assert mine.variables == project.dataset_requests.get(dataset__slug=mine.dataset_slug).variables


def test_an_entitlement_runs_from_the_latest_start_to_the_earliest_end():
    project = project_entitled(team_size=1)
    member = member_of(project)
    accreditation = Accreditation.objects.get(researcher=member, state=Accreditation.State.ACTIVE)
    joined = timezone.localdate(TeamMember.objects.get(proposal=project, user=member).accepted_at)

    [mine] = [e for e in entitlements_current() if e.person_id == member.pk][:1]

    assert mine.valid_from == max(project.start_date, accreditation.valid_from, joined)
    assert mine.valid_until == min(project.end_date, accreditation.valid_until)


def test_no_entitlement_past_the_project_end_date_even_before_the_nightly_step_ends_it():
    project = project_entitled(team_size=0)

    day_after = project.end_date + datetime.timedelta(days=1)

    assert entitlements_current(on=project.end_date)
    assert entitlements_current(on=day_after) == []


def test_a_suspended_accreditation_ends_that_person_s_entitlements_only():
    project = project_entitled(team_size=1)
    member = member_of(project)
    accreditation = Accreditation.objects.get(researcher=member, state=Accreditation.State.ACTIVE)

    accreditation_suspend(
        accreditation=accreditation, reasons="Under investigation.", by=secretariat_for([member])
    )

    people = {e.person_id for e in entitlements_current()}
    assert people == {project.coordinator.pk}


def test_no_entitlement_without_a_signed_declaration_on_the_current_version():
    project = project_entitled(team_size=0)
    DeclarationVersion.objects.create(number=99, text="A new wording.")

    assert entitlements_current() == []
    # The people lose their access; the project itself goes on.
    project.refresh_from_db()
    assert project.state == "active"


def test_no_entitlement_without_a_second_factor():
    project = project_entitled(team_size=1)
    member = member_of(project)

    Authenticator.objects.filter(user=member).delete()

    assert {e.person_id for e in entitlements_current()} == {project.coordinator.pk}


def test_closing_the_project_ends_every_entitlement_to_it():
    project = project_entitled(team_size=1)

    project_closed(project)

    assert entitlements_current() == []


def test_a_member_who_has_not_accepted_is_not_entitled():
    project = project_entitled(team_size=0)
    # Cleared in every other way: accredited, declared, with two factors.
    invited = UserFactory(totp=True)
    AccreditationFactory(researcher=invited)
    declaration_signed_row(invited)
    TeamMember.objects.create(
        proposal=project, user=invited, email=invited.email, invited_by=project.coordinator
    )

    assert {e.person_id for e in entitlements_current()} == {project.coordinator.pk}


def test_filters_by_person_project_and_dataset():
    first = project_entitled(team_size=1)
    second = project_entitled(team_size=0)
    slug = first.dataset_requests.values_list("dataset__slug", flat=True)[0]

    assert {e.project_id for e in entitlements_current(project=second)} == {second.pk}
    assert {e.person_id for e in entitlements_current(person=first.coordinator)} == {
        first.coordinator.pk
    }
    assert {e.dataset_slug for e in entitlements_current(dataset=slug)} == {slug}


def test_the_number_of_queries_does_not_grow_with_projects_and_people(
    django_assert_max_num_queries,
):
    project_entitled(team_size=1)
    with django_assert_max_num_queries(8):
        few = entitlements_current()
    for _ in range(3):
        project_entitled(team_size=3)
    with django_assert_max_num_queries(8):
        many = entitlements_current()

    assert len(many) > len(few)


def test_no_entitlement_to_a_dataset_whose_required_consent_does_not_stand():
    project = project_entitled(team_size=0, consent_needed=True)
    needing = project.dataset_requests.get(dataset__consent_required=True)
    assert needing.dataset.slug in {e.dataset_slug for e in entitlements_current()}

    # No service takes consent back from an active project yet; the row says what a withdrawal
    # would leave.
    DatasetRequest.objects.filter(pk=needing.pk).update(consent=DatasetRequest.Consent.REFUSED)

    assert needing.dataset.slug not in {e.dataset_slug for e in entitlements_current()}

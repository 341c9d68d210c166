import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from identity.roles import Role
from projects.amendment.selectors import project_differences, version_changes
from projects.amendment.services import amendment_apply, amendment_start
from projects.lifecycle.conditions import access_open
from projects.models import DatasetRequest, Proposal, TeamMember
from projects.panel.services import decision_record
from projects.proposal.services import proposal_submit
from projects.register.selectors import register_projects
from projects.screening.services import CHECK_KEYS, screening_pass, screening_start
from tests.factories import UserFactory
from tests.legislation.factories import DatasetFactory
from tests.projects.factories import accredit
from tests.projects.states import panel_ready, project_closed, proposal_at
from workflow.errors import TransitionRefused

pytestmark = pytest.mark.django_db
State = Proposal.State


@pytest.fixture
def secretariat():
    return UserFactory(roles=[Role.SECRETARIAT], totp=True)


def researcher_with_two_factor():
    """Everyone on a project that has started has set up a second factor."""
    return UserFactory(roles=[Role.RESEARCHER], totp=True)


@pytest.fixture
def project():
    member = researcher_with_two_factor()
    accredit(member)
    return proposal_at(
        State.ACTIVE,
        coordinator=researcher_with_two_factor(),
        title="Pay and place",
        lay_summary="How pay differs between places.",
        datasets=[DatasetFactory(name="Test Earnings Returns")],
        team=[member],
    )


def screened(amendment, by):
    """The amendment sent by its co-ordinator and taken into screening by ``by``."""
    proposal_submit(proposal=amendment, by=amendment.coordinator)
    return screening_start(proposal=amendment, by=by)


def to_panel(amendment, by):
    """The amendment sent, screened and passed on to the panel."""
    return screening_pass(proposal=screened(amendment, by), checks=CHECK_KEYS, by=by)


def approve(amendment, by):
    """Take an amendment through the panel to approval, as the secretariat records it."""
    if amendment.state != State.PANEL_REVIEW:
        amendment = to_panel(amendment, by)
    panel_ready(by=by, proposal=amendment)
    decision_record(
        proposal=amendment,
        outcome="approve_with_conditions",
        rationale="The change serves the same purpose.",
        conditions_text="Report on the new datasets.",
        by=by,
    )
    return Proposal.objects.get(pk=amendment.pk)


def test_amendment_start_makes_a_draft_copy_with_the_next_version_team_and_datasets(project):
    amendment = amendment_start(project=project, by=project.coordinator)

    assert amendment.pk != project.pk
    assert amendment.state == State.DRAFT
    assert amendment.amends == project
    assert amendment.version == 2
    assert amendment.title == "Pay and place"
    assert amendment.end_date == project.end_date
    assert set(amendment.team.values_list("email", flat=True)) == set(
        project.team.values_list("email", flat=True)
    )
    assert list(amendment.dataset_requests.values_list("dataset__name", flat=True)) == [
        "Test Earnings Returns"
    ]
    project.refresh_from_db()
    assert project.state == State.ACTIVE
    assert project.version == 1
    assert AuditEvent.objects.filter(
        action="proposal.amendment_start", object_id=str(amendment.pk)
    ).exists()


def test_amendment_start_twice_gives_the_same_draft(project):
    first = amendment_start(project=project, by=project.coordinator)
    second = amendment_start(project=project, by=project.coordinator)

    assert first.pk == second.pk
    assert project.amendments.count() == 1


def test_amendment_start_refused_for_a_project_that_is_not_active(project):
    project_closed(project)

    with pytest.raises(TransitionRefused) as refused:
        amendment_start(project=project, by=project.coordinator)

    assert refused.value.reasons == ["Only an active or ended project can be amended."]


def test_amendment_start_refused_for_a_team_member_who_is_not_the_coordinator(project):
    member = project.team.exclude(user=project.coordinator).get().user

    with pytest.raises(PermissionDenied):
        amendment_start(project=project, by=member)


def test_amendment_keeps_the_approved_version_in_force_until_it_is_approved(project):
    amendment = amendment_start(project=project, by=project.coordinator)
    Proposal.objects.filter(pk=amendment.pk).update(title="Pay, place and health")
    screened(amendment, UserFactory(roles=[Role.SECRETARIAT], totp=True))

    project.refresh_from_db()
    assert project.title == "Pay and place"
    assert [p.title for p in register_projects()] == ["Pay and place"]
    assert project.state == State.ACTIVE


def test_amendment_approved_puts_its_purpose_dates_team_and_datasets_in_force(project, secretariat):
    newcomer = researcher_with_two_factor()
    accredit(newcomer, valid_until=project.end_date + datetime.timedelta(days=400))
    leaver = project.team.exclude(user=project.coordinator).get()
    amendment = amendment_start(project=project, by=project.coordinator)
    new_end = project.end_date + datetime.timedelta(days=180)
    Proposal.objects.filter(pk=amendment.pk).update(
        purpose_explanation="Now also health.", end_date=new_end
    )
    amendment.team.filter(email=leaver.email).delete()
    TeamMember.objects.create(
        proposal=amendment,
        user=newcomer,
        email=newcomer.email,
        invited_by=project.coordinator,
        accepted_at=leaver.accepted_at,
    )
    amendment.dataset_requests.all().delete()
    added = DatasetFactory(name="Test Hospital Spells")
    DatasetRequest.objects.create(
        proposal=amendment, dataset=added, variables="Admissions", open_data_reason="None open"
    )

    approve(amendment, secretariat)

    project.refresh_from_db()
    assert project.state == State.ACTIVE
    assert project.version == 2
    assert project.purpose_explanation == "Now also health."
    assert project.end_date == new_end
    assert set(project.team.values_list("email", flat=True)) == {
        project.coordinator.email,
        newcomer.email,
    }
    assert list(project.dataset_requests.values_list("dataset__name", flat=True)) == [
        "Test Hospital Spells"
    ]
    assert sorted(project.snapshots.values_list("version", flat=True)) == [1, 2]
    assert AuditEvent.objects.filter(
        action="proposal.amendment_apply", object_id=str(project.pk)
    ).exists()


def test_amendment_apply_again_changes_nothing(project, secretariat):
    amendment = amendment_start(project=project, by=project.coordinator)
    Proposal.objects.filter(pk=amendment.pk).update(title="Pay, place and health")
    amendment = approve(amendment, secretariat)

    amendment_apply(amendment=amendment, by=secretariat)

    assert AuditEvent.objects.filter(action="proposal.amendment_apply").count() == 1
    assert project.snapshots.filter(version=2).count() == 1


def test_amendment_apply_refused_before_the_amendment_is_approved(project, secretariat):
    amendment = amendment_start(project=project, by=project.coordinator)

    with pytest.raises(TransitionRefused):
        amendment_apply(amendment=amendment, by=secretariat)

    project.refresh_from_db()
    assert project.version == 1


def test_project_differences_show_each_changed_field_before_and_after(project):
    amendment = amendment_start(project=project, by=project.coordinator)
    Proposal.objects.filter(pk=amendment.pk).update(
        title="Pay, place and health",
        end_date=datetime.date(2030, 1, 31),
    )

    (difference,) = project_differences(project)

    assert difference.before.number == 1
    assert difference.after.number == 2
    changes = {change.label: (change.before, change.after) for change in difference.changes}
    assert changes["Title"] == ("Pay and place", "Pay, place and health")
    assert changes["End date"][1] == "31 January 2030"
    assert "Lay summary" not in changes


def test_version_changes_compare_long_text_word_by_word():
    before = {"methods": "We fit a multilevel model of earnings by region " * 3}
    after = {"methods": before["methods"].replace("multilevel", "fixed effects", 1)}

    (change,) = version_changes(before, after)

    assert ("removed", "multilevel") in change.pieces
    assert ("added", "fixed effects") in change.pieces


def test_amend_page_starts_the_amendment_and_opens_it(client, project):
    client.force_login(project.coordinator)

    response = client.post(reverse("projects:amend", kwargs={"pk": project.pk}))

    amendment = project.amendments.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("projects:proposal_detail", kwargs={"pk": amendment.pk})


def test_amend_page_for_a_closed_project_says_why_not(client, project):
    project_closed(project)
    client.force_login(project.coordinator)

    response = client.post(reverse("projects:amend", kwargs={"pk": project.pk}))

    assert response.status_code == 200
    assert "Only an active or ended project can be amended." in response.text
    assert not project.amendments.exists()


def test_versions_page_shows_before_and_after_to_the_team(client, project):
    amendment = amendment_start(project=project, by=project.coordinator)
    Proposal.objects.filter(pk=amendment.pk).update(title="Pay, place and health")
    member = project.team.exclude(user=project.coordinator).get().user
    client.force_login(member)

    response = client.get(reverse("projects:versions", kwargs={"pk": amendment.pk}))

    assert response.status_code == 200
    assert "From version 1 (in force) to version 2 (amendment, draft)" in response.text
    assert "Pay, place and health" in response.text


def test_versions_page_is_not_found_for_someone_outside_the_project(client, project):
    client.force_login(UserFactory(roles=[Role.RESEARCHER]))

    response = client.get(reverse("projects:versions", kwargs={"pk": project.pk}))

    assert response.status_code == 404


def test_amendment_fast_tracked_by_the_secretariat_comes_into_force(project, secretariat):
    from projects.screening.services import CHECK_KEYS, proposal_fast_track

    amendment = amendment_start(project=project, by=project.coordinator)
    Proposal.objects.filter(pk=amendment.pk).update(title="Pay, place and health")
    screened(amendment, secretariat)

    proposal_fast_track(
        proposal=amendment,
        checks=list(CHECK_KEYS),
        rationale="A change of title only.",
        by=secretariat,
    )

    project.refresh_from_db()
    assert project.title == "Pay, place and health"
    assert project.version == 2


def test_amendment_apply_audited_as_the_secretariat_member_who_recorded_the_panel_decision(
    project, secretariat
):
    amendment = amendment_start(project=project, by=project.coordinator)

    approve(amendment, secretariat)

    applied = AuditEvent.objects.get(action="proposal.amendment_apply", object_id=str(project.pk))
    decided = AuditEvent.objects.get(
        action="proposal.approve_with_conditions", object_id=str(amendment.pk)
    )
    assert applied.actor == secretariat
    assert decided.actor == secretariat


def test_amendment_apply_audited_as_the_secretariat_member_who_fast_tracked_it(
    project, secretariat
):
    from projects.screening.services import CHECK_KEYS, proposal_fast_track

    amendment = amendment_start(project=project, by=project.coordinator)
    screened(amendment, secretariat)

    proposal_fast_track(
        proposal=amendment, checks=list(CHECK_KEYS), rationale="A change of title.", by=secretariat
    )

    applied = AuditEvent.objects.get(action="proposal.amendment_apply", object_id=str(project.pk))
    assert applied.actor == secretariat
    assert applied.payload["amendment"] == amendment.pk


def test_amendment_cannot_come_into_force_once_the_project_has_closed(project, secretariat):
    amendment = to_panel(amendment_start(project=project, by=project.coordinator), secretariat)
    project_closed(project)

    with pytest.raises(TransitionRefused) as refused:
        approve(amendment, secretariat)

    assert "has closed" in refused.value.reasons[0]
    amendment.refresh_from_db()
    assert amendment.state == State.PANEL_REVIEW


def test_approved_amendment_page_offers_no_start_since_the_project_in_force_is_running(
    client, project, secretariat
):
    amendment = amendment_start(project=project, by=project.coordinator)
    approve(amendment, secretariat)
    client.force_login(project.coordinator)

    page = client.get(reverse("projects:proposal_detail", kwargs={"pk": amendment.pk}))

    assert "Start the project" not in page.content.decode()
    assert "Compare versions" in page.content.decode()


# An ended project: amended, and reopened when its end date moves to today or later.


@pytest.fixture
def ended_project():
    member = researcher_with_two_factor()
    accredit(member)
    today = timezone.localdate()
    return proposal_at(
        State.ENDED,
        coordinator=researcher_with_two_factor(),
        title="Pay and place",
        start_date=today - datetime.timedelta(days=300),
        end_date=today - datetime.timedelta(days=10),
        team=[member],
    )


def test_amendment_moving_an_ended_projects_end_date_later_reopens_it(
    ended_project, secretariat, sent
):
    amendment = amendment_start(project=ended_project, by=ended_project.coordinator)
    new_end = timezone.localdate() + datetime.timedelta(days=90)
    Proposal.objects.filter(pk=amendment.pk).update(end_date=new_end)

    with sent.capture():
        approve(amendment, secretariat)

    project = Proposal.objects.get(pk=ended_project.pk)
    assert project.state == State.ACTIVE
    assert project.end_date == new_end
    assert project.ended_at is None
    assert access_open(project)
    event = AuditEvent.objects.get(action="proposal.reopen", object_id=str(project.pk))
    assert (event.from_state, event.to_state, event.actor) == ("ended", "active", None)
    member = project.team.exclude(user=project.coordinator).get().user
    assert "Your project is active again" in [m.subject for m in sent.to(member.email)]


def test_amendment_leaving_an_ended_projects_end_date_past_keeps_it_ended(
    ended_project, secretariat
):
    amendment = amendment_start(project=ended_project, by=ended_project.coordinator)
    Proposal.objects.filter(pk=amendment.pk).update(
        title="Pay, place and health",
        end_date=ended_project.end_date + datetime.timedelta(days=5),
    )

    approve(amendment, secretariat)

    project = Proposal.objects.get(pk=ended_project.pk)
    assert project.title == "Pay, place and health"
    assert project.version == 2
    assert project.state == State.ENDED
    assert not AuditEvent.objects.filter(action="proposal.reopen").exists()


def test_amend_page_of_an_ended_project_offers_the_amendment(client, ended_project):
    client.force_login(ended_project.coordinator)

    detail = client.get(reverse("projects:proposal_detail", kwargs={"pk": ended_project.pk}))
    page = client.get(reverse("projects:amend", kwargs={"pk": ended_project.pk}))
    response = client.post(reverse("projects:amend", kwargs={"pk": ended_project.pk}))

    assert "Amend the project" in detail.text
    assert "becomes active again" in page.text
    assert response.status_code == 302
    assert ended_project.amendments.get().state == State.DRAFT

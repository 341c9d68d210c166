"""Rules that rest on someone or something besides the person: a provisional researcher's
supervisor, the catalogue's access mode, and the second factors a person keeps."""

import pytest
from django.urls import reverse

from accreditation.levels import Level
from accreditation.models import Accreditation, AccreditationApplication
from accreditation.services import accreditation_suspend
from entitlements.models import EntitlementRecord
from entitlements.selectors import entitlements_current
from entitlements.webhooks.services import entitlements_publish
from legislation.access_modes import AccessMode
from legislation.services import dataset_update
from tests.entitlements.states import project_entitled
from tests.factories import DEFAULT_PASSWORD, secretariat_for

pytestmark = pytest.mark.django_db


def member_of(project):
    return project.team.exclude(user=project.coordinator).get().user


def provisional_under(member, supervisor):
    """Make ``member``'s accreditation provisional, under ``supervisor``."""
    accreditation = Accreditation.objects.get(researcher=member, state=Accreditation.State.ACTIVE)
    accreditation.level = Level.PROVISIONAL
    accreditation.save(update_fields=["level"])
    AccreditationApplication.objects.filter(pk=accreditation.application_id).update(
        kind=Level.PROVISIONAL, supervisor=supervisor
    )
    return accreditation


def people(entitlements):
    return {e.person_id for e in entitlements}


def test_a_provisional_researcher_is_entitled_with_their_supervisor_on_the_project():
    project = project_entitled(team_size=1)
    member = member_of(project)
    provisional_under(member, project.coordinator)

    assert people(entitlements_current()) == {project.coordinator.pk, member.pk}
    # Asked about alone, the member's supervisor is still found on the project.
    assert people(entitlements_current(person=member)) == {member.pk}


def test_a_provisional_researcher_whose_supervisor_is_not_on_the_project_is_not_entitled():
    project = project_entitled(team_size=1)
    member = member_of(project)
    # Their supervisor is cleared in every way, but on another project.
    elsewhere = project_entitled(team_size=0).coordinator
    provisional_under(member, elsewhere)

    assert member.pk not in people(entitlements_current())
    assert {project.coordinator.pk, elsewhere.pk} <= people(entitlements_current())


def test_suspending_the_supervisor_ends_the_provisional_member_s_entitlement_in_that_step():
    project = project_entitled(team_size=1)
    member = member_of(project)
    provisional_under(member, project.coordinator)
    entitlements_publish()
    supervisor_accreditation = Accreditation.objects.get(researcher=project.coordinator)

    accreditation_suspend(
        accreditation=supervisor_accreditation,
        reasons="Under investigation.",
        by=secretariat_for([project.coordinator, member]),
    )

    states = set(EntitlementRecord.objects.filter(person=member).values_list("state", flat=True))
    assert states == {EntitlementRecord.State.ENDED}
    assert entitlements_current() == []


def test_a_dataset_made_stricter_in_the_catalogue_is_published_with_its_stricter_mode():
    project = project_entitled(team_size=0)
    request = project.dataset_requests.select_related("dataset").first()
    entitlements_publish()
    assert project.access_mode != AccessMode.SECURE_LAB_ONLY

    dataset_update(
        dataset=request.dataset,
        by=secretariat_for(),
        access_mode=AccessMode.SECURE_LAB_ONLY,
    )

    record = EntitlementRecord.objects.get(dataset_slug=request.dataset.slug)
    assert record.access_mode == AccessMode.SECURE_LAB_ONLY
    assert {e.access_mode for e in entitlements_current(dataset=request.dataset.slug)} == {
        AccessMode.SECURE_LAB_ONLY.value
    }


def test_turning_off_the_authenticator_app_ends_the_entitlement_at_once(client):
    project = project_entitled(team_size=1)
    member = member_of(project)
    entitlements_publish()
    client.force_login(member)
    client.post(reverse("account_reauthenticate"), {"password": DEFAULT_PASSWORD})

    response = client.post(reverse("mfa_deactivate_totp"))

    assert response.status_code == 302
    record = EntitlementRecord.objects.filter(person=member).first()
    assert record.state == EntitlementRecord.State.ENDED
    assert record.end_reason == "Second factor removed"


def test_a_supervisor_who_is_provisional_themselves_does_not_clear_anyone():
    project = project_entitled(team_size=2)
    first, second = (m.user for m in project.team.exclude(user=project.coordinator))
    provisional_under(second, project.coordinator)
    provisional_under(first, second)

    assert people(entitlements_current()) == {project.coordinator.pk, second.pk}

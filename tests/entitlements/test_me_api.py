"""A person reads their own records with their signed-in browser session, and nobody else's."""

import pytest
from django.test import Client
from rest_framework.test import APIClient

from entitlements.models import Scope
from entitlements.services import api_token_create
from researchers.declaration.models import DeclarationVersion
from tests.entitlements.states import project_entitled
from tests.entitlements.test_visas import verified
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

ME = "/api/v1/me/"
PASSPORT = "/api/v1/me/passport/"


def member_of(project):
    return project.team.exclude(user=project.coordinator).get().user


def signed_in(user):
    client = Client()
    client.force_login(user)
    return client


def test_a_member_reads_their_own_accreditation_declaration_projects_and_entitlements():
    project = project_entitled(team_size=1)
    member = member_of(project)

    response = signed_in(member).get(ME)

    assert response.status_code == 200
    body = response.json()
    assert (body["id"], body["email"], body["name"]) == (member.pk, member.email, member.full_name)
    assert body["accreditation"]["state"] == "active"
    assert body["declaration"]["version"] == DeclarationVersion.objects.current().number
    assert body["declaration_counts_until"] is None
    assert body["projects"] == [
        {
            "id": project.pk,
            "title": project.title,
            "state": "active",
            "role": "member",
            "start_date": project.start_date.isoformat(),
            "end_date": project.end_date.isoformat(),
        }
    ]
    datasets = set(project.dataset_requests.values_list("dataset__slug", flat=True))
    assert {e["dataset"]["slug"] for e in body["entitlements"]} == datasets
    # Their own, never the co-ordinator's beside them.
    assert {e["person"]["email"] for e in body["entitlements"]} == {member.email}


def test_someone_with_no_records_gets_empty_ones_not_an_error():
    newcomer = UserFactory()

    body = signed_in(newcomer).get(ME).json()

    assert body["accreditation"] is None
    assert body["declaration"] is None
    assert body["projects"] == body["entitlements"] == []


def test_without_a_session_or_with_a_machine_token_nothing_is_read():
    project_entitled(team_size=0)
    _, raw = api_token_create(account_name="Broker", scopes=list(Scope))
    with_token = APIClient()
    with_token.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")

    assert Client().get(ME).status_code == 403
    assert with_token.get(ME).status_code == 403
    assert with_token.get(PASSPORT).status_code == 403


def test_a_person_s_own_passport_verifies_from_the_jwks_alone():
    project = project_entitled(team_size=0)

    visas = signed_in(project.coordinator).get(PASSPORT).json()["ga4gh_passport_v1"]

    claims = [verified(visa, APIClient()) for visa in visas]
    assert claims
    assert {c["sub"] for c in claims} == {project.coordinator.email}


@pytest.mark.parametrize("team_size", [1, 6])
def test_reading_one_s_records_takes_the_same_queries_however_large_the_team(
    team_size, django_assert_max_num_queries
):
    project = project_entitled(team_size=team_size)
    client = signed_in(project.coordinator)

    with django_assert_max_num_queries(16):
        response = client.get(ME)

    assert len(response.json()["entitlements"]) == project.dataset_requests.count()

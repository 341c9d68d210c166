"""The entitlements API, read by a machine client with a token the secretariat issued."""

import datetime
import hashlib
import io

import pytest
import time_machine
from django.core.management import call_command
from django.db import connection
from django.utils import timezone
from rest_framework.test import APIClient

from audit.models import AuditEvent
from entitlements.models import ApiToken, Scope
from entitlements.services import api_token_create, api_token_revoke
from tests.entitlements.states import project_entitled

pytestmark = pytest.mark.django_db

URL = "/api/v1/entitlements/"


def client_with(raw):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    return client


def new_token(*scopes, **kwargs):
    return api_token_create(
        account_name="Secure environment",
        scopes=list(scopes or [Scope.ENTITLEMENTS_READ]),
        **kwargs,
    )


def test_a_token_reads_the_entitlements_in_force():
    project = project_entitled(team_size=1)
    _, raw = new_token()

    response = client_with(raw).get(URL)

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == len(body["results"]) > 0
    first = body["results"][0]
    assert first["project"] == {"id": project.pk, "title": project.title}
    assert set(first) == {
        "person",
        "project",
        "dataset",
        "variables",
        "access_mode",
        "valid_from",
        "valid_until",
        "state",
    }
    assert {row["person"]["email"] for row in body["results"]} == {
        project.coordinator.email,
        project.team.exclude(user=project.coordinator).get().user.email,
    }


def test_without_a_token_the_api_refuses():
    response = APIClient().get(URL)

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Bearer"


def test_a_token_without_the_scope_is_refused_and_the_refusal_audited():
    token, raw = new_token(Scope.REGISTERS_READ)

    response = client_with(raw).get(URL)

    assert response.status_code == 403
    assert response.json()["detail"] == "This token was not issued to read this."
    [use] = AuditEvent.objects.filter(action="api_token.used", object_id=str(token.pk))
    assert use.payload["status"] == 403


def test_a_revoked_token_presented_again_and_again_is_audited_once_a_minute():
    token, raw = new_token()
    api_token_revoke(token=token, by=None)

    for _ in range(5):
        assert client_with(raw).get(URL).status_code == 401
    with time_machine.travel(timezone.now() + datetime.timedelta(seconds=61)):
        client_with(raw).get(URL)

    refusals = AuditEvent.objects.filter(action="api_token.refused", object_id=str(token.pk))
    assert refusals.count() == 2


def test_an_address_presenting_too_many_refused_tokens_is_told_to_wait(settings):
    settings.API_REFUSALS_PER_MINUTE = 3
    _, good = new_token()

    answers = [client_with("ars_" + "x" * 43).get(URL).status_code for _ in range(4)]

    assert answers == [401, 401, 401, 429]
    # A good token from that address waits too: the address is not trusted for the minute.
    assert client_with(good).get(URL).status_code == 429


def test_requests_over_a_token_s_rate_are_refused_and_not_audited(settings):
    settings.API_TOKEN_RATE = "2/minute"
    token, raw = new_token()

    answers = [client_with(raw).get(URL).status_code for _ in range(3)]

    assert answers == [200, 200, 429]
    uses = AuditEvent.objects.filter(action="api_token.used", object_id=str(token.pk))
    assert sorted(use.payload["status"] for use in uses) == [200, 200]


def test_a_revoked_token_stops_working_at_once():
    token, raw = new_token()
    assert client_with(raw).get(URL).status_code == 200

    api_token_revoke(token=token, by=None)

    response = client_with(raw).get(URL)
    assert response.status_code == 401
    assert "revoked" in response.json()["detail"]
    assert AuditEvent.objects.filter(action="api_token.refused", payload__reason="revoked").exists()


def test_an_expired_token_is_refused():
    _, raw = new_token(days=1)

    with time_machine.travel(timezone.now() + datetime.timedelta(days=2)):
        response = client_with(raw).get(URL)

    assert response.status_code == 401


def test_a_made_up_token_is_refused_like_a_missing_one():
    response = client_with("ars_" + "x" * 43).get(URL)

    assert response.status_code == 401


def test_every_use_of_a_token_is_audited_with_what_it_read():
    token, raw = new_token()

    client_with(raw).get(URL, {"dataset": "census"})
    client_with(raw).get(URL)

    uses = AuditEvent.objects.filter(action="api_token.used", object_id=str(token.pk))
    assert uses.count() == 2
    assert {event.payload["path"] for event in uses} == {URL, f"{URL}?dataset=census"}
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_only_the_hash_of_a_token_is_kept():
    token, raw = new_token()

    table = ApiToken._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {table} WHERE id = %s", [token.pk])  # noqa: S608
        columns = [column[0] for column in cursor.description]
        row = dict(zip(columns, cursor.fetchone(), strict=True))
    secret = raw.removeprefix("ars_")
    assert [name for name, value in row.items() if secret in str(value)] == []
    assert row["digest"] == hashlib.sha256(raw.encode()).hexdigest()


def test_filter_by_person():
    project = project_entitled(team_size=1)
    _, raw = new_token()

    response = client_with(raw).get(URL, {"person": project.coordinator.email.upper()})

    emails = {row["person"]["email"] for row in response.json()["results"]}
    assert emails == {project.coordinator.email}


def test_a_filter_in_error_says_what_is_wrong():
    _, raw = new_token()

    response = client_with(raw).get(URL, {"project": "first", "person": "not an address"})

    assert response.status_code == 400
    assert response.json() == {
        "project": ["A valid integer is required."],
        "person": ["Enter a valid email address."],
    }


def test_a_page_is_chosen_by_limit_and_offset():
    project_entitled(team_size=2)
    _, raw = new_token()
    every = client_with(raw).get(URL).json()["results"]

    page = client_with(raw).get(URL, {"limit": "1", "offset": "1"}).json()

    assert page["count"] == len(every) > 2
    assert page["results"] == every[1:2]


@pytest.mark.parametrize(
    "query",
    ["limit=0", "limit=1001", "limit=", "limit=ten", "limit=5.0", "limit=+5", "limit=1&limit=2"],
)
def test_a_wrong_limit_is_answered_400_saying_what_to_give(query):
    _, raw = new_token()

    response = client_with(raw).get(f"{URL}?{query}")

    assert response.status_code == 400
    assert response.json() == {"limit": ["Give one whole number from 1 to 1000."]}


def test_a_wrong_limit_and_offset_are_both_pointed_out():
    _, raw = new_token()

    response = client_with(raw).get(URL, {"limit": "2000", "offset": "-1"})

    assert response.status_code == 400
    assert response.json() == {
        "limit": ["Give one whole number from 1 to 1000."],
        "offset": ["Give one whole number from 0 to 999999999."],
    }


def test_each_token_is_rate_limited(settings):
    settings.API_TOKEN_RATE = "2/minute"
    _, raw = new_token()
    _, other = new_token()
    client = client_with(raw)

    statuses = [client.get(URL).status_code for _ in range(3)]

    assert statuses == [200, 200, 429]
    assert client_with(other).get(URL).status_code == 200


def test_api_token_create_prints_a_token_that_works():
    out, err = io.StringIO(), io.StringIO()

    call_command(
        "api_token_create",
        "Secure environment",
        "--scope",
        "entitlements:read",
        stdout=out,
        stderr=err,
    )

    raw = out.getvalue().strip()
    assert raw.startswith("ars_")
    assert "not shown again" in err.getvalue()
    assert client_with(raw).get(URL).status_code == 200
    assert AuditEvent.objects.filter(action="api_token.created").count() == 1


def test_changed_since_lists_what_was_granted_changed_or_ended_since_then():
    from accreditation.models import Accreditation
    from accreditation.services import accreditation_suspend
    from entitlements.webhooks.services import entitlements_publish
    from tests.factories import secretariat_for

    project = project_entitled(team_size=1)
    member = project.team.exclude(user=project.coordinator).get().user
    entitlements_publish()
    _, raw = new_token()
    before = timezone.now()
    with time_machine.travel(before + datetime.timedelta(minutes=1)):
        accreditation_suspend(
            accreditation=Accreditation.objects.get(researcher=member),
            reasons="Under investigation.",
            by=secretariat_for([member]),
        )
    later = before + datetime.timedelta(minutes=2)

    since_before = client_with(raw).get(URL, {"changed_since": before.isoformat()}).json()
    since_later = client_with(raw).get(URL, {"changed_since": later.isoformat()}).json()

    assert {(row["person"]["email"], row["state"]) for row in since_before["results"]} == {
        (member.email, "ended")
    }
    assert since_later["results"] == []
    # Without it, the list is what is in force, and says so.
    in_force = client_with(raw).get(URL).json()["results"]
    assert {row["state"] for row in in_force} == {"in_force"}
    assert {row["person"]["email"] for row in in_force} == {project.coordinator.email}


def test_changed_since_lists_an_ending_by_date_before_the_sweep_has_published_it():
    from entitlements.webhooks.services import entitlements_publish

    today = timezone.localdate()
    project = project_entitled(team_size=0, end_date=today + datetime.timedelta(days=1))
    entitlements_publish()
    _, raw = new_token()
    since = timezone.now()

    with time_machine.travel(today + datetime.timedelta(days=2)):
        rows = client_with(raw).get(URL, {"changed_since": since.isoformat()}).json()["results"]

    assert rows and {row["state"] for row in rows} == {"ended"}
    assert {row["project"]["id"] for row in rows} == {project.pk}


def test_changed_since_must_be_a_moment():
    _, raw = new_token()

    response = client_with(raw).get(URL, {"changed_since": "last tuesday"})

    assert response.status_code == 400
    assert "changed_since" in response.json()

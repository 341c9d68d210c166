"""The secretariat's retention pages: the schedule and its versions, changing a period, holds,
and the certificates."""

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from audit.models import AuditEvent
from retention.models import LegalHold, RecordKind, RetentionRule, RetentionSchedule
from retention.selectors import schedule_get, schedule_rules
from retention.services import legal_hold_place, retention_rule_change, retention_run
from tests.retention.helpers import (
    TODAY,
    schedule_confirmed,
    secretariat_user,
    sha256,
    world_make,
)

pytestmark = pytest.mark.django_db

SCHEDULE = reverse("retention:schedule")
HOLDS = reverse("retention:hold_list")
CERTIFICATES = reverse("retention:certificate_list")
NOTIFICATIONS_RULE = reverse("retention:rule_edit", args=["notification_read"])


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def secretariat(client):
    user = secretariat_user()
    client.force_login(user)
    return user


def test_schedule_page_shows_every_kind_and_which_the_run_does_not_destroy_yet(client, secretariat):
    page = client.get(SCHEDULE).content.decode()

    for _, label in RecordKind.choices:
        assert label in page
    rules = schedule_rules(schedule=schedule_get())
    assert page.count("Not yet destroyed by the run") == sum(not row.run for row in rules)
    assert sum(not row.run for row in rules) == 0  # every kind is destroyed or reduced
    assert "not yet confirmed by the scheme's records manager" in page
    assert 'href="/retention/holds/"' in page
    assert 'href="/retention/certificates/"' in page


def test_secretariat_home_links_to_the_retention_schedule(client, secretariat):
    page = client.get(reverse("dashboard:home")).content.decode()

    assert f'href="{SCHEDULE}"' in page


def test_rule_edit_makes_a_new_version_and_keeps_the_old_one_readable(client, secretariat):
    response = client.post(
        NOTIFICATIONS_RULE,
        {"period_days": "800", "action": "destroy", "reason": "Records manager, 3 March"},
    )

    assert response.status_code == 302
    latest = RetentionSchedule.objects.order_by("-version").first()
    assert latest.version == 2 and latest.created_by == secretariat
    assert latest.rules.get(kind="notification_read").period_days == 800
    assert RetentionRule.objects.get(schedule__version=1, kind="notification_read").period_days == (
        365
    )
    assert latest.rules.count() == len(RecordKind.choices)
    event = AuditEvent.objects.get(action="retention.rule_changed")
    assert event.payload["to"] == {"period_days": 800, "action": "destroy"}
    old = client.get(reverse("retention:schedule_version", args=[1])).content.decode()
    assert "365" in old and "800" not in old


@pytest.mark.parametrize(
    ("posted", "message"),
    [
        ({"period_days": "a year", "action": "destroy", "reason": "x"}, "Enter the period as a"),
        ({"period_days": "0", "action": "destroy", "reason": "x"}, "at least 1 day"),
        ({"period_days": "400", "action": "destroy", "reason": ""}, "Enter why the period"),
        ({"period_days": "400", "action": "burn", "reason": "x"}, "Select a valid choice"),
        (
            {"period_days": "400", "action": "anonymise", "reason": "x"},
            "The run cannot yet reduce to an anonymous record notifications",
        ),
    ],
)
def test_rule_edit_refuses_bad_input_with_an_error_summary_and_changes_nothing(
    client, secretariat, posted, message
):
    response = client.post(NOTIFICATIONS_RULE, posted)

    page = response.content.decode()
    assert response.status_code == 200
    assert "govuk-error-summary" in page
    assert message in page
    assert page.count("<title>Error: ") == 1
    # What was typed is kept.
    assert f'value="{posted["period_days"]}"' in page
    assert RetentionSchedule.objects.count() == 1


def test_rule_edit_of_a_kind_not_in_the_schedule_is_not_found(client, secretariat):
    assert client.get(reverse("retention:rule_edit", args=["everything"])).status_code == 404


def test_schedule_confirm_needs_a_reason_then_confirms(client, secretariat):
    url = reverse("retention:schedule_confirm")

    refused = client.post(url, {"reason": " "})
    assert "Enter who reviewed the schedule" in refused.content.decode()
    assert not RetentionSchedule.objects.filter(confirmed=True).exists()

    client.post(url, {"reason": "Records manager agreed the periods"})
    assert RetentionSchedule.objects.order_by("-version").first().confirmed
    assert "schedule-not-confirmed" not in client.get(SCHEDULE).content.decode()


def test_hold_place_refuses_a_record_that_does_not_exist(client, secretariat):
    response = client.post(
        HOLDS, {"kind": "proposal_withdrawn_draft", "identifier": "999999", "reason": "SAR"}
    )

    page = response.content.decode()
    assert "govuk-error-summary" in page
    assert "There is no project proposals withdrawn" in page
    assert not LegalHold.objects.exists()


def test_hold_place_and_lift_with_reasons(client, secretariat):
    world = world_make()
    identifier = world.expired["notification_read"][0]

    client.post(HOLDS, {"kind": "notification_read", "identifier": identifier, "reason": "SAR 14"})
    hold = LegalHold.objects.get()
    assert hold.active and hold.placed_by == secretariat
    page = client.get(HOLDS).content.decode()
    assert "SAR 14" in page
    lift = reverse("retention:hold_lift", args=[hold.pk])
    assert f'href="{lift}"' in page

    refused = client.post(lift, {"reason": ""})
    assert "Enter why the hold can be lifted" in refused.content.decode()
    client.post(lift, {"reason": "Request answered"})
    hold.refresh_from_db()
    assert not hold.active and hold.lift_reason == "Request answered"
    assert AuditEvent.objects.filter(action="retention.hold_lifted").count() == 1


def test_hold_place_twice_on_one_record_is_refused_in_words(client, secretariat):
    world = world_make()
    posted = {
        "kind": "notification_read",
        "identifier": world.expired["notification_read"][0],
        "reason": "SAR",
    }
    client.post(HOLDS, posted)

    page = client.post(HOLDS, posted).content.decode()

    assert "This record is already under a legal hold" in page
    assert LegalHold.objects.count() == 1


def test_certificate_pages_list_show_and_download_what_was_destroyed(
    client, secretariat, django_capture_on_commit_callbacks
):
    world = world_make()
    schedule_confirmed()
    with django_capture_on_commit_callbacks(execute=True):
        certificate = retention_run(on=TODAY, dry_run=False, by=secretariat)
    detail = reverse("retention:certificate_detail", args=[certificate.pk])

    assert f'href="{detail}"' in client.get(CERTIFICATES).content.decode()
    page = client.get(detail).content.decode()
    for name, content in world.files.items():
        assert name in page and sha256(content) in page
    response = client.get(reverse("retention:certificate_download", args=[certificate.pk]))
    assert response["Content-Disposition"].startswith("attachment;")
    document = json.loads(response.content)
    assert document["schedule_version"] == 2
    kinds = {entry["kind"]: entry for entry in document["kinds"]}
    assert kinds["report_export"]["identifiers"] == world.expired["report_export"]


def _queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def _more(by, count, world):
    for _ in range(count):
        current = (
            RetentionRule.objects.filter(kind="report_export").order_by("-schedule_id").first()
        )
        retention_rule_change(
            kind="report_export",
            period_days=current.period_days + 1,
            action="destroy",
            reason="Tried",
            by=by,
        )
    held = set(LegalHold.objects.values_list("identifier", flat=True))
    free = [identifier for identifier in world.fresh["notification_read"] if identifier not in held]
    for identifier in free[:count]:
        legal_hold_place(kind="notification_read", identifier=identifier, reason="SAR", by=by)
    for _ in range(count):
        retention_run(on=TODAY, dry_run=False, by=by)


def test_retention_pages_queries_are_the_same_for_few_and_many_rows(client, secretariat):
    world = world_make(copies=6)
    schedule_confirmed(secretariat)
    _more(secretariat, 1, world)
    certificate = retention_run(on=TODAY, dry_run=False, by=secretariat)
    urls = [
        SCHEDULE,
        HOLDS,
        CERTIFICATES,
        reverse("retention:certificate_detail", args=[certificate.pk]),
        reverse("retention:schedule_version", args=[2]),
        NOTIFICATIONS_RULE,
    ]
    client.get(SCHEDULE)  # warm the session
    few = [_queries(client, url) for url in urls]

    _more(secretariat, 5, world)
    many = [_queries(client, url) for url in urls]

    assert many == few

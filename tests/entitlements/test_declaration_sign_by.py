"""A new version of the declaration does not end entitlements at once: a signature on an earlier
version still counts until the date the secretariat set to sign the new one by."""

import datetime

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from entitlements.models import EntitlementRecord
from entitlements.selectors import entitlements_current
from entitlements.tasks import entitlements_sweep
from entitlements.webhooks.services import entitlements_publish, webhook_endpoint_create
from identity.roles import Role
from researchers.declaration.models import DeclarationVersion
from researchers.declaration.services import declaration_version_publish
from tests.entitlements.receiver import Receiver
from tests.entitlements.states import project_entitled
from tests.factories import UserFactory, declaration_signed_row, secretariat_for

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate


def days(n):
    return TODAY() + datetime.timedelta(days=n)


def date_fields(name, day):
    return {f"{name}_day": day.day, f"{name}_month": day.month, f"{name}_year": day.year}


def publish(sign_by, text="A stricter wording."):
    return declaration_version_publish(text=text, sign_by=sign_by, by=secretariat_for())


def test_an_earlier_signature_keeps_entitlements_until_the_sign_by_day_and_no_longer():
    project = project_entitled(team_size=0)
    sign_by = days(10)

    publish(sign_by)

    [entitlement] = entitlements_current()
    assert entitlement.person_id == project.coordinator.pk
    assert entitlement.valid_until == sign_by
    assert entitlements_current(on=sign_by)
    assert entitlements_current(on=sign_by + datetime.timedelta(days=1)) == []


def test_signing_the_new_version_gives_back_the_whole_term():
    project = project_entitled(team_size=0)
    publish(days(10))

    declaration_signed_row(project.coordinator)

    [entitlement] = entitlements_current()
    assert entitlement.valid_until == project.end_date
    assert entitlements_current(on=days(11))


def test_a_signature_two_versions_old_counts_until_the_earliest_sign_by_day():
    project_entitled(team_size=0)
    publish(days(5), text="Version two.")
    publish(days(20), text="Version three.")

    [entitlement] = entitlements_current()

    assert entitlement.valid_until == days(5)
    assert entitlements_current(on=days(6)) == []


def test_a_version_signed_since_counts_until_the_next_one_s_day_only():
    project = project_entitled(team_size=0)
    publish(days(5), text="Version two.")
    declaration_signed_row(project.coordinator)
    publish(days(20), text="Version three.")

    [entitlement] = entitlements_current()

    assert entitlement.valid_until == days(20)


def test_a_later_version_to_sign_at_once_ends_an_earlier_signature_whatever_its_date():
    project_entitled(team_size=0)
    publish(days(30), text="Version two.")
    DeclarationVersion.objects.create(number=3, text="Version three, at once.")

    assert entitlements_current() == []


def test_publishing_a_version_announces_the_new_last_day_and_the_sweep_ends_it_after(
    eager_celery, django_capture_on_commit_callbacks
):
    project = project_entitled(team_size=0)
    sign_by = days(10)
    with Receiver() as receiver:
        webhook_endpoint_create(url=receiver.url, description="Secure environment", by=None)
        entitlements_publish()

        with django_capture_on_commit_callbacks(execute=True):
            publish(sign_by)

        changed = [r.json for r in receiver.requests if r.json["type"] == "entitlement.changed"]
        assert [body["entitlement"]["valid_until"] for body in changed] == [sign_by.isoformat()]
        assert changed[0]["reason"] == "Version 2 of the declaration published"
        assert changed[0]["entitlement"]["person"]["email"] == project.coordinator.email

        with (
            time_machine.travel(sign_by + datetime.timedelta(days=1), tick=False),
            django_capture_on_commit_callbacks(execute=True),
        ):
            entitlements_sweep.apply()

        ended = [r.json for r in receiver.requests if r.json["type"] == "entitlement.ended"]
    assert [body["reason"] for body in ended] == ["Its last day has passed"]
    assert EntitlementRecord.objects.get().state == EntitlementRecord.State.ENDED


def test_the_secretariat_publishes_a_version_with_a_date_to_sign_it_by(client):
    client.force_login(secretariat_for())
    page = client.get(reverse("researchers:declaration_versions"))
    # A month is offered.
    assert page.context["form"]["sign_by"].value() == days(30)

    response = client.post(
        reverse("researchers:declaration_versions"),
        {"text": "A stricter wording.", **date_fields("sign_by", days(14))},
        follow=True,
    )

    version = DeclarationVersion.objects.current()
    assert (version.number, version.sign_by) == (2, days(14))
    assert f"until the end of {days(14):%-d %B %Y}" in response.text
    event = AuditEvent.objects.get(action="declaration_version.publish")
    assert event.payload["sign_by"] == days(14).isoformat()


def test_a_date_in_the_past_is_refused_and_the_wording_kept(client):
    client.force_login(secretariat_for())

    response = client.post(
        reverse("researchers:declaration_versions"),
        {"text": "A stricter wording.", **date_fields("sign_by", days(-1))},
    )

    assert response.status_code == 200
    assert "govuk-error-summary" in response.text
    assert "The date to sign by must be today or in the future" in response.text
    assert "A stricter wording." in response.text
    assert DeclarationVersion.objects.count() == 1


def test_the_secretariat_moves_the_date_and_entitlements_follow(client):
    project_entitled(team_size=0)
    publish(days(10))
    secretariat = secretariat_for()
    declaration_signed_row(secretariat)  # staff sign a new version before going on
    client.force_login(secretariat)

    versions = client.get(reverse("researchers:declaration_versions"))
    change = reverse("researchers:declaration_sign_by")
    assert f'href="{change}"' in versions.text
    response = client.post(change, date_fields("sign_by", days(40)), follow=True)

    assert DeclarationVersion.objects.current().sign_by == days(40)
    assert f"sign version 2 by {days(40):%-d %B %Y}" in response.text
    [entitlement] = entitlements_current()
    assert entitlement.valid_until == days(40)
    event = AuditEvent.objects.get(action="declaration_version.sign_by_change")
    assert (event.payload["from"], event.payload["to"]) == (
        days(10).isoformat(),
        days(40).isoformat(),
    )


def test_moving_the_date_to_a_day_too_far_ahead_is_refused_on_the_page(client):
    publish(days(10))
    secretariat = secretariat_for()
    declaration_signed_row(secretariat)
    client.force_login(secretariat)

    response = client.post(
        reverse("researchers:declaration_sign_by"), date_fields("sign_by", days(400))
    )

    assert response.status_code == 200
    assert "The date to sign by must be within a year of today" in response.text
    assert DeclarationVersion.objects.current().sign_by == days(10)


def test_a_researcher_is_told_until_when_their_earlier_signature_counts(client):
    project = project_entitled(team_size=0)
    publish(days(10))
    client.force_login(project.coordinator)

    home = client.get(reverse("dashboard:home"))
    declaration = client.get(reverse("researchers:declaration"))

    until = f"{days(10):%-d %B %Y}"
    assert f"gives you access to data until {until}" in home.text
    assert f"Sign this version by {until}" in declaration.text


def test_a_researcher_whose_earlier_signature_no_longer_counts_is_told_so(client):
    researcher = UserFactory(roles=[Role.RESEARCHER])
    declaration_signed_row(researcher)
    DeclarationVersion.objects.create(number=2, text="At once.")
    client.force_login(researcher)

    home = client.get(reverse("dashboard:home"))

    assert "You have no access to data until you sign it." in home.text


def test_after_the_sign_by_day_the_researcher_is_told_their_access_has_gone(client):
    project = project_entitled(team_size=0)
    publish(days(10))

    with time_machine.travel(days(11), tick=False):
        client.force_login(project.coordinator)
        home = client.get(reverse("dashboard:home"))

    assert "You have no access to data until you sign it." in home.text

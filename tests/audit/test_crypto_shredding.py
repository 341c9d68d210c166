"""Erasing a person from the audit trail destroys their key: what was sealed about them can no
longer be read from any row, and every event stays exactly as it was written."""

import hashlib

import pytest
from django.db import connection
from django.urls import reverse

from audit.models import AuditEvent, PersonKey
from audit.personal import ERASED, events_open
from audit.services import PERSON_ERASED, audit_erase_person
from identity.roles import Role
from researchers.services import user_create
from tests.factories import UserFactory

from .helpers import record_event

pytestmark = pytest.mark.django_db

NAME = "Imogen Thistlewood"
EMAIL = "imogen.thistlewood@example.ac.uk"
ADDRESS = "203.0.113.77"


@pytest.fixture
def secretariat(client):
    user = UserFactory(roles=[Role.SECRETARIAT], totp=True)
    client.force_login(user)
    return user


def _raw_rows():
    """Every audit row as the database holds it, every column as text, by id."""
    table = connection.ops.quote_name(AuditEvent._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {table} ORDER BY id")  # noqa: S608 - the model's table
        return {row[0]: "|".join(str(value) for value in row) for row in cursor.fetchall()}


def _digest(rows):
    return {pk: hashlib.sha256(text.encode()).hexdigest() for pk, text in rows.items()}


def _person_with_events(secretariat, rf):
    person = user_create(email=EMAIL, full_name=NAME, password=None, by=secretariat)
    # The person acting themselves, from an address of their own.
    record_event(
        actor=person,
        action="test.changed_own_profile",
        obj=person,
        personal={"typed_name": NAME},
        request=rf.get("/", REMOTE_ADDR=ADDRESS),
    )
    # Someone else acting on them.
    record_event(actor=secretariat, action="test.looked_at", obj=person)
    return person


def test_personal_values_are_not_stored_in_the_clear(secretariat, rf):
    _person_with_events(secretariat, rf)

    raw = "\n".join(_raw_rows().values())

    for personal in (NAME, EMAIL, ADDRESS):
        assert personal not in raw


def test_audit_pages_show_the_persons_details_until_erased(client, secretariat, rf):
    person = _person_with_events(secretariat, rf)

    before = client.get(reverse("audit:event_list")).text

    assert NAME in before
    assert ADDRESS in before

    audit_erase_person(person_id=person.pk, by=secretariat, reason="Erasure decision ER-12")
    after = client.get(reverse("audit:event_list")).text

    assert NAME not in after
    assert ADDRESS not in after
    assert ERASED in after


def test_erasure_leaves_every_event_as_written_and_unreadable(client, secretariat, rf):
    person = _person_with_events(secretariat, rf)
    before = _raw_rows()

    audit_erase_person(person_id=person.pk, by=secretariat, reason="Erasure decision ER-12")

    after = _raw_rows()
    # Nothing rewritten or removed: every earlier row is byte for byte the same, and the
    # erasure itself is one more event.
    assert _digest({pk: after[pk] for pk in before}) == _digest(before)
    assert len(after) == len(before) + 1
    # Nothing left that opens what was sealed: the key is gone from the database.
    key = PersonKey.objects.get(person_id=person.pk)
    assert key.key is None
    assert key.destroyed_at is not None
    everything = "\n".join(after.values())
    for personal in (NAME, EMAIL, ADDRESS):
        assert personal not in everything
    # The pages still count and list every event, saying what was erased.
    events = events_open(AuditEvent.objects.order_by("id"))
    assert [event.pk for event in events] == sorted(after)
    registered, own, looked = (e for e in events if e.object_id == str(person.pk))
    assert registered.shown.payload["email"] == ERASED
    assert own.shown.payload["typed_name"] == ERASED
    assert own.shown.ip_address == ERASED
    assert looked.shown.object_repr == ERASED
    page = client.get(reverse("audit:event_list")).text
    for event in events:
        assert reverse("audit:event_detail", args=[event.pk]) in page


def test_erasure_is_audited_without_the_persons_details(secretariat, rf):
    person = _person_with_events(secretariat, rf)

    audit_erase_person(person_id=person.pk, by=secretariat, reason="Erasure decision ER-12")

    event = AuditEvent.objects.get(action=PERSON_ERASED)
    assert event.actor == secretariat
    assert event.payload == {"person": person.pk, "reason": "Erasure decision ER-12"}
    assert event.sealed is None


def test_erasing_twice_records_one_erasure(secretariat, rf):
    person = _person_with_events(secretariat, rf)

    audit_erase_person(person_id=person.pk, by=secretariat, reason="ER-12")
    audit_erase_person(person_id=person.pk, by=secretariat, reason="ER-12")

    assert AuditEvent.objects.filter(action=PERSON_ERASED).count() == 1


def test_nothing_personal_is_written_about_an_erased_person(secretariat, rf):
    person = _person_with_events(secretariat, rf)
    audit_erase_person(person_id=person.pk, by=secretariat, reason="ER-12")

    event = record_event(actor=secretariat, action="test.looked_at", obj=person)

    assert event.sealed is None
    assert event.object_repr == ""
    assert NAME not in _raw_rows()[event.pk]


def test_other_peoples_details_stay_readable(client, secretariat, rf):
    person = _person_with_events(secretariat, rf)
    other = user_create(
        email="other.person@example.ac.uk", full_name="Otto Other", password=None, by=secretariat
    )

    audit_erase_person(person_id=person.pk, by=secretariat, reason="ER-12")

    (event,) = events_open(
        [AuditEvent.objects.get(action="researchers.user_created", object_id=str(other.pk))]
    )
    assert event.shown.payload["email"] == "other.person@example.ac.uk"
    assert event.shown.object_repr == "Otto Other"


def test_title_sealed_under_its_owner_and_personal_values_under_their_person(secretariat):
    from tests.projects.factories import ProposalFactory

    proposal = ProposalFactory(title=f"{NAME}: earnings and health")
    reviewer = UserFactory()

    event = record_event(
        actor=secretariat,
        action="test.reviewer_taken_off",
        obj=proposal,
        payload={"reviewer": reviewer.pk},
        person=reviewer.pk,
        personal={"reason": "Worked with the co-ordinator"},
    )

    assert event.object_repr == ""
    assert set(event.sealed) == {str(proposal.coordinator_id), str(reviewer.pk)}
    assert event.sealed[str(proposal.coordinator_id)]["fields"] == ["object_repr"]
    assert event.sealed[str(reviewer.pk)]["fields"] == ["reason"]
    (opened,) = events_open([event])
    assert opened.shown.object_repr == proposal.title
    assert opened.shown.payload == {
        "reviewer": reviewer.pk,
        "reason": "Worked with the co-ordinator",
    }


def test_a_value_is_either_in_the_payload_or_sealed(secretariat):
    person = UserFactory()

    with pytest.raises(ValueError, match="either in the clear or sealed"):
        record_event(
            actor=secretariat,
            obj=person,
            payload={"reason": "clear"},
            personal={"reason": "sealed"},
        )

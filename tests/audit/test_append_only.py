import importlib

import pytest
from django.apps import apps
from django.core import serializers
from django.db import DatabaseError, connection, transaction

from audit.models import AppendOnlyError, AuditEvent
from audit.personal import events_open
from audit.services import audit_record
from tests.factories import UserFactory

from .helpers import record_event

pytestmark = pytest.mark.django_db

postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="the append-only triggers exist on PostgreSQL only; other databases rely on the ORM",
)


@pytest.fixture
def event():
    return record_event(
        actor=UserFactory(), action="accreditation.approve", from_state="a", to_state="b"
    )


def _execute(*statements):
    with transaction.atomic(), connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(*statement)


def _row(pk):
    with connection.cursor() as cursor:
        cursor.execute("SELECT action, to_state FROM audit_auditevent WHERE id = %s", [pk])
        return cursor.fetchone()


@postgresql_only
def test_database_refuses_raw_update(event):
    with pytest.raises(DatabaseError, match="append-only"):
        _execute(
            (
                "UPDATE audit_auditevent SET action = 'forged', to_state = 'c' WHERE id = %s",
                [event.pk],
            )
        )

    assert _row(event.pk) == ("accreditation.approve", "b")


@postgresql_only
def test_database_refuses_raw_delete(event):
    with pytest.raises(DatabaseError, match="append-only"):
        _execute(("DELETE FROM audit_auditevent WHERE id = %s", [event.pk]))

    assert _row(event.pk) == ("accreditation.approve", "b")


@postgresql_only
def test_database_refuses_truncate_outside_test_databases(event):
    with pytest.raises(DatabaseError, match="append-only"):
        _execute(
            # Test databases allow TRUNCATE so that Django can empty them; the service never does.
            ("SET LOCAL ars.audit_truncate = ''",),
            # Check the deferred foreign keys now: TRUNCATE refuses to run with checks pending.
            ("SET CONSTRAINTS ALL IMMEDIATE",),
            ("TRUNCATE audit_auditevent",),
        )

    assert _row(event.pk) == ("accreditation.approve", "b")


@postgresql_only
def test_database_allows_changes_again_once_the_migration_is_reversed(event):
    migration = importlib.import_module("audit.migrations.0002_append_only_in_database")
    update = ("UPDATE audit_auditevent SET action = 'changed' WHERE id = %s", [event.pk])

    class Undo(Exception):
        pass

    with pytest.raises(Undo), transaction.atomic():
        _execute(("SET CONSTRAINTS ALL IMMEDIATE",))
        with connection.schema_editor() as editor:
            migration.drop_triggers(apps, editor)
        _execute(update)
        assert _row(event.pk) == ("changed", "b")
        raise Undo

    with pytest.raises(DatabaseError, match="append-only"):
        _execute(update)
    assert _row(event.pk) == ("accreditation.approve", "b")


def test_event_save_refused_once_recorded(event):
    event.action = "forged"

    with pytest.raises(AppendOnlyError):
        event.save()

    assert AuditEvent.objects.get(pk=event.pk).action == "accreditation.approve"


def test_event_loaded_again_save_refused(event):
    loaded = AuditEvent.objects.get(pk=event.pk)
    loaded.to_state = "c"

    with pytest.raises(AppendOnlyError):
        loaded.save(update_fields=["to_state"])
    with pytest.raises(AppendOnlyError):
        loaded.save(force_update=True)

    assert AuditEvent.objects.get(pk=event.pk).to_state == "b"


def test_event_with_an_existing_primary_key_cannot_overwrite(event):
    impostor = AuditEvent(pk=event.pk, action="forged")

    with pytest.raises(AppendOnlyError):
        impostor.save()

    assert AuditEvent.objects.get(pk=event.pk).action == "accreditation.approve"


def test_event_raw_save_of_existing_row_refused(event):
    # loaddata saves with save_base(raw=True), skipping save().
    data = serializers.serialize("json", [event]).replace("accreditation.approve", "forged")
    (deserialized,) = serializers.deserialize("json", data)

    with pytest.raises(AppendOnlyError), transaction.atomic():
        deserialized.save()

    assert AuditEvent.objects.get(pk=event.pk).action == "accreditation.approve"


def test_event_queryset_update_refused(event):
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(pk=event.pk).update(action="forged")
    with pytest.raises(AppendOnlyError):
        AuditEvent._base_manager.filter(pk=event.pk).update(action="forged")
    with pytest.raises(AppendOnlyError):
        event.actor.audit_events.update(action="forged")

    assert AuditEvent.objects.get(pk=event.pk).action == "accreditation.approve"


def test_event_bulk_update_refused(event):
    event.action = "forged"

    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.bulk_update([event], ["action"])

    assert AuditEvent.objects.get(pk=event.pk).action == "accreditation.approve"


def test_event_upsert_refused(event):
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.bulk_create(
            [AuditEvent(pk=event.pk, action="forged")],
            update_conflicts=True,
            unique_fields=["id"],
            update_fields=["action"],
        )
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.update_or_create(pk=event.pk, defaults={"action": "forged"})

    assert AuditEvent.objects.get(pk=event.pk).action == "accreditation.approve"


def test_event_delete_refused(event):
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(pk=event.pk).delete()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.all().delete()

    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_event_actor_cannot_be_deleted_from_under_the_trail(event):
    from django.db.models import ProtectedError

    with pytest.raises(ProtectedError):
        event.actor.delete()

    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_new_events_can_still_be_added_in_bulk():
    with transaction.atomic():
        AuditEvent.objects.bulk_create([AuditEvent(action="one"), AuditEvent(action="two")])

    assert set(AuditEvent.objects.values_list("action", flat=True)) == {"one", "two"}


@pytest.mark.django_db(transaction=True)
def test_audit_record_outside_a_transaction_refused():
    with pytest.raises(RuntimeError, match="inside the transaction"):
        audit_record(actor=None, action="test.happened")

    assert not AuditEvent.objects.exists()


def test_audit_record_rolled_back_with_its_change():
    user = UserFactory()

    with pytest.raises(ZeroDivisionError), transaction.atomic():
        audit_record(actor=user, action="test.happened", obj=user)
        1 / 0  # noqa: B018

    assert not AuditEvent.objects.exists()


def test_audit_record_describes_the_object_and_request(rf, settings):
    # Two proxies of the service's own: the outer one appended the client's address.
    settings.TRUSTED_PROXY_COUNT = 2
    user = UserFactory(email="dana@example.ac.uk")
    request = rf.get("/", HTTP_X_FORWARDED_FOR="198.51.100.1, 203.0.113.7, 10.0.0.1")

    event = record_event(
        actor=user,
        action="user.roles_change",
        obj=user,
        payload={"added": ["secretariat"]},
        request=request,
    )

    event.refresh_from_db()
    (shown,) = events_open([event])
    assert event.actor == user
    assert event.object_type == "researchers.user"
    assert event.object_id == str(user.pk)
    assert shown.shown.object_repr == str(user)
    assert event.payload == {"added": ["secretariat"]}
    assert shown.shown.ip_address == "203.0.113.7"


@pytest.mark.django_db(transaction=True)
def test_transactional_tests_can_still_empty_the_database():
    # Django empties the tables after this test with TRUNCATE; if the test database did not
    # allow it, the teardown would fail.
    record_event(action="test.happened")

    assert AuditEvent.objects.count() == 1

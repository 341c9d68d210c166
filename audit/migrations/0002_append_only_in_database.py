"""Make the database itself refuse to change or remove audit events (PostgreSQL only).

The model refuses updates and deletes in the ORM; these triggers stop everything else too: raw
SQL, a shell, another client. UPDATE and DELETE are refused row by row, TRUNCATE per statement.

One escape exists for TRUNCATE only: a session whose ``ars.audit_truncate`` setting is ``allow``.
Test databases set it (tests/conftest.py) because Django empties every table with TRUNCATE
between transactional tests; nothing in the service sets it.
"""

from django.db import migrations

FUNCTION = "audit_event_refuse_change"
ROW_TRIGGER = "audit_event_refuse_update_delete"
TRUNCATE_TRIGGER = "audit_event_refuse_truncate"


def _table(apps):
    return apps.get_model("audit", "AuditEvent")._meta.db_table


def create_triggers(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    table = schema_editor.quote_name(_table(apps))
    schema_editor.execute(
        f"""
        CREATE OR REPLACE FUNCTION {FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF TG_OP = 'TRUNCATE'
               AND coalesce(current_setting('ars.audit_truncate', true), '') = 'allow' THEN
                RETURN NULL;
            END IF;
            RAISE EXCEPTION 'audit events are append-only: % on % is refused', TG_OP, TG_TABLE_NAME
                USING HINT = 'Record a new audit event instead of changing or removing one.';
        END;
        $$
        """,
        params=None,  # the body's % are PL/pgSQL placeholders, not the driver's
    )
    schema_editor.execute(
        f"CREATE TRIGGER {ROW_TRIGGER} BEFORE UPDATE OR DELETE ON {table} "
        f"FOR EACH ROW EXECUTE FUNCTION {FUNCTION}()"
    )
    schema_editor.execute(
        f"CREATE TRIGGER {TRUNCATE_TRIGGER} BEFORE TRUNCATE ON {table} "
        f"FOR EACH STATEMENT EXECUTE FUNCTION {FUNCTION}()"
    )


def drop_triggers(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    table = schema_editor.quote_name(_table(apps))
    schema_editor.execute(f"DROP TRIGGER IF EXISTS {TRUNCATE_TRIGGER} ON {table}")
    schema_editor.execute(f"DROP TRIGGER IF EXISTS {ROW_TRIGGER} ON {table}")
    schema_editor.execute(f"DROP FUNCTION IF EXISTS {FUNCTION}()")


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0001_initial"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="auditevent",
            options={"base_manager_name": "objects", "ordering": ["-created_at", "-id"]},
        ),
        migrations.RunPython(create_triggers, drop_triggers, elidable=False),
    ]

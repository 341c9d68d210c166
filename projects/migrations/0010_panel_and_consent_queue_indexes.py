from django.db import migrations, models

# The consents queue finds, for each proposal with the data owners, when it reached them: the
# latest audit event of a proposal moving to "data_owner_review" (``consent.selectors.
# consents_waiting``). This partial index holds those events alone, newest first, so each is
# one step into a small index rather than a search through every event of the proposal. It is
# on the audit trail's table but serves this app's query, so this app adds it; the audit app's
# models know nothing of proposals.
REACHED_DATA_OWNERS = models.Index(
    fields=["object_id", "-created_at", "-id"],
    condition=models.Q(object_type="projects.proposal", to_state="data_owner_review"),
    name="proposal_reached_data_owners",
)


def reached_data_owners_add(apps, schema_editor):
    schema_editor.add_index(apps.get_model("audit", "AuditEvent"), REACHED_DATA_OWNERS)


def reached_data_owners_remove(apps, schema_editor):
    schema_editor.remove_index(apps.get_model("audit", "AuditEvent"), REACHED_DATA_OWNERS)


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0004_personal_data_sealed"),
        ("projects", "0009_secretariat_queue_indexes"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="proposal",
            index=models.Index(
                condition=models.Q(("state", "panel_review")),
                fields=["submitted_at", "created_at", "id"],
                name="proposals_with_panel",
            ),
        ),
        migrations.RunPython(reached_data_owners_add, reached_data_owners_remove),
    ]

import django.utils.timezone
from django.db import migrations, models
from django.db.models import F, OuterRef, Subquery
from django.db.models.functions import Coalesce


def project_dates_set(apps, schema_editor):
    """Each proposal's project's dates, as ``Proposal.save`` keeps them from now on: its own
    for a project, its project's for an amendment."""
    Proposal = apps.get_model("projects", "Proposal")
    Proposal.objects.filter(amends__isnull=True).update(
        project_sent_at=F("submitted_at"), project_created_at=F("created_at")
    )
    project = Proposal.objects.filter(pk=OuterRef("amends_id"))
    Proposal.objects.filter(amends__isnull=False).update(
        project_sent_at=Subquery(project.values("submitted_at")[:1]),
        project_created_at=Subquery(project.values("created_at")[:1]),
    )


class Migration(migrations.Migration):
    dependencies = [
        ("projects", "0010_panel_and_consent_queue_indexes"),
    ]

    operations = [
        migrations.AlterField(
            model_name="proposal",
            name="created_at",
            field=models.DateTimeField(default=django.utils.timezone.now, editable=False),
        ),
        migrations.AddField(
            model_name="proposal",
            name="project_sent_at",
            field=models.DateTimeField(editable=False, null=True),
        ),
        migrations.AddField(
            model_name="proposal",
            name="project_created_at",
            field=models.DateTimeField(editable=False, null=True),
        ),
        migrations.RunPython(project_dates_set, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="proposal",
            name="project_created_at",
            field=models.DateTimeField(editable=False),
        ),
        migrations.RemoveIndex(model_name="proposal", name="proposal_list_order"),
        migrations.AddIndex(
            model_name="proposal",
            index=models.Index(
                F("project_sent_at"),
                F("project_created_at"),
                Coalesce("amends", "id"),
                F("version"),
                name="proposal_list_order",
            ),
        ),
    ]

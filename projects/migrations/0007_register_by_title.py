"""Index projects by title for the register of projects, which lists and pages by title, and
by trigram for its search by part of a title (PostgreSQL only; see govuk.trigram)."""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations, models

from govuk.trigram import trigram_index


class Migration(migrations.Migration):
    dependencies = [
        ("projects", "0006_review_permission_removed"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="proposal",
            index=models.Index(fields=["title", "id"], name="proposal_by_title"),
        ),
        TrigramExtension(),
        trigram_index("projects", "Proposal", "title", name="proposal_title_search"),
    ]

"""Index people by name for the register of researchers, which lists and pages by name, and
by trigram for its search by part of a name (PostgreSQL only; see govuk.trigram)."""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations, models

from govuk.trigram import trigram_index


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("researchers", "0006_declaration_state_machine"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="user",
            index=models.Index(fields=["full_name", "id"], name="user_by_name"),
        ),
        TrigramExtension(),
        trigram_index("researchers", "User", "full_name", name="user_name_search"),
    ]

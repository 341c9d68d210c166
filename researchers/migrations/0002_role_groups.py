from django.db import migrations

# Frozen here rather than imported from identity.roles: a migration must keep meaning what
# it meant when it was written, even if the Role choices later change.
ROLE_GROUPS = ("researcher", "panel_reviewer", "output_checker", "data_owner", "secretariat")


def create_role_groups(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for name in ROLE_GROUPS:
        Group.objects.get_or_create(name=name)


class Migration(migrations.Migration):
    dependencies = [
        ("researchers", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    # Reversing leaves the groups in place: removing them would silently take roles away.
    operations = [migrations.RunPython(create_role_groups, migrations.RunPython.noop)]

"""The three staff roles (Editor, Publisher, Viewer) as groups; authorities/roles.py says
what each may do. A domain model added later needs its own migration calling
sync_roles to join these groups."""

from django.db import migrations

from authorities.roles import ROLES, sync_roles


def create_roles(apps, schema_editor):
    sync_roles(apps)


def remove_roles(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=ROLES).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("authorities", "0003_publish_permissions"),
        ("forums", "0003_publish_permissions"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_roles, remove_roles)]

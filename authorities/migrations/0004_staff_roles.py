"""The three staff roles as groups, so a superuser only has to put people in one.

- Editor: view, add and change every domain record (drafts, status changes); cannot
  publish, withdraw or delete.
- Publisher: an Editor who may also publish, withdraw (the publish_* permissions) and
  delete.
- Viewer: read-only.

None of them gets an auth.* permission: only superusers manage users and groups.

Guards against: a fresh database (tests, a new deployment) where the permission rows do
not exist yet, because Django creates them in post_migrate, after every migration has
run. Without creating them here the groups would be made empty, silently. A domain model
added later needs its own migration to join these groups.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

DOMAIN_APPS = ("authorities", "forums")
ROLES = {
    "Editor": ("view_", "add_", "change_"),
    "Publisher": ("view_", "add_", "change_", "delete_", "publish_"),
    "Viewer": ("view_",),
}


def _ensure_permissions(apps):
    for label in DOMAIN_APPS:
        app_config = apps.get_app_config(label)
        # Historical app configs have no models module, which makes create_permissions
        # return without doing anything; it only reads the models through `apps`.
        app_config.models_module = True
        try:
            create_permissions(app_config, apps=apps, verbosity=0)
        finally:
            app_config.models_module = None


def create_roles(apps, schema_editor):
    _ensure_permissions(apps)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    # simple-history's Historical* models keep their own permissions, which nobody needs:
    # the history pages ask for the tracked model's permissions.
    domain = Permission.objects.filter(content_type__app_label__in=DOMAIN_APPS).exclude(
        content_type__model__startswith="historical"
    )
    for name, prefixes in ROLES.items():
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.set([p for p in domain if p.codename.startswith(prefixes)])


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

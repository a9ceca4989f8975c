"""The three staff roles, as groups, so a superuser only has to put people in one.

- Editor: view, add and change every domain record (drafts, status changes); cannot
  publish, withdraw or delete.
- Publisher: an Editor who may also publish, withdraw (the publish_* permissions) and
  delete.
- Viewer: read-only.

Every role may also view the run logs of the scheduled commands kept outside the domain
apps (VIEW_ONLY: when alerts last went out), and none may change them.

None of them gets an auth.* permission: only superusers manage users and groups.

`sync_roles` is used by the data migration that first creates the groups and by anything
that must put them back on a database emptied since (the tests' flushed databases).
"""

from django.apps import apps as global_apps
from django.contrib.auth.management import create_permissions

DOMAIN_APPS = ("authorities", "forums", "leads")
#: Models every role may view and none may change: the logs of scheduled commands kept
#: outside the domain apps (when alerts last went out). The alert subscriptions and
#: deliveries hold subscribers' addresses and are given to no role.
VIEW_ONLY = {"alerts": ("alertrun",)}
ROLES = {
    "Editor": ("view_", "add_", "change_"),
    "Publisher": ("view_", "add_", "change_", "delete_", "publish_"),
    "Viewer": ("view_",),
}


def _ensure_permissions(apps):
    """On a fresh database the permission rows do not exist yet while migrations run:
    Django creates them in post_migrate, after every migration. Without this the groups
    would be made empty, silently."""
    for label in (*DOMAIN_APPS, *VIEW_ONLY):
        try:
            app_config = apps.get_app_config(label)
        except LookupError:
            # An app added after the migration that first made the groups: `sync_roles`
            # after migrate (make migrate, a deploy) gives the roles its permissions.
            continue
        if getattr(app_config, "models_module", None) is not None:
            create_permissions(app_config, apps=apps, verbosity=0)
            continue
        # Historical app configs have no models module, which makes create_permissions
        # return without doing anything; it only reads the models through `apps`.
        app_config.models_module = True
        try:
            create_permissions(app_config, apps=apps, verbosity=0)
        finally:
            app_config.models_module = None


def sync_roles(apps=global_apps):
    """Create the groups if missing and give each exactly its role's permissions."""
    _ensure_permissions(apps)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    # simple-history's Historical* models keep their own permissions, which nobody needs:
    # the history pages ask for the tracked model's permissions.
    domain = Permission.objects.filter(content_type__app_label__in=DOMAIN_APPS).exclude(
        content_type__model__startswith="historical"
    )
    view_only = [
        permission
        for label, models in VIEW_ONLY.items()
        for permission in Permission.objects.filter(
            content_type__app_label=label,
            content_type__model__in=models,
            codename__startswith="view_",
        )
    ]
    for name, prefixes in ROLES.items():
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.set([p for p in domain if p.codename.startswith(prefixes)] + view_only)

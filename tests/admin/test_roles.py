"""The Editor, Publisher and Viewer groups hold exactly the rights their names promise."""

import io

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command

pytestmark = pytest.mark.django_db

DOMAIN_MODELS = {
    "authorities": ["authority", "council", "party", "person", "office"],
    "forums": [
        "source",
        "report",
        "recommendation",
        "forum",
        "forummembership",
        "meeting",
        "attendance",
        "agendaitem",
        "document",
        "commitment",
        "commitmentstatuschange",
    ],
}
PUBLISHABLE = {
    "authorities": ["authority", "office"],
    "forums": ["forum", "meeting", "commitment"],
}


def perms(*actions, models=DOMAIN_MODELS):
    return {
        f"{app}.{action}_{model}"
        for app, names in models.items()
        for model in names
        for action in actions
    }


def test_the_migration_creates_the_three_roles():
    assert set(Group.objects.values_list("name", flat=True)) >= {"Editor", "Publisher", "Viewer"}


def test_editor_adds_and_changes_but_cannot_publish_or_delete(editor):
    granted = editor.get_all_permissions()
    assert perms("view", "add", "change") <= granted
    assert "forums.add_commitmentstatuschange" in granted
    assert not granted & perms("delete")
    assert not granted & perms("publish", models=PUBLISHABLE)


def test_publisher_also_publishes_and_deletes(publisher):
    granted = publisher.get_all_permissions()
    assert perms("view", "add", "change", "delete") <= granted
    assert perms("publish", models=PUBLISHABLE) <= granted
    assert "forums.publish_meeting" in granted


def test_viewer_only_views(viewer):
    # Every model's view permission (the leads migration syncs the roles, so models added
    # after the roles migration are in too), and nothing but view permissions.
    granted = viewer.get_all_permissions()
    assert perms("view") <= granted
    assert {p.split(".", 1)[1].split("_", 1)[0] for p in granted} == {"view"}
    assert "leads.view_lead" in granted


def test_no_role_manages_users(editor, publisher, viewer):
    for user in (editor, publisher, viewer):
        assert not any(p.startswith("auth.") for p in user.get_all_permissions())
        assert not any(".historical" in p for p in user.get_all_permissions())


def test_outsider_is_not_staff(outsider, outsider_client):
    assert not outsider.is_staff
    assert outsider_client.get("/admin/").status_code == 302


def test_sync_roles_gives_a_new_models_permissions_to_the_roles():
    """A model added after the roles migration (KnownGap) had permissions no role held,
    so Editors could not record a gap; `manage.py sync_roles` (run after migrate) fixes
    the groups on an existing database."""
    editors = Group.objects.get(name="Editor")
    editors.permissions.remove(*editors.permissions.filter(codename__endswith="knowngap"))
    assert not editors.permissions.filter(codename="add_knowngap").exists()
    call_command("sync_roles", stdout=io.StringIO())
    assert editors.permissions.filter(codename="add_knowngap").exists()
    assert not editors.permissions.filter(codename="delete_knowngap").exists()


def test_every_role_sees_when_alerts_went_out_and_no_subscriber(editor, publisher, viewer):
    for user in (editor, publisher, viewer):
        granted = user.get_all_permissions()
        assert "alerts.view_alertrun" in granted
        assert not {p for p in granted if p.startswith("alerts.")} - {"alerts.view_alertrun"}


def test_a_viewer_opens_the_alert_runs_in_the_admin(viewer_client):
    assert viewer_client.get("/admin/alerts/alertrun/").status_code == 200


def test_a_viewers_refused_write_says_why_and_changes_nothing(viewer_client):
    response = viewer_client.get("/admin/forums/meeting/add/")
    assert response.status_code == 403
    page = response.content.decode()
    assert '<h1 class="govuk-heading-xl">You cannot do this</h1>' in page
    assert "Viewers see every record and change nothing." in page
    assert 'href="/admin/"' in page

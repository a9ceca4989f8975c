from pathlib import Path

import pytest
from django.test import Client


def pytest_configure(config):
    # WhiteNoise warns on every request when the collected static folder is missing;
    # tests serve the files from their sources, so an empty folder is all it needs.
    from django.conf import settings

    Path(settings.STATIC_ROOT).mkdir(parents=True, exist_ok=True)


@pytest.fixture
def today():
    from django.utils import timezone

    return timezone.localdate()


def figures_snapshot() -> dict:
    """Every stored figure and total (forums.stats.figures), without row ids, in a fixed order."""
    from forums.stats.figures import snapshot

    return snapshot()


def assert_figures_current():
    """The stored figures equal a rebuild from scratch (rolled back afterwards)."""
    from forums.stats.figures import stale

    assert stale() == {}


@pytest.fixture(autouse=True)
def _stored_figures_stay_current(request):
    """After every test that used the database, the stored figures must equal a rebuild
    from scratch: so every write path the suite drives (admin forms and inlines, the API,
    services, commands, loaders, factories, cascades) is checked against the record. A
    test that writes outside igr.policy.writing() on purpose (QuerySet.update, raw SQL)
    is marked `stale_figures`."""
    uses_db = request.node.get_closest_marker("django_db") or {
        "db",
        "transactional_db",
        "live_server",
    } & set(request.fixturenames)
    if not uses_db or request.node.get_closest_marker("stale_figures"):
        yield
        return
    # Set up the test database first, so this check runs before it is rolled back.
    request.getfixturevalue("_django_db_helper")
    yield
    assert_figures_current()


@pytest.fixture(autouse=True)
def _static_files_without_manifest(settings):
    """Tests run with DEBUG off, which picks WhiteNoise's manifest storage; that needs a
    `collectstatic` run before any template can say {% static %}. Plain storage resolves
    the same names from static/ (built by `make static`), so the suite needs no
    collectstatic step; the live server serves them through the staticfiles finders."""
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


# The fixed cast. Staff users sit in the groups the authorities migration creates, so the
# tests exercise the real roles rather than hand-picked permissions.
def _member_of(django_user_model, group_name, username, *, is_staff=True):
    from django.contrib.auth.models import Group

    from authorities.roles import sync_roles

    if group_name and not Group.objects.filter(name=group_name).exists():
        # A transactional test before this one flushed the database, and the groups
        # with it; put them back exactly as the migration makes them.
        sync_roles()

    user = django_user_model.objects.create_user(
        username,
        email=f"{username}@example.org",
        password="correct-horse-battery",
        is_staff=is_staff,
    )
    if group_name:
        user.groups.add(Group.objects.get(name=group_name))
    return user


@pytest.fixture
def editor(db, django_user_model):
    return _member_of(django_user_model, "Editor", "editor")


@pytest.fixture
def publisher(db, django_user_model):
    return _member_of(django_user_model, "Publisher", "publisher")


@pytest.fixture
def viewer(db, django_user_model):
    return _member_of(django_user_model, "Viewer", "viewer")


@pytest.fixture
def outsider(db, django_user_model):
    """Logged in, but not staff: the admin and staff-only API writes turn them away."""
    return _member_of(django_user_model, None, "outsider", is_staff=False)


def _logged_in(user):
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def editor_client(editor):
    return _logged_in(editor)


@pytest.fixture
def publisher_client(publisher):
    return _logged_in(publisher)


@pytest.fixture
def viewer_client(viewer):
    return _logged_in(viewer)


@pytest.fixture
def outsider_client(outsider):
    return _logged_in(outsider)


@pytest.fixture(autouse=True)
def _no_transactional_test_inside_a_module_world(request):
    """A test that needs committed rows (transactional_db, live_server) must not run while
    a module's world or reference data sits in an open transaction (tests/worlds.py):
    its live server would not see them and its flush would delete them."""
    marker = request.node.get_closest_marker("django_db")
    transactional = {"transactional_db", "live_server"} & set(request.fixturenames) or (
        marker is not None
        and (marker.kwargs.get("transaction") or (marker.args and marker.args[0]))
    )
    if transactional:
        from django.db import connection

        assert not connection.in_atomic_block, (
            "a transactional test runs inside a module-scoped world's transaction: give it "
            "its own module, or a function-scoped world built with transactional_db"
        )

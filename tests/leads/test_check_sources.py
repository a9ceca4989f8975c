"""`manage.py check_sources` against a local server: dead links are flagged, redirects
recorded, and an official page that moves or changes files a lead."""

import pytest
from django.core.management import call_command
from django.urls import reverse

from forums.models import Source
from leads.models import Kind, Lead, Origin, WatcherRun
from tests.factories import SourceFactory

pytestmark = pytest.mark.django_db


def test_a_404_source_is_flagged_in_the_admin_and_on_coverage(services, client, editor_client):
    gone = SourceFactory(url=services.url_for("/gone"), title="A vanished communiqué")
    fine = SourceFactory(url=services.url_for("/fine"), title="A live page")
    services.expect_request("/gone", method="HEAD").respond_with_data("", status=404)
    services.expect_request("/fine", method="HEAD").respond_with_data("", status=200)
    call_command("check_sources", verbosity=0)
    gone.refresh_from_db()
    fine.refresh_from_db()
    assert gone.link_is_dead and gone.link_status == 404 and gone.link_checked_at
    assert not fine.link_is_dead and fine.link_status == 200
    assert list(Source.objects.dead_links()) == [gone]
    page = client.get("/coverage/").content.decode()
    assert "Sources whose link failed its last check (1)" in page
    assert "A vanished communiqué" in page and "HTTP 404" in page
    admin = editor_client.get(reverse("admin:forums_source_changelist") + "?link=dead")
    assert "A vanished communiqué" in admin.content.decode()
    assert "A live page" not in admin.content.decode()
    # Not an edit of what the source says: no history row, no new updated_at.
    assert gone.history.count() == 1
    assert WatcherRun.objects.get().counts == {"checked": 2, "dead": 1}


def test_head_refused_falls_back_to_get(services):
    source = SourceFactory(url=services.url_for("/no-head"))
    services.expect_request("/no-head", method="HEAD").respond_with_data("", status=405)
    services.expect_request("/no-head", method="GET").respond_with_data("page", status=200)
    call_command("check_sources", verbosity=0)
    source.refresh_from_db()
    assert source.link_status == 200 and not source.link_is_dead


def test_an_official_page_that_moved_is_recorded_and_files_one_lead(services):
    source = SourceFactory(url=services.url_for("/old"))
    services.expect_request("/old").respond_with_data(
        "", status=301, headers={"Location": services.url_for("/new")}
    )
    services.expect_request("/new").respond_with_data("", status=200)
    call_command("check_sources", verbosity=0)
    call_command("check_sources", verbosity=0)
    source.refresh_from_db()
    assert source.link_moved_to == services.url_for("/new")
    lead = Lead.objects.get()
    assert (lead.origin, lead.kind) == (Origin.SOURCE_CHECK, Kind.SOURCE_CHANGED)
    assert lead.cited_source == source


def test_an_official_page_whose_etag_changed_files_a_lead(services):
    source = SourceFactory(url=services.url_for("/page"))
    services.expect_oneshot_request("/page").respond_with_data("", headers={"ETag": '"v1"'})
    call_command("check_sources", verbosity=0)
    assert not Lead.objects.exists()
    services.expect_oneshot_request("/page").respond_with_data("", headers={"ETag": '"v2"'})
    call_command("check_sources", verbosity=0)
    assert Lead.objects.get().title == f"Changed: {source}"


def test_an_unreachable_source_is_dead_and_the_others_are_still_checked(services, settings):
    dead = SourceFactory(url="http://127.0.0.1:9/nothing-listens-here")
    fine = SourceFactory(url=services.url_for("/fine"))
    services.expect_request("/fine").respond_with_data("", status=200)
    call_command("check_sources", verbosity=0)
    dead.refresh_from_db()
    fine.refresh_from_db()
    assert dead.link_is_dead and dead.link_status is None and "failed" in dead.link_error
    assert fine.link_status == 200

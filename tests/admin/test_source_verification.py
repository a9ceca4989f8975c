"""Staff mark a source as verified, one at a time from its change page or in bulk from
the list, through the one write policy (issue 15: audit A1)."""

import pytest
from django.utils import timezone

from forums.models import Source
from tests.factories import ForumFactory, SourceFactory

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/forums/source/"


def _verify_url(source):
    return f"/admin/forums/source/{source.pk}/verify/"


def test_change_page_offers_one_click_verification(editor_client):
    source = SourceFactory()
    page = editor_client.get(f"/admin/forums/source/{source.pk}/change/").content.decode()
    assert f'formaction="{_verify_url(source)}"' in page
    assert "Mark as verified today" in page


def test_editor_marks_one_source_verified_today_and_it_is_kept_in_history(editor_client):
    source, other = SourceFactory(), SourceFactory()
    response = editor_client.post(_verify_url(source))
    assert response.status_code == 302
    source.refresh_from_db()
    other.refresh_from_db()
    assert source.last_verified_on == timezone.localdate()
    assert other.last_verified_on is None
    assert source.history.first().history_change_reason.startswith("Checked the source on")


def test_bulk_action_marks_the_selected_sources_verified_today(editor_client):
    chosen = [SourceFactory(), SourceFactory()]
    left = SourceFactory()
    response = editor_client.post(
        CHANGELIST,
        {"action": "mark_verified_today", "_selected_action": [s.pk for s in chosen]},
    )
    assert response.status_code == 302
    today = timezone.localdate()
    assert set(Source.objects.filter(last_verified_on=today)) == set(chosen)
    left.refresh_from_db()
    assert left.last_verified_on is None


def test_verification_is_refused_to_a_viewer_anonymous_and_a_get(
    viewer_client, client, editor_client
):
    source = SourceFactory()
    assert viewer_client.post(_verify_url(source)).status_code == 403
    assert client.post(_verify_url(source)).status_code == 302  # to the sign-in page
    assert editor_client.get(_verify_url(source)).status_code == 405
    viewer_client.post(
        CHANGELIST, {"action": "mark_verified_today", "_selected_action": [source.pk]}
    )
    source.refresh_from_db()
    assert source.last_verified_on is None


def test_verified_date_shows_on_the_coverage_page(editor_client, client):
    forum = ForumFactory()
    source = SourceFactory()
    forum.sources.set([source])
    assert "Never" in client.get("/coverage/").content.decode()
    editor_client.post(_verify_url(source))
    page = client.get("/coverage/").content.decode()
    assert timezone.localdate().strftime("%-d %b %Y") in page

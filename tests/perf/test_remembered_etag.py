"""On PostgreSQL a conditional GET whose ETag was seen in the database's present state is
answered 304 without building the body again (igr.api.base.etag_key). The ETag is
still the body's hash, and any write, through save() or not, must give the next request
a full answer with the new ETag (the rule tests/api/test_sync.py sets)."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from forums.models import Meeting
from tests.factories import ForumFactory, MeetingFactory

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="the database state comes from PostgreSQL's snapshot; elsewhere every "
        "conditional GET is answered in full (tests/api/test_sync.py)",
    ),
]

HEADERS = ("ETag", "Last-Modified", "Vary", "Cache-Control", "Content-Type")


@pytest.fixture(autouse=True)
def meetings():
    cache.clear()
    forum = ForumFactory()
    yield [MeetingFactory(forum=forum) for _ in range(3)]
    cache.clear()


def _headers(response):
    return {name: response.get(name) for name in HEADERS}


@pytest.mark.parametrize("path", ["/api/v1/meetings/", "/api/v1/meetings/?format=csv", "detail"])
def test_second_conditional_get_skips_the_body_until_any_write(meetings, path):
    if path == "detail":
        path = f"/api/v1/meetings/{meetings[0].slug}/"
    api = APIClient()
    etag = api.get(path)["ETag"]
    full = api.get(path, HTTP_IF_NONE_MATCH=etag)  # answered in full, ETag remembered
    assert full.status_code == 304
    with CaptureQueriesContext(connection) as queries:
        quick = api.get(path, HTTP_IF_NONE_MATCH=etag)
    assert quick.status_code == 304
    assert quick.content == b""
    assert [q["sql"] for q in queries.captured_queries] == ["SELECT pg_current_snapshot()::text"]
    assert _headers(quick) == _headers(full)

    # A write that bypasses save() (no updated_at, no history row, no fingerprint).
    Meeting.objects.filter(pk=meetings[0].pk).update(summary="Changed without save().")
    changed = api.get(path, HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200
    assert changed["ETag"] != etag
    # Raw SQL: the same.
    etag = changed["ETag"]
    assert api.get(path, HTTP_IF_NONE_MATCH=etag).status_code == 304
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE forums_meeting SET location = 'Raw SQL' WHERE id = %s", [meetings[0].pk]
        )
    again = api.get(path, HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 200
    assert again["ETag"] != etag


def test_a_different_etag_or_request_is_answered_in_full(meetings):
    api = APIClient()
    etag = api.get("/api/v1/meetings/")["ETag"]
    api.get("/api/v1/meetings/", HTTP_IF_NONE_MATCH=etag)
    stale = api.get("/api/v1/meetings/", HTTP_IF_NONE_MATCH='"not-this-one"')
    assert stale.status_code == 200
    assert stale["ETag"] == etag
    # Same ETag sent for another page: that page's own body decides.
    other = api.get("/api/v1/meetings/?page_size=1", HTTP_IF_NONE_MATCH=etag)
    assert other.status_code == 200

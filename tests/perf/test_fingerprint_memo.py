"""On PostgreSQL the data fingerprint (the key of every cached aggregate and list count)
is remembered per database state (igr.caching.data_fingerprint): while nothing
commits, a request pays for one snapshot query instead of the 57-subquery fingerprint,
and any committed write gives the next request a freshly computed fingerprint."""

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from igr.caching import data_fingerprint
from tests.factories import ForumFactory, MeetingFactory

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="the database state comes from PostgreSQL's snapshot; elsewhere the "
        "fingerprint is computed on every call (tests/perf/test_aggregate_cache.py)",
    ),
]

SNAPSHOT = "SELECT pg_current_snapshot()::text"


@pytest.fixture(autouse=True)
def meeting():
    cache.clear()
    yield MeetingFactory(forum=ForumFactory())
    cache.clear()


def _queries(function):
    with CaptureQueriesContext(connection) as queries:
        value = function()
    return value, [q["sql"] for q in queries.captured_queries]


def test_fingerprint_is_worked_out_once_per_committed_state(meeting):
    first, sql = _queries(data_fingerprint)
    assert sql[0] == SNAPSHOT and len(sql) == 2  # the snapshot, then the fingerprint
    again, sql = _queries(data_fingerprint)
    assert (again, sql) == (first, [SNAPSHOT])

    # An edit through save() commits: the state moves and the fingerprint changes.
    meeting.summary = "Edited."
    meeting.save()
    edited, sql = _queries(data_fingerprint)
    assert len(sql) == 2
    assert edited != first

    # A write outside the record (a new user) moves the state but not the fingerprint,
    # so what is cached under it stays cached.
    get_user_model().objects.create_user("someone", password="correct-horse-battery")
    unchanged, sql = _queries(data_fingerprint)
    assert len(sql) == 2
    assert unchanged == edited


def test_a_list_count_is_recounted_after_a_commit(meeting):
    api = APIClient()
    assert api.get("/api/v1/meetings/")["X-Total-Count"] == "1"
    _, sql = _queries(lambda: api.get("/api/v1/meetings/"))
    assert not any("COUNT(" in q for q in sql)  # counted once, remembered
    MeetingFactory(forum=meeting.forum)
    assert api.get("/api/v1/meetings/")["X-Total-Count"] == "2"

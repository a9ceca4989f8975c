"""On PostgreSQL an API list reads its page's ids, then the rows by one statement per list
that psycopg prepares once per connection (igr.api.values.ValuesPlan._rows_by_ids), so
PostgreSQL plans it once. The JSON must not change, with or without preparing
(DB_PREPARED_STATEMENTS=false for poolers that cannot keep prepared statements)."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import override_settings
from rest_framework.test import APIClient

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="prepared statements and the ids-first read are PostgreSQL's",
    ),
]

LISTS = [
    "/api/v1/meetings/",
    "/api/v1/meetings/?page_size=1&page=2",
    "/api/v1/commitments/?ordering=-due_on",
    "/api/v1/attendance/",
    "/api/v1/people/",
]


def prepared_statements():
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        return [row[0] for row in cursor.fetchall()]


def test_the_rows_statement_is_prepared_and_the_json_is_the_same_unprepared(world):
    cache.clear()
    api = APIClient()
    prepared = {path: api.get(path).content for path in LISTS}
    statements = prepared_statements()
    assert any('"forums_meeting"."id" = ANY($' in s for s in statements), statements
    assert any('"forums_commitment"."id" = ANY($' in s for s in statements), statements
    with override_settings(DB_PREPARED_STATEMENTS=False):
        cache.clear()
        unprepared = {path: api.get(path).content for path in LISTS}
    assert unprepared == prepared
    for body in prepared.values():
        assert b'"results":[{' in body


def test_a_page_keeps_the_order_of_its_ids(world):
    """The rows come back in whatever order the id lookup finds them; the page puts
    them back in the list's order."""
    cache.clear()
    api = APIClient()
    everything = api.get("/api/v1/meetings/?page_size=200").json()["results"]
    assert len(everything) >= 2
    for ordering in ("date", "-date"):
        body = api.get(f"/api/v1/meetings/?page_size=200&ordering={ordering}").json()
        dates = [row["date"] for row in body["results"]]
        assert dates == sorted(dates, reverse=ordering.startswith("-"))
        assert sorted(row["slug"] for row in body["results"]) == sorted(
            row["slug"] for row in everything
        )

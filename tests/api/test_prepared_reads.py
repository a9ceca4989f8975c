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


# -- a slug filter's lookup (igr.lib.prepared.PreparedGet, igr.filters.SlugChoiceField) --


def test_a_slug_filters_lookup_is_prepared_and_answers_as_before(api, world):
    cache.clear()
    slug = world.authorities[0].slug
    paths = [
        f"/api/v1/commitments/?lead_authority={slug}&ordering=-due_on",
        f"/api/v1/meetings/?forum={world.forum.slug}",
        "/api/v1/commitments/?lead_authority=no-such-slug",
    ]
    prepared = [(r.status_code, r.content) for r in map(api.get, paths)]
    assert any('"authorities_authority"."slug" = $' in s for s in prepared_statements())
    with override_settings(DB_PREPARED_STATEMENTS=False):
        cache.clear()
        unprepared = [(r.status_code, r.content) for r in map(api.get, paths)]
    assert unprepared == prepared
    assert [status for status, _ in prepared] == [200, 200, 400]
    assert b"Select a valid choice" in prepared[2][1]


def test_the_public_and_staff_lookups_are_not_shared(api, staff_api, world):
    """The statement is kept per audience: a draft's slug that staff looked up first is
    still an unknown slug to the public, in the same words, and still found for staff."""
    cache.clear()
    draft = f"/api/v1/commitments/?lead_authority={world.draft_authority.slug}"
    unknown = api.get("/api/v1/commitments/?lead_authority=no-such-slug")
    assert staff_api.get(draft).status_code == 200
    refused = api.get(draft)
    assert (refused.status_code, refused.json()) == (400, unknown.json())
    assert staff_api.get(draft).status_code == 200


def test_a_prepared_get_builds_the_instance_get_builds(world):
    from authorities.models import Authority
    from igr.lib.prepared import prepared_get

    queryset = Authority.objects.published()
    expected = queryset.get(slug=world.authorities[0].slug)
    found = prepared_get(queryset, ("test", "authorities"), "slug", expected.slug)
    assert type(found) is Authority
    fields = [f.attname for f in Authority._meta.concrete_fields]
    assert [getattr(found, f) for f in fields] == [getattr(expected, f) for f in fields]
    assert (found._state.db, found._state.adding) == (expected._state.db, False)
    with pytest.raises(Authority.DoesNotExist):
        prepared_get(queryset, ("test", "authorities"), "slug", world.draft_authority.slug)


def _plans(pattern):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT coalesce(sum(generic_plans), 0), coalesce(sum(custom_plans), 0) "
            "FROM pg_prepared_statements WHERE statement LIKE %s",
            [pattern],
        )
        return cursor.fetchone()


def test_a_record_is_read_by_the_prepared_statement_planned_once(api, world):
    """A detail GET reads its record by id through the list's prepared statement, whose
    one generic plan PostgreSQL keeps (plan_cache_mode): by default it re-planned the
    statement for every one-row read, about 2 ms each."""
    connection._generic_plans_for = None  # set again inside this test's transaction
    cache.clear()
    path = f"/api/v1/commitments/{world.commitments[1].pk}/"
    rows = '%"forums_commitment"."id" = ANY($%'
    generic, custom = _plans(rows)
    bodies = {api.get(path).content for _ in range(7)}
    assert len(bodies) == 1
    after_generic, after_custom = _plans(rows)
    assert after_custom == custom
    assert after_generic >= generic + 7
    with override_settings(DB_PREPARED_STATEMENTS=False):
        cache.clear()
        assert api.get(path).content in bodies

"""A page's rows are chosen by an id subquery over the ordering's index (a deferred join,
igr.api.pagination.CachedCountPaginator.page), so a deep page does not build every
joined row before it. The rows and their order must be exactly those of a plain OFFSET."""

import datetime

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from forums.models import Meeting
from tests.factories import ForumFactory, MeetingFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def meetings():
    cache.clear()
    forums = [ForumFactory(name=name) for name in ("Beta forum", "Alpha forum", "Gamma forum")]
    day = datetime.date(2024, 1, 1)
    for i in range(7):
        for forum in forums[: 1 + i % 3]:  # several forums meet on some days
            MeetingFactory(forum=forum, date=day + datetime.timedelta(days=i // 2))
    MeetingFactory(forum=forums[0], publication_state="draft")
    yield
    cache.clear()


def expected_slugs():
    """Newest first, then by slug (which begins with the forum's slug), worked out here
    rather than by the database."""
    rows = Meeting.objects.published().values_list("date", "slug")
    newest_first = sorted(rows, key=lambda row: row[1])
    newest_first.sort(key=lambda row: row[0], reverse=True)
    return [slug for _, slug in newest_first]


def test_every_api_page_holds_the_rows_of_a_plain_offset():
    slugs = expected_slugs()
    assert len(slugs) == 13
    client = APIClient()
    pages = []
    for page in range(1, 5):
        body = client.get(f"/api/v1/meetings/?page_size=4&page={page}").json()
        pages.append([row["slug"] for row in body["results"]])
    assert pages == [slugs[i : i + 4] for i in range(0, 16, 4)]


def test_every_list_page_holds_the_rows_of_a_plain_offset(client):
    slugs = expected_slugs()
    seen = []
    page = 1
    while True:
        response = client.get(f"/meetings/?page={page}")
        if response.status_code == 404:
            break
        seen.extend(m.slug for m in response.context["page_obj"].object_list)
        page += 1
    assert seen == slugs


def test_a_deep_page_chooses_its_ids_from_the_ordering_alone():
    client = APIClient()
    client.get("/api/v1/meetings/?page_size=2&page=5")
    with CaptureQueriesContext(connection) as queries:
        client.get("/api/v1/meetings/?page_size=2&page=5")
    page_queries = [
        q["sql"] for q in queries.captured_queries if q["sql"].startswith('SELECT "forums_meeting"')
    ]
    if connection.vendor == "postgresql":
        # The page's ids alone (the ordering's index, no joins), then the rows by those
        # ids (igr.api.values: ValuesPlan._rows_by_ids).
        assert len(page_queries) == 2
        ids, rows = page_queries
        assert ids.startswith('SELECT "forums_meeting"."id" AS "pk" FROM "forums_meeting" WHERE')
        assert ids.endswith("LIMIT 2 OFFSET 8") and "JOIN" not in ids
        assert '"forums_meeting"."id" = ANY(' in rows and "OFFSET" not in rows
        return
    assert len(page_queries) == 1
    sql = page_queries[0]
    assert "IN (SELECT" in sql

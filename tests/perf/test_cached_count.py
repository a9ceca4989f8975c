"""List counts are cached until the data changes: a repeated request skips the COUNT, and
any write shows in the next count (the API's `count`, X-Total-Count and the pages)."""

import pytest
from rest_framework.test import APIClient

from forums.models import Meeting
from igr import policy
from tests.factories import ForumFactory, MeetingFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _empty_cache(empty_cache):
    """Every test here starts and ends with an empty cache (conftest.empty_cache)."""


@pytest.fixture
def forum():
    forum = ForumFactory()
    for _ in range(3):
        MeetingFactory(forum=forum)
    return forum


def test_a_repeated_list_skips_the_count(forum, django_assert_num_queries):
    client = APIClient()
    client.get("/api/v1/meetings/")
    # fingerprint (count found in the cache), then on SQLite the page joined to
    # forum/host/chair and its sources; on PostgreSQL the page's ids and the rows by
    # those ids with their sources inside (igr.api.values)
    with django_assert_num_queries(3):
        response = client.get("/api/v1/meetings/")
    assert response.json()["count"] == 3
    assert response["X-Total-Count"] == "3"


def test_new_withdrawn_and_deleted_meetings_show_in_the_next_count(forum, client):
    api = APIClient()
    assert api.get("/api/v1/meetings/").json()["count"] == 3
    meeting = MeetingFactory(forum=forum)
    assert api.get("/api/v1/meetings/").json()["count"] == 4
    meeting.publication_state = "withdrawn"
    with policy.writing() as write:  # write paths, so the figures follow
        meeting.save()
        write.touched(meeting)
    assert api.get("/api/v1/meetings/")["X-Total-Count"] == "3"
    with policy.writing() as write:
        gone = Meeting.objects.published().filter(forum=forum).first()
        gone.delete()
        write.touched(gone)
    assert api.get("/api/v1/meetings/").json()["count"] == 2
    # The public list page counts the same way.
    assert client.get("/meetings/").context["paginator"].count == 2


def test_each_filter_value_and_join_is_counted_on_its_own(forum):
    """The count's cache key is the query's joins and WHERE clause with its values
    (igr.api.pagination._count_identity), not its whole SQL: two values of one filter,
    a filter through a join and a DISTINCT list must each keep their own count."""
    other = ForumFactory()
    MeetingFactory(forum=other)
    api = APIClient()
    counts = {
        path: api.get(path).json()["count"]
        for path in (
            "/api/v1/meetings/",
            f"/api/v1/meetings/?forum={forum.slug}",
            f"/api/v1/meetings/?forum={other.slug}",
            f"/api/v1/meetings/?forum={other.slug}&status=held",
            f"/api/v1/meetings/?forum={other.slug}&status=cancelled",
        )
    }
    assert list(counts.values()) == [
        4,
        3,
        1,
        Meeting.objects.filter(forum=other, status="held").count(),
        Meeting.objects.filter(forum=other, status="cancelled").count(),
    ]
    # Asked again, from the cache: the same answers.
    assert {path: api.get(path).json()["count"] for path in counts} == counts

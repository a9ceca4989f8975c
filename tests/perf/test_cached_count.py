"""List counts are cached until the data changes: a repeated request skips the COUNT, and
any write shows in the next count (the API's `count`, X-Total-Count and the pages)."""

import pytest
from django.core.cache import cache
from django.db import connection
from rest_framework.test import APIClient

from forums.models import Meeting
from igr import policy
from tests.factories import ForumFactory, MeetingFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def forum():
    forum = ForumFactory()
    for _ in range(3):
        MeetingFactory(forum=forum)
    return forum


def test_a_repeated_list_skips_the_count(forum, django_assert_num_queries):
    client = APIClient()
    client.get("/api/v1/meetings/")
    # fingerprint (count found in the cache), page joined to forum/host/chair, sources
    # (on PostgreSQL inside the page query: igr.api.values)
    with django_assert_num_queries(2 if connection.vendor == "postgresql" else 3):
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

"""Syncing clients: conditional GET (ETag, Last-Modified, 304), modified_since and the
tombstone list of deleted and withdrawn records."""

import datetime

import pytest
from django.utils import timezone
from django.utils.http import http_date

from forums.api.views import SYNCED_MODELS
from forums.models import Meeting
from igr import policy
from tests.factories import AttendanceFactory, MeetingFactory, SourceFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("path", ["/api/v1/meetings/", "/api/v1/meetings/?format=csv"])
def test_list_answers_304_to_its_own_etag_until_the_data_changes(api, world, path):
    first = api.get(path)
    etag = first["ETag"]
    again = api.get(path, HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304
    assert again.content == b""

    Meeting.objects.filter(pk=world.meetings[0].pk).update(summary="Changed.")
    changed = api.get(path, HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200
    assert changed["ETag"] != etag


def test_detail_has_last_modified_and_answers_if_modified_since(api, world):
    meeting = world.meetings[0]
    url = f"/api/v1/meetings/{meeting.slug}/"
    response = api.get(url)
    assert response["Last-Modified"] == http_date(int(meeting.updated_at.timestamp()))
    later = http_date((meeting.updated_at + datetime.timedelta(minutes=1)).timestamp())
    assert api.get(url, HTTP_IF_MODIFIED_SINCE=later).status_code == 304
    earlier = http_date((meeting.updated_at - datetime.timedelta(days=1)).timestamp())
    assert api.get(url, HTTP_IF_MODIFIED_SINCE=earlier).status_code == 200
    assert api.get(url, HTTP_IF_NONE_MATCH=response["ETag"]).status_code == 304


def test_aggregates_answer_304_too(api, world):
    etag = api.get("/api/v1/cross-party/")["ETag"]
    assert api.get("/api/v1/cross-party/", HTTP_IF_NONE_MATCH=etag).status_code == 304


def test_staff_and_anonymous_copies_vary(api, world):
    assert "Authorization" in api.get("/api/v1/meetings/")["Vary"]


def test_modified_since_returns_only_records_changed_since(api, world):
    cutoff = timezone.now()
    Meeting.objects.filter(pk=world.meetings[1].pk).update(updated_at=cutoff)
    response = api.get("/api/v1/meetings/", {"modified_since": cutoff.isoformat()})
    assert [m["slug"] for m in response.json()["results"]] == [world.meetings[1].slug]


def test_deletions_and_withdrawals_are_listed_for_syncing_clients(api, world):
    start = timezone.now()
    source = world.sources[1]
    source_id = source.pk
    source.delete()
    meeting = world.meetings[1]
    meeting.publication_state = "withdrawn"
    with policy.writing() as write:  # a write path, so its figures follow
        meeting.save()
        write.touched(meeting)
    world.draft_forum.delete()  # never public: leaves no public trace

    rows = api.get("/api/v1/deletions/", {"modified_since": start.isoformat()}).json()
    found = {(r["kind"], r["model"], r["id"], r["slug"]) for r in rows["results"]}
    assert found == {
        ("deleted", "sources", source_id, None),
        ("withdrawn", "meetings", meeting.pk, meeting.slug),
        # Gone from the public lists with its meeting (issue 17).
        ("withdrawn", "documents", world.documents[1].pk, None),
    }
    only = api.get("/api/v1/deletions/", {"model": "sources"}).json()["results"]
    assert [r["model"] for r in only] == ["sources"]
    later = (timezone.now() + datetime.timedelta(seconds=1)).isoformat()
    assert api.get("/api/v1/deletions/", {"modified_since": later}).json()["count"] == 0


def test_staff_also_see_deleted_drafts(world, django_user_model, token_client):
    staff = django_user_model.objects.create_user("s", password="x" * 12, is_staff=True)
    forum_id = world.draft_forum.pk
    world.draft_forum.delete()
    rows = token_client(staff).get("/api/v1/deletions/?model=forums").json()["results"]
    assert [r["id"] for r in rows] == [forum_id]


def test_deletions_query_count_is_fixed(api, world, django_assert_num_queries):
    for _ in range(3):
        SourceFactory().delete()
    # One COUNT over the UNION of every list's deletions and withdrawals, one page query.
    with django_assert_num_queries(2):
        assert api.get("/api/v1/deletions/?page_size=2").json()["count"] == 3


# --- a whole sync, end to end (issue 17) --------------------------------------------------

SYNCED = [name for name, _, _ in SYNCED_MODELS]


def _pages(api, name, **params):
    url, query = f"/api/v1/{name}/", {"page_size": 200, **params}
    while url:
        body = api.get(url, query).json()
        yield from body["results"]
        url, query = body["next"], None


def _read_all(api, name, **params):
    return {row.get("slug") or row["id"]: row for row in _pages(api, name, **params)}


def _mirror(api):
    return {name: _read_all(api, name) for name in SYNCED}


def _sync(api, mirror, since):
    """What a client does: each list's changes since `since`, then its deletions."""
    for name in SYNCED:
        mirror[name].update(_read_all(api, name, modified_since=since))
    for gone in _pages(api, "deletions", modified_since=since):
        mirror[gone["model"]].pop(gone["slug"] or gone["id"], None)


def test_a_modified_since_sync_with_deletions_reproduces_a_fresh_read(api, world):
    mirror = _mirror(api)
    since = timezone.now().isoformat()
    staff = None  # trusted code, as data loading
    with policy.writing() as write:
        # create
        source = SourceFactory(title="A new source")
        meeting = MeetingFactory(forum=world.forums[1])
        meeting.sources.set([source])
        AttendanceFactory(meeting=meeting, person=world.people[0])
        # edit
        commitment = world.commitments[1]
        commitment.title = "Edited title"
        commitment.save()
        write.touched(commitment)
    # delete
    world.sources[1].delete()
    # withdraw a meeting with children (attendance, agenda items, documents, commitments
    # and their status changes)
    policy.withdraw(world.meetings[0], by=staff, reason="Wrong forum")
    # publish a draft meeting with its children (a person appears with its attendance)
    world.draft_meeting.sources.set(world.sources[:1])
    for record in (world.draft_commitment, world.linked_commitment):
        record.sources.set(world.sources[:1])
    policy.publish(world.draft_meeting, by=staff)

    gone = {row["model"] for row in _pages(api, "deletions", modified_since=since)}
    # The withdrawn meeting's children leave a tombstone, not just the meeting.
    assert (
        set(SYNCED)
        - {"authorities", "councils", "parties", "people", "offices"}
        - {
            "forums",
            "recommendations",
        }
        <= gone
    )
    before = {name: dict(rows) for name, rows in mirror.items()}
    _sync(api, mirror, since)
    fresh = _mirror(api)
    assert sum(before[name] != fresh[name] for name in SYNCED) >= 8  # the test changes much
    for name in SYNCED:
        assert mirror[name] == fresh[name], name


@pytest.mark.parametrize("name,queries", [("meetings", 5), ("people", 1), ("attendance", 5)])
def test_modified_since_query_count_is_fixed(api, world, django_assert_num_queries, name, queries):
    # Besides the list's own (count, page, prefetches): one look per related model for
    # deletions since, which decides whether rows pointing at it are sent again.
    since = timezone.now().isoformat()
    api.get(f"/api/v1/{name}/", {"modified_since": since})  # warm the cached count
    with django_assert_num_queries(queries):
        api.get(f"/api/v1/{name}/", {"modified_since": since})

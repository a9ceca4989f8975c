"""The aggregate endpoints serve forums.stats.aggregates as is, filtered by forum and dates."""

import datetime

import pytest

from forums.stats import aggregates
from tests.factories import AttendanceFactory, ForumFactory, MeetingFactory

pytestmark = pytest.mark.django_db


def test_scorecard_matches_the_shared_aggregate_and_filters_by_forum_and_dates(api, world):
    rec = world.recs[0]
    url = f"/api/v1/recommendations/{rec.slug}/scorecard/"
    body = api.get(url).json()
    card = aggregates.scorecard(rec)
    assert body["commitments_total"] == card["commitments_total"] == 2
    assert body["commitments_by_status"]["in_progress"] == 2
    assert body["meetings_touched"] == 2
    assert body["rubric"] == aggregates.SCORECARD_RUBRIC

    other = ForumFactory()
    assert api.get(url, {"forum": other.slug}).json()["commitments_total"] == 0
    assert api.get(url, {"date_after": "2030-01-01"}).json()["commitments_total"] == 0
    assert api.get(url, {"forum": world.draft_forum.slug}).status_code == 400
    assert api.get("/api/v1/recommendations/no-such/scorecard/").status_code == 404


def test_scorecards_list_every_recommendation(api, world):
    rows = api.get("/api/v1/scorecards/").json()
    assert [r["slug"] for r in rows] == [r.slug for r in world.recs]
    assert rows[0]["commitments_total"] == 2


def test_forum_health_for_one_forum_and_for_all(api, world, token_client, django_user_model):
    body = api.get(f"/api/v1/forums/{world.forum.slug}/health/").json()
    assert body["meetings_held_total"] == 2
    assert body["last_meeting_on"] == "2025-05-23"
    assert api.get(f"/api/v1/forums/{world.draft_forum.slug}/health/").status_code == 404
    rows = api.get("/api/v1/forum-health/").json()
    assert {r["slug"] for r in rows} == {f.slug for f in world.forums}
    only = api.get("/api/v1/forum-health/", {"forum": world.forum.slug}).json()
    assert [r["slug"] for r in only] == [world.forum.slug]


def test_attendance_matrix_by_forum_and_date_range(api, world):
    extra = MeetingFactory(date=datetime.date(2025, 9, 1))
    AttendanceFactory(meeting=extra, person=world.people[0], mode="virtual")
    body = api.get("/api/v1/attendance-matrix/").json()
    assert [m["slug"] for m in body["meetings"]] == [world.meetings[0].slug, extra.slug]
    row = next(p for p in body["people"] if p["person"] == world.people[0].slug)
    assert row["cells"] == ["in_person", "virtual"]

    by_forum = api.get("/api/v1/attendance-matrix/", {"forum": world.forum.slug}).json()
    assert [m["slug"] for m in by_forum["meetings"]] == [world.meetings[0].slug]
    by_date = api.get("/api/v1/attendance-matrix/", {"date_after": "2025-06-01"}).json()
    assert [m["slug"] for m in by_date["meetings"]] == [extra.slug]


def test_cross_party_counts_present_people_by_their_party_on_the_day(api, world):
    body = api.get("/api/v1/cross-party/", {"forum": world.forum.slug}).json()
    parties = {row["party"] for row in body["per_forum"]}
    assert parties == {p.slug for p in world.parties}
    assert sum(row["people"] for row in body["per_meeting"]) == 2
    none = api.get("/api/v1/cross-party/", {"date_before": "2024-01-01"}).json()
    assert none == {"per_forum": [], "per_meeting": []}


def _grow(world):
    """More of everything the aggregates group over, so an N+1 would add queries."""
    for _ in range(3):
        meeting = MeetingFactory(forum=world.forum)
        AttendanceFactory(meeting=meeting, person=world.people[0], authority=world.authorities[0])
        AttendanceFactory(meeting=meeting, person=world.people[1], authority=world.authorities[1])
    ForumFactory()


@pytest.mark.parametrize(
    "path,queries",
    [
        # Each count starts with the data fingerprint that keys the aggregate cache
        # (igr.caching.cached_aggregate); the data changes between the two
        # requests, so both miss the cache. tests/perf/test_aggregate_cache.py covers hits.
        # recommendations with their report, then from the stored figures
        # (forums.stats.figures): commitment counts by status, meetings touched
        ("/api/v1/scorecards/", 1 + 3),
        # the recommendation, then from the stored figures: counts by status, meetings
        # and commitments per quarter, meetings' totals (touched, items, latest date),
        # commitments' totals (overdue, latest made and latest status change)
        ("/api/v1/recommendations/{rec}/scorecard/", 1 + 6),
        # from the stored figures (forums.stats.figures): meeting totals per forum, the last
        # 12 months' meetings, commitment totals per forum, open commitments not yet
        # due; then the published forums with their last meeting date
        ("/api/v1/forum-health/", 1 + 5),
        # the forum, then the same five for it
        ("/api/v1/forums/{forum}/health/", 1 + 6),
        # the meetings, then every attendance cell
        ("/api/v1/attendance-matrix/", 1 + 2),
        # per-forum and per-meeting party counts
        ("/api/v1/cross-party/", 1 + 2),
    ],
)
def test_aggregate_query_counts_do_not_grow_with_the_data(
    api, world, path, queries, django_assert_num_queries
):
    url = path.format(rec=world.recs[0].slug, forum=world.forum.slug)
    with django_assert_num_queries(queries):
        api.get(url)
    _grow(world)
    with django_assert_num_queries(queries):
        assert api.get(url).status_code == 200

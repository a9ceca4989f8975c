"""The aggregates are cached, and any write to the record invalidates them at once.

The cache key carries a fingerprint of the data read from the database (forums.stats.aggregates
.data_fingerprint), so a change made anywhere (admin, API, a shell, another server) shows
on the next request; these tests make the changes through the ORM and the API's own
service and read the figures back through the API.
"""

import datetime

import pytest
from rest_framework.test import APIClient

from forums.models import Commitment
from forums.services import record_status_change
from igr import policy
from tests.factories import (
    CommitmentFactory,
    ForumFactory,
    MeetingFactory,
    RecommendationFactory,
    SourceFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _empty_cache(empty_cache):
    """Every test here starts and ends with an empty cache (conftest.empty_cache)."""


@pytest.fixture
def tagged():
    recommendation = RecommendationFactory()
    meeting = MeetingFactory(forum=ForumFactory())
    commitments = [
        CommitmentFactory(meeting=meeting, recommendations=[recommendation]) for _ in range(2)
    ]
    for commitment in commitments:
        # A later save, as the admin and the API make after setting tags.
        commitment.save()
    return recommendation, commitments


def scorecard_row(client, recommendation):
    rows = client.get("/api/v1/scorecards/").json()
    return next(row for row in rows if row["slug"] == recommendation.slug)


def test_a_repeated_aggregate_is_answered_from_the_cache_with_one_query(
    tagged, django_assert_num_queries
):
    client = APIClient()
    first = client.get("/api/v1/scorecards/").json()
    # Only the data fingerprint: the three aggregate queries are not run again.
    with django_assert_num_queries(1):
        again = client.get("/api/v1/scorecards/").json()
    assert again == first


def test_a_status_change_shows_in_the_next_scorecard(tagged):
    recommendation, commitments = tagged
    client = APIClient()
    assert scorecard_row(client, recommendation)["commitments_by_status"]["delivered"] == 0
    record_status_change(
        commitment=commitments[0],
        new_status="delivered",
        effective_on=datetime.date(2025, 6, 1),
        note="Delivered.",
        evidence_source=SourceFactory(),
    )
    row = scorecard_row(client, recommendation)
    assert row["commitments_by_status"]["delivered"] == 1
    assert row["share_delivered"] == 0.5


def test_withdrawing_and_deleting_commitments_show_in_the_next_scorecard(tagged):
    recommendation, commitments = tagged
    client = APIClient()
    assert scorecard_row(client, recommendation)["commitments_total"] == 2
    policy.withdraw(commitments[0], by=None, reason="Recorded twice.")
    assert scorecard_row(client, recommendation)["commitments_total"] == 1
    with policy.writing() as write:  # as the admin deletes
        gone = Commitment.objects.get(pk=commitments[1].pk)
        gone.delete()
        write.touched(gone)
    assert scorecard_row(client, recommendation)["commitments_total"] == 0


def test_a_new_meeting_shows_in_the_next_forum_health():
    forum = ForumFactory()
    client = APIClient()

    def held():
        rows = client.get("/api/v1/forum-health/").json()
        return next(r for r in rows if r["slug"] == forum.slug)["meetings_held_total"]

    assert held() == 0
    MeetingFactory(forum=forum, status="held", date=datetime.date(2025, 3, 1))
    assert held() == 1

"""One definition per figure (issue 15, audit A4): "meetings touching a recommendation" is
counted in one place (forums.stats.aggregates._touching / meetings_touched) and the home
page, the scorecard list, a recommendation's page and both API endpoints agree; and every
overdue count says how many commitments have no due date."""

import datetime
import re

import pytest

from tests.factories import (
    AgendaItemFactory,
    CommitmentFactory,
    ForumFactory,
    MeetingFactory,
    RecommendationFactory,
)

pytestmark = pytest.mark.django_db

# Cold: 12 before issue 15, and the count of held meetings not confirmed to have taken
# place; warm (cached aggregates): the data fingerprints and the two meeting lists.
HOME_COLD, HOME_WARM = 12 + 1, 5


def plain(response) -> str:
    """The page's text without tags, spaces collapsed."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", response.content.decode()))


def _table_counts(html) -> dict:
    """Recommendation slug -> the scorecard table's "Meetings touching it" (last column)."""
    rows = re.findall(
        r'href="/recommendations/([^/"]+)/">.*?</th>(.*?)</tr>', html, flags=re.DOTALL
    )
    counts = {}
    for slug, cells in rows:
        numbers = re.findall(r'<td class="govuk-table__cell[^"]*"[^>]*>([^<]*)</td>', cells)
        counts[slug] = int(numbers[-1])
    return counts


def _detail_count(html) -> int:
    match = re.search(
        r"Meetings touching it</dt><dd class=\"govuk-summary-list__value\">(\d+)</dd>", html
    )
    return int(match.group(1))


def five_counts(client, rec) -> dict:
    home = _table_counts(client.get("/").content.decode())
    listing = _table_counts(client.get("/recommendations/").content.decode())
    page = _detail_count(client.get(f"/recommendations/{rec.slug}/").content.decode())
    api_list = {r["slug"]: r["meetings_touched"] for r in client.get("/api/v1/scorecards/").json()}
    api_card = client.get(f"/api/v1/recommendations/{rec.slug}/scorecard/").json()
    return {
        "home page": home[rec.slug],
        "scorecard list": listing[rec.slug],
        "recommendation page": page,
        "/api/v1/scorecards/": api_list[rec.slug],
        "recommendation API": api_card["meetings_touched"],
    }


def test_a_meeting_touching_a_recommendation_only_by_a_commitment_counts_everywhere(client):
    # Before: the home page and the scorecard list counted agenda items only (1); the
    # recommendation's page counted commitments too (2).
    rec = RecommendationFactory()
    forum = ForumFactory()
    by_item = MeetingFactory(forum=forum, date=datetime.date(2025, 1, 10))
    AgendaItemFactory(meeting=by_item, recommendations=[rec])
    by_commitment = MeetingFactory(forum=forum, date=datetime.date(2025, 2, 10))
    CommitmentFactory(meeting=by_commitment, recommendations=[rec])
    counts = five_counts(client, rec)
    assert set(counts.values()) == {2}, counts


def test_overdue_counts_say_how_many_commitments_have_no_due_date(client):
    rec = RecommendationFactory()
    forum = ForumFactory()
    meeting = MeetingFactory(forum=forum)
    CommitmentFactory(meeting=meeting, recommendations=[rec])
    CommitmentFactory(meeting=meeting, recommendations=[rec])
    CommitmentFactory(meeting=meeting, due_on=datetime.date(2030, 1, 1), recommendations=[rec])
    said = "0; 2 of 3 commitments have no due date, so cannot be overdue"
    assert said in plain(client.get("/"))
    assert said in plain(client.get(f"/recommendations/{rec.slug}/"))
    assert "0 overdue; 2 of 3 have no due date, so cannot be overdue" in plain(
        client.get(forum.get_absolute_url())
    )
    health = client.get("/api/v1/forum-health/", {"forum": forum.slug}).json()
    assert health[0]["commitments_without_due_date"] == 2
    card = client.get(f"/api/v1/recommendations/{rec.slug}/scorecard/").json()
    assert card["commitments_without_due_date"] == 2


def test_home_page_query_count_is_pinned(client, django_assert_num_queries):
    # Cold: the headline figures (forums, meeting and commitment totals, commitments not
    # yet due, and the held meetings whose occurrence is not confirmed: issue 15), the
    # scorecards (recommendations, commitment totals, meeting totals), record checks, the
    # next and the latest meetings, and the data fingerprints keying the cache.
    rec = RecommendationFactory()
    meeting = MeetingFactory()
    CommitmentFactory(meeting=meeting, recommendations=[rec])
    with django_assert_num_queries(HOME_COLD) as cold:
        client.get("/")
    assert any("occurrence_confirmed" in q["sql"] for q in cold.captured_queries)
    with django_assert_num_queries(HOME_WARM):
        client.get("/")

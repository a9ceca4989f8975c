"""Every list endpoint: anonymous read, draft invisibility, CSV, pagination, ordering and
a pinned query budget that does not grow with the page."""

import csv
import io

import pytest
from django.db import connection

from tests import factories as f

pytestmark = pytest.mark.django_db

# list path -> (lookup attribute, visible records, hidden record (None: all public), an
# ordering the FilterSet documents).
ENDPOINTS = {
    "authorities": ("slug", "authorities", "draft_authority", "name"),
    "councils": ("id", None, "draft_council", "name"),
    "parties": ("slug", "parties", None, "name"),
    "people": ("slug", "people", "hidden_person", "name"),
    "offices": ("id", "offices", "draft_office", "started_on"),
    "forums": ("slug", "forums", "draft_forum", "name"),
    "meetings": ("slug", "meetings", "draft_meeting", "date"),
    "attendance": ("id", "attendance", "draft_attendance", "person"),
    "agenda-items": ("id", "items", "draft_item", "order"),
    "documents": ("id", "documents", "draft_document", "title"),
    "commitments": ("id", "commitments", "draft_commitment", "made_on"),
    "commitment-status-changes": ("id", "changes", "draft_change", "effective_on"),
    "recommendations": ("slug", "recs", None, "number"),
    "sources": ("id", "sources", None, "title"),
}


def _key(record, lookup):
    return str(getattr(record, lookup))


def _keys(response, lookup):
    return {str(row[lookup]) for row in response.json()["results"]}


@pytest.mark.parametrize("path", ENDPOINTS)
def test_anonymous_reads_the_published_list_and_each_record(api, world, path):
    lookup, visible, _, _ = ENDPOINTS[path]
    response = api.get(f"/api/v1/{path}/")
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == len(body["results"]) >= 2
    first = body["results"][0]
    assert first["url"].endswith(f"/api/v1/{path}/{first[lookup]}/")
    if visible:
        assert {_key(r, lookup) for r in getattr(world, visible)} <= _keys(response, lookup)
    detail = api.get(first["url"])
    assert detail.status_code == 200
    assert detail.json() == first


@pytest.mark.parametrize("path", [p for p, spec in ENDPOINTS.items() if spec[2]])
def test_drafts_are_invisible_to_anonymous_and_outsiders_but_not_to_staff(
    api, world, path, django_user_model, token_client
):
    lookup, _, hidden, _ = ENDPOINTS[path]
    key = _key(getattr(world, hidden), lookup)
    assert key not in _keys(api.get(f"/api/v1/{path}/?page_size=200"), lookup)
    assert api.get(f"/api/v1/{path}/{key}/").status_code == 404

    outsider = django_user_model.objects.create_user("reader", password="x" * 12)
    assert token_client(outsider).get(f"/api/v1/{path}/{key}/").status_code == 404

    staff = django_user_model.objects.create_user("staffer", password="x" * 12, is_staff=True)
    staff_client = token_client(staff)
    assert key in _keys(staff_client.get(f"/api/v1/{path}/?page_size=200"), lookup)
    assert staff_client.get(f"/api/v1/{path}/{key}/").status_code == 200


@pytest.mark.parametrize("path", ENDPOINTS)
def test_csv_has_one_flat_column_per_field_and_one_row_per_record(api, world, path):
    json_rows = api.get(f"/api/v1/{path}/").json()["results"]
    response = api.get(f"/api/v1/{path}/?format=csv")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert len(rows) == len(json_rows)
    assert list(rows[0]) == list(json_rows[0])  # same columns, same order
    assert rows[0]["url"] == json_rows[0]["url"]  # one address per record, no ?format=csv
    for name, value in json_rows[0].items():
        if isinstance(value, list):  # lists are joined, not spread over columns
            assert rows[0][name] == "; ".join(str(v) for v in value)


def test_csv_of_an_empty_list_still_has_its_header(api, db):
    response = api.get("/api/v1/meetings/?format=csv")
    assert response.content.decode().splitlines()[0].startswith("url,slug,forum,date")


@pytest.mark.parametrize("path", ENDPOINTS)
def test_ordering_by_a_documented_field_both_ways(api, world, path):
    lookup, _, _, field = ENDPOINTS[path]
    up = [r[lookup] for r in api.get(f"/api/v1/{path}/?ordering={field}").json()["results"]]
    down = [r[lookup] for r in api.get(f"/api/v1/{path}/?ordering=-{field}").json()["results"]]
    assert len(up) >= 2
    assert sorted(map(str, up)) == sorted(map(str, down))
    assert api.get(f"/api/v1/{path}/?ordering=id_secret").status_code == 400


def test_ordering_sorts_meetings_by_date(api, world):
    dates = [m["date"] for m in api.get("/api/v1/meetings/?ordering=date").json()["results"]]
    assert dates == sorted(dates)
    dates = [m["date"] for m in api.get("/api/v1/meetings/?ordering=-date").json()["results"]]
    assert dates == sorted(dates, reverse=True)


def test_pages_follow_on_with_next_links_and_a_link_header(api, world):
    first = api.get("/api/v1/sources/?page_size=1&ordering=title")
    body = first.json()
    assert body["count"] == 2 and len(body["results"]) == 1
    assert first["X-Total-Count"] == "2"
    assert 'rel="next"' in first["Link"]
    second = api.get(body["next"]).json()
    assert second["next"] is None
    assert second["results"][0]["id"] != body["results"][0]["id"]


@pytest.mark.parametrize("page_size", ["0", "-5", "201", "abc", "1e3", "9" * 5000])
def test_page_size_outside_1_to_200_is_a_400_naming_it(api, world, page_size):
    response = api.get(f"/api/v1/meetings/?page_size={page_size}")
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "page_size"


def test_page_size_of_200_is_allowed(api, world):
    assert api.get("/api/v1/meetings/?page_size=200").status_code == 200


# --- query budgets ------------------------------------------------------------------

# Extra rows per list, so a page of 5 and a page of 50 hold different numbers of rows.
EXTRA = {
    "authorities": lambda w: f.AuthorityFactory().sources.set(w.sources),
    "councils": lambda w: f.CouncilFactory(authority=w.authorities[0]),
    "parties": lambda w: f.PartyFactory(),
    "people": lambda w: f.OfficeFactory(authority=w.authorities[0], title="Member").person,
    "offices": lambda w: f.OfficeFactory(authority=w.authorities[1]).sources.set(w.sources),
    "forums": lambda w: f.ForumMembershipFactory(
        forum=f.ForumFactory(), authority=w.authorities[0]
    ),
    "meetings": lambda w: f.MeetingFactory(forum=w.forum).sources.set(w.sources),
    "attendance": lambda w: f.AttendanceFactory(meeting=w.meetings[1]),
    "agenda-items": lambda w: f.AgendaItemFactory(meeting=w.meetings[1], recommendations=w.recs),
    "documents": lambda w: f.DocumentFactory(meeting=w.meetings[1]),
    "commitments": lambda w: f.CommitmentFactory(meeting=w.meetings[1]).sources.set(w.sources),
    "commitment-status-changes": lambda w: _changed(f.CommitmentFactory(meeting=w.meetings[1])),
    "recommendations": lambda w: f.RecommendationFactory(report=w.recs[0].report),
    "sources": lambda w: f.SourceFactory(),
}


def _changed(commitment):
    import datetime

    from forums.services import record_status_change

    record_status_change(
        commitment=commitment,
        new_status="delivered",
        effective_on=datetime.date(2025, 7, 1),
        note="Done.",
        evidence_source=f.SourceFactory(),
    )


# Anonymous: a COUNT for the paginator, the page itself, then one query per many-to-many
# relation, whatever the page size. On PostgreSQL the lists read through .values()
# (igr.api.values) fetch their many-to-many lists in the page query, as ARRAY()s.
QUERIES = {
    "authorities": 3,  # count, page, sources
    "councils": 2,  # count, page joined to its authority
    "parties": 2,  # count, page
    "people": 2,  # count, page (published() is two EXISTS subqueries in the same query)
    "offices": 3,  # count, page joined to person/authority/party, sources
    "forums": 4,  # count, page, memberships joined to authority, sources
    "meetings": 3,  # count, page joined to forum/host/chair, sources
    "attendance": 2,  # count, page joined to meeting/person/authority/substitute_for
    "agenda-items": 3,  # count, page joined to meeting, recommendations
    "documents": 2,  # count, page joined to meeting and forum
    "commitments": 5,  # count, page joined to meeting/forum/lead, other authorities,
    # recommendations, sources
    "commitment-status-changes": 2,  # count, page joined to the evidence meeting
    "recommendations": 2,  # count, page joined to its report
    "sources": 2,  # count, page
}
#: Many-to-many lists that come inside the page query on PostgreSQL.
IN_THE_PAGE_ON_POSTGRESQL = {
    "authorities": 1,
    "offices": 1,
    "meetings": 1,
    "agenda-items": 1,
    "commitments": 3,
}


#: Lists whose JSON comes from a serializer that needs model instances (a nested list),
#: read through DRF, not through .values().
THROUGH_DRF = {"forums"}


def expected_queries(path):
    if connection.vendor == "postgresql":
        # The page's ids, then its rows by a statement prepared once per connection
        # (igr.api.values: ValuesPlan._rows_by_ids): one query more, planned once.
        ids_first = 0 if path in THROUGH_DRF else 1
        return QUERIES[path] - IN_THE_PAGE_ON_POSTGRESQL.get(path, 0) + ids_first
    return QUERIES[path]


@pytest.mark.parametrize("path", ENDPOINTS)
def test_list_query_count_is_pinned_and_the_same_for_5_and_50_rows(
    api, world, path, django_assert_num_queries
):
    for _ in range(6):
        EXTRA[path](world)
    assert api.get(f"/api/v1/{path}/?page_size=50").json()["count"] > 5
    for size in (5, 50):
        with django_assert_num_queries(expected_queries(path)):
            assert api.get(f"/api/v1/{path}/?page_size={size}").status_code == 200

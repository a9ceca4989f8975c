"""No sequential scan on a big table for any documented filter or ordering of the API lists.

PostgreSQL only: the planner is the thing under test. The test fills the big tables past
10,000 rows with bulk inserts, runs ANALYZE, sends each documented filter and ordering
of the meetings, commitments, attendance, agenda-item, status-change, people and office
lists through the API, and runs EXPLAIN on every query the request made. A Seq Scan
node on a table the statistics put over 10,000 rows fails the test, naming the request,
the table and the query.

EXPLAIN runs with `enable_seqscan = off`, so the test asks "can an index serve this?":
PostgreSQL rightly prefers a sequential scan to count nine tenths of a table, and would
pick one here for the paginator's COUNT whatever the indexes. With the option off it
still plans a Seq Scan when no index can do the job, which is the regression this
catches (a new filter or ordering without its index).

The free-text search has its own test: the site search and the API's `q` on the lists
with a full-text vector (igr.fulltext) must read each big table through its expression
GIN index (`<table>_search_idx`), which proves the query's tsvector is the indexed one.
The `q` of the other lists (attendance, status changes, offices) is still a substring
match (`icontains`), bounded to ten words of 200 characters; docs/benchmarks.md says so.
"""

import datetime
import json

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from authorities.models import Office, Person
from forums.models import (
    AgendaItem,
    Attendance,
    AttendanceMode,
    Commitment,
    CommitmentStatus,
    CommitmentStatusChange,
    Meeting,
    MeetingStatus,
)
from tests.factories import (
    AuthorityFactory,
    ForumFactory,
    PartyFactory,
    RecommendationFactory,
    SourceFactory,
)

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="EXPLAIN plans are PostgreSQL's; SQLite has no comparable planner to test",
    ),
]

ROWS = 12_000
BIG = 10_000


@pytest.fixture
def big_tables(db):
    now = timezone.now()
    forums = [ForumFactory() for _ in range(3)]
    authorities = [AuthorityFactory() for _ in range(4)]
    parties = [PartyFactory() for _ in range(3)]
    recommendations = [RecommendationFactory() for _ in range(2)]
    source = SourceFactory()
    stamp = {"created_at": now, "updated_at": now}

    def bulk(model, rows):
        return model.objects.bulk_create(rows, batch_size=4_000)

    people = bulk(
        Person, [Person(name=f"Person {i:05}", slug=f"person-{i}", **stamp) for i in range(ROWS)]
    )
    bulk(
        Office,
        [
            Office(
                person=person,
                authority=authorities[i % 4],
                party=parties[i % 3],
                title="Mayor" if i % 50 == 0 else f"Post {i % 200}",
                started_on=datetime.date(2000, 1, 1) + datetime.timedelta(days=i % 9000),
                ended_on=None if i % 3 else datetime.date(2030, 1, 1),
                publication_state="published",
                **stamp,
            )
            for i, person in enumerate(people)
        ],
    )
    start = datetime.date(1990, 1, 1)
    meetings = bulk(
        Meeting,
        [
            Meeting(
                forum=forums[i % 3],
                slug=f"meeting-{i}",
                date=start + datetime.timedelta(days=i),
                status=MeetingStatus.HELD if i % 10 else MeetingStatus.CANCELLED,
                status_reason="" if i % 10 else "Called off.",
                host_authority=authorities[i % 4],
                publication_state="published" if i % 20 else "draft",
                summary=f"Meeting number {i} about skills and transport",
                **stamp,
            )
            for i in range(ROWS)
        ],
    )
    bulk(
        Attendance,
        [
            Attendance(
                meeting=meeting,
                person=people[i],
                authority=authorities[i % 4],
                mode=AttendanceMode.VIRTUAL if i % 4 == 0 else AttendanceMode.IN_PERSON,
                **stamp,
            )
            for i, meeting in enumerate(meetings)
        ],
    )
    items = bulk(
        AgendaItem,
        [
            AgendaItem(meeting=meeting, order=1, title=f"Item {i}", is_public=bool(i % 7), **stamp)
            for i, meeting in enumerate(meetings)
        ],
    )
    statuses = CommitmentStatus.values
    commitments = bulk(
        Commitment,
        [
            Commitment(
                meeting=meeting,
                title=f"Commitment {i}",
                text="Work together on skills.",
                made_on=meeting.date,
                due_on=meeting.date + datetime.timedelta(days=365),
                lead_authority=authorities[i % 4],
                status=statuses[i % len(statuses)],
                publication_state="published" if i % 20 else "draft",
                **stamp,
            )
            for i, meeting in enumerate(meetings)
        ],
    )
    bulk(
        CommitmentStatusChange,
        [
            CommitmentStatusChange(
                commitment=commitment,
                old_status=CommitmentStatus.NOT_ASSESSED,
                new_status=CommitmentStatus.IN_PROGRESS,
                effective_on=commitment.made_on,
                evidence_source=source,
                note="Progress reported.",
                **stamp,
            )
            for commitment in commitments
        ],
    )
    tags = Commitment.recommendations.through
    bulk(
        tags,
        [
            tags(commitment=c, recommendation=recommendations[i % 2])
            for i, c in enumerate(commitments)
        ],
    )
    item_tags = AgendaItem.recommendations.through
    bulk(
        item_tags,
        [
            item_tags(agendaitem=a, recommendation=recommendations[i % 2])
            for i, a in enumerate(items)
        ],
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return {
        "forum": forums[0].slug,
        "authority": authorities[0].slug,
        "party": parties[0].slug,
        "recommendation": recommendations[0].slug,
        # Published (every 20th meeting is a draft, whose slug the public filter refuses).
        "meeting": meetings[501].slug,
        "person": people[500].slug,
        "commitment": commitments[500].pk,
    }


def cases(v):
    """Every documented filter and ordering of each list (see the FilterSets), but `q`."""
    since = "2020-01-01T00:00:00Z"
    lists = {
        "meetings": [
            "",
            f"forum={v['forum']}",
            "status=held",
            "date_after=2010-01-01&date_before=2011-01-01",
            f"authority={v['authority']}",
            f"person={v['person']}",
            f"recommendation={v['recommendation']}",
            "date_confirmed=false",
            f"modified_since={since}",
            "ordering=date",
            "ordering=-date",
            "ordering=forum",
            "ordering=-forum",
        ],
        "commitments": [
            "",
            "status=in_progress",
            "status=in_progress&status=delivered",
            f"forum={v['forum']}",
            f"meeting={v['meeting']}",
            f"lead_authority={v['authority']}",
            f"authority={v['authority']}",
            f"recommendation={v['recommendation']}",
            "overdue=true",
            "overdue=false",
            "due_after=2015-01-01&due_before=2016-01-01",
            "made_after=2015-01-01&made_before=2016-01-01",
            f"modified_since={since}",
            f"status=in_progress&lead_authority={v['authority']}&ordering=-due_on",
            *(
                f"ordering={s}{f}"
                for f in ("made_on", "due_on", "status", "status_changed_on")
                for s in ("", "-")
            ),
        ],
        "attendance": [
            "",
            f"meeting={v['meeting']}",
            f"forum={v['forum']}",
            f"person={v['person']}",
            f"authority={v['authority']}",
            "mode=virtual",
            "date_after=2010-01-01&date_before=2011-01-01",
            f"party={v['party']}",
            f"modified_since={since}",
            "ordering=date",
            "ordering=-date",
            "ordering=person",
            "ordering=-person",
        ],
        "agenda-items": [
            "",
            f"meeting={v['meeting']}",
            f"forum={v['forum']}",
            f"recommendation={v['recommendation']}",
            "is_public=false",
            "date_after=2010-01-01&date_before=2011-01-01",
            f"modified_since={since}",
            "ordering=date",
            "ordering=-date",
            "ordering=order",
            "ordering=-order",
        ],
        "commitment-status-changes": [
            "",
            f"commitment={v['commitment']}",
            "new_status=in_progress",
            "effective_after=2010-01-01&effective_before=2011-01-01",
            f"forum={v['forum']}",
            f"modified_since={since}",
            "ordering=effective_on",
            "ordering=-effective_on",
        ],
        "people": [
            "",
            f"authority={v['authority']}",
            f"party={v['party']}",
            f"modified_since={since}",
            "ordering=name",
            "ordering=-name",
        ],
        "offices": [
            "",
            f"authority={v['authority']}",
            f"person={v['person']}",
            f"party={v['party']}",
            "title=Mayor",
            "started_after=2010-01-01&started_before=2011-01-01",
            "held_on=2015-06-01",
            "current=true",
            "current=false",
            f"modified_since={since}",
            *(f"ordering={s}{f}" for f in ("started_on", "ended_on", "title") for s in ("", "-")),
        ],
    }
    return [(name, query) for name, queries in lists.items() for query in queries]


def big_table_sizes():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname, reltuples FROM pg_class WHERE relkind = 'r' AND reltuples > %s",
            [BIG],
        )
        return dict(cursor.fetchall())


def seq_scans(plan, big):
    node = plan
    found = []
    if node.get("Node Type") == "Seq Scan" and node.get("Relation Name") in big:
        found.append(node["Relation Name"])
    for child in node.get("Plans", []):
        found += seq_scans(child, big)
    return found


def explain_requests(client, paths):
    """Run each path, EXPLAIN each SELECT it made: (failures, every plan as text)."""
    big = big_table_sizes()
    failures, plans = [], []
    for path in paths:
        with CaptureQueriesContext(connection) as captured:
            response = client.get(path)
        assert response.status_code == 200, (path, response.content[:300])
        for sql in (q["sql"] for q in captured.captured_queries):
            # A compound query (the search's UNION ALL of id reads) opens with "(".
            if not sql.lstrip().lstrip("(").upper().startswith("SELECT"):
                continue
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL enable_seqscan = off")
                cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}")
                plan = cursor.fetchone()[0]
            plan = plan if isinstance(plan, list) else json.loads(plan)
            plans.append((path, json.dumps(plan)))
            for table in seq_scans(plan[0]["Plan"], big):
                failures.append(f"{path}: Seq Scan on {table} ({int(big[table])} rows)\n  {sql}")
    return failures, plans


@pytest.mark.stale_figures  # bulk-inserts 12,000 rows per table; reads only lists
def test_no_documented_filter_or_ordering_seq_scans_a_big_table(big_tables):
    cache.clear()  # a fresh allowance under the anonymous API throttle
    big = big_table_sizes()
    for table in ("forums_meeting", "forums_commitment", "forums_attendance", "authorities_person"):
        assert table in big, f"{table} should hold over {BIG} rows for this test to mean anything"
    paths = [f"/api/v1/{name}/?{query}&page_size=50" for name, query in cases(big_tables)]
    failures, _plans = explain_requests(APIClient(), paths)
    assert not failures, f"{len(failures)} sequential scans:\n" + "\n".join(failures)


@pytest.mark.stale_figures  # bulk-inserts 12,000 rows per table; reads only lists
def test_search_reads_the_gin_indexes(big_tables):
    cache.clear()
    paths = [
        # Words on every row: the planner may read another index, but never the table.
        "/search/?q=skills",
        "/search/?q=skills+transport+together",
        "/api/v1/commitments/?q=skills+together&page_size=50",
        # Selective words (one row's number): the GIN index is the way in.
        "/search/?q=4242",
        "/search/?q=Person+04242",
        "/search/?q=4242&kind=meetings",
        "/api/v1/meetings/?q=4242&page_size=50",
        "/api/v1/commitments/?q=commitment+4242&page_size=50",
        "/api/v1/people/?q=04242&page_size=50",
    ]
    failures, plans = explain_requests(APIClient(), paths)
    assert not failures, f"{len(failures)} sequential scans:\n" + "\n".join(failures)
    for table in ("forums_meeting", "forums_commitment", "authorities_person"):
        index = f"{table}_search_idx"
        used = [path for path, plan in plans if f'"Index Name": "{index}"' in plan]
        assert used, f"no search read {index}"
    # Every request that searches a big table reads it through the index.
    for path in ("/search/?q=4242&kind=meetings", "/api/v1/meetings/?q=4242&page_size=50"):
        assert any(
            '"Index Name": "forums_meeting_search_idx"' in plan for p, plan in plans if p == path
        ), path


def plan_nodes(node):
    yield node
    for child in node.get("Plans", []):
        yield from plan_nodes(child)


# list -> the queryset its API list pages (published rows in the default order, or the
# `ordering` given), and the indexes (names or their prefixes) on the ordering's first
# column its keyset page may start from (here every meeting has its own date, so the
# planner may rightly prefer the plain date index).
CURSOR_LISTS = {
    "meetings": (
        lambda: Meeting.objects.published(),
        "",
        ("meeting_published", "forums_meeting_date"),
    ),
    "meetings by date": (
        lambda: Meeting.objects.published().order_by("date"),
        "ordering=date",
        ("meeting_published", "forums_meeting_date"),
    ),
    "commitments": (
        lambda: Commitment.objects.published(),
        "",
        ("commitment_published_order_idx", "forums_commitment_made_on"),
    ),
    "commitments by due_on": (
        lambda: Commitment.objects.published().order_by("due_on"),
        "ordering=due_on",
        ("forums_commitment_due_on",),
    ),
    "commitments by -due_on": (
        lambda: Commitment.objects.published().order_by("-due_on"),
        "ordering=-due_on",
        ("forums_commitment_due_on",),
    ),
    "commitments by status": (
        lambda: Commitment.objects.published().order_by("status"),
        "ordering=status",
        ("commitment_pub_status_idx", "forums_commitment_status"),
    ),
    # Through a join: a nested loop over the meetings' index, each meeting's attendance
    # by its meeting_id index, and an incremental sort of each meeting's few rows.
    "attendance": (
        lambda: Attendance.objects.filter(meeting__publication_state="published"),
        "",
        ("meeting_published", "forums_meeting_date"),
    ),
}


@pytest.mark.stale_figures  # bulk-inserts 12,000 rows per table; reads only lists
def test_a_deep_cursor_page_starts_from_the_orderings_index(big_tables):
    """A keyset page nine tenths of the way through each list reads the ordering's index
    from its position, with the planner's settings untouched: no Seq Scan on a big table
    and no full Sort (only an Incremental Sort of a day's ties, or the page's own rows).
    The paginator's COUNT is left out: it is the numbered pages' count, cached, and a
    count of most of a table rightly reads it whole (see the module docstring)."""
    from igr.api.pagination import MAX_PAGE_SIZE
    from igr.lib.keyset import Keyset

    big = big_table_sizes()
    for name, (rows, ordering, index) in CURSOR_LISTS.items():
        cache.clear()
        queryset = rows()
        keyset = Keyset(queryset)
        deep = keyset.ordered(queryset).values(*keyset.paths)[queryset.count() * 9 // 10]
        cursor = keyset.encode(keyset.position(deep))
        path = f"/api/v1/{name.split()[0]}/?{ordering}&page_size=50&cursor={cursor}"
        with CaptureQueriesContext(connection) as captured:
            response = APIClient().get(path)
        assert response.status_code == 200, response.content[:300]
        assert len(response.json()["results"]) == 50
        keys = [q["sql"] for q in captured.captured_queries if "LIMIT 51" in q["sql"]]
        assert len(keys) == 1, f"{name}: one query chooses the page's rows"
        for sql in (q["sql"] for q in captured.captured_queries):
            if not sql.lstrip().upper().startswith("SELECT") or "COUNT(*)" in sql:
                continue
            with connection.cursor() as cursor_:
                cursor_.execute(f"EXPLAIN (FORMAT JSON) {sql}")
                plan = cursor_.fetchone()[0]
            plan = plan if isinstance(plan, list) else json.loads(plan)
            nodes = list(plan_nodes(plan[0]["Plan"]))
            assert not seq_scans(plan[0]["Plan"], big), (name, sql)
            # A Sort only of a page's worth of rows (the rows fetched by id, a prefetch).
            sorts = [n["Plan Rows"] for n in nodes if n["Node Type"] == "Sort"]
            assert all(rows <= MAX_PAGE_SIZE for rows in sorts), (name, sql, plan)
            if sql in keys:
                used = {n.get("Index Name", "") for n in nodes}
                assert any(u.startswith(index) for u in used), (name, index, used, sql)


@pytest.mark.stale_figures  # bulk-inserts 12,000 rows per table; reads only lists
def test_an_authoritys_commitments_by_status_and_due_date_are_one_index_range(big_tables):
    """`lead_authority` + `status` + `ordering=-due_on` (an authority's work still in
    progress, latest due first): the page's ids are the next fifty entries of
    commitment_pub_lead_status_idx, with no Sort and no visit to other statuses' rows."""
    cache.clear()
    path = (
        f"/api/v1/commitments/?status=in_progress&lead_authority={big_tables['authority']}"
        "&ordering=-due_on&page_size=50"
    )
    with CaptureQueriesContext(connection) as captured:
        response = APIClient().get(path)
    assert response.status_code == 200, response.content[:300]
    assert len(response.json()["results"]) == 50
    (ids,) = [q["sql"] for q in captured.captured_queries if "LIMIT 50" in q["sql"]]
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (FORMAT JSON) {ids}")
        plan = cursor.fetchone()[0]
    plan = plan if isinstance(plan, list) else json.loads(plan)
    nodes = list(plan_nodes(plan[0]["Plan"]))
    assert {n.get("Index Name") for n in nodes} & {"commitment_pub_lead_status_idx"}, plan
    assert not [n for n in nodes if "Sort" in n["Node Type"]], plan

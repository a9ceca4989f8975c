"""Numbered deep pages start at a remembered position ("anchors",
igr.api.pagination.CachedCountPaginator) instead of walking the whole OFFSET. Every page,
its count and its links must be exactly what the plain OFFSET gives, under orderings with
ties, NULLs and related columns, whether the anchors are found now or were found by an
earlier request; and any write must drop them.

The lists here are short, so the anchors are every third row (ANCHOR): "plain" is the
same request with anchors further apart than the list is long."""

import datetime
import itertools

import pytest
from django.core.cache import cache
from django.core.paginator import Paginator
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from forums.admin.meetings import MeetingAdmin
from forums.models import Attendance, Commitment, Meeting
from igr import policy
from igr.api.pagination import CachedCountPaginator
from igr.listing import FilteredListView
from tests import factories as f
from tests.worlds import module_world

pytestmark = pytest.mark.django_db

ANCHOR = 3
PLAIN = 10**9
DAY = datetime.date(2024, 3, 1)


@pytest.fixture(autouse=True)
def _empty_cache(empty_cache):
    """Every test here starts and ends with an empty cache (conftest.empty_cache)."""


@pytest.fixture
def anchor_rows(monkeypatch):
    def use(rows):
        monkeypatch.setattr(CachedCountPaginator, "anchor_rows", rows)

    use(ANCHOR)
    return use


def _build_rows():
    """Meetings of three forums on shared days (ties on date); commitments with ties and
    many NULLs in due_on; attendance ordered by its meeting, several people a meeting."""
    forums = [f.ForumFactory(slug=slug) for slug in ("beta", "alpha", "gamma")]
    meetings = [
        f.MeetingFactory(forum=forums[i % 3], date=DAY + datetime.timedelta(days=i // 3))
        for i in range(21)
    ]
    f.MeetingFactory(forum=forums[0], publication_state="draft")  # never listed
    people = [f.PersonFactory(name=name) for name in ("Ann", "Ann", "Bob")]
    for meeting in meetings[:5]:
        for person in people:
            f.AttendanceFactory(meeting=meeting, person=person)
    dues = [None, DAY, DAY, None, None, DAY + datetime.timedelta(days=9), None, DAY, None, None]
    dues += [DAY + datetime.timedelta(days=2), None, None, DAY]
    for index, due in enumerate(dues):
        f.CommitmentFactory(meeting=meetings[index], due_on=due)
    return meetings


# Built once for the module; each test reads it in a savepoint of its own (tests/worlds.py).
_world_built, rows = module_world(_build_rows, name="rows")


API_LISTS = [
    "/api/v1/meetings/",
    "/api/v1/meetings/?ordering=date",
    "/api/v1/meetings/?ordering=-forum",
    "/api/v1/meetings/?forum=alpha",
    "/api/v1/commitments/",
    "/api/v1/commitments/?ordering=due_on",
    "/api/v1/commitments/?ordering=-due_on",
    "/api/v1/attendance/",
    "/api/v1/attendance/?ordering=-date",
    "/api/v1/attendance/?ordering=person",
]


def _pages(client, url, size, numbers):
    separator = "&" if "?" in url else "?"
    responses = []
    for number in numbers:
        response = client.get(f"{url}{separator}page_size={size}&page={number}")
        assert response.status_code == 200, response.content
        responses.append((number, response.content, response.get("Link")))
    return responses


def _last_page(client, url, size):
    separator = "&" if "?" in url else "?"
    count = client.get(f"{url}{separator}page_size=1").json()["count"]
    return -(-count // size)


@pytest.mark.parametrize("url", API_LISTS)
@pytest.mark.parametrize("size", [1, 2, 5])
def test_every_api_page_from_an_anchor_is_the_plain_offsets_page(rows, anchor_rows, url, size):
    api = APIClient()
    anchor_rows(PLAIN)
    last = _last_page(api, url, size)
    assert (last - 1) * size >= ANCHOR  # at least its last page is read from an anchor
    numbers = range(1, last + 1)
    plain = _pages(api, url, size, numbers)
    anchor_rows(ANCHOR)
    # Deepest first (every anchor found at once), then in order (all from the cache);
    # then with the cache emptied, in order (each page finds the anchors it lacks).
    deepest_first = _pages(api, url, size, reversed(numbers))[::-1]
    in_order = _pages(api, url, size, numbers)
    cache.clear()
    fresh = _pages(api, url, size, numbers)
    assert deepest_first == plain
    assert in_order == plain
    assert fresh == plain


PAGE_LISTS = [
    "/meetings/",
    "/meetings/?forum=alpha",
    "/meetings/?ordering=date",
    "/commitments/",
    "/commitments/?ordering=due_on",
]


def _page_rows(client, url, numbers):
    separator = "&" if "?" in url else "?"
    found = []
    for number in numbers:
        response = client.get(f"{url}{separator}page={number}")
        assert response.status_code == 200
        found.append(
            (
                [row.pk for row in response.context["page_obj"].object_list],
                response.content,
            )
        )
    return found


@pytest.mark.parametrize("url", PAGE_LISTS)
def test_every_public_list_page_from_an_anchor_is_the_plain_offsets_page(
    rows, anchor_rows, client, monkeypatch, url
):
    monkeypatch.setattr(FilteredListView, "paginate_by", 2)
    anchor_rows(PLAIN)
    first = client.get(url)
    last = first.context["paginator"].num_pages
    assert (last - 1) * 2 >= ANCHOR
    numbers = range(1, last + 1)
    plain = _page_rows(client, url, numbers)
    anchor_rows(ANCHOR)
    assert _page_rows(client, url, reversed(numbers))[::-1] == plain
    assert _page_rows(client, url, numbers) == plain


def test_admin_changelist_pages_from_an_anchor_are_the_plain_offsets_pages(
    rows, anchor_rows, editor_client, monkeypatch
):
    monkeypatch.setattr(MeetingAdmin, "list_per_page", 2)
    url = "/admin/forums/meeting/"

    def pages():
        found = []
        for number in range(1, 12):  # Django's admin numbers pages from 1 (?p=)
            response = editor_client.get(f"{url}?p={number}")
            assert response.status_code == 200
            found.append([row.pk for row in response.context["cl"].result_list])
        return found

    anchor_rows(PLAIN)
    plain = pages()
    assert sum(len(page) for page in plain) == Meeting.objects.count() == 22
    anchor_rows(ANCHOR)
    assert pages() == plain
    with CaptureQueriesContext(connection) as queries:
        editor_client.get(f"{url}?p=6")
    # Page 6 starts at row 10: the rows after anchor 3 (row 9), the first of them.
    assert any(
        "LIMIT 2 OFFSET 1" in q["sql"] and "forums_meeting" in q["sql"]
        for q in queries.captured_queries
    )


def _expected(queryset, key="slug"):
    return list(queryset.values_list(key, flat=True))


def _api_slugs(api, page, size=2):
    body = api.get(f"/api/v1/meetings/?page_size={size}&page={page}").json()
    return [row["slug"] for row in body["results"]], body["count"]


def test_a_write_between_requests_drops_the_anchors(rows, anchor_rows):
    """A meeting added before the deep pages moves their rows on by one; deleted again,
    back: each next request reads the new page, not one placed by the old anchors."""
    api = APIClient()

    def expected(page, size=2):
        slugs = _expected(Meeting.objects.published().order_by("-date", "slug"))
        return slugs[(page - 1) * size : page * size], len(slugs)

    before = {page: _api_slugs(api, page) for page in (4, 6)}
    assert before == {page: expected(page) for page in (4, 6)}
    # Newest first: a meeting on the latest day comes before every deep page.
    newest = f.MeetingFactory(forum=rows[0].forum, date=DAY + datetime.timedelta(days=30))
    after = {page: _api_slugs(api, page) for page in (6, 4)}
    assert after == {page: expected(page) for page in (6, 4)}
    assert after[6] != before[6]
    with policy.writing() as write:
        newest.delete()
        write.touched(newest)
    assert {page: _api_slugs(api, page) for page in (4, 6)} == before


def test_a_deep_page_from_cached_anchors_walks_less_than_a_stride(rows, anchor_rows):
    """Page 5 of 2 (rows 8 and 9): after anchor 2 (row 5), skip 2. Repeated, it costs the
    plain page's queries; the first visit adds the one that finds the anchors."""
    api = APIClient()
    url = "/api/v1/meetings/?page_size=2&page=5"
    api.get(url)
    cache.clear()
    with CaptureQueriesContext(connection) as first:
        api.get(url)
    with CaptureQueriesContext(connection) as repeated:
        api.get(url)
    anchors = [q["sql"] for q in first.captured_queries if "igr_anchor" in q["sql"]]
    assert len(anchors) == 1
    if connection.vendor == "postgresql":
        # From row 3 to row 6 by keyset, in one recursive query (_hop_anchors).
        assert anchors[0].startswith("WITH RECURSIVE") and "LIMIT 1 OFFSET 2" in anchors[0]
    else:  # Every third row of the first six, numbered (_numbered_anchors).
        assert "ROW_NUMBER()" in anchors[0] and "LIMIT 6" in anchors[0]
    assert len(first.captured_queries) == len(repeated.captured_queries) + 2  # count, anchors
    sql = [q["sql"] for q in repeated.captured_queries if "forums_meeting" in q["sql"]]
    assert not any("igr_anchor" in q for q in sql)
    assert any("LIMIT 2 OFFSET 2" in q for q in sql)
    assert not any("OFFSET 8" in q for q in sql)


def test_queries_of_a_repeated_deep_page_are_the_plain_pages(rows, anchor_rows):
    api = APIClient()
    url = "/api/v1/meetings/?page_size=2&page=5"

    def queries():
        api.get(url)
        with CaptureQueriesContext(connection) as captured:
            api.get(url)
        return len(captured.captured_queries)

    anchored = queries()
    anchor_rows(PLAIN)
    assert anchored == queries()


@pytest.mark.parametrize("ordering", ["due_on", "-due_on"])
@pytest.mark.parametrize("size", [1, 2])
def test_a_nullable_first_column_reads_its_values_then_its_nulls(rows, anchor_rows, ordering, size):
    """ordering=due_on: the rows after an anchor are two index ranges, the dates after it
    and the NULLs (Keyset.segments); a page may take from both, or lie past the first
    range's end, whose skipped rows are then counted (at most the anchor stride)."""
    published = Commitment.objects.published()
    # The database's own NULL placement: last ascending on PostgreSQL, first on SQLite.
    expected = _expected(published.order_by(ordering, ordering.replace("due_on", "pk")), "pk")
    dated = published.filter(due_on__isnull=False).count()
    assert dated > ANCHOR and len(expected) - dated > ANCHOR
    api = APIClient()
    found = []
    for page in range(1, -(-len(expected) // size) + 1):
        url = f"/api/v1/commitments/?ordering={ordering}&page_size={size}&page={page}"
        found += [row["id"] for row in api.get(url).json()["results"]]
    assert found == expected


def test_lists_keyset_paging_cannot_follow_page_the_plain_way(rows, anchor_rows):
    """A random order, a DISTINCT and a plain Python list: no anchors, the same pages."""
    meetings = Meeting.objects.published()
    for object_list, count in (
        (meetings.order_by("?"), 21),
        (meetings.filter(attendances__isnull=False).distinct().order_by("-date", "slug"), 5),
        (list(meetings.order_by("-date", "slug")), 21),
    ):
        paginator = CachedCountPaginator(object_list, 2)
        assert paginator.count == count
        with CaptureQueriesContext(connection) as queries:
            page = paginator.page(3)
            rows_read = list(page.object_list)
        assert not any("igr_anchor" in q["sql"] for q in queries.captured_queries)
        assert len(rows_read) == (1 if count == 5 else 2)


def test_anchors_are_the_positions_of_every_strideth_row(rows, anchor_rows):
    """Against Django's own Paginator on the same queryset: every page's rows."""
    queryset = Attendance.objects.filter(meeting__publication_state="published").order_by(
        "meeting", "person__name", "pk"
    )
    plain = Paginator(queryset, 2)
    anchored = CachedCountPaginator(queryset, 2)
    for number in plain.page_range:
        assert [a.pk for a in anchored.page(number)] == [p.pk for p in plain.page(number)]


@pytest.mark.parametrize("size", [1, 4])
def test_orphans_and_sizes_that_do_not_divide_the_stride(rows, anchor_rows, size):
    queryset = Meeting.objects.published().order_by("date", "forum__name", "pk")
    for orphans in (0, 1):
        plain = Paginator(queryset, size, orphans=orphans)
        anchored = CachedCountPaginator(queryset, size, orphans=orphans)
        pairs = itertools.zip_longest(plain.page_range, anchored.page_range)
        for number, same in pairs:
            assert number == same
            assert [m.pk for m in anchored.page(number)] == [m.pk for m in plain.page(number)]

"""Keyset (cursor) paging on the API lists (issue 19): `?cursor` starts, `next` and
`previous` carry cursors, every row comes exactly once in the order the numbered pages
give, and a bad cursor is a 400 naming `cursor`."""

import csv
import datetime
import io
from urllib.parse import parse_qs, urlsplit

import pytest
from django.db import connection

from forums.models import Attendance, Commitment, Meeting
from tests import factories as f
from tests.api.test_reads import ENDPOINTS, EXTRA, THROUGH_DRF, expected_queries

pytestmark = pytest.mark.django_db

DAY = datetime.date(2024, 3, 1)


@pytest.fixture
def rows():
    """Meetings with ties on date, commitments with ties and NULLs in due_on, attendance
    at meetings on the same day."""
    forum = f.ForumFactory(slug="f")
    meetings = [
        f.MeetingFactory(forum=forum, date=DAY + datetime.timedelta(days=i // 3)) for i in range(7)
    ]
    people = [f.PersonFactory(name=name) for name in ("Ann", "Ann", "Bob")]
    for meeting in meetings[:3]:
        for person in people:
            f.AttendanceFactory(meeting=meeting, person=person)
    dues = [None, DAY, DAY, None, DAY + datetime.timedelta(days=9), None, DAY, None]
    for index, due in enumerate(dues):
        f.CommitmentFactory(meeting=meetings[index % 7], due_on=due)
    f.MeetingFactory(forum=forum, publication_state="draft")  # never listed
    return meetings


def by_pages(api, url, size):
    found, page = [], 1
    separator = "&" if "?" in url else "?"
    while True:
        response = api.get(f"{url}{separator}page_size={size}&page={page}")
        assert response.status_code == 200, response.json()
        body = response.json()
        found += [row["url"] for row in body["results"]]
        if body["next"] is None:
            return found, body["count"]
        page += 1


def by_cursor(api, url, size):
    """Follow `next` from `?cursor`; each address keeps the filters and page size."""
    separator = "&" if "?" in url else "?"
    response = api.get(f"{url}{separator}page_size={size}&cursor")
    bodies = []
    while True:
        assert response.status_code == 200, response.json()
        bodies.append(response.json())
        if bodies[-1]["next"] is None:
            break
        assert len(bodies) < 100, "the cursors go round in circles"
        response = api.get(bodies[-1]["next"])
    return [row["url"] for body in bodies for row in body["results"]], bodies


def _published_meetings():
    return Meeting.objects.published()


def _public_attendance():
    return Attendance.objects.filter(meeting__publication_state="published")


# list -> Django's own order of its rows, the documented ordering with the id to break
# ties, in the last term's direction (numbered pages leave ties in whatever order the
# database gives them).
LISTS = {
    "/api/v1/meetings/": lambda: _published_meetings().order_by("-date", "slug"),
    "/api/v1/meetings/?ordering=date": lambda: _published_meetings().order_by("date", "pk"),
    "/api/v1/commitments/": lambda: Commitment.objects.published().order_by("-made_on", "id"),
    "/api/v1/commitments/?ordering=due_on": lambda: Commitment.objects.published().order_by(
        "due_on", "pk"
    ),
    "/api/v1/commitments/?ordering=-due_on": lambda: Commitment.objects.published().order_by(
        "-due_on", "-pk"
    ),
    # Attendance orders by its meeting (the meeting's own ordering), then person's name.
    "/api/v1/attendance/": lambda: _public_attendance().order_by("meeting", "person__name", "pk"),
    "/api/v1/attendance/?ordering=-date": lambda: _public_attendance().order_by(
        "-meeting__date", "-pk"
    ),
    "/api/v1/attendance/?ordering=person": lambda: _public_attendance().order_by(
        "person__name", "pk"
    ),
}


def _urls(url, queryset):
    base = "http://testserver" + url.split("?")[0]
    key = "slug" if queryset.model is Meeting else "pk"
    return [f"{base}{value}/" for value in queryset.values_list(key, flat=True)]


@pytest.mark.parametrize("url", LISTS)
@pytest.mark.parametrize("size", [1, 2, 5])
def test_walking_by_cursor_gives_every_row_once_in_the_lists_order(api, rows, url, size):
    expected = _urls(url, LISTS[url]())
    by_number, count = by_pages(api, url, 200)
    assert sorted(by_number) == sorted(expected) and len(expected) == count > size
    found, bodies = by_cursor(api, url, size)
    assert found == expected
    assert all(body["count"] == count for body in bodies)
    assert bodies[0]["previous"] is None
    # Back from the last page by `previous`: the same pages, in reverse.
    pages = [[row["url"] for row in body["results"]] for body in bodies]
    back, previous = [], bodies[-1]["previous"]
    while previous:
        body = api.get(previous).json()
        back.append([row["url"] for row in body["results"]])
        previous = body["previous"]
    assert back[::-1] == pages[:-1]


def test_filters_are_kept_in_the_cursor_links(api, rows):
    url = f"/api/v1/commitments/?meeting={rows[0].slug}"
    expected, _ = by_pages(api, url, 200)
    found, bodies = by_cursor(api, url, 1)
    assert found == expected and len(found) == 2
    query = parse_qs(urlsplit(bodies[0]["next"]).query)
    assert query["meeting"] == [rows[0].slug] and query["page_size"] == ["1"]
    assert "page" not in query


def test_a_write_between_pages_neither_repeats_nor_skips_rows(api, rows):
    first = api.get("/api/v1/meetings/?page_size=3&cursor").json()
    seen = [row["slug"] for row in first["results"]]
    # A meeting newer than every listed one: offset pages would shift by one row.
    f.MeetingFactory(forum=rows[0].forum, date=DAY + datetime.timedelta(days=30))
    rest, _ = by_cursor_from(api, first["next"])
    everything = [m["slug"] for m in api.get("/api/v1/meetings/?page_size=200").json()["results"]]
    assert seen + rest == everything[1:]


def by_cursor_from(api, next_url):
    found = []
    while next_url:
        body = api.get(next_url).json()
        found += [row["slug"] for row in body["results"]]
        next_url = body["next"]
    return found, None


def test_a_page_number_answer_is_unchanged_and_a_cursor_answer_has_the_same_shape(api, rows):
    by_page = api.get("/api/v1/meetings/?page_size=2")
    by_cursor_ = api.get("/api/v1/meetings/?page_size=2&cursor")
    assert by_page.json()["next"].endswith("/api/v1/meetings/?page=2&page_size=2")
    assert by_cursor_.json()["results"] == by_page.json()["results"]
    assert list(by_cursor_.json()) == ["count", "next", "previous", "results"]
    assert "cursor=" in by_cursor_.json()["next"]
    assert by_cursor_["X-Total-Count"] == by_page["X-Total-Count"] == "7"
    assert by_cursor_["Link"] == f'<{by_cursor_.json()["next"]}>; rel="next"'


def test_csv_pages_by_cursor_with_the_link_header(api, rows):
    urls, link = [], "/api/v1/commitments/?ordering=due_on&page_size=3&format=csv&cursor"
    while link:
        response = api.get(link)
        assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
        urls += [row["url"] for row in csv.DictReader(io.StringIO(response.content.decode()))]
        nexts = [p for p in response["Link"].split(", ") if p.endswith('rel="next"')]
        link = nexts[0][1 : nexts[0].index(">")] if nexts else None
        assert 'rel="license"' in response["Link"]
    url = "/api/v1/commitments/?ordering=due_on"
    assert urls == _urls(url, LISTS[url]())


def _error(response):
    assert response.status_code == 400
    body = response.json()
    assert body["errors"][0]["field"] == "cursor"
    return body["detail"]


def test_cursor_with_page_is_a_400_naming_cursor(api, rows):
    assert "not both" in _error(api.get("/api/v1/meetings/?cursor&page=2"))
    assert "not both" in _error(api.get("/api/v1/meetings/?cursor&page=1"))


@pytest.mark.parametrize("cursor", ["abc", "eyJ9:1x:zz", "x" * 5000])
def test_a_made_up_cursor_is_a_400_naming_cursor(api, rows, cursor):
    assert "not valid" in _error(api.get("/api/v1/meetings/", {"cursor": cursor}))


def test_a_tampered_cursor_is_a_400_naming_cursor(api, rows):
    cursor = parse_qs(
        urlsplit(api.get("/api/v1/meetings/?page_size=2&cursor").json()["next"]).query
    )["cursor"][0]
    value, _, signature = cursor.rpartition(":")
    tampered = value + ":" + ("A" if signature[0] != "A" else "B") + signature[1:]
    assert "altered" in _error(api.get("/api/v1/meetings/", {"cursor": tampered, "page_size": 2}))
    assert api.get("/api/v1/meetings/", {"cursor": cursor, "page_size": 2}).status_code == 200


def test_a_cursor_of_another_ordering_or_list_is_a_400(api, rows):
    next_url = api.get("/api/v1/commitments/?ordering=due_on&page_size=2&cursor").json()["next"]
    cursor = parse_qs(urlsplit(next_url).query)["cursor"][0]
    other = api.get("/api/v1/commitments/", {"ordering": "-due_on", "cursor": cursor})
    assert "another ordering" in _error(other)
    assert "another ordering" in _error(api.get("/api/v1/meetings/", {"cursor": cursor}))


def test_the_deletions_list_pages_by_number_only(api, rows):
    assert "by `page` only" in _error(api.get("/api/v1/deletions/?cursor"))


@pytest.mark.parametrize("path", ENDPOINTS)
def test_every_list_pages_by_cursor_with_the_queries_of_a_numbered_page(
    api, world, path, django_assert_num_queries
):
    for _ in range(6):
        EXTRA[path](world)
    expected, count = by_pages(api, f"/api/v1/{path}/", 200)
    found, _ = by_cursor(api, f"/api/v1/{path}/", 4)
    assert found == expected and count > 4
    # A full page in the middle of the list (a nullable first ordering column, such as
    # a status change's commitment's made_on, reads its NULLs in a second query on the
    # one page where the values run out).
    second = api.get(f"/api/v1/{path}/?page_size=2&cursor").json()["next"]
    # The page's ids and positions are read first (one query over the ordering's
    # columns) and the rows then fetched by id: on SQLite one query more than a
    # numbered page; on PostgreSQL a numbered page reads its ids first too
    # (igr.api.values), so the same number, except for a list read through DRF.
    ids_read_twice = connection.vendor != "postgresql" or path in THROUGH_DRF
    with django_assert_num_queries(expected_queries(path) + ids_read_twice):
        assert api.get(second).status_code == 200


def test_schema_documents_cursor_on_every_record_list_but_deletions(api, db):
    schema = api.get("/api/schema/?format=json").json()
    for path in ENDPOINTS:
        parameters = schema["paths"][f"/api/v1/{path}/"]["get"]["parameters"]
        cursor = next(p for p in parameters if p["name"] == "cursor")
        assert "`cursor` with no value is the first page" in cursor["description"], path
        assert cursor["schema"] == {"type": "string"}
    deletions = schema["paths"]["/api/v1/deletions/"]["get"]["parameters"]
    assert "cursor" not in {p["name"] for p in deletions}
    page = schema["components"]["schemas"]["PaginatedMeetingList"]["properties"]
    assert "`cursor`" in page["next"]["description"]


def test_a_search_pages_by_cursor_in_its_rank_order(api, rows):
    for index, meeting in enumerate(rows):
        meeting.summary = "Transport. " * (index % 3 + 1) + "Skills."
        meeting.save()
    expected, count = by_pages(api, "/api/v1/meetings/?q=transport", 200)
    found, _ = by_cursor(api, "/api/v1/meetings/?q=transport", 2)
    assert found == expected and count == len(rows)


@pytest.mark.parametrize("path", ENDPOINTS)
@pytest.mark.parametrize("sign", ["", "-"])
def test_every_list_pages_by_cursor_in_a_documented_ordering_both_ways(api, world, path, sign):
    field = ENDPOINTS[path][3]
    url = f"/api/v1/{path}/?ordering={sign}{field}"
    expected, count = by_pages(api, url, 200)
    found, _ = by_cursor(api, url, 1)
    # Numbered pages and cursor pages read the same total order (ties broken by id:
    # igr.lib.keyset.totally_ordered), so they list the same rows in the same order.
    assert found == expected and len(set(found)) == count >= 2

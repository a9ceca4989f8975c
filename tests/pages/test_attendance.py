"""/attendance/: the person × forum table a page at a time, like the other lists: the
same page size and page links, filters kept in the URL and checked by the API's
AttendanceFilter, a count of groups and one page of groups from the database (never all
of them), the CSV of every row, and cached figures that follow every write."""

import csv
import datetime
import io
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import AttendanceFactory, ForumFactory, MeetingFactory, PersonFactory

pytestmark = pytest.mark.django_db

PAGE_SIZE = 25  # FilteredListView.paginate_by, the other lists' page size


def table_people(response):
    """The person names in the table's rows, in order."""
    body = response.content.decode()
    return re.findall(r'<th scope="row" class="govuk-table__header"><a [^>]*>([^<]+)</a>', body)


def attend(forum, people, *, date=datetime.date(2025, 3, 4), mode="in_person"):
    meeting = MeetingFactory(forum=forum, date=date)
    for person in people:
        AttendanceFactory(meeting=meeting, person=person, mode=mode)
    return meeting


def make_people(n, prefix="Person"):
    # Zero-padded, so name order is number order.
    return [PersonFactory(name=f"{prefix} {i:03d}") for i in range(n)]


def test_the_table_is_paged_at_the_lists_page_size(client):
    forum = ForumFactory()
    people = make_people(PAGE_SIZE + 5)
    attend(forum, people)

    first = client.get("/attendance/")
    assert first.status_code == 200
    assert table_people(first) == [p.name for p in people[:PAGE_SIZE]]
    body = first.content.decode()
    assert f"{PAGE_SIZE + 5} person and forum pairs." in body
    assert 'aria-label="Pages of results"' in body
    assert 'href="?page=2" rel="next"' in body

    second = client.get("/attendance/", {"page": 2})
    assert table_people(second) == [p.name for p in people[PAGE_SIZE:]]
    assert 'href="?page=1" rel="prev"' in second.content.decode()
    assert "Pages of results" not in client.get("/attendance/", {"forum": "x"}).content.decode()


def test_a_short_table_has_no_page_links(client):
    attend(ForumFactory(), make_people(3))
    response = client.get("/attendance/")
    assert len(table_people(response)) == 3
    assert "Pages of results" not in response.content.decode()


def test_rows_are_counted_per_person_and_forum_by_mode(client):
    forum, other = ForumFactory(name="Alpha Forum"), ForumFactory(name="Beta Forum")
    (person,) = make_people(1)
    attend(forum, [person], date=datetime.date(2025, 1, 1))
    attend(forum, [person], date=datetime.date(2025, 2, 1), mode="apologies")
    attend(other, [person], date=datetime.date(2025, 3, 1), mode="virtual")
    MeetingFactory(forum=forum, publication_state="draft", published_at=None)
    draft = MeetingFactory(forum=forum, publication_state="draft", published_at=None)
    AttendanceFactory(meeting=draft, person=person)

    body = client.get("/attendance/").content.decode()
    assert "2 person and forum pairs." in body
    cells = re.findall(r"<tr class=\"govuk-table__row\">(.*?)</tr>", body, re.S)[1:]
    numbers = [re.findall(r"numeric\">(\d+)</td>", cell) for cell in cells]
    # In person, virtually, substitute, apologies; the draft meeting's row is not counted.
    assert numbers == [["1", "0", "0", "1"], ["0", "1", "0", "0"]]


def test_page_links_and_csv_link_carry_the_filters(client):
    forum = ForumFactory(slug="mayoral-council")
    attend(forum, make_people(PAGE_SIZE + 1), date=datetime.date(2025, 3, 4))
    params = {"forum": "mayoral-council", "date_after": "2025-01-01", "date_before": "2025-12-31"}
    body = client.get("/attendance/", params).content.decode()
    query = "forum=mayoral-council&amp;date_after=2025-01-01&amp;date_before=2025-12-31"
    assert f'href="?{query}&amp;page=2"' in body
    assert f'href="?{query}&amp;format=csv"' in body
    assert f"{PAGE_SIZE + 1} person and forum pairs match the filters." in body

    second = client.get("/attendance/", {**params, "page": 2})
    assert len(table_people(second)) == 1
    assert f'href="?{query}&amp;page=1" rel="prev"' in second.content.decode()


def test_the_count_is_of_person_and_forum_pairs_even_when_names_are_shared(client):
    forum, other = ForumFactory(name="Alpha Forum"), ForumFactory(name="Beta Forum")
    twins = [PersonFactory(name="Sam Smith"), PersonFactory(name="Sam Smith")]
    attend(forum, twins, date=datetime.date(2025, 1, 1))
    attend(forum, twins, date=datetime.date(2025, 2, 1))
    attend(other, twins[:1], date=datetime.date(2025, 3, 1))
    response = client.get("/attendance/")
    assert "3 person and forum pairs." in response.content.decode()
    assert table_people(response) == ["Sam Smith"] * 3


def test_forum_and_date_filters_narrow_the_table(client):
    forum, other = ForumFactory(slug="mayoral-council"), ForumFactory(slug="cnr")
    attend(forum, make_people(2, "Mayor"), date=datetime.date(2025, 1, 10))
    attend(other, make_people(3, "Minister"), date=datetime.date(2025, 6, 10))

    by_forum = table_people(client.get("/attendance/", {"forum": "cnr"}))
    assert by_forum == ["Minister 000", "Minister 001", "Minister 002"]
    by_date = table_people(
        client.get("/attendance/", {"date_after": "2025-01-01", "date_before": "2025-01-31"})
    )
    assert by_date == ["Mayor 000", "Mayor 001"]
    nothing = client.get("/attendance/", {"forum": "cnr", "date_before": "2025-01-31"})
    assert table_people(nothing) == []
    assert "No attendance is recorded for these filters." in nothing.content.decode()


@pytest.mark.parametrize(
    "params,message,anchor",
    [
        ({"forum": "nowhere"}, "Select a valid choice", "#id_forum"),
        ({"date_after": "2025-02-31"}, "Enter a valid date", "#id_date_0"),
    ],
)
def test_a_bad_filter_shows_the_error_summary_and_no_table(client, params, message, anchor):
    attend(ForumFactory(), make_people(2))
    response = client.get("/attendance/", params)
    assert response.status_code == 200
    body = response.content.decode()
    assert "There is a problem with the filters" in body
    assert f'<a href="{anchor}">{message}' in body
    assert table_people(response) == []
    # Nothing was looked up: not "0 pairs match", and no "nothing recorded" either.
    assert "No attendance is listed until the problem above is fixed." in body
    assert "match the filters" not in body and "No attendance is recorded" not in body


@pytest.mark.parametrize("page", ["99", "0", "-1", "abc", "2"])
def test_a_bad_page_number_answers_as_the_other_lists_do(client, page):
    attend(ForumFactory(), make_people(3))
    MeetingFactory.create_batch(3)
    meetings = client.get("/meetings/", {"page": page}).status_code
    attendance = client.get("/attendance/", {"page": page}).status_code
    assert attendance == meetings == 404


def test_page_last_answers_as_the_other_lists_do(client):
    attend(ForumFactory(), make_people(PAGE_SIZE + 2))
    response = client.get("/attendance/", {"page": "last"})
    assert response.status_code == 200
    assert len(table_people(response)) == 2


# -- queries: bounded in the database, and not growing with the rows ---------------------


def attendance_queries(client, params=None):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get("/attendance/", params or {})
    assert response.status_code == 200
    return response, [q["sql"] for q in ctx.captured_queries]


def test_query_count_does_not_grow_with_rows(client, django_assert_num_queries):
    forum = ForumFactory()
    attend(forum, make_people(5, "Early"))
    # The data fingerprint keying the cached count, the COUNT of person × forum groups,
    # the fingerprint again keying the cached page, one page of groups, the forums'
    # meetings with and without recorded attendance (one grouped query), the forum
    # options of the filter form. Nothing per row.
    with django_assert_num_queries(6):
        client.get("/attendance/")
    attend(forum, make_people(60, "Late"))
    attend(ForumFactory(), make_people(5, "Other"))
    with django_assert_num_queries(6):
        client.get("/attendance/", {"page": 3})


def test_the_database_counts_groups_and_sends_one_page_of_them(client):
    attend(ForumFactory(), make_people(2 * PAGE_SIZE + 3))
    response, sql = attendance_queries(client, {"page": 2})
    assert len(table_people(response)) == PAGE_SIZE
    (count,) = [q for q in sql if "forums_attendance" in q and "COUNT(*)" in q]
    (page,) = [q for q in sql if "forums_attendance" in q and "GROUP BY" in q]
    # The total is a COUNT over the distinct person × forum pairs, in the database.
    assert re.match(r"SELECT COUNT\(\*\) FROM \(SELECT DISTINCT", count)
    # The page is LIMIT/OFFSET on the grouped SELECT.
    assert f"LIMIT {PAGE_SIZE} OFFSET {PAGE_SIZE}" in page


def test_a_repeat_reads_the_cache_and_a_write_shows_at_once(client):
    forum = ForumFactory()
    people = make_people(PAGE_SIZE)
    meeting = attend(forum, people)
    response, sql = attendance_queries(client)
    assert len(sql) == 6
    # Repeated: the two fingerprints and the forum options; count and page are cached.
    response, sql = attendance_queries(client)
    assert len(sql) == 3 and not any("GROUP BY" in q for q in sql)
    assert "Pages of results" not in response.content.decode()

    late = PersonFactory(name="Zed Late")
    AttendanceFactory(meeting=meeting, person=late)
    response, sql = attendance_queries(client)
    assert len(sql) == 6
    assert f"{PAGE_SIZE + 1} person and forum pairs." in response.content.decode()
    assert table_people(client.get("/attendance/", {"page": 2})) == ["Zed Late"]

    meeting.attendances.filter(person=late).delete()
    # A delete lowers no id, so it shows through the history row it writes.
    response = client.get("/attendance/")
    assert f"{PAGE_SIZE} person and forum pairs." in response.content.decode()
    assert client.get("/attendance/", {"page": 2}).status_code == 404


# -- CSV ---------------------------------------------------------------------------------


def csv_rows(response):
    return list(csv.DictReader(io.StringIO(response.getvalue().decode())))


def test_csv_holds_every_row_of_the_filters_across_pages(client):
    forum, other = ForumFactory(slug="mayoral-council"), ForumFactory(slug="cnr")
    people = make_people(PAGE_SIZE + 5)
    attend(forum, people)
    attend(forum, people[:1], mode="apologies", date=datetime.date(2025, 4, 1))
    attend(other, make_people(2, "Elsewhere"))

    response = client.get("/attendance/", {"forum": "mayoral-council", "format": "csv"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert 'filename="igr-attendance-' in response["Content-Disposition"]
    rows = csv_rows(response)
    assert [r["person_name"] for r in rows] == [p.name for p in people]
    assert {r["forum"] for r in rows} == {"mayoral-council"}
    first = rows[0]
    assert (first["in_person"], first["apologies"], first["meetings"]) == ("1", "1", "2")
    assert list(first) == [
        "person",
        "person_name",
        "forum",
        "forum_name",
        "in_person",
        "virtual",
        "substitute",
        "apologies",
        "meetings",
        "present_at_recorded",
        "forum_meetings_recorded",
        "forum_meetings_unrecorded",
    ]
    # Neither meeting's attendance is recorded: present where recorded is 0 of 0.
    assert (
        first["present_at_recorded"],
        first["forum_meetings_recorded"],
        first["forum_meetings_unrecorded"],
    ) == ("0", "0", "2")


def test_present_is_counted_over_meetings_with_recorded_attendance_and_says_so(client):
    # Issue 15: a row counted appearances only, so a forum with little recorded read as
    # poor attendance. Present at 3 of the 4 recorded meetings; unknown for 6 others.
    forum = ForumFactory()
    person = PersonFactory(name="Ann Example")
    for day in range(1, 5):
        meeting = MeetingFactory(
            forum=forum, date=datetime.date(2025, 1, day), attendance_recorded=True
        )
        if day < 4:
            AttendanceFactory(meeting=meeting, person=person)
    for day in range(1, 7):
        meeting = MeetingFactory(forum=forum, date=datetime.date(2025, 2, day))
        if day == 1:
            AttendanceFactory(meeting=meeting, person=person)

    body = client.get("/attendance/").content.decode()
    assert "3 of 4; unknown for 6" in body
    (row,) = csv_rows(client.get("/attendance/", {"format": "csv"}))
    assert (row["meetings"], row["present_at_recorded"]) == ("4", "3")
    assert (row["forum_meetings_recorded"], row["forum_meetings_unrecorded"]) == ("4", "6")


def test_csv_of_a_bad_filter_is_a_400_naming_the_field(client, db):
    response = client.get("/attendance/", {"forum": "nowhere", "format": "csv"})
    assert response.status_code == 400
    assert response.content.decode().startswith("forum:")


def test_csv_streams_the_header_first_then_the_rows_a_block_of_people_at_a_time(
    client, monkeypatch, django_assert_num_queries
):
    """Blocks of two people: the rows come in the one grouped query's order (names, then
    slugs for a shared name, then forums), which is not the people's id order."""
    from forums.stats import aggregates

    monkeypatch.setattr(aggregates, "SUMMARY_CHUNK_PEOPLE", 2)
    alpha, beta = ForumFactory(name="Alpha"), ForumFactory(name="Beta")
    people = [
        PersonFactory(name="Zoe Last", slug="zoe"),
        PersonFactory(name="Sam Same", slug="sam-b"),
        PersonFactory(name="Amy First", slug="amy"),
        PersonFactory(name="Sam Same", slug="sam-a"),
        PersonFactory(name="Mo Middle", slug="mo"),
    ]
    attend(beta, people)
    attend(alpha, people[1:4], date=datetime.date(2025, 5, 6), mode="virtual")
    whole = aggregates.attendance_summary()  # one grouped query: the order to keep

    response = client.get("/attendance/", {"format": "csv"})
    assert response.streaming
    chunks = iter(response.streaming_content)
    with django_assert_num_queries(0):  # the header goes before any row is read
        header = next(chunks)
    assert header.decode().startswith("person,person_name,forum,")
    assert header.count(b"\n") == 1
    # Which forums' attendance is recorded, the people in order, then one grouped
    # query per block of two people: three blocks for five.
    with django_assert_num_queries(5):
        body = header + b"".join(chunks)
    rows = list(csv.DictReader(io.StringIO(body.decode())))
    assert [(r["person"], r["forum"]) for r in rows] == [(w["person"], w["forum"]) for w in whole]
    assert [r["person"] for r in rows] == [
        "amy", "amy", "mo", "sam-a", "sam-a", "sam-b", "sam-b", "zoe",
    ]  # fmt: skip
    assert response["Link"].endswith('rel="license"')

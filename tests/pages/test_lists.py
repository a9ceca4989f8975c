"""List pages: the API's FilterSets, errors on the page, CSV of exactly the filtered list,
pagination that keeps the filters, and query counts that do not grow with the rows."""

import csv
import datetime
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from forums.services import record_status_change
from tests.factories import (
    AuthorityFactory,
    CommitmentFactory,
    ForumFactory,
    ForumMembershipFactory,
    MeetingFactory,
)

pytestmark = pytest.mark.django_db


def rows(response):
    return list(csv.DictReader(io.StringIO(response.getvalue().decode())))


def test_commitment_filters_change_the_results(client, world):
    body = client.get("/commitments/", {"status": "delivered"}).content.decode()
    assert "Meet twice a year" in body
    assert "Publish a devolution framework" not in body
    body = client.get("/commitments/", {"forum": "mayoral-council"}).content.decode()
    assert "Publish a devolution framework" in body
    assert "Meet twice a year" not in body
    body = client.get("/commitments/", {"overdue": "true"}).content.decode()
    assert "Publish a devolution framework" in body
    assert "Meet twice a year" not in body
    body = client.get(
        "/commitments/",
        {"recommendation": world.recs[0].slug, "lead_authority": "greater-manchester"},
    ).content.decode()
    assert "Publish a devolution framework" in body and "Meet twice a year" not in body


def test_meeting_filters_change_the_results(client, world):
    body = client.get(
        "/meetings/", {"date_after": "2025-05-01", "date_before": "2025-05-31"}
    ).content.decode()
    assert world.other_meeting.get_absolute_url() in body
    assert world.meeting.get_absolute_url() not in body
    body = client.get("/meetings/", {"status": "scheduled"}).content.decode()
    assert world.upcoming.get_absolute_url() in body
    assert world.meeting.get_absolute_url() not in body
    body = client.get("/meetings/", {"authority": "west-yorkshire"}).content.decode()
    assert world.meeting.get_absolute_url() in body
    assert world.other_meeting.get_absolute_url() not in body


def test_meetings_page_filters_on_occurrence_and_attendance_records(client, world):
    unconfirmed = MeetingFactory(forum=world.meeting.forum, occurrence_confirmed=False)
    recorded = MeetingFactory(forum=world.meeting.forum, attendance_recorded=True)
    body = client.get("/meetings/").content.decode()
    for name in ("occurrence_confirmed", "attendance_recorded"):
        # Offered in the form as the page's other yes/no filters are: Any, Yes, No.
        assert f'<select class="govuk-select" id="id_{name}" name="{name}"' in body
    body = client.get("/meetings/", {"occurrence_confirmed": "false"}).content.decode()
    assert unconfirmed.get_absolute_url() in body
    assert world.meeting.get_absolute_url() not in body
    body = client.get("/meetings/", {"attendance_recorded": "true"}).content.decode()
    assert recorded.get_absolute_url() in body
    assert unconfirmed.get_absolute_url() not in body
    body = client.get("/meetings/", {"attendance_recorded": "perhaps"}).content.decode()
    assert "is not true or false" in body


@pytest.mark.parametrize(
    "url,params,message",
    [
        ("/commitments/", {"status": "finished"}, "Select a valid choice"),
        ("/commitments/", {"forum": "no-such-forum"}, "Select a valid choice"),
        ("/meetings/", {"date_after": "2025-02-31"}, "Enter a valid date"),
        ("/meetings/", {"forum": "x" * 300}, "Select a valid choice"),
        ("/forums/", {"is_statutory": "perhaps"}, "is not true or false"),
        ("/authorities/", {"kind": "empire"}, "Select a valid choice"),
        ("/changes/", {"effective_after": "yesterday"}, "Enter a valid date"),
        ("/attendance/", {"forum": "nowhere"}, "Select a valid choice"),
    ],
)
def test_a_bad_filter_value_shows_an_error_on_the_page(client, world, url, params, message):
    response = client.get(url, params)
    assert response.status_code == 200
    body = response.content.decode()
    if message:
        assert "There is a problem with the filters" in body
        assert message in body
        # Nothing was looked up, and the page says so rather than "0 match" or "No … matches".
        assert "listed until the problem above is fixed." in body
        assert " match the filters." not in body and " matches.</p>" not in body


def test_a_draft_forum_is_not_offered_and_is_an_unknown_filter_value(client, world):
    body = client.get("/commitments/").content.decode()
    assert "Secret Draft Forum" not in body
    body = client.get("/commitments/", {"forum": world.draft_forum.slug}).content.decode()
    assert "There is a problem with the filters" in body
    # The message lists the forums the page takes, and the draft is not among them.
    listed = body.split("Valid values: ", 1)[1].split(".", 1)[0]
    assert world.meeting.forum.slug in listed
    assert world.draft_forum.slug not in listed


def test_csv_holds_exactly_the_filtered_list_across_pages(client, world):
    for n in range(30):
        CommitmentFactory(meeting=world.meeting, title=f"Bulk commitment {n}")
    response = client.get("/commitments/", {"forum": "mayoral-council", "format": "csv"})
    assert response["Content-Type"].startswith("text/csv")
    titles = {row["title"] for row in rows(response)}
    assert len(titles) == 31  # more than one page of 25
    assert "Publish a devolution framework" in titles
    assert "Meet twice a year" not in titles  # another forum's
    assert "Secret draft commitment" not in titles


def test_csv_streams_the_header_then_rows_in_chunks_of_whole_lines(client, world, monkeypatch):
    from igr import listing

    monkeypatch.setattr(listing, "CSV_ROWS_PER_CHUNK", 10)
    for n in range(30):
        CommitmentFactory(meeting=world.meeting, title=f'Bulk, "quoted" commitment {n}')
    response = client.get("/commitments/", {"forum": "mayoral-council", "format": "csv"})
    assert response.streaming
    assert 'filename="igr-commitments-' in response["Content-Disposition"]
    assert response["Link"].endswith('rel="license"')
    chunks = [chunk.decode() for chunk in response.streaming_content]
    assert chunks[0].startswith("id,title,status,") and chunks[0].count("\r\n") == 1
    # 31 rows: three chunks of ten and one of one, each ending at the end of a line.
    assert [len(list(csv.reader(io.StringIO(c)))) for c in chunks[1:]] == [10, 10, 10, 1]
    assert all(c.endswith("\r\n") for c in chunks)
    # The bytes csv.writer writes for the same rows into one file.
    parsed = list(csv.reader(io.StringIO("".join(chunks))))
    written = io.StringIO()
    csv.writer(written).writerows(parsed)
    assert "".join(chunks) == written.getvalue()
    assert 'Bulk, ""quoted"" commitment 7' in written.getvalue()


def test_list_page_links_to_the_csv_of_its_filters(client, world):
    body = client.get("/meetings/", {"forum": "mayoral-council"}).content.decode()
    assert "?forum=mayoral-council&amp;format=csv" in body
    csv_rows = rows(client.get("/meetings/", {"forum": "mayoral-council", "format": "csv"}))
    assert {r["slug"] for r in csv_rows} == {world.meeting.slug, world.upcoming.slug}


def test_csv_of_a_bad_filter_is_a_400_naming_the_field(client, world):
    response = client.get("/meetings/", {"status": "nope", "format": "csv"})
    assert response.status_code == 400
    assert "status" in response.content.decode()


def test_pagination_keeps_the_filters(client, world):
    for _ in range(30):
        MeetingFactory(forum=world.forum)
    body = client.get("/meetings/", {"forum": "mayoral-council"}).content.decode()
    assert "?forum=mayoral-council&amp;page=2" in body
    second = client.get("/meetings/", {"forum": "mayoral-council", "page": 2})
    assert second.status_code == 200


def test_a_page_past_the_end_is_404(client, world):
    assert client.get("/meetings/", {"page": 99}).status_code == 404


# -- query counts: the same at 5 and at 50 rows, so no page grows a query per row -----


def make_rows(n):
    forum = ForumFactory()
    authorities = [AuthorityFactory(), AuthorityFactory()]
    for authority in authorities:
        ForumMembershipFactory(forum=forum, authority=authority)
    for i in range(n):
        meeting = MeetingFactory(forum=forum, host_authority=authorities[i % 2])
        commitment = CommitmentFactory(meeting=meeting, lead_authority=authorities[i % 2])
        record_status_change(
            commitment=commitment,
            new_status="in_progress",
            effective_on=datetime.date(2025, 6, 1),
            note="Started.",
            evidence_meeting=meeting,
        )
        ForumFactory()
        AuthorityFactory()


def count_queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx)


# Each list page: the data fingerprint and the paginator's count (the count is cached
# under the fingerprint, igr.api.pagination.CachedCountPaginator; the rows change
# between the requests here, so it is counted each time), the filter option lists (one
# per select shown), the page of rows with its select_related joins, nothing per row.
EXPECTED_QUERIES = {
    # fingerprint, count; forums, authorities, recommendations (selects); page of
    # meetings joined to forum and host authority
    "/meetings/": 6,
    # fingerprint, count; forums, lead authorities, recommendations (selects); page of
    # commitments joined to meeting, its forum, forum and lead authority
    "/commitments/": 6,
    # fingerprint, count; member authorities (select); page of forums; forums_health: the
    # data fingerprint keying its cache, then from the stored figures meeting totals, the
    # last 12 months' meetings, commitment totals, open commitments not yet due, then the
    # page's forums with their last meeting date
    "/forums/": 10,
    # fingerprint, count; member-of-forum (select); page of authorities
    "/authorities/": 4,
    # fingerprint, count; forums (select); page of changes joined to commitment, source,
    # meeting, forum
    "/changes/": 4,
}


@pytest.mark.parametrize("url,expected", EXPECTED_QUERIES.items())
def test_list_page_query_count_does_not_grow_with_rows(client, url, expected):
    make_rows(5)
    at_five = count_queries(client, url)
    make_rows(45)
    at_fifty = count_queries(client, url)
    assert at_five == at_fifty == expected


def test_commitment_list_with_overdue_flag_counts_no_extra_queries(client):
    make_rows(3)
    CommitmentFactory(due_on=datetime.date(2020, 1, 1))
    assert count_queries(client, "/commitments/?overdue=true") == EXPECTED_QUERIES["/commitments/"]


@pytest.mark.parametrize(
    "extra",
    [
        {"utm_source": "bluesky", "utm_medium": "social"},
        {"fbclid": "IwAR0abc"},
        {"gclid": "Cj0KCQ"},
        {"mc_cid": "1a2b", "mc_eid": "3c4d"},
    ],
)
def test_a_shared_link_with_tracking_parameters_still_shows_its_list(client, world, extra):
    """Sharing and mailing tools add utm_* and click ids to a link; the list still shows,
    filtered as the link says, and its page and CSV links leave them out."""
    forum = world.meeting.forum.slug
    plain = client.get("/meetings/", {"forum": forum}).content.decode()
    response = client.get("/meetings/", {"forum": forum, **extra})
    assert response.status_code == 200
    body = response.content.decode()
    assert "There is a problem" not in body
    assert world.meeting.get_absolute_url() in body
    assert body.count("/meetings/") == plain.count("/meetings/")
    for name in extra:
        assert name not in body  # not in the CSV link, nor the page links
    # Any other unknown parameter is still a mistake the page names.
    other = client.get("/meetings/", {"forum": forum, "utmsource": "x"}).content.decode()
    assert "There is a problem with the filters" in other


def test_the_api_still_names_a_tracking_parameter_as_unknown(client, world):
    response = client.get(
        "/api/v1/meetings/", {"utm_source": "newsletter"}, HTTP_ACCEPT="application/json"
    )
    assert response.status_code == 400
    assert "utm_source" in response.json()["detail"]

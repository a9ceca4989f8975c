"""Attendance as expected / present / apologies / absent / unknown (issue 15): a held
meeting whose sources do not list who attended says so, is left out of attendance rates,
is listed on /coverage/, shows as unknown in the matrix, and an authority's and a person's
pages read like a council's member attendance record."""

import datetime
import re

import pytest

from forums.stats import aggregates
from tests.admin.conftest import flat, form_data
from tests.factories import (
    AttendanceFactory,
    AuthorityFactory,
    ForumFactory,
    ForumMembershipFactory,
    MeetingFactory,
    OfficeFactory,
    PersonFactory,
)

pytestmark = pytest.mark.django_db

# The pages' queries before issue 15, and one more: the expected meetings with their status.
# The person page has two more for the forums sat on through offices (Person.forum_seats:
# the offices, then the memberships of their authorities; issue 18).
AUTHORITY_QUERIES = 9 + 1
PERSON_QUERIES = 3 + 1 + 2


def text(response) -> str:
    assert response.status_code == 200
    return re.sub(r"\s+", " ", response.content.decode())


@pytest.fixture
def world():
    """Greater Example belongs to the forum from 2025; it has six held meetings: one
    before it joined, two recorded (present at one, absent from the other), three not
    recorded (apologies at one, nothing listed at two)."""
    forum = ForumFactory(name="Example Council")
    authority = AuthorityFactory(name="Greater Example")
    mayor = PersonFactory(name="Pat Mayor")
    OfficeFactory(person=mayor, authority=authority, started_on=datetime.date(2024, 5, 1))
    ForumMembershipFactory(forum=forum, authority=authority, started_on=datetime.date(2025, 1, 1))
    day = datetime.date
    before = MeetingFactory(forum=forum, date=day(2024, 6, 1), attendance_recorded=True)
    present = MeetingFactory(forum=forum, date=day(2025, 2, 1), attendance_recorded=True)
    absent = MeetingFactory(forum=forum, date=day(2025, 3, 1), attendance_recorded=True)
    apologies = MeetingFactory(forum=forum, date=day(2025, 4, 1))
    unknown = [MeetingFactory(forum=forum, date=day(2025, m, 1)) for m in (5, 6)]
    AttendanceFactory(meeting=present, person=mayor, authority=authority)
    AttendanceFactory(meeting=apologies, person=mayor, authority=authority, mode="apologies")
    # Someone else was at the meeting it was absent from.
    AttendanceFactory(meeting=absent)
    return {
        "forum": forum,
        "authority": authority,
        "mayor": mayor,
        "before": before,
        "absent": absent,
        "unknown": unknown,
    }


def test_authority_page_reads_like_member_attendance(client, world):
    page = text(client.get(world["authority"].get_absolute_url()))
    assert (
        "Expected at 5 held meetings of forums Greater Example belonged to on the day: "
        "present at 1; sent apologies to 1; absent from 1; unknown for 2." in page
    )
    assert "Unknown: attendance not recorded" in page
    assert world["before"].get_absolute_url() not in page.split("Meetings attended")[0]


def test_person_page_reads_like_member_attendance(client, world):
    page = text(client.get(world["mayor"].get_absolute_url()))
    assert (
        "Expected at 5 held meetings of forums an authority they held office at belonged to "
        "on the day: present at 1; sent apologies to 1; absent from 1; unknown for 2." in page
    )


def test_a_person_without_office_at_a_member_is_not_expected(client, world):
    elsewhere = OfficeFactory(authority=AuthorityFactory()).person  # not a member
    page = text(client.get(elsewhere.get_absolute_url()))
    assert "Not expected at any held meeting in the record" in page


def test_detail_pages_add_one_query_each(client, world, django_assert_num_queries):
    # The expected meetings with their status are one query, whatever their number.
    urls = {
        world["authority"].get_absolute_url(): AUTHORITY_QUERIES,
        world["mayor"].get_absolute_url(): PERSON_QUERIES,
    }
    for url, queries in urls.items():
        with django_assert_num_queries(queries):
            client.get(url)
    for month in (7, 8, 9):
        MeetingFactory(forum=world["forum"], date=datetime.date(2025, month, 1))
    for url, queries in urls.items():
        with django_assert_num_queries(queries):
            client.get(url)


def test_meeting_page_says_whether_attendance_is_recorded(client, world):
    assert "Attendance is recorded: the sources list who attended" in text(
        client.get(world["absent"].get_absolute_url())
    )
    assert "Attendance not recorded" in text(client.get(world["unknown"][0].get_absolute_url()))


def test_coverage_lists_held_meetings_whose_attendance_is_not_recorded(client, world):
    page = text(client.get("/coverage/"))
    section = page.split("Held meetings whose attendance is not recorded (3)")[1].split("<h2")[0]
    for meeting in world["unknown"]:
        assert meeting.get_absolute_url() in section
    assert world["absent"].get_absolute_url() not in section


def test_forum_page_says_over_how_many_meetings_the_rate_is_worked_out(client, world):
    page = text(client.get(world["forum"].get_absolute_url()))
    # One member on two recorded meetings after it joined: present at one of them.
    assert (
        "50% of member authorities present, over the 3 meetings with recorded attendance; "
        "unknown for 3 other held meetings" in page
    )


def test_matrix_shows_unknown_as_unknown_and_not_listed_only_where_recorded(client, world):
    body = client.get("/api/v1/attendance-matrix/", {"forum": world["forum"].slug}).json()
    slugs = [m["slug"] for m in body["meetings"]]
    (mayor,) = [row for row in body["people"] if row["person_name"] == "Pat Mayor"]
    cells = dict(zip(slugs, mayor["cells"], strict=True))
    assert cells[world["absent"].slug] == "not_listed"
    assert None not in mayor["cells"]
    recorded = {m["slug"]: m["attendance_recorded"] for m in body["meetings"]}
    assert recorded[world["absent"].slug] is True
    assert "unknown" in body["modes"] and "not_listed" in body["modes"]
    # The other attendee, listed only at a recorded meeting, is unknown at the apologies one.
    (other,) = [row for row in body["people"] if row["person_name"] != "Pat Mayor"]
    assert "unknown" in other["cells"]


def test_meeting_api_and_csv_carry_attendance_recorded(client, world):
    body = client.get(f"/api/v1/meetings/{world['absent'].slug}/").json()
    assert body["attendance_recorded"] is True
    csv = client.get("/meetings/", {"format": "csv"}).getvalue().decode()
    assert "attendance_recorded" in csv.splitlines()[0]


def test_staff_tick_attendance_recorded_in_the_meeting_admin(world, publisher_client):
    meeting = world["unknown"][0]
    url = f"/admin/forums/meeting/{meeting.pk}/change/"
    response = publisher_client.get(url)
    assert 'name="attendance_recorded"' in response.content.decode()
    data = flat(form_data(response))
    data.update({"attendance_recorded": "on", "change_reason": "The communiqué lists everyone."})
    assert publisher_client.post(url, data).status_code == 302
    meeting.refresh_from_db()
    assert meeting.attendance_recorded is True
    # The stored figures followed (tests/conftest.py checks them against a rebuild too).
    assert aggregates.forum_health(world["forum"])["attendance_recorded_meetings"] == 4


def test_a_person_whose_authority_someone_else_attended_for_is_not_absent(client, world):
    # A second office holder at the same authority: where the mayor went, the authority was
    # represented, so the deputy was not "absent"; where nobody from it went, both were.
    deputy = PersonFactory(name="Dee Deputy")
    OfficeFactory(
        person=deputy,
        authority=world["authority"],
        title="Deputy Mayor",
        started_on=datetime.date(2024, 5, 1),
    )
    page = text(client.get(deputy.get_absolute_url()))
    assert (
        "present at 0; sent apologies to 0; someone else represented their authority at 1; "
        "absent from 1; unknown for 3." in page
    )
    assert "Not there; someone else represented their authority" in page


def test_methodology_says_how_unknown_attendance_and_unconfirmed_meetings_are_counted(client):
    page = text(client.get("/methodology/"))
    assert "such meetings are left out of attendance rates" in page
    assert "counted nowhere as held" in page

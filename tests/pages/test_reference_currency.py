"""On the reference data: how current the record is, and the possible Mayoral Council
meeting of 23 May 2025 (issue 15: audit A1, A3)."""

import datetime

import icalendar
import pytest

from forums.models import Forum
from forums.stats import aggregates
from igr import policy
from tests.worlds import module_reference_data

reference_data = module_reference_data()

pytestmark = pytest.mark.django_db

POSSIBLE = "/meetings/mayoral-council-2025-05-23/"


def _status(client, url, meeting_url):
    calendar = icalendar.Calendar.from_ical(client.get(url).content)
    for event in calendar.walk("VEVENT"):
        if str(event["url"]).endswith(meeting_url):
            return str(event["status"])
    raise AssertionError(f"{meeting_url} not in {url}")


def test_possible_mayoral_council_meeting_is_not_last_met(reference_data):
    forum = Forum.objects.get(slug="mayoral-council")
    health = aggregates.forum_health(forum, today=datetime.date(2026, 12, 1))
    assert health["last_meeting_on"] == datetime.date(2025, 1, 23)
    assert health["unconfirmed_meeting_on"] == datetime.date(2025, 5, 23)


def test_mayoral_council_page_flags_the_possible_meeting_beside_the_last(reference_data, client):
    page = client.get("/forums/mayoral-council/").content.decode()
    assert "No meeting recorded since 23 January 2025" in page
    assert "No meeting recorded since 23 May 2025" not in page
    assert (
        "A meeting on 23 May 2025 is recorded but its date or occurrence is not confirmed" in page
    )
    assert "(sources checked to 1 December 2026)" in page


def test_possible_mayoral_council_meeting_is_tentative_in_both_calendars(reference_data, client):
    assert _status(client, "/meetings.ics", POSSIBLE) == "TENTATIVE"
    assert _status(client, "/forums/mayoral-council/meetings.ics", POSSIBLE) == "TENTATIVE"
    assert _status(client, "/meetings.ics", "/meetings/mayoral-council-2025-01-23/") == "CONFIRMED"


def test_no_forum_shows_a_red_verdict_unless_its_record_is_checked(reference_data, client):
    unchecked = Forum.objects.get(slug="mayoral-council")
    with policy.writing() as write:
        unchecked.record_checked_to = None
        unchecked.save()
        write.touched(unchecked)
    for row in aggregates.forums_health():
        if row["overdue"]:
            assert row["record_checked_to"] is not None, row["slug"]
    page = client.get("/forums/mayoral-council/").content.decode()
    assert "This forum is overdue to meet" not in page
    assert "Unknown: sources not checked" in page
    listing = client.get("/forums/").content.decode()
    card = listing.split('href="/forums/mayoral-council/"')[1].split("govuk-summary-card__content")[
        0
    ]
    assert "Overdue to meet" not in card


def test_home_page_says_the_record_is_checked_to_1_december_2026(reference_data, client):
    page = client.get("/").content.decode()
    assert "Record checked to <strong>1 December 2026</strong>" in page
    assert "every forum's sources were searched for meetings up to that date" in page


def test_home_page_says_no_scheduled_meeting_is_recorded_not_that_none_is_scheduled(
    reference_data, client
):
    """The record holds no future meeting; that is a gap in what is known, not a fact
    that no forum has one planned."""
    page = client.get("/").content.decode()
    assert "No scheduled meeting is recorded." in page
    assert "No meeting is scheduled" not in page


def test_my_area_does_not_give_the_possible_meeting_as_the_latest_held(reference_data, client):
    """My area's "latest meeting held" follows forum health's "last met": the possible
    Mayoral Council meeting of 23 May 2025 is not it (issue 15 rule met issue 18's page)."""
    response = client.get("/my-area/manchester/")
    assert response.status_code == 200
    page = response.content.decode()
    row = page[page.index(">Mayoral Council<") :]
    row = row[: row.index("</tr>")]
    assert POSSIBLE not in row
    assert "/meetings/mayoral-council-2025-01-23/" in row


def test_authority_page_flags_a_mayor_whose_dates_no_source_confirms(reference_data, client):
    """Greater Manchester's mayor since the by-election rests on unconfirmed sources in
    the reference data; the authority page says so, as My area and the person page do."""
    page = client.get("/authorities/greater-manchester/").content.decode()
    mayor = page[page.index(">Mayor</dt>") :]
    mayor = mayor[: mayor.index("</dd>")]
    assert "since 30 July 2026 (not confirmed by a source)" in mayor


def test_communique_rate_says_it_counts_communiques_in_the_record(reference_data, client):
    """A communiqué the sources did not find is a gap, not proof that none was published."""
    page = client.get("/forums/mayoral-council/").content.decode()
    assert (
        "0% of meetings held have a communiqué in the record; one not found may still have "
        "been published" in page
    )

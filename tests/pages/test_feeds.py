"""Feeds parse with real parsers and carry the right items."""

import xml.etree.ElementTree as ET

import icalendar
import pytest

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"


def atom_entries(response):
    assert response["Content-Type"].startswith("application/atom+xml")
    root = ET.fromstring(response.content)
    assert root.tag == f"{ATOM}feed"
    return [
        {
            "title": entry.findtext(f"{ATOM}title"),
            "link": entry.find(f"{ATOM}link").get("href"),
        }
        for entry in root.findall(f"{ATOM}entry")
    ]


def events(response):
    assert response["Content-Type"].startswith("text/calendar")
    calendar = icalendar.Calendar.from_ical(response.content)
    return list(calendar.walk("VEVENT"))


def test_meetings_calendar_has_upcoming_and_past_published_meetings(client, world):
    found = {str(e["url"]): e for e in events(client.get("/meetings.ics"))}
    urls = {url.removeprefix("http://testserver") for url in found}
    assert world.meeting.get_absolute_url() in urls
    assert world.upcoming.get_absolute_url() in urls
    assert world.draft_meeting.get_absolute_url() not in urls
    event = found[f"http://testserver{world.meeting.get_absolute_url()}"]
    assert event.decoded("dtstart") == world.meeting.date
    assert str(event["location"]) == "Leeds Civic Hall"


def test_forum_calendar_has_only_that_forums_meetings(client, world):
    found = events(client.get(f"/forums/{world.forum.slug}/meetings.ics"))
    urls = {str(e["url"]).removeprefix("http://testserver") for e in found}
    assert urls == {world.meeting.get_absolute_url(), world.upcoming.get_absolute_url()}


def test_meetings_feed_is_atom_with_published_meetings(client, world):
    links = {e["link"] for e in atom_entries(client.get("/meetings/feed/"))}
    assert f"http://testserver{world.meeting.get_absolute_url()}" in links
    assert f"http://testserver{world.draft_meeting.get_absolute_url()}" not in links


def test_changes_feed_carries_status_changes_of_published_commitments(client, world):
    entries = atom_entries(client.get("/changes/feed/"))
    assert [e["title"] for e in entries] == ["Meet twice a year: Not yet assessed → Delivered"]
    assert entries[0]["link"].endswith(f"#change-{world.change.pk}")


def test_commitment_feed_carries_its_own_changes(client, world):
    entries = atom_entries(client.get(f"/commitments/{world.other_commitment.pk}/feed/"))
    assert len(entries) == 1 and "Delivered" in entries[0]["title"]
    assert atom_entries(client.get(f"/commitments/{world.commitment.pk}/feed/")) == []

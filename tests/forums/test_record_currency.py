"""Forum health worked out only inside the window a forum's sources were checked, and
meetings whose date or occurrence is unconfirmed kept out of "last met" and calendars'
confirmed events (issue 15: audit A1, A3, A12)."""

import datetime

import icalendar
import pytest

from forums.stats import aggregates
from igr import policy
from tests.factories import ForumFactory, MeetingFactory, SourceFactory

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 11, 28)


def _quarterly(**kwargs):
    return ForumFactory(promised_meetings_per_year=4, promise_source=SourceFactory(), **kwargs)


def test_unchecked_forum_health_is_unknown_not_overdue():
    forum = _quarterly(record_checked_to=None)
    MeetingFactory(forum=forum, date=TODAY - datetime.timedelta(days=300))

    health = aggregates.forum_health(forum, today=TODAY)
    assert health["verdict"] == "unknown"
    assert health["overdue"] is False
    assert health["meets_promise"] is None  # a shortfall is not known either
    assert health["record_checked_to"] is None


def test_overdue_is_judged_on_the_checked_to_date():
    checked_to = TODAY - datetime.timedelta(days=100)
    forum = _quarterly(record_checked_to=checked_to)
    MeetingFactory(forum=forum, date=checked_to - datetime.timedelta(days=50))

    health = aggregates.forum_health(forum, today=TODAY)
    # 150 days to today, but only 50 inside the checked window: not overdue (every 92).
    assert health["days_since_last_meeting"] == 150
    assert health["verdict"] == "not_overdue"
    assert health["record_checked_to"] == checked_to
    # The 12 months to today are not all checked: a shortfall is unknown.
    assert health["meets_promise"] is None


def test_checked_forum_past_its_interval_is_overdue():
    forum = _quarterly(record_checked_to=TODAY)
    MeetingFactory(forum=forum, date=TODAY - datetime.timedelta(days=200))
    health = aggregates.forum_health(forum, today=TODAY)
    assert (health["verdict"], health["overdue"], health["meets_promise"]) == (
        "overdue",
        True,
        False,
    )


def test_unconfirmed_meeting_is_not_last_met_but_is_shown_beside_it():
    forum = _quarterly(record_checked_to=TODAY)
    confirmed = MeetingFactory(forum=forum, date=TODAY - datetime.timedelta(days=200))
    unconfirmed = MeetingFactory(
        forum=forum, date=TODAY - datetime.timedelta(days=30), date_confirmed=False
    )

    health = aggregates.forum_health(forum, today=TODAY)
    assert health["last_meeting_on"] == confirmed.date
    assert health["unconfirmed_meeting_on"] == unconfirmed.date
    assert health["verdict"] == "overdue"  # the possible meeting does not reset the clock


def test_health_api_carries_the_checked_window_and_verdict(client):
    forum = _quarterly(record_checked_to=None)
    body = client.get(f"/api/v1/forums/{forum.slug}/health/").json()
    assert body["verdict"] == "unknown"
    assert body["overdue"] is False
    assert body["record_checked_to"] is None
    assert "unconfirmed_meeting_on" in body
    listed = {row["slug"]: row for row in client.get("/api/v1/forum-health/").json()}
    assert listed[forum.slug]["verdict"] == "unknown"


def test_unchecked_forum_pages_show_unknown_not_a_red_verdict(client):
    forum = _quarterly(record_checked_to=None)
    page = client.get(forum.get_absolute_url()).content.decode()
    assert "overdue to meet." not in page
    assert "Unknown: sources not checked" in page
    listing = client.get("/forums/").content.decode()
    assert "govuk-tag--red" not in listing


def test_checked_forum_page_says_no_meeting_recorded_since_within_the_checked_window(client):
    forum = _quarterly(record_checked_to=datetime.date(2026, 12, 1), record_checked_note="Read.")
    MeetingFactory(forum=forum, date=datetime.date(2025, 5, 23))
    page = client.get(forum.get_absolute_url()).content.decode()
    assert "No meeting recorded since 23 May 2025" in page
    assert "(sources checked to 1 December 2026)" in page
    assert "Read." in page


def test_home_page_says_how_current_the_record_is(client):
    ForumFactory(record_checked_to=datetime.date(2026, 12, 1), record_checked_note="Searched X.")
    ForumFactory(record_checked_to=None)
    page = client.get("/").content.decode()
    assert "Record checked to <strong>1 December 2026</strong>" in page
    assert "1 of 2 forums have not had their sources checked" in page
    assert "Searched X." in page


def _events(client, url):
    calendar = icalendar.Calendar.from_ical(client.get(url).content)
    return {str(e["url"]).removeprefix("http://testserver"): e for e in calendar.walk("VEVENT")}


def test_calendar_marks_unconfirmed_held_meetings_tentative_and_keeps_scheduled_ones(client):
    forum = ForumFactory()
    held = MeetingFactory(forum=forum, date=datetime.date(2025, 1, 23))
    possible = MeetingFactory(forum=forum, date=datetime.date(2025, 5, 23), date_confirmed=False)
    future = datetime.date.today() + datetime.timedelta(days=30)
    scheduled = MeetingFactory(forum=forum, date=future, status="scheduled")
    cancelled = MeetingFactory(
        forum=forum,
        date=future + datetime.timedelta(days=1),
        status="cancelled",
        status_reason="Called off.",
    )
    for url in ("/meetings.ics", f"/forums/{forum.slug}/meetings.ics"):
        events = _events(client, url)
        status = {
            m: str(events[m.get_absolute_url()]["status"])
            for m in (held, possible, scheduled, cancelled)
        }
        assert status == {
            held: "CONFIRMED",
            possible: "TENTATIVE",
            scheduled: "CONFIRMED",
            cancelled: "CANCELLED",
        }, url


def test_unconfirmed_held_meeting_is_flagged_on_its_page_and_in_lists(client):
    forum = ForumFactory()
    meeting = MeetingFactory(
        forum=forum,
        date=datetime.date(2025, 5, 23),
        date_confirmed=False,
        occurrence_confirmed=False,
    )
    page = client.get(meeting.get_absolute_url()).content.decode()
    assert "Held, not confirmed" in page
    assert "Whether this meeting took place is not confirmed" in page
    assert "not counted as held in the figures nor as the forum's last meeting" in page
    for url in ("/meetings/", forum.get_absolute_url()):
        assert "Held, not confirmed" in client.get(url).content.decode(), url
    assert "Not confirmed" in client.get("/").content.decode()


def test_forum_page_offers_a_calendar_subscription(client):
    forum = ForumFactory()
    page = client.get(forum.get_absolute_url()).content.decode()
    assert f'href="webcal://testserver/forums/{forum.slug}/meetings.ics"' in page
    assert f"http://testserver/forums/{forum.slug}/meetings.ics" in page


def test_clearing_the_checked_date_through_a_write_turns_the_verdict_unknown():
    forum = _quarterly(record_checked_to=TODAY)
    MeetingFactory(forum=forum, date=TODAY - datetime.timedelta(days=200))
    assert aggregates.forum_health(forum, today=TODAY)["verdict"] == "overdue"
    with policy.writing() as write:
        forum.record_checked_to = None
        forum.save()
        write.touched(forum)
    assert aggregates.forum_health(forum, today=TODAY)["verdict"] == "unknown"


def test_unconfirmed_meeting_before_the_last_met_is_not_shown_beside_it():
    forum = _quarterly(record_checked_to=TODAY)
    MeetingFactory(forum=forum, date=TODAY - datetime.timedelta(days=300), date_confirmed=False)
    confirmed = MeetingFactory(forum=forum, date=TODAY - datetime.timedelta(days=30))
    health = aggregates.forum_health(forum, today=TODAY)
    assert (health["last_meeting_on"], health["unconfirmed_meeting_on"]) == (confirmed.date, None)


def test_forum_with_only_unconfirmed_meetings_has_no_last_met_but_shows_the_possible_one():
    forum = _quarterly(record_checked_to=TODAY)
    possible = MeetingFactory(
        forum=forum, date=TODAY - datetime.timedelta(days=40), date_confirmed=False
    )
    health = aggregates.forum_health(forum, today=TODAY)
    assert (health["last_meeting_on"], health["unconfirmed_meeting_on"]) == (None, possible.date)


def test_calendar_gives_a_meeting_with_a_start_time_that_time_in_london(client):
    forum = ForumFactory()
    timed = MeetingFactory(forum=forum, date=datetime.date(2025, 6, 26), start_time="10:30")
    untimed = MeetingFactory(forum=forum, date=datetime.date(2025, 6, 27))
    calendar = icalendar.Calendar.from_ical(
        client.get(f"/forums/{forum.slug}/meetings.ics").content
    )
    events = {str(e["url"]).removeprefix("http://testserver"): e for e in calendar.walk("VEVENT")}
    start = events[timed.get_absolute_url()].decoded("dtstart")
    assert (start.hour, start.minute, str(start.tzinfo)) == (10, 30, "Europe/London")
    assert events[untimed.get_absolute_url()].decoded("dtstart") == datetime.date(2025, 6, 27)
    assert [tz["tzid"] for tz in calendar.walk("VTIMEZONE")] == ["Europe/London"]


def test_a_meeting_whose_day_alone_is_unconfirmed_took_place_and_says_so(client):
    # Issue 15: date_confirmed meant both "day unknown" and "may not have happened".
    forum = _quarterly(record_checked_to=TODAY)
    meeting = MeetingFactory(
        forum=forum, date=TODAY - datetime.timedelta(days=20), date_confirmed=False
    )
    page = client.get(meeting.get_absolute_url()).content.decode()
    assert "This meeting took place, but its day is not confirmed" in page
    assert "Held, not confirmed" not in page
    assert "(date not confirmed)" in client.get(forum.get_absolute_url()).content.decode()
    assert "Day not confirmed" in client.get("/").content.decode()
    health = aggregates.forum_health(forum, today=TODAY)
    # It happened, so it counts as held in the 12 months; its day is unsure, so it is not
    # "last met" but is shown beside it.
    assert health["meetings_held_last_12_months"] == 1
    assert (health["last_meeting_on"], health["unconfirmed_meeting_on"]) == (None, meeting.date)


def test_a_meeting_that_may_not_have_taken_place_is_counted_nowhere_as_held(client):
    forum = _quarterly(record_checked_to=TODAY)
    held = MeetingFactory(forum=forum, date=TODAY - datetime.timedelta(days=100))
    possible = MeetingFactory(
        forum=forum,
        date=TODAY - datetime.timedelta(days=20),
        date_confirmed=False,
        occurrence_confirmed=False,
    )
    health = aggregates.forum_health(forum, today=TODAY)
    assert (health["meetings_held_total"], health["meetings_held_last_12_months"]) == (1, 1)
    assert (health["last_meeting_on"], health["unconfirmed_meeting_on"]) == (
        held.date,
        possible.date,
    )
    assert aggregates.headline_figures()["meeting_count"] == 1
    assert "not counting 1 possible meeting whose occurrence is not confirmed" in (
        client.get("/").content.decode()
    )
    assert str(_events(client, "/meetings.ics")[possible.get_absolute_url()]["status"]) == (
        "TENTATIVE"
    )

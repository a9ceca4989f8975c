"""/coverage/: up to when each forum's record was checked, and what the record knows it is
missing (forums.KnownGap)."""

import datetime

import pytest

from forums.models import KnownGap, KnownGapKind
from tests.factories import ForumFactory, MeetingFactory, SourceFactory

pytestmark = pytest.mark.django_db


def coverage_page(client):
    response = client.get("/coverage/")
    assert response.status_code == 200
    return response.content.decode()


def test_a_forum_checked_past_its_latest_meeting_says_none_was_found_since(client):
    forum = ForumFactory(name="Mayoral Council", record_checked_to=datetime.date(2026, 12, 1))
    MeetingFactory(forum=forum, date=datetime.date(2025, 5, 23))
    page = coverage_page(client)
    assert (
        "No meeting found after 23 May 2025, its latest recorded meeting; "
        "sources searched to 1 December 2026." in page
    )
    assert "The record is checked to <strong>1 December 2026</strong>" in page


def test_a_forum_without_a_checked_date_says_so_and_the_record_has_no_checked_date(client):
    ForumFactory(record_checked_to=datetime.date(2026, 12, 1))
    ForumFactory(name="Unchecked Forum", record_checked_to=None)
    page = coverage_page(client)
    assert "Not recorded up to when its sources were searched." in page
    assert "The record is checked to" not in page
    assert "Not every forum says up to when its sources were searched" in page


def test_known_gaps_are_listed_by_kind_with_their_sources(client):
    forum = ForumFactory(record_checked_to=datetime.date(2026, 12, 1))
    KnownGap.objects.create(
        kind=KnownGapKind.NO_LATER_MEETING, forum=forum, text="Nothing after the spring."
    )
    planned = KnownGap.objects.create(
        kind=KnownGapKind.PLANNED_BODY, text="Greater Essex Combined County Authority: planned."
    )
    planned.sources.add(SourceFactory(title="Southend cabinet decision"))
    KnownGap.objects.create(kind=KnownGapKind.LEFT_OUT, text="A minister named only in code.")
    KnownGap.objects.create(kind=KnownGapKind.NOT_FOUND, text="The Royal Assent date.")
    page = coverage_page(client)
    assert "Nothing after the spring." in page
    planned_section = page.split("Planned bodies not yet created (1)")[1].split("<h2")[0]
    assert "Greater Essex Combined County Authority: planned." in planned_section
    assert "Southend cabinet decision" in planned_section
    assert "A minister named only in code." in page.split("Left out for lack")[1].split("<h2")[0]
    assert "The Royal Assent date." in page.split("Searched for and not found (1)")[1]


def test_a_gap_about_a_draft_forum_is_not_shown(client):
    draft = ForumFactory(publication_state="draft")
    KnownGap.objects.create(
        kind=KnownGapKind.NO_LATER_MEETING, forum=draft, text="Draft forum's secret gap."
    )
    assert "Draft forum&#x27;s secret gap." not in coverage_page(client)
    assert KnownGap.objects.published().count() == 0


def test_an_empty_record_says_no_gap_is_recorded(client):
    page = coverage_page(client)
    assert "No planned body is waiting to be created." in page
    assert "Nothing has been left out for lack of a source." in page


def test_a_forum_page_says_up_to_when_its_record_was_checked(client):
    checked = ForumFactory(record_checked_to=datetime.date(2026, 12, 1))
    unchecked = ForumFactory(record_checked_to=None)
    page = client.get(checked.get_absolute_url()).content.decode()
    assert "1 December 2026: sources searched for meetings up to this date" in page
    assert 'href="/coverage/"' in page
    assert "Not recorded" in client.get(unchecked.get_absolute_url()).content.decode()

"""My area (/my-area/): from a council to its authority, mayor, forums and their meetings;
and the per-authority iCalendar it offers."""

import datetime
import re

import pytest

from igr.policy import writing
from tests.factories import CouncilFactory, ForumMembershipFactory, MeetingFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def bury(world):
    return CouncilFactory(authority=world.authorities[0], name="Bury")


def test_the_form_lists_councils_of_published_authorities(client, world, bury):
    CouncilFactory(authority=world.draft_authority, name="Secret Council")
    response = client.get("/my-area/")
    assert response.status_code == 200
    body = response.content.decode()
    assert body.count("<h1") == 1
    assert '<optgroup label="Greater Manchester Combined Authority">' in body
    assert '<option value="bury">Bury</option>' in body
    assert "Secret Council" not in body


def test_choosing_a_council_redirects_to_its_shareable_page(client, world, bury):
    response = client.get("/my-area/", {"council": "bury"})
    assert response.status_code == 302
    assert response["Location"] == "/my-area/bury/"


def test_an_unknown_council_is_a_400_with_a_message(client, world, bury):
    response = client.get("/my-area/", {"council": "atlantis"})
    assert response.status_code == 400
    assert "Select your council from the list." in response.content.decode()
    assert client.get("/my-area/atlantis/").status_code == 404


def test_the_area_shows_authority_mayor_forums_and_their_meetings(client, world, bury):
    response = client.get("/my-area/bury/")
    assert response.status_code == 200
    body = response.content.decode()
    assert '<h1 class="govuk-heading-xl">Bury</h1>' in body
    assert world.authorities[0].get_absolute_url() in body
    assert 'href="/people/andy-burnham/">Andy Burnham</a>' in body
    assert world.forum.get_absolute_url() in body
    assert world.meeting.get_absolute_url() in body  # latest held
    assert world.upcoming.get_absolute_url() in body  # next scheduled
    assert world.draft_meeting.get_absolute_url() not in body
    assert world.other_forum.get_absolute_url() not in body  # not a member
    assert "webcal://testserver/authorities/greater-manchester/meetings.ics" in body
    assert "selected>Bury</option>" in body


def test_a_forum_without_meetings_says_so(client, world, bury):
    ForumMembershipFactory(forum=world.other_forum, authority=world.authorities[0])
    body = client.get("/my-area/bury/").content.decode()
    assert world.other_forum.get_absolute_url() in body
    assert "None scheduled in the record" in body


def test_my_area_query_count_is_pinned(client, world, bury, django_assert_num_queries):
    ForumMembershipFactory(forum=world.other_forum, authority=world.authorities[0])
    CouncilFactory(authority=world.authorities[1], name="Leeds")
    client.get("/my-area/bury/")
    # 1 the councils of published authorities (the form and the match), 1 the authority's
    # forums with their next and latest meetings (subqueries), 1 the mayor today.
    with django_assert_num_queries(3):
        client.get("/my-area/bury/")


def test_authority_calendar_has_its_forums_meetings_only(client, world):
    response = client.get("/authorities/greater-manchester/meetings.ics")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    body = response.content.decode()
    assert f"meeting-{world.meeting.pk}@" in body
    assert f"meeting-{world.upcoming.pk}@" in body  # scheduled meetings too
    assert f"meeting-{world.other_meeting.pk}@" not in body  # a forum it is not on
    assert f"meeting-{world.draft_meeting.pk}@" not in body


def test_authority_calendar_follows_membership_dates(client, world):
    ForumMembershipFactory(
        forum=world.other_forum,
        authority=world.authorities[1],
        started_on=datetime.date(2025, 6, 1),
    )
    later = MeetingFactory(forum=world.other_forum, date=datetime.date(2025, 9, 1))
    body = client.get("/authorities/west-yorkshire/meetings.ics").content.decode()
    assert f"meeting-{later.pk}@" in body
    assert f"meeting-{world.other_meeting.pk}@" not in body  # before it joined


def test_draft_authority_has_no_calendar(client, world):
    assert client.get(f"/authorities/{world.draft_authority.slug}/meetings.ics").status_code == 404


def test_authority_page_offers_its_calendar_with_a_webcal_link(client, world):
    body = client.get("/authorities/greater-manchester/").content.decode()
    assert 'href="webcal://testserver/authorities/greater-manchester/meetings.ics"' in body
    assert 'href="/authorities/greater-manchester/meetings.ics"' in body


def test_every_icalendar_link_has_a_webcal_link_beside_it(client, world):
    for path in ("/", "/about/", "/meetings/", world.forum.get_absolute_url()):
        body = client.get(path).content.decode()
        downloads = set(re.findall(r'<a [^>]*href="(/[^"]*\.ics)"', body))
        subscribes = set(re.findall(r'<a [^>]*href="webcal://testserver(/[^"]*\.ics)"', body))
        assert downloads and downloads == subscribes, path


def test_a_mayor_whose_dates_are_unconfirmed_is_flagged(client, world, bury):
    office = world.people[0].offices.get()  # Andy Burnham's, at Greater Manchester
    with writing():
        office.dates_uncertain = True
        office.save()
    body = client.get("/my-area/bury/").content.decode()
    assert "(not confirmed by a source)" in body

"""The people index: /people/ with the PersonFilter the API uses, and its CSV."""

import csv
import datetime
import io

import pytest

from tests.factories import (
    AttendanceFactory,
    ForumMembershipFactory,
    OfficeFactory,
    PartyFactory,
    PersonFactory,
)

pytestmark = pytest.mark.django_db


def _csv(response):
    return list(csv.DictReader(io.StringIO(response.getvalue().decode())))


def test_people_lists_office_holders_with_their_offices(client, world):
    response = client.get("/people/")
    assert response.status_code == 200
    body = response.content.decode()
    assert body.count("<h1") == 1
    for person in world.people:
        assert person.get_absolute_url() in body
    assert "Mayor, Greater Manchester Combined Authority" in body
    assert 'href="/people/"' in body  # in the navigation


def test_a_person_with_only_draft_records_is_not_listed(client, world):
    hidden = PersonFactory(name="Hidden Person")
    OfficeFactory(person=hidden, authority=world.draft_authority)
    assert "Hidden Person" not in client.get("/people/").content.decode()


@pytest.mark.parametrize(
    ("params", "found", "not_found"),
    [
        ({"authority": "greater-manchester"}, "andy-burnham", "tracy-brabin"),
        ({"q": "brabin"}, "tracy-brabin", "andy-burnham"),
        ({"current": "false"}, "past-holder", "andy-burnham"),
        ({"current": "true"}, "andy-burnham", "past-holder"),
        ({"post": "leader"}, "past-holder", "tracy-brabin"),
        ({"party": "the-past-party"}, "past-holder", "andy-burnham"),
        ({"forum": "mayoral-council"}, "andy-burnham", "past-holder"),
    ],
)
def test_filters_narrow_the_people(client, world, params, found, not_found):
    past = PersonFactory(name="Past Holder", slug="past-holder")
    OfficeFactory(
        person=past,
        authority=world.authorities[1],
        title="Leader",
        party=PartyFactory(name="The Past Party", slug="the-past-party"),
        started_on=datetime.date(2010, 1, 1),
        ended_on=datetime.date(2015, 1, 1),
    )
    body = client.get("/people/", params).content.decode()
    assert f"/people/{found}/" in body
    assert f"/people/{not_found}/" not in body


def test_a_bad_filter_shows_an_error_naming_it(client, world):
    body = client.get("/people/", {"authority": "atlantis"}).content.decode()
    assert "There is a problem with the filters" in body
    assert 'href="#id_authority"' in body


def test_csv_is_exactly_the_filtered_people(client, world):
    response = client.get("/people/", {"authority": "greater-manchester", "format": "csv"})
    assert response["Content-Type"].startswith("text/csv")
    rows = _csv(response)
    assert [row["slug"] for row in rows] == ["andy-burnham"]
    assert rows[0]["current_offices"].startswith("Mayor, Greater Manchester Combined Authority")
    assert rows[0]["past_offices"] == ""


def test_people_query_count_does_not_grow_with_rows(client, world, django_assert_num_queries):
    for i in range(3):
        person = PersonFactory(name=f"Extra Person {i}")
        OfficeFactory(person=person, authority=world.authorities[i % 2], title=f"Post {i}")
        AttendanceFactory(meeting=world.meeting, person=person, authority=world.authorities[0])
    client.get("/people/")
    # 1 the data fingerprint the cached count is keyed by (the count itself is cached
    # after the first request: igr.api.pagination), 3 the choices of the authority, party
    # and forum filters, 1 the page of people, 1 their offices with authority and party.
    with django_assert_num_queries(6):
        client.get("/people/")


def test_person_page_lists_forums_sat_on_through_offices(client, world):
    ended = ForumMembershipFactory(
        forum=world.other_forum,
        authority=world.authorities[0],
        ended_on=datetime.date(2020, 1, 1),  # before the office began
    )
    body = client.get("/people/andy-burnham/").content.decode()
    assert "Forums sat on through offices" in body
    assert (
        f'<a class="govuk-link" href="{world.forum.get_absolute_url()}">Mayoral Council</a>, '
        "as Mayor of Greater Manchester Combined Authority: 10 May 2021 to today"
    ) in body
    assert f'href="{ended.forum.get_absolute_url()}">' not in body.split("Attendance record")[0]

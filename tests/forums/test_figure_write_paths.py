"""The admin and the API refresh the stored figures of the parent a row leaves as well as
the one it joins, and of a deleted meeting's forum: each is a write path through
igr.policy.writing(), which hands the figures keeper the row as stored before the change."""

import datetime

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from forums.models import MeetingFigure, MeetingTotal
from tests.admin.conftest import flat, form_data
from tests.factories import (
    AttendanceFactory,
    AuthorityFactory,
    ForumFactory,
    ForumMembershipFactory,
    MeetingFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    forum = ForumFactory()
    members = [AuthorityFactory(), AuthorityFactory()]
    memberships = [ForumMembershipFactory(forum=forum, authority=a) for a in members]
    first = MeetingFactory(forum=forum, date=datetime.date(2025, 1, 23), attendance_recorded=True)
    second = MeetingFactory(forum=forum, date=datetime.date(2025, 5, 23), attendance_recorded=True)
    attendance = AttendanceFactory(meeting=first, authority=members[0])
    return forum, memberships, first, second, attendance


def present(meeting) -> tuple:
    row = MeetingFigure.objects.get(meeting=meeting, recommendation=None)
    return row.members_present, row.members_expected


def test_an_attendance_moved_in_the_admin_leaves_its_old_meetings_figures(world, publisher_client):
    _, _, first, second, attendance = world
    assert (present(first), present(second)) == ((1, 2), (0, 2))
    url = f"/admin/forums/attendance/{attendance.pk}/change/"
    data = flat(form_data(publisher_client.get(url)))
    data.update({"meeting": str(second.pk), "change_reason": "Recorded at the wrong meeting."})

    assert publisher_client.post(url, data).status_code == 302

    assert (present(first), present(second)) == ((0, 2), (1, 2))


def test_an_attendance_moved_through_the_api_leaves_its_old_meetings_figures(world, publisher):
    _, _, first, second, attendance = world
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=publisher).key}")

    response = client.patch(
        f"/api/v1/attendance/{attendance.pk}/",
        {"meeting": second.slug, "change_reason": "Recorded at the wrong meeting."},
        format="json",
    )

    assert response.status_code == 200, response.json()
    assert (present(first), present(second)) == ((0, 2), (1, 2))


def test_a_membership_moved_in_the_admin_leaves_its_old_forums_meetings(world, publisher_client):
    _, memberships, first, second, _ = world
    url = f"/admin/forums/forummembership/{memberships[1].pk}/change/"
    data = flat(form_data(publisher_client.get(url)))
    data.update({"forum": str(ForumFactory().pk), "change_reason": "Never a member."})

    assert publisher_client.post(url, data).status_code == 302

    assert (present(first), present(second)) == ((1, 1), (0, 1))


def test_a_meeting_deleted_in_the_admin_leaves_its_forums_totals(world, publisher_client):
    forum, _, _, second, _ = world
    assert MeetingTotal.objects.get(forum=forum, recommendation=None).meetings == 2

    response = publisher_client.post(f"/admin/forums/meeting/{second.pk}/delete/", {"post": "yes"})

    assert response.status_code == 302
    total = MeetingTotal.objects.get(forum=forum, recommendation=None)
    assert (total.meetings, total.members_expected, total.members_present) == (1, 2, 1)

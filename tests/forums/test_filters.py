"""The shared FilterSets, exercised directly; the pages and the API test them over HTTP."""

import datetime

import pytest

from authorities.filters import AuthorityFilter, OfficeFilter
from authorities.models import Authority, Office
from forums.filters import AttendanceFilter, CommitmentFilter, MeetingFilter
from forums.models import Attendance, Commitment, Meeting
from tests.factories import (
    AgendaItemFactory,
    AttendanceFactory,
    AuthorityFactory,
    CommitmentFactory,
    ForumFactory,
    ForumMembershipFactory,
    MeetingFactory,
    OfficeFactory,
    PartyFactory,
    RecommendationFactory,
)

pytestmark = pytest.mark.django_db


def _results(filterset_class, data, queryset):
    filterset = filterset_class(data, queryset=queryset)
    assert filterset.is_valid(), filterset.errors
    return list(filterset.qs)


def test_meetings_filter_by_forum_slug_date_range_and_recommendation():
    forum = ForumFactory(slug="mayoral-council")
    inside = MeetingFactory(forum=forum, date=datetime.date(2025, 1, 23))
    MeetingFactory(forum=forum, date=datetime.date(2024, 10, 1))
    MeetingFactory(date=datetime.date(2025, 1, 24))
    rec = RecommendationFactory(slug="civil-service-reform")
    AgendaItemFactory(meeting=inside, recommendations=[rec])

    data = {"forum": "mayoral-council", "date_after": "2025-01-01", "date_before": "2025-12-31"}
    assert _results(MeetingFilter, data, Meeting.objects.all()) == [inside]
    by_rec = _results(MeetingFilter, {"recommendation": "civil-service-reform"}, Meeting.objects)
    assert by_rec == [inside]


def test_meetings_filter_by_authority_covers_attendance_and_hosting():
    authority = AuthorityFactory(slug="gmca")
    attended, hosted = MeetingFactory(), MeetingFactory(host_authority=authority)
    AttendanceFactory(meeting=attended, authority=authority)
    AttendanceFactory(meeting=attended, authority=AuthorityFactory())
    MeetingFactory()
    found = _results(MeetingFilter, {"authority": "gmca"}, Meeting.objects.order_by("date"))
    assert found == [attended, hosted]


@pytest.mark.parametrize(
    "data,field",
    [
        ({"forum": "no-such-forum"}, "forum"),
        ({"date_after": "2025-02-30"}, "date"),
        ({"status": "adjourned"}, "status"),
        ({"ordering": "secret_field"}, "ordering"),
        ({"q": "x" * 201}, "q"),
        ({"q": "nul\x00byte"}, "q"),
        ({"modified_since": "yesterday"}, "modified_since"),
    ],
)
def test_bad_values_are_errors_naming_the_parameter(data, field):
    filterset = MeetingFilter(data, queryset=Meeting.objects.all())
    assert not filterset.is_valid()
    assert field in filterset.errors


def test_commitments_filter_overdue_status_and_recommendation(today):
    rec = RecommendationFactory(slug="statutory-igr-structures")
    late = CommitmentFactory(due_on=today - datetime.timedelta(days=5), recommendations=[rec])
    CommitmentFactory(due_on=today + datetime.timedelta(days=5), recommendations=[rec])
    CommitmentFactory(due_on=today - datetime.timedelta(days=5))

    both = {"overdue": "true", "recommendation": "statutory-igr-structures"}
    assert _results(CommitmentFilter, both, Commitment.objects.all()) == [late]
    assert len(_results(CommitmentFilter, {"overdue": "false"}, Commitment.objects)) == 1
    assert len(_results(CommitmentFilter, {"status": ["not_assessed"]}, Commitment.objects)) == 3


def test_commitments_filter_by_forum_includes_forum_level_commitments():
    forum = ForumFactory(slug="cnr")
    at_meeting = CommitmentFactory(meeting=MeetingFactory(forum=forum))
    by_forum = CommitmentFactory(meeting=None, forum=forum)
    CommitmentFactory()
    found = _results(CommitmentFilter, {"forum": "cnr"}, Commitment.objects.all())
    assert set(found) == {at_meeting, by_forum}


def test_attendance_filter_by_party_uses_the_office_held_on_the_meeting_date():
    labour = PartyFactory(slug="labour")
    person_office = OfficeFactory(party=labour, started_on=datetime.date(2024, 5, 7), ended_on=None)
    before = AttendanceFactory(
        person=person_office.person, meeting=MeetingFactory(date=datetime.date(2024, 1, 1))
    )
    after = AttendanceFactory(
        person=person_office.person, meeting=MeetingFactory(date=datetime.date(2025, 1, 1))
    )
    assert before.pk
    assert _results(AttendanceFilter, {"party": "labour"}, Attendance.objects.all()) == [after]


def test_text_search_needs_every_word():
    wanted = MeetingFactory(summary="Housing and skills devolution discussed in Sheffield")
    MeetingFactory(summary="Housing only")
    found = _results(MeetingFilter, {"q": "housing SHEFFIELD"}, Meeting.objects.all())
    assert found == [wanted]


def test_authority_filter_by_forum_membership_and_kind():
    forum = ForumFactory(slug="mayoral-council")
    member = AuthorityFactory(kind="mca")
    ForumMembershipFactory(forum=forum, authority=member)
    AuthorityFactory(kind="mca")
    AuthorityFactory(kind="uk_government")
    found = _results(AuthorityFilter, {"forum": "mayoral-council"}, Authority.objects.all())
    assert found == [member]
    assert len(_results(AuthorityFilter, {"mayoral": "true"}, Authority.objects.all())) == 2


def test_office_filter_held_on_a_date():
    office = OfficeFactory(started_on=datetime.date(2017, 5, 8), ended_on=datetime.date(2024, 5, 5))
    OfficeFactory(started_on=datetime.date(2024, 5, 6))
    found = _results(OfficeFilter, {"held_on": "2020-01-01"}, Office.objects.all())
    assert found == [office]

import datetime
import time
import zoneinfo

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from forums.models import (
    Attendance,
    AttendanceMode,
    Commitment,
    CommitmentStatus,
    Document,
    Meeting,
    MeetingStatus,
    Recommendation,
)
from tests.factories import (
    AttendanceFactory,
    CommitmentFactory,
    ForumFactory,
    MeetingFactory,
    PersonFactory,
    RecommendationFactory,
    ReportFactory,
)

pytestmark = pytest.mark.django_db


def test_one_attendance_per_meeting_and_person():
    first = AttendanceFactory()
    again = Attendance(meeting=first.meeting, person=first.person)
    with pytest.raises(ValidationError, match="already recorded at this meeting"):
        again.full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        again.save()


def test_substitute_must_name_whom_they_stood_in_for():
    attendance = AttendanceFactory.build(
        meeting=MeetingFactory(), person=PersonFactory(), authority=None, mode="substitute"
    )
    with pytest.raises(ValidationError, match="Say whom the substitute stood in for"):
        attendance.full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        attendance.save()


def test_substitute_naming_whom_is_accepted_and_cannot_be_themselves():
    person = PersonFactory()
    attendance = AttendanceFactory(
        person=person, mode=AttendanceMode.SUBSTITUTE, substitute_for=PersonFactory()
    )
    assert attendance.pk
    attendance.substitute_for = person
    with pytest.raises(ValidationError, match="cannot stand in for themselves"):
        attendance.full_clean()


def test_recommendation_numbers_are_unique_per_report_only():
    report = ReportFactory()
    RecommendationFactory(report=report, number=1)
    clash = RecommendationFactory.build(report=report, number=1)
    with pytest.raises(ValidationError, match="already has a recommendation with that number"):
        clash.full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        clash.save()
    RecommendationFactory(report=ReportFactory(), number=1)
    assert Recommendation.objects.filter(number=1).count() == 2


def test_held_meeting_in_the_future_is_refused_by_clean_and_by_the_database(today):
    future = MeetingFactory.build(
        forum=ForumFactory(), date=today + datetime.timedelta(days=30), status="held"
    )
    with pytest.raises(ValidationError, match="dated in the future cannot be marked as held"):
        future.full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        future.save()


def test_existing_meeting_cannot_be_moved_to_the_future_while_held(today):
    meeting = MeetingFactory(date=today - datetime.timedelta(days=1), status="held")
    with pytest.raises(IntegrityError), transaction.atomic():
        Meeting.objects.filter(pk=meeting.pk).update(date=today + datetime.timedelta(days=10))


def test_scheduled_meeting_may_be_in_the_future(today):
    meeting = MeetingFactory(date=today + datetime.timedelta(days=30), status="scheduled")
    meeting.full_clean()
    assert list(Meeting.objects.upcoming()) == [meeting]


def test_cancelled_meeting_needs_a_reason():
    meeting = MeetingFactory.build(forum=ForumFactory(), status=MeetingStatus.CANCELLED)
    with pytest.raises(ValidationError, match="reason the meeting was cancelled"):
        meeting.full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        meeting.save()


@pytest.mark.stale_figures  # the model's own save/delete, outside any write path
def test_meeting_slug_is_forum_and_date_and_deduplicated():
    forum = ForumFactory(slug="mayoral-council")
    day = datetime.date(2025, 1, 23)
    first = Meeting(forum=forum, date=day, status="held")
    first.full_clean()
    first.save()
    second = Meeting(forum=forum, date=day, status="held")
    second.full_clean()
    second.save()
    assert first.slug == "mayoral-council-2025-01-23"
    assert second.slug == "mayoral-council-2025-01-23-2"
    assert first.get_absolute_url() == "/meetings/mayoral-council-2025-01-23/"


@pytest.mark.stale_figures  # the model's own save/delete, outside any write path
def test_a_meeting_created_in_code_gets_its_slug():
    """Meeting.objects.create(forum=…, date=…) used to store an empty slug (and fail the
    database's check): the slug was assigned only in clean()."""
    forum = ForumFactory(slug="isc")
    day = datetime.date(2025, 6, 26)
    first = Meeting.objects.create(forum=forum, date=day, status="held")
    second = Meeting.objects.create(forum=forum, date=day, status="held")
    assert (first.slug, second.slug) == ("isc-2025-06-26", "isc-2025-06-26-2")
    assert Meeting.objects.get(pk=first.pk).get_absolute_url() == "/meetings/isc-2025-06-26/"


@pytest.mark.stale_figures  # the model's own save/delete, outside any write path
def test_meeting_slug_stays_put_when_the_date_is_corrected():
    forum = ForumFactory(slug="cnr")
    meeting = Meeting(forum=forum, date=datetime.date(2024, 10, 10), status="held")
    meeting.full_clean()
    meeting.save()
    meeting.date = datetime.date(2024, 10, 11)
    meeting.full_clean()
    assert meeting.slug == "cnr-2024-10-10"


def test_scheduled_meeting_whose_date_passed_is_flagged(today):
    past_due = MeetingFactory(date=today - datetime.timedelta(days=3), status="scheduled")
    MeetingFactory(date=today - datetime.timedelta(days=3), status="held")
    assert list(Meeting.objects.past_due()) == [past_due]
    assert past_due.is_past_due


def test_published_hides_drafts_and_withdrawn_meetings():
    shown = MeetingFactory()
    MeetingFactory(publication_state="draft")
    MeetingFactory(publication_state="withdrawn")
    assert list(Meeting.objects.published()) == [shown]


def test_children_of_a_draft_meeting_are_not_published():
    draft = MeetingFactory(publication_state="draft")
    AttendanceFactory(meeting=draft)
    shown = AttendanceFactory()
    assert list(Attendance.objects.published()) == [shown]


def test_held_between_and_for_forum_chain():
    forum = ForumFactory()
    inside = MeetingFactory(forum=forum, date=datetime.date(2025, 1, 23))
    MeetingFactory(forum=forum, date=datetime.date(2024, 1, 23))
    MeetingFactory(date=datetime.date(2025, 1, 24))
    MeetingFactory(
        forum=forum, date=datetime.date(2025, 2, 1), status="cancelled", status_reason="Snow"
    )
    found = (
        Meeting.objects.published()
        .for_forum(forum)
        .held_between(datetime.date(2025, 1, 1), datetime.date(2025, 12, 31))
    )
    assert list(found) == [inside]


def test_document_belongs_to_exactly_one_of_meeting_or_forum():
    forum = ForumFactory()
    both = Document(meeting=MeetingFactory(forum=forum), forum=forum, kind="minutes", title="M")
    with pytest.raises(ValidationError, match="not both and not neither"):
        both.full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        both.save()


def test_commitment_needs_a_meeting_or_forum():
    commitment = Commitment(title="Meet twice a year", text="…")
    with pytest.raises(ValidationError, match="Say which meeting or forum made this commitment"):
        commitment.full_clean()


@pytest.mark.stale_figures  # sets a status with QuerySet.update()
def test_overdue_commitments_are_open_with_due_date_passed(today):
    late = CommitmentFactory(due_on=today - datetime.timedelta(days=1))
    CommitmentFactory(due_on=today + datetime.timedelta(days=1))
    CommitmentFactory(due_on=None)
    delivered = CommitmentFactory(due_on=today - datetime.timedelta(days=1))
    Commitment.objects.filter(pk=delivered.pk).update(status=CommitmentStatus.DELIVERED)
    assert list(Commitment.objects.overdue()) == [late]
    assert late.is_overdue


def test_a_commitment_is_overdue_from_midnight_in_england(monkeypatch, settings):
    """The date is kept between calls (forums.models.commitments._today) but must turn
    at midnight on England's calendar, whatever the server's clock zone, and follow the
    clock if it is set back."""
    london = zoneinfo.ZoneInfo("Europe/London")
    due = datetime.date(2026, 6, 30)
    commitment = Commitment(status=CommitmentStatus.IN_PROGRESS, due_on=due)
    clock = {"now": datetime.datetime(2026, 6, 30, 23, 59, 59, tzinfo=london).timestamp()}
    monkeypatch.setattr(time, "time", lambda: clock["now"])
    assert not commitment.is_overdue  # due today (22:59:59 UTC)
    clock["now"] += 2  # 00:00:01 on 1 July in London, still 30 June in UTC
    assert commitment.is_overdue
    clock["now"] -= 3600  # the clock set back an hour
    assert not commitment.is_overdue
    settings.TIME_ZONE = "UTC"  # 22:00:01 UTC on 30 June
    clock["now"] += 3600
    assert not commitment.is_overdue
    settings.TIME_ZONE = "Europe/London"
    assert commitment.is_overdue


def test_commitments_for_forum_include_those_made_at_its_meetings():
    forum = ForumFactory()
    at_meeting = CommitmentFactory(meeting=MeetingFactory(forum=forum))
    by_forum = CommitmentFactory(meeting=None, forum=forum)
    CommitmentFactory()
    assert set(Commitment.objects.for_forum(forum)) == {at_meeting, by_forum}


@pytest.mark.stale_figures  # the model's own save/delete, outside any write path
def test_history_survives_deletion():
    meeting = MeetingFactory(summary="First meeting")
    pk = meeting.pk
    meeting.delete()
    assert Meeting.history.filter(id=pk, history_type="-").exists()

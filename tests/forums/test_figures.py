"""The stored figures (forums.stats.figures) follow every write, and the aggregates read from
them equal a recomputation from scratch.

tests/conftest.py already compares the stored figures with a rebuild after every test
that used the database; these tests drive each write path on purpose, check the
aggregate the public sees moved as it should, and compare whole aggregate outputs with
those computed after a rebuild. A bare .save() is no write path: writes here go through
igr.policy.writing() (`save`, `delete` below), services, the policy or commands, as the
admin and the API do.
"""

import datetime
import json

import pytest
from django.core import serializers
from django.core.management import CommandError, call_command
from django.db import transaction

from forums.models import (
    AgendaItem,
    Attendance,
    Commitment,
    ForumMembership,
    Meeting,
    MeetingFigure,
    Recommendation,
)
from forums.services import record_status_change
from forums.stats import aggregates, figures
from igr.policy import publish, withdraw, writing
from igr.records import PublicationState
from tests.conftest import assert_figures_current
from tests.factories import (
    AgendaItemFactory,
    AttendanceFactory,
    AuthorityFactory,
    CommitmentFactory,
    DocumentFactory,
    ForumFactory,
    ForumMembershipFactory,
    MeetingFactory,
    RecommendationFactory,
    SourceFactory,
)

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 11, 28)
RANGES = [(None, None), (datetime.date(2025, 1, 1), None), (None, datetime.date(2025, 3, 31))]


@pytest.fixture(autouse=True)
def _no_cache(settings):
    settings.AGGREGATE_CACHE_SECONDS = 0


def plain(value):
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if isinstance(value, datetime.date):
        return value.isoformat()
    if hasattr(value, "_meta"):
        return f"{value._meta.label}:{value.pk}"
    return value


def outputs() -> str:
    """The aggregates for each forum and range, and forum health on several dates."""
    result = {"headline": aggregates.headline_figures()}
    forums = [None, *aggregates.Forum.objects.order_by("pk")]
    for forum in forums:
        for start, end in RANGES:
            key = f"{forum and forum.pk}|{start}|{end}"
            result[f"summary|{key}"] = aggregates.scorecard_summary(
                forum=forum, start=start, end=end
            )
            for rec in Recommendation.objects.order_by("pk"):
                result[f"card|{rec.pk}|{key}"] = aggregates.scorecard(
                    rec, forum=forum, start=start, end=end
                )
    for today in (None, TODAY, datetime.date(2025, 3, 1)):
        result[f"health|{today}"] = aggregates.forums_health(
            aggregates.Forum.objects.all(), today=today
        )
    return json.dumps(plain(result), sort_keys=True)


def assert_outputs_match_a_rebuild():
    stored = outputs()
    with transaction.atomic():
        figures.rebuild_all()
        rebuilt = outputs()
        transaction.set_rollback(True)
    assert stored == rebuilt


@pytest.fixture
def world():
    forum = ForumFactory(promised_meetings_per_year=4, promise_source=SourceFactory())
    members = [AuthorityFactory() for _ in range(3)]
    memberships = [ForumMembershipFactory(forum=forum, authority=a) for a in members]
    recs = [RecommendationFactory() for _ in range(2)]
    meetings = [
        MeetingFactory(forum=forum, date=datetime.date(2025, 1, 23), attendance_recorded=True),
        MeetingFactory(forum=forum, date=datetime.date(2025, 5, 23), attendance_recorded=True),
    ]
    for meeting in meetings:
        for authority in members[:2]:
            AttendanceFactory(meeting=meeting, authority=authority)
    item = AgendaItemFactory(meeting=meetings[0], recommendations=[recs[0]])
    commitment = CommitmentFactory(
        meeting=meetings[1], due_on=datetime.date(2025, 9, 1), recommendations=[recs[1]]
    )
    return {
        "forum": forum,
        "members": members,
        "memberships": memberships,
        "recs": recs,
        "meetings": meetings,
        "item": item,
        "commitment": commitment,
    }


def save(*records):
    """Save these as one write, as the admin and the API do: noting them as stored
    before (a row may leave a parent) and touching them after."""
    with writing() as write:
        write.changing(*records)
        for record in records:
            record.save()
        write.touched(*records)


def delete(*records):
    """Delete these (queryset results or instances) as one write, as the admin does."""
    with writing() as write:
        for record in records:
            record.delete()
        write.touched(*records)


def health(world, today=TODAY):
    return aggregates.forum_health(world["forum"], today=today)


def card(rec):
    return aggregates.scorecard(rec)


def test_the_world_starts_with_figures_equal_to_a_rebuild(world):
    assert health(world)["attendance_rate"] == round(4 / 6, 3)
    assert_outputs_match_a_rebuild()


def test_a_membership_change_changes_who_was_expected_at_past_meetings(world):
    membership = world["memberships"][2]
    membership.started_on = datetime.date(2025, 3, 1)  # joined after the first meeting
    save(membership)
    assert health(world)["attendance_rate"] == round(4 / 5, 3)
    delete(membership)
    assert health(world)["attendance_rate"] == 1.0
    ForumMembershipFactory(forum=world["forum"], authority=AuthorityFactory())
    assert health(world)["attendance_rate"] == round(4 / 6, 3)
    assert_outputs_match_a_rebuild()


def test_a_membership_moved_to_another_forum_leaves_the_first(world):
    membership = world["memberships"][2]
    membership.forum = ForumFactory()
    save(membership)
    assert health(world)["attendance_rate"] == 1.0
    assert_outputs_match_a_rebuild()


def test_attendance_edits_moves_and_deletes(world):
    first, second = world["meetings"]
    attendance = Attendance.objects.filter(meeting=first).first()
    attendance.mode = "apologies"
    save(attendance)
    assert health(world)["attendance_rate"] == round(3 / 6, 3)
    attendance.meeting = second  # was already represented there: still 3 of 6
    attendance.mode = "in_person"
    save(attendance)
    assert health(world)["attendance_rate"] == round(3 / 6, 3)
    delete(attendance)
    assert health(world)["attendance_rate"] == round(3 / 6, 3)
    rows = list(Attendance.objects.filter(meeting=second))
    with writing() as write:  # a queryset delete, as the admin's bulk delete does
        Attendance.objects.filter(meeting=second).delete()
        write.touched(*rows)
    assert health(world)["attendance_rate"] == round(1 / 6, 3)
    assert_outputs_match_a_rebuild()


def test_unticking_attendance_recorded_takes_a_meeting_out_of_the_rate(world):
    first, second = world["meetings"]
    first.attendance_recorded = False
    save(first)
    row = health(world)
    assert row["attendance_rate"] == round(2 / 3, 3)  # the second meeting alone
    assert (row["attendance_recorded_meetings"], row["attendance_unknown_meetings"]) == (1, 1)
    second.attendance_recorded = False
    save(second)
    assert health(world)["attendance_rate"] is None
    first.attendance_recorded = True
    save(first)
    assert health(world)["attendance_recorded_meetings"] == 1
    assert_outputs_match_a_rebuild()


def test_communiques_count_when_added_changed_and_deleted(world):
    document = DocumentFactory(meeting=world["meetings"][0], kind="communique")
    assert health(world)["communique_rate"] == 0.5
    document.kind = "minutes"
    save(document)
    assert health(world)["communique_rate"] == 0
    document.kind = "communique"
    document.meeting = world["meetings"][1]
    save(document)
    assert health(world)["communique_rate"] == 0.5
    delete(document)
    assert health(world)["communique_rate"] == 0
    assert_outputs_match_a_rebuild()


def test_meeting_status_date_forum_and_publication(world, publisher):
    meeting = world["meetings"][0]
    meeting.status = "cancelled"
    meeting.status_reason = "Election called."
    save(meeting)
    assert health(world)["meetings_held_total"] == 1
    assert card(world["recs"][0])["meetings_touched"] == 0
    meeting.status = "held"
    save(meeting)
    withdraw(meeting, by=publisher, reason="Wrong date.")
    assert health(world)["meetings_held_total"] == 1
    meeting.sources.add(SourceFactory())  # sources feed no figure
    publish(meeting, by=publisher)
    assert health(world)["meetings_held_total"] == 2
    other = ForumFactory()
    meeting.forum = other
    save(meeting)
    assert health(world)["meetings_held_total"] == 1
    assert aggregates.forum_health(other, today=TODAY)["meetings_held_total"] == 1
    assert_outputs_match_a_rebuild()


def test_withdrawing_a_meeting_takes_its_commitments_out_of_the_scorecard(world, publisher):
    meeting = world["meetings"][1]
    rec = world["recs"][1]
    assert card(rec)["commitments_total"] == 1
    assert card(rec)["meetings_touched"] == 1
    withdraw(meeting, by=publisher, reason="Not a meeting of this forum.")
    assert card(rec)["commitments_total"] == 0
    assert card(rec)["meetings_touched"] == 0
    assert_outputs_match_a_rebuild()


def test_a_commitment_moved_to_another_forums_meeting(world):
    commitment = world["commitment"]
    elsewhere = MeetingFactory(forum=ForumFactory(), date=datetime.date(2025, 2, 1))
    commitment.meeting = elsewhere
    save(commitment)
    assert health(world)["commitments_total"] == 0
    assert card(world["recs"][1])["meetings_touched"] == 1
    assert_outputs_match_a_rebuild()


def test_status_changes_move_the_scorecard_and_overdue_counts(world):
    commitment = world["commitment"]
    assert health(world)["commitments_overdue"] == 1
    record_status_change(
        commitment=commitment,
        new_status="delivered",
        effective_on=datetime.date(2025, 10, 1),
        note="Done.",
        evidence_source=SourceFactory(),
    )
    assert health(world)["commitments_overdue"] == 0
    assert health(world)["commitments_delivered"] == 1
    assert card(world["recs"][1])["latest_activity"] == datetime.date(2025, 10, 1)
    assert_outputs_match_a_rebuild()


@pytest.mark.parametrize("side", ["forward", "reverse"])
def test_tags_added_removed_and_cleared_from_either_side(world, side):
    rec, other = world["recs"]
    item, commitment = world["item"], world["commitment"]
    with writing() as write:
        if side == "forward":
            item.recommendations.add(other)
            commitment.recommendations.add(rec)
            write.touched(item, commitment)
        else:
            other.agenda_items.add(item)
            rec.commitments.add(commitment)
            write.touched(other, rec)
    assert card(other)["agenda_items"] == 1
    assert card(rec)["commitments_total"] == 1
    assert_outputs_match_a_rebuild()
    with writing() as write:
        if side == "forward":
            item.recommendations.remove(rec)
            commitment.recommendations.clear()
            write.touched(item, commitment)
        else:
            rec.agenda_items.remove(item)
            rec.commitments.clear()
            other.commitments.clear()
            write.touched(rec, other)
    assert card(rec)["agenda_items"] == 0
    assert card(rec)["commitments_total"] == 0
    assert card(other)["commitments_total"] == 0
    assert_outputs_match_a_rebuild()
    with writing() as write:
        if side == "forward":
            item.recommendations.set([])
            write.touched(item)
        else:
            other.agenda_items.clear()
            write.touched(other)
    assert card(other)["meetings_touched"] == 0
    assert_outputs_match_a_rebuild()


def test_agenda_items_moved_and_deleted(world):
    item = world["item"]
    item.meeting = world["meetings"][1]
    save(item)
    assert card(world["recs"][0])["latest_activity"] == datetime.date(2025, 5, 23)
    delete(item)
    assert card(world["recs"][0])["meetings_touched"] == 0
    assert_outputs_match_a_rebuild()


def test_deleting_a_meeting_and_a_commitment_updates_the_totals(world):
    delete(world["commitment"])
    assert health(world)["commitments_total"] == 0
    assert card(world["recs"][1])["meetings_touched"] == 0
    delete(world["meetings"][1])  # cascades to its attendance
    assert health(world)["meetings_held_total"] == 1
    assert aggregates.headline_figures()["meeting_count"] == 1
    assert_outputs_match_a_rebuild()


def test_deleting_a_recommendation_takes_its_figures(world):
    Recommendation.objects.filter(pk=world["recs"][0].pk).delete()
    assert not MeetingFigure.objects.filter(recommendation_id=world["recs"][0].pk).exists()
    assert_outputs_match_a_rebuild()


def test_a_forum_level_commitment_and_a_meeting_of_another_forum(world):
    # A commitment naming a forum but made at another forum's meeting counts for the
    # forum it names in health, and for both in the scorecards (for_forum matches either).
    other = ForumFactory()
    CommitmentFactory(meeting=world["meetings"][0], forum=other, recommendations=[world["recs"][0]])
    assert aggregates.forum_health(other, today=TODAY)["commitments_total"] == 1
    assert aggregates.scorecard(world["recs"][0], forum=other)["commitments_total"] == 1
    assert aggregates.scorecard(world["recs"][0], forum=world["forum"])["commitments_total"] == 1
    assert_outputs_match_a_rebuild()


def test_loaddata_builds_the_figures(world, tmp_path):
    meeting = world["meetings"][0]
    records = [
        *world["memberships"],
        meeting,
        *Attendance.objects.filter(meeting=meeting),
        *AgendaItem.objects.filter(meeting=meeting),
    ]
    path = tmp_path / "records.json"
    path.write_text(serializers.serialize("json", records))
    expected = outputs()
    delete(*AgendaItem.objects.filter(meeting=meeting))
    delete(meeting)
    delete(*ForumMembership.objects.filter(forum=world["forum"]))
    assert outputs() != expected
    call_command("loaddata", str(path), verbosity=0)
    assert outputs() == expected
    assert_figures_current()


def test_load_reference_data_builds_the_figures():
    call_command("load_reference_data", verbosity=0)
    assert Meeting.objects.exists()
    assert MeetingFigure.objects.filter(recommendation__isnull=True).count() == (
        Meeting.objects.count()
    )
    assert_outputs_match_a_rebuild()


@pytest.mark.stale_figures  # until the command runs, on purpose
def test_rebuild_figures_command_repairs_writes_outside_the_policy(world, capsys):
    Meeting.objects.filter(pk=world["meetings"][0].pk).update(
        publication_state=PublicationState.DRAFT
    )
    Commitment.objects.bulk_create(
        [Commitment(meeting=world["meetings"][1], title="Bulk", text="Bulk.")]
    )
    assert health(world)["meetings_held_total"] == 2  # stale
    call_command("rebuild_figures")
    assert "Rebuilt the stored figures" in capsys.readouterr().out
    assert health(world)["meetings_held_total"] == 1
    assert health(world)["commitments_total"] == 1  # the bulk one is a draft
    assert_figures_current()
    assert_outputs_match_a_rebuild()


@pytest.mark.stale_figures  # made stale on purpose, then repaired
def test_rebuild_figures_check_passes_current_figures_and_names_stale_rows(world, capsys):
    call_command("rebuild_figures", "--check")
    assert "The stored figures equal a rebuild." in capsys.readouterr().out
    meeting = world["meetings"][0]
    MeetingFigure.objects.filter(meeting=meeting, recommendation=None).update(members_present=0)

    with pytest.raises(CommandError) as refused:
        call_command("rebuild_figures", "--check")
    message = str(refused.value)
    assert "MeetingFigure: 1 row(s) stored, not in a rebuild:" in message
    assert "MeetingFigure: 1 row(s) missing:" in message
    assert f"meeting_id={meeting.pk}, recommendation_id=None" in message
    assert "members_present=0" in message and "members_present=2" in message
    assert "MeetingTotal" not in message  # the totals were left alone, so they still agree
    # The check changed nothing: the stale row is still there until a rebuild.
    stored = MeetingFigure.objects.get(meeting=meeting, recommendation=None)
    assert stored.members_present == 0

    call_command("rebuild_figures", verbosity=0)
    call_command("rebuild_figures", "--check")
    assert_figures_current()

import datetime

import pytest

from forums.models import CommitmentStatus
from forums.services import record_status_change
from forums.stats import aggregates
from tests.factories import (
    AgendaItemFactory,
    AttendanceFactory,
    AuthorityFactory,
    CommitmentFactory,
    DocumentFactory,
    ForumFactory,
    ForumMembershipFactory,
    MeetingFactory,
    OfficeFactory,
    PartyFactory,
    PersonFactory,
    RecommendationFactory,
    SourceFactory,
)

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 11, 28)


def _with_status(commitment, status):
    record_status_change(
        commitment=commitment,
        new_status=status,
        effective_on=datetime.date(2025, 6, 1),
        note="Assessed.",
        evidence_source=SourceFactory(),
    )
    return commitment


def test_scorecard_counts_commitments_by_status_and_scores_by_the_rubric():
    rec = RecommendationFactory()
    meeting = MeetingFactory(date=datetime.date(2025, 1, 23))
    AgendaItemFactory(meeting=meeting, recommendations=[rec])
    for status in ["delivered", "partly_delivered", "missed"]:
        c = CommitmentFactory(
            meeting=meeting, made_on=datetime.date(2025, 1, 23), recommendations=[rec]
        )
        _with_status(c, status)
    CommitmentFactory(meeting=meeting, recommendations=[rec])  # not yet assessed
    CommitmentFactory(publication_state="draft", recommendations=[rec])  # never counted
    CommitmentFactory()  # another recommendation's business

    card = aggregates.scorecard(rec)
    assert card["commitments_total"] == 4
    assert card["commitments_assessed"] == 3
    assert card["commitments_by_status"]["delivered"] == 1
    assert card["score"] == 0.5  # (1 + 0.5 + 0) / 3
    assert card["share_delivered"] == 0.25
    assert card["meetings_touched"] == 1
    assert card["agenda_items"] == 1
    assert card["latest_activity"] == datetime.date(2025, 6, 1)
    quarters = {row["quarter"]: row for row in card["activity_per_quarter"]}
    assert list(quarters) == ["2024 Q4", "2025 Q1"]  # the factory's default made_on is 2024
    assert (quarters["2025 Q1"]["meetings"], quarters["2025 Q1"]["commitments"]) == (1, 3)
    assert (quarters["2024 Q4"]["meetings"], quarters["2024 Q4"]["commitments"]) == (0, 1)


def test_scorecard_without_assessed_commitments_has_no_score():
    rec = RecommendationFactory()
    CommitmentFactory(recommendations=[rec])
    card = aggregates.scorecard(rec)
    assert card["score"] is None


def test_scorecard_summary_has_a_row_per_recommendation_filtered_by_forum():
    forum = ForumFactory()
    first, second = RecommendationFactory(), RecommendationFactory()
    c = CommitmentFactory(meeting=MeetingFactory(forum=forum), recommendations=[first])
    _with_status(c, CommitmentStatus.DELIVERED)
    CommitmentFactory(recommendations=[first])  # another forum

    rows = {row["slug"]: row for row in aggregates.scorecard_summary(forum=forum)}
    assert rows[first.slug]["commitments_total"] == 1
    assert rows[first.slug]["score"] == 1.0
    assert rows[second.slug]["commitments_total"] == 0
    everywhere = {row["slug"]: row for row in aggregates.scorecard_summary()}
    assert everywhere[first.slug]["commitments_total"] == 2


def test_forum_health_counts_meetings_against_the_promise_and_flags_overdue():
    source = SourceFactory()
    # Checked to today: verdicts are judged only inside the checked window.
    forum = ForumFactory(
        promised_meetings_per_year=4, promise_source=source, record_checked_to=TODAY
    )
    MeetingFactory(forum=forum, date=TODAY - datetime.timedelta(days=200))
    MeetingFactory(forum=forum, date=TODAY - datetime.timedelta(days=400))
    MeetingFactory(forum=forum, date=TODAY - datetime.timedelta(days=20), publication_state="draft")

    health = aggregates.forum_health(forum, today=TODAY)
    assert health["meetings_held_last_12_months"] == 1
    assert health["meets_promise"] is False
    assert health["days_since_last_meeting"] == 200
    assert health["expected_interval_days"] == 92
    assert health["overdue"] is True


def test_forum_health_attendance_and_communique_rates():
    forum = ForumFactory()
    members = [AuthorityFactory(), AuthorityFactory()]
    for authority in members:
        ForumMembershipFactory(forum=forum, authority=authority)
    first = MeetingFactory(forum=forum, date=datetime.date(2025, 1, 1), attendance_recorded=True)
    second = MeetingFactory(forum=forum, date=datetime.date(2025, 6, 1), attendance_recorded=True)
    AttendanceFactory(meeting=first, authority=members[0])
    AttendanceFactory(meeting=first, authority=members[1], mode="virtual")
    AttendanceFactory(meeting=second, authority=members[0], mode="apologies")
    AttendanceFactory(meeting=second, authority=AuthorityFactory())  # not a member
    DocumentFactory(meeting=first)

    health = aggregates.forum_health(forum, today=TODAY)
    assert health["attendance_rate"] == 0.5  # 2 of 4 member-meetings present
    assert health["communique_rate"] == 0.5
    assert health["overdue"] is False  # no promise, so never overdue


def test_forum_health_attendance_rate_leaves_out_meetings_whose_attendance_is_unknown():
    # Issue 15: a held meeting whose sources do not list who attended counted as "nobody
    # from the members came", so a forum with little recorded showed a rate near 0%.
    forum = ForumFactory()
    members = [AuthorityFactory(), AuthorityFactory()]
    for authority in members:
        ForumMembershipFactory(forum=forum, authority=authority)
    recorded = MeetingFactory(forum=forum, date=datetime.date(2025, 1, 1), attendance_recorded=True)
    AttendanceFactory(meeting=recorded, authority=members[0])
    AttendanceFactory(meeting=recorded, authority=members[1])
    for day in (2, 3, 4):
        MeetingFactory(forum=forum, date=datetime.date(2025, 2, day))  # nothing recorded
    partly = MeetingFactory(forum=forum, date=datetime.date(2025, 3, 1))
    AttendanceFactory(meeting=partly, authority=members[0])

    health = aggregates.forum_health(forum, today=TODAY)
    assert health["attendance_rate"] == 1.0  # 2 of 2 at the one recorded meeting
    assert health["attendance_recorded_meetings"] == 1
    assert health["attendance_unknown_meetings"] == 4
    # Counted as of a past day too (the totals less the meetings after it).
    assert (
        aggregates.forum_health(forum, today=datetime.date(2025, 1, 15))[
            "attendance_unknown_meetings"
        ]
        == 0
    )


def test_forum_health_attendance_rate_is_unknown_when_no_meeting_is_recorded():
    forum = ForumFactory()
    ForumMembershipFactory(forum=forum)
    MeetingFactory(forum=forum, date=datetime.date(2025, 1, 1))
    health = aggregates.forum_health(forum, today=TODAY)
    assert health["attendance_rate"] is None
    assert (health["attendance_recorded_meetings"], health["attendance_unknown_meetings"]) == (0, 1)


def test_forum_health_commitments_delivered_and_overdue():
    forum = ForumFactory()
    meeting = MeetingFactory(forum=forum)
    _with_status(CommitmentFactory(meeting=meeting), "delivered")
    CommitmentFactory(meeting=meeting, due_on=TODAY - datetime.timedelta(days=1))
    CommitmentFactory(meeting=None, forum=forum, due_on=TODAY + datetime.timedelta(days=1))
    health = aggregates.forum_health(forum, today=TODAY)
    assert (health["commitments_total"], health["commitments_delivered"]) == (3, 1)
    assert health["commitments_overdue"] == 1


def test_attendance_summary_and_matrix_distinguish_modes():
    forum = ForumFactory()
    person = PersonFactory(name="Andy Burnham")
    m1 = MeetingFactory(forum=forum, date=datetime.date(2024, 10, 11))
    m2 = MeetingFactory(forum=forum, date=datetime.date(2025, 1, 23))
    AttendanceFactory(meeting=m1, person=person, mode="in_person")
    AttendanceFactory(meeting=m2, person=person, mode="apologies")
    AttendanceFactory(meeting=MeetingFactory(publication_state="draft"), person=person)

    (row,) = aggregates.attendance_summary(forum=forum)
    assert (row["in_person"], row["apologies"], row["meetings"]) == (1, 1, 2)
    matrix = aggregates.attendance_matrix(forum=forum)
    assert [m["slug"] for m in matrix["meetings"]] == [m1.slug, m2.slug]
    assert matrix["people"][0]["cells"] == ["in_person", "apologies"]


def test_cross_party_uses_the_party_held_on_the_meeting_date():
    labour, conservative = PartyFactory(name="Labour"), PartyFactory(name="Conservative")
    person = PersonFactory()
    authority = AuthorityFactory()
    OfficeFactory(
        person=person,
        authority=authority,
        party=conservative,
        started_on=datetime.date(2017, 5, 8),
        ended_on=datetime.date(2024, 5, 5),
    )
    OfficeFactory(
        person=person,
        authority=AuthorityFactory(),
        party=labour,
        started_on=datetime.date(2024, 5, 6),
    )
    forum = ForumFactory()
    AttendanceFactory(
        meeting=MeetingFactory(forum=forum, date=datetime.date(2023, 1, 1)), person=person
    )
    AttendanceFactory(
        meeting=MeetingFactory(forum=forum, date=datetime.date(2025, 1, 1)), person=person
    )

    result = aggregates.cross_party(forum=forum)
    assert [row["party_name"] for row in result["per_meeting"]] == ["Conservative", "Labour"]
    assert {row["party_name"]: row["attendances"] for row in result["per_forum"]} == {
        "Conservative": 1,
        "Labour": 1,
    }


def test_coverage_lists_gaps_in_the_record():
    forum = ForumFactory()
    bare = MeetingFactory(forum=forum, date_confirmed=False)
    bare.sources.add(SourceFactory(kind="news", last_verified_on=datetime.date(2026, 1, 5)))
    documented = MeetingFactory(forum=forum)
    documented.sources.add(SourceFactory(kind="official"))
    DocumentFactory(meeting=documented)

    result = aggregates.coverage(today=TODAY)
    assert result["meetings_without_communique"] == [bare]
    assert result["unconfirmed_dates"] == [bare]
    assert result["meetings_without_official_source"] == [bare]
    (row,) = result["forums"]
    assert row["last_verified_on"] == datetime.date(2026, 1, 5)

"""Derived views computed by the database and shared by the public pages and the API.

Each function takes plain arguments (a recommendation or forum, optional forum and date
range) and returns plain dicts and lists, so a template can render them and a DRF view
can return them as they are. Counting, grouping and date bucketing are done in SQL; the
Python here only shapes the grouped rows. Everything starts from `.published()`.
"""

import datetime
import math
from collections import defaultdict

from django.db.models import (
    Count,
    Exists,
    Max,
    OuterRef,
    Prefetch,
    Q,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce, TruncQuarter
from django.utils import timezone

from authorities.models import Office, Person
from forums.models import (
    OPEN_STATUSES,
    Attendance,
    AttendanceMode,
    Commitment,
    CommitmentFigure,
    CommitmentStatus,
    CommitmentTotal,
    Document,
    Forum,
    KnownGap,
    KnownGapKind,
    Meeting,
    MeetingFigure,
    MeetingTotal,
    Recommendation,
    SourceKind,
)
from igr.caching import cached_aggregate

SCORECARD_RUBRIC = (
    "Each commitment tagged with the recommendation counts once. Commitments that have not "
    "yet been assessed are left out of the score. Of the assessed ones, a delivered "
    "commitment scores 1, a partly delivered one scores 0.5, and any other status (not "
    "started, in progress, missed, dropped) scores 0. The score is the average, shown as a "
    "percentage; with no assessed commitments there is no score. “Share delivered” is "
    "delivered commitments over all tagged commitments. Activity counts held, published "
    "meetings with an agenda item or commitment tagged with the recommendation."
)

FORUM_HEALTH_RUBRIC = (
    "Meetings held counts published meetings marked held in the 365 days to today, leaving "
    "out any whose occurrence is not confirmed (they are listed, flagged). The "
    "verdicts are worked out only inside the window a forum's sources were checked: a "
    "forum is overdue when it promised to meet N times a year and, on the date its record "
    "is checked to, more than 365 ÷ N days (rounded up) had passed since its last held "
    "meeting with a confirmed date (or since it was founded, if it has no such meeting). "
    "A meeting whose date or occurrence is not confirmed is shown beside the last meeting, "
    "flagged, and never counts as it. Without a checked-to date the verdicts are unknown, "
    "not overdue, and a promise is judged kept or not only when the whole 12 months are "
    "checked. Attendance rate is, over held meetings whose attendance is recorded (the "
    "sources list who attended), the share of member authorities (members on the meeting "
    "date) with someone present in person, virtually or as a substitute; meetings whose "
    "attendance is not recorded are left out and counted separately, since who was absent "
    "from them is unknown. Communiqué rate is the share of held meetings with a published "
    "communiqué on record."
)

# The attendance matrix's cells: a mode, or why the person is not listed.
NOT_LISTED, UNKNOWN = "not_listed", "unknown"
MATRIX_CELLS = {
    **dict(AttendanceMode.choices),
    NOT_LISTED: "Not listed (attendance recorded)",
    UNKNOWN: "Unknown (attendance not recorded)",
}

# What a forum's health verdict can be; "unknown" when its sources were never checked.
HEALTH_VERDICTS = ("overdue", "not_overdue", "no_promise", "unknown")


# --- helpers ----------------------------------------------------------------------------


def _in_range(queryset, field, start, end):
    if start is not None:
        queryset = queryset.filter(**{f"{field}__gte": start})
    if end is not None:
        queryset = queryset.filter(**{f"{field}__lte": end})
    return queryset


def _score(counts: dict) -> dict:
    total = sum(counts.values())
    delivered = counts.get(CommitmentStatus.DELIVERED, 0)
    partly = counts.get(CommitmentStatus.PARTLY_DELIVERED, 0)
    assessed = total - counts.get(CommitmentStatus.NOT_ASSESSED, 0)
    return {
        "commitments_total": total,
        "commitments_by_status": {
            status: counts.get(status, 0) for status in CommitmentStatus.values
        },
        "commitments_assessed": assessed,
        "share_delivered": round(delivered / total, 3) if total else None,
        "score": round((delivered + 0.5 * partly) / assessed, 3) if assessed else None,
    }


def _counted_meetings(*, forum=None, start=None, end=None):
    """Published, held meetings (their stored figure rows), by forum and date."""
    meetings = MeetingFigure.objects.filter(is_counted=True)
    if forum is not None:
        meetings = meetings.filter(forum=forum)
    return _in_range(meetings, "date", start, end)


def _touching(*, forum=None, start=None, end=None):
    """The one definition of the meetings that touched a recommendation: published, held
    meetings with an agenda item tagged with it or a published commitment made there and
    tagged with it (their stored figure rows, one per meeting and recommendation). Every
    "meetings touching it" figure (home page, scorecard list, a recommendation's page,
    both API endpoints) is counted from here or from its sums in meetings_touched()."""
    return (
        _counted_meetings(forum=forum, start=start, end=end)
        .filter(recommendation__isnull=False)
        .filter(Q(agenda_items__gt=0) | Q(via_commitment=True))
    )


def meetings_touched(*, forum=None, start=None, end=None) -> dict:
    """Per recommendation id: {"meetings": meetings touching it, "items": its tagged agenda
    items}, counted over _touching(). Without a date range, from the stored totals: a
    meeting has a figure row for a recommendation only when it touched it
    (figures._meeting_rows), so the totals' meetings count exactly _touching()'s rows."""
    if start is None and end is None:
        totals = MeetingTotal.objects.filter(recommendation__isnull=False)
        if forum is not None:
            totals = totals.filter(forum=forum)
        rows = totals.values("recommendation_id").annotate(
            meetings=Sum("meetings"), items=Sum("agenda_items")
        )
    else:
        rows = (
            _touching(forum=forum, start=start, end=end)
            .values("recommendation_id")
            .annotate(meetings=Count("date"), items=Sum("agenda_items"))
        )
    return {
        row["recommendation_id"]: {"meetings": row["meetings"], "items": row["items"] or 0}
        for row in rows.order_by()
        if row["meetings"]
    }


def _tagged_commitments(*, forum=None, start=None, end=None):
    """Published commitments' stored tag rows; `forum` matches the forum responsible or
    the meeting's forum, as CommitmentQuerySet.for_forum does."""
    commitments = CommitmentFigure.objects.filter(is_published=True, recommendation__isnull=False)
    if forum is not None:
        commitments = commitments.filter(Q(owner=forum) | Q(other_forum=forum))
    return _in_range(commitments, "made_on", start, end)


def _overdue(today):
    return Q(status__in=OPEN_STATUSES, due_on__lt=today)


def _commitment_counts(totals, today) -> dict:
    """Per forum responsible, from CommitmentTotal rows: published commitments in total,
    delivered, and overdue on `today`. Overdue is open, less open without a due date,
    less open due on or after today: a short range of the stored figures' index of open
    commitments by forum and due date, where counting the overdue themselves would read
    most of 300,000 commitments. Two queries."""
    open_ = Q(status__in=OPEN_STATUSES)
    rows = (
        totals.values("owner")
        .annotate(
            total=Sum("commitments"),
            delivered=Sum("commitments", filter=Q(status=CommitmentStatus.DELIVERED)),
            open=Sum("commitments", filter=open_),
            open_undated=Sum("without_due_date", filter=open_),
            undated=Sum("without_due_date"),
        )
        .order_by()
    )
    not_yet_due = dict(
        CommitmentFigure.objects.filter(
            open_,
            recommendation__isnull=True,
            is_published=True,
            owner__in=totals.values("owner"),
            due_on__gte=today,
        )
        .values("owner")
        .annotate(n=Count("due_on"))
        .order_by()
        .values_list("owner", "n")
    )
    return {
        row["owner"]: {
            "total": row["total"] or 0,
            "delivered": row["delivered"] or 0,
            # Without a due date a commitment is never overdue: said beside every overdue count.
            "undated": row["undated"] or 0,
            "overdue": (row["open"] or 0)
            - (row["open_undated"] or 0)
            - not_yet_due.get(row["owner"], 0),
        }
        for row in rows
    }


@cached_aggregate
def headline_figures() -> dict:
    """The home page's counts: published forums, held meetings, commitments, overdue.

    From the stored totals (forums.stats.figures): three COUNTs over the meetings and
    commitments tables are slow on big tables (docs/benchmarks.md)."""
    meetings = MeetingTotal.objects.filter(recommendation__isnull=True).aggregate(n=Sum("meetings"))
    commitments = _commitment_counts(
        CommitmentTotal.objects.filter(recommendation__isnull=True), timezone.localdate()
    ).values()
    return {
        "forum_count": Forum.objects.published().count(),
        "meeting_count": meetings["n"] or 0,
        "commitment_count": sum(c["total"] for c in commitments),
        # Held meetings that may not have taken place: left out of meeting_count, said.
        "unconfirmed_meeting_count": Meeting.objects.published()
        .held()
        .filter(occurrence_confirmed=False)
        .count(),
        "overdue_count": sum(c["overdue"] for c in commitments),
        "undated_count": sum(c["undated"] for c in commitments),
    }


@cached_aggregate
def scorecard_summary(*, forum=None, start=None, end=None) -> list[dict]:
    """One row per recommendation: commitments by status, score, meetings touched.

    Two grouped scans of the stored figures (forums.stats.figures) instead of joining 300,000
    commitment tags and 200,000 agenda-item tags to their commitments and meetings:
    1.06 s p95 uncached at 100,000 meetings before (docs/benchmarks.md)."""
    recommendations = list(Recommendation.objects.select_related("report"))
    if start is None and end is None:
        # The common case (home page, /scorecards/, a forum's): the stored totals.
        commitments = CommitmentTotal.objects.filter(recommendation__isnull=False)
        if forum is not None:
            commitments = commitments.filter(Q(owner=forum) | Q(other_forum=forum))
        status_rows = commitments.values("recommendation_id", "status").annotate(
            n=Sum("commitments")
        )
    else:
        status_rows = (
            _tagged_commitments(forum=forum, start=start, end=end)
            .values("recommendation_id", "status")
            .annotate(n=Count("status"))
        )
    counts = defaultdict(dict)
    for row in status_rows.order_by():
        if row["n"]:
            counts[row["recommendation_id"]][row["status"]] = row["n"]
    touched = meetings_touched(forum=forum, start=start, end=end)
    return [
        {
            "recommendation": rec,
            "number": rec.number,
            "slug": rec.slug,
            "title": rec.title,
            "meetings_touched": touched.get(rec.pk, {}).get("meetings", 0),
            "agenda_items": touched.get(rec.pk, {}).get("items", 0),
            **_score(counts.get(rec.pk, {})),
        }
        for rec in recommendations
    ]


@cached_aggregate
def scorecard(recommendation, *, forum=None, start=None, end=None) -> dict:
    """The full scorecard of one recommendation, with activity per quarter.

    A meeting touches the recommendation when it has an agenda item tagged with it or a
    published commitment made there tagged with it (stored per meeting and
    recommendation by forums.stats.figures)."""
    commitments = _tagged_commitments(forum=forum, start=start, end=end).filter(
        recommendation=recommendation
    )
    counts = {
        row["status"]: row["n"]
        for row in commitments.order_by().values("status").annotate(n=Count("status"))
    }
    meetings = _touching(forum=forum, start=start, end=end).filter(recommendation=recommendation)

    per_quarter = defaultdict(lambda: {"meetings": 0, "commitments": 0})
    for row in (
        meetings.order_by().annotate(quarter=TruncQuarter("date")).values("quarter")
    ).annotate(n=Count("date")):
        per_quarter[row["quarter"]]["meetings"] = row["n"]
    for row in (
        commitments.filter(made_on__isnull=False)
        .order_by()
        .annotate(quarter=TruncQuarter("made_on"))
        .values("quarter")
        .annotate(n=Count("made_on"))
    ):
        per_quarter[row["quarter"]]["commitments"] = row["n"]

    meeting_figures = meetings.aggregate(
        touched=Count("date"), items=Sum("agenda_items"), latest=Max("date")
    )
    commitment_figures = commitments.aggregate(
        overdue=Count("status", filter=_overdue(timezone.localdate())),
        undated=Count("status", filter=Q(due_on__isnull=True)),
        made=Max("made_on"),
        changed=Max("latest_change_on"),
    )
    latest = [
        meeting_figures["latest"],
        commitment_figures["made"],
        commitment_figures["changed"],
    ]
    latest = [d for d in latest if d is not None]
    return {
        "recommendation": recommendation,
        "number": recommendation.number,
        "slug": recommendation.slug,
        "title": recommendation.title,
        "meetings_touched": meeting_figures["touched"],
        "agenda_items": meeting_figures["items"] or 0,
        "overdue_commitments": commitment_figures["overdue"],
        "commitments_without_due_date": commitment_figures["undated"],
        "latest_activity": max(latest) if latest else None,
        "activity_per_quarter": [
            {
                "quarter": f"{quarter.year} Q{(quarter.month - 1) // 3 + 1}",
                "starts_on": quarter,
                **values,
            }
            for quarter, values in sorted(per_quarter.items())
        ],
        "rubric": SCORECARD_RUBRIC,
        **_score(counts),
    }


def _expected_interval_days(promised_per_year):
    return math.ceil(365 / promised_per_year) if promised_per_year else None


@cached_aggregate
def forums_health(forums=None, *, today: datetime.date | None = None) -> list[dict]:
    """Health indicators for each published forum (or the given queryset of them).

    Sums of the stored per-meeting figures (members expected and present, communiqué)
    and counts of the stored commitment rows, read from two partial indexes: the
    attendance rate alone joined every held meeting to its forum's members and the
    million attendance rows (3.46 s p95 uncached at 100,000 meetings before)."""
    today = today or timezone.localdate()
    year_ago = today - datetime.timedelta(days=365)
    forums = (forums if forums is not None else Forum.objects.published()).order_by("name")
    by_forum = {
        row["forum_id"]: row
        for row in MeetingTotal.objects.filter(
            recommendation__isnull=True, forum__in=forums
        ).values(
            "forum_id",
            "meetings",
            "with_communique",
            "attendance_recorded",
            "members_expected",
            "members_present",
        )
    }
    # The totals hold every held meeting; those after `today` (none, unless `today` is
    # in the past) come off, and the last 12 months are counted, from one short range of
    # the stored figures' (forum, date) index.
    recent = MeetingFigure.objects.filter(
        recommendation__isnull=True, is_counted=True, forum__in=forums, date__gt=year_ago
    )
    later = Q(date__gt=today)
    later_recorded = later & Q(attendance_recorded=True)
    for row in (
        recent.values("forum_id")
        .annotate(
            held_last_12_months=Count("date", filter=~later),
            later=Count("date", filter=later),
            later_communique=Count("date", filter=later & Q(has_communique=True)),
            later_recorded=Count("date", filter=later_recorded),
            later_expected=Sum("members_expected", filter=later_recorded),
            later_present=Sum("members_present", filter=later_recorded),
        )
        .order_by()
    ):
        totals = by_forum.setdefault(row["forum_id"], {})
        for field, later_field in (
            ("meetings", "later"),
            ("with_communique", "later_communique"),
            ("attendance_recorded", "later_recorded"),
            ("members_expected", "later_expected"),
            ("members_present", "later_present"),
        ):
            totals[field] = totals.get(field, 0) - (row[later_field] or 0)
        totals["held_last_12_months"] = row["held_last_12_months"]
    commitments = _commitment_counts(
        CommitmentTotal.objects.filter(recommendation__isnull=True, owner__in=forums), today
    )
    # Only a held meeting with a confirmed date is "last met"; the stored figures do not
    # carry the confirmation, so these read the meetings' (forum, date) index, newest first.
    # An unconfirmed one is looked for only after the last met, a short range of it.
    held = Meeting.objects.published().held().filter(forum=OuterRef("pk"), date__lte=today)
    last_held = held.confirmed().order_by("-date").values("date")[:1]
    last_unconfirmed = (
        held.unconfirmed()
        .filter(date__gt=Coalesce(OuterRef("last_meeting"), Value(datetime.date(1, 1, 1))))
        .order_by("-date")
        .values("date")[:1]
    )
    forums = forums.annotate(last_meeting=Subquery(last_held)).annotate(
        last_unconfirmed=Subquery(last_unconfirmed)
    )

    results = []
    for forum in forums:
        row = by_forum.get(forum.pk, {})
        last = forum.last_meeting
        unconfirmed = forum.last_unconfirmed
        since = last or forum.founded_on
        checked_to = forum.record_checked_to
        # Verdicts are judged on the day the record is checked to, never past today.
        as_of = min(checked_to, today) if checked_to else None
        interval = _expected_interval_days(forum.promised_meetings_per_year)
        if not interval:
            verdict = "no_promise"
        elif as_of is None:
            verdict = "unknown"
        elif since is not None and (as_of - since).days > interval:
            verdict = "overdue"
        else:
            verdict = "not_overdue"
        held_recently = row.get("held_last_12_months", 0)
        promise = forum.promised_meetings_per_year
        if not promise:
            meets_promise = None
        elif held_recently >= promise:
            meets_promise = True
        else:
            # A shortfall is a fact only when the whole 12 months were searched.
            meets_promise = False if checked_to and checked_to >= today else None
        expected = row.get("members_expected") or 0
        held_total = row.get("meetings", 0)
        c = commitments.get(forum.pk, {})
        results.append(
            {
                "forum": forum,
                "slug": forum.slug,
                "name": forum.name,
                "is_statutory": forum.is_statutory,
                "legal_basis": forum.legal_basis,
                "promised_meetings_per_year": forum.promised_meetings_per_year,
                "meetings_held_total": held_total,
                "meetings_held_last_12_months": held_recently,
                "meets_promise": meets_promise,
                "record_checked_to": checked_to,
                "record_checked_note": forum.record_checked_note,
                "last_meeting_on": last,
                "days_since_last_meeting": (today - last).days if last else None,
                "unconfirmed_meeting_on": unconfirmed,
                "expected_interval_days": interval,
                "verdict": verdict,
                "overdue": verdict == "overdue",
                # Over the meetings whose attendance is recorded only, and says how many.
                "attendance_rate": (
                    round((row.get("members_present") or 0) / expected, 3) if expected else None
                ),
                "attendance_recorded_meetings": row.get("attendance_recorded", 0),
                "attendance_unknown_meetings": held_total - row.get("attendance_recorded", 0),
                "communique_rate": (
                    round(row.get("with_communique", 0) / held_total, 3) if held_total else None
                ),
                "commitments_total": c.get("total", 0),
                "commitments_delivered": c.get("delivered", 0),
                "commitments_overdue": c.get("overdue", 0),
                "commitments_without_due_date": c.get("undated", 0),
                "rubric": FORUM_HEALTH_RUBRIC,
            }
        )
    return results


def forum_health(forum, *, today: datetime.date | None = None) -> dict:
    return forums_health(Forum.objects.filter(pk=forum.pk), today=today)[0]


def record_checks() -> dict:
    """How current the record is: each published forum's checked-to date and note, the
    oldest of them, and how many forums were never checked."""
    forums = list(
        Forum.objects.published()
        .order_by("name")
        .values("slug", "name", "record_checked_to", "record_checked_note")
    )
    checked = [f["record_checked_to"] for f in forums if f["record_checked_to"]]
    return {
        "forums": forums,
        "oldest": min(checked, default=None),
        "newest": max(checked, default=None),
        "unchecked": len(forums) - len(checked),
    }


def _attendance(*, forum=None, start=None, end=None):
    attendance = Attendance.objects.published().filter(meeting__status="held")
    if forum is not None:
        attendance = attendance.filter(meeting__forum=forum)
    return _in_range(attendance, "meeting__date", start, end)


def _attendance_groups(*, forum=None, start=None, end=None):
    """Person × forum groups, counted by mode, in a total order (names, then slugs, so a
    shared name cannot move a row between pages). Unevaluated: a page slices it (LIMIT and
    OFFSET on the grouped SELECT) and the total counts it (COUNT over the groups), so the
    database never sends every group; at 1,000,000 attendance rows there are 35,000."""
    return (
        _attendance(forum=forum, start=start, end=end)
        .values("person__slug", "person__name", "meeting__forum__slug", "meeting__forum__name")
        .annotate(
            **{mode: Count("id", filter=Q(mode=mode)) for mode in AttendanceMode.values},
            meetings=Count("id"),
            present_at_recorded=Count(
                "id",
                filter=Q(meeting__attendance_recorded=True) & ~Q(mode=AttendanceMode.APOLOGIES),
            ),
        )
        .order_by("person__name", "person__slug", "meeting__forum__name", "meeting__forum__slug")
    )


def _forum_attendance_known(*, forum=None, start=None, end=None) -> dict:
    """Per forum slug: its held, published meetings (in the range) whose attendance is
    recorded and whose is not. One grouped query over the meetings."""
    meetings = _in_range(
        Meeting.objects.published().held().filter(occurrence_confirmed=True), "date", start, end
    )
    if forum is not None:
        meetings = meetings.for_forum(forum)
    return {
        row["forum__slug"]: (row["recorded"], row["unrecorded"])
        for row in meetings.values("forum__slug")
        .annotate(
            recorded=Count("id", filter=Q(attendance_recorded=True)),
            unrecorded=Count("id", filter=Q(attendance_recorded=False)),
        )
        .order_by()
    }


def _summary_row(row, known: dict) -> dict:
    recorded, unrecorded = known.get(row["meeting__forum__slug"], (0, 0))
    return {
        "person": row["person__slug"],
        "person_name": row["person__name"],
        "forum": row["meeting__forum__slug"],
        "forum_name": row["meeting__forum__name"],
        "meetings": row["meetings"],
        **{mode: row[mode] for mode in AttendanceMode.values},
        # Present at P of the forum's R meetings whose attendance is recorded; at its U
        # others who was there is known only where listed, and who was absent is unknown.
        "present_at_recorded": row["present_at_recorded"],
        "forum_meetings_recorded": recorded,
        "forum_meetings_unrecorded": unrecorded,
    }


@cached_aggregate
def attendance_summary_count(*, forum=None, start=None, end=None) -> int:
    """How many person × forum rows attendance_summary has in all: one COUNT of groups."""
    # The distinct (person id, forum id) pairs are the same groups as the named ones, but
    # hash on two integers instead of sorting every row by four strings.
    attendance = _attendance(forum=forum, start=start, end=end)
    return attendance.values("person_id", "meeting__forum_id").distinct().count()


@cached_aggregate
def attendance_summary(*, forum=None, start=None, end=None, offset=0, limit=None) -> list[dict]:
    """Person × forum: how often each person attended each forum, by mode. `offset` and
    `limit` give one page of the rows (LIMIT/OFFSET in the database), cached per page."""
    rows = _attendance_groups(forum=forum, start=start, end=end)
    rows = rows[offset : offset + limit] if limit is not None else rows[offset:]
    known = _forum_attendance_known(forum=forum, start=start, end=end)
    return [_summary_row(row, known) for row in rows]


# People per grouped query of attendance_summary_rows: about 200,000 attendance rows at
# the benchmark's 200 a person, a fraction of a second each.
SUMMARY_CHUNK_PEOPLE = 1000


def attendance_summary_rows(*, forum=None, start=None, end=None):
    """Every row of attendance_summary in its order, uncached, for the CSV: a generator
    that reads the rows a block of people at a time.

    One grouped query over every attendance row sorts them all before it sends the first
    (6 s at 1,000,000 rows through a server-side cursor, which PostgreSQL never runs in
    parallel). The people, in the rows' order (name, then slug: a total order), are
    listed first; each block of them is one grouped query over their attendance (the
    person_id index), in the same order, so the blocks follow one another exactly as the
    single query's rows did and the first rows are ready after one block."""
    known = _forum_attendance_known(forum=forum, start=start, end=end)
    people = list(Person.objects.order_by("name", "slug").values_list("pk", flat=True))
    groups = _attendance_groups(forum=forum, start=start, end=end)
    for first in range(0, len(people), SUMMARY_CHUNK_PEOPLE):
        block = groups.filter(person__in=people[first : first + SUMMARY_CHUNK_PEOPLE])
        yield from (_summary_row(row, known) for row in block)


@cached_aggregate
def attendance_matrix(*, forum=None, start=None, end=None) -> dict:
    """Person × meeting grid of attendance modes, meetings in date order."""
    meetings = Meeting.objects.published().held()
    if forum is not None:
        meetings = meetings.for_forum(forum)
    meetings = list(
        _in_range(meetings, "date", start, end)
        .filter(attendances__isnull=False)
        .distinct()
        .order_by("date", "forum__name")
        .values("slug", "date", "forum__slug", "forum__name", "attendance_recorded")
    )
    cells = defaultdict(dict)
    names = {}
    for row in _attendance(forum=forum, start=start, end=end).values(
        "person__slug", "person__name", "meeting__slug", "mode"
    ):
        cells[row["person__slug"]][row["meeting__slug"]] = row["mode"]
        names[row["person__slug"]] = row["person__name"]
    return {
        "meetings": [
            {
                "slug": m["slug"],
                "date": m["date"],
                "forum": m["forum__slug"],
                "forum_name": m["forum__name"],
                "attendance_recorded": m["attendance_recorded"],
            }
            for m in meetings
        ],
        "people": [
            {
                "person": slug,
                "person_name": names[slug],
                # Not listed is a fact only where the meeting's attendance is recorded.
                "cells": [
                    cells[slug].get(m["slug"])
                    or (NOT_LISTED if m["attendance_recorded"] else UNKNOWN)
                    for m in meetings
                ],
            }
            for slug in sorted(names, key=lambda s: names[s])
        ],
        "modes": MATRIX_CELLS,
    }


@cached_aggregate
def cross_party(*, forum=None, start=None, end=None) -> dict:
    """Party mix of people present, from the offices they held on each meeting date."""
    party_on_day = (
        Office.objects.on(OuterRef("meeting__date"))
        .filter(person=OuterRef("person"), party__isnull=False)
        .order_by("-started_on")
    )
    present = (
        _attendance(forum=forum, start=start, end=end)
        .exclude(mode=AttendanceMode.APOLOGIES)
        .annotate(
            party_slug=Subquery(party_on_day.values("party__slug")[:1]),
            party_name=Subquery(party_on_day.values("party__name")[:1]),
            party_colour=Subquery(party_on_day.values("party__colour")[:1]),
        )
    )
    per_meeting = (
        present.values(
            "meeting__slug", "meeting__date", "meeting__forum__slug", "party_slug", "party_name"
        )
        .annotate(people=Count("person", distinct=True))
        .order_by("meeting__date", "party_name")
    )
    per_forum = (
        present.values(
            "meeting__forum__slug",
            "meeting__forum__name",
            "party_slug",
            "party_name",
            "party_colour",
        )
        .annotate(attendances=Count("id"), people=Count("person", distinct=True))
        .order_by("meeting__forum__name", "-attendances")
    )
    return {
        "per_forum": [
            {
                "forum": row["meeting__forum__slug"],
                "forum_name": row["meeting__forum__name"],
                "party": row["party_slug"],
                "party_name": row["party_name"] or "No party recorded",
                "party_colour": row["party_colour"],
                "attendances": row["attendances"],
                "people": row["people"],
            }
            for row in per_forum
        ],
        "per_meeting": [
            {
                "meeting": row["meeting__slug"],
                "date": row["meeting__date"],
                "forum": row["meeting__forum__slug"],
                "party": row["party_slug"],
                "party_name": row["party_name"] or "No party recorded",
                "people": row["people"],
            }
            for row in per_meeting
        ],
    }


@cached_aggregate
def coverage(*, today: datetime.date | None = None) -> dict:
    """What the record is missing, and how fresh each forum's record is."""
    today = today or timezone.localdate()
    meetings = Meeting.objects.published().select_related("forum")
    official = Q(sources__kind=SourceKind.OFFICIAL)
    without_communique = (
        meetings.held()
        .filter(~Exists(Document.objects.communiques().filter(meeting=OuterRef("pk"))))
        .order_by("-date")
    )
    unconfirmed = meetings.unconfirmed().order_by("-date")
    attendance_unrecorded = meetings.held().filter(attendance_recorded=False).order_by("-date")
    weak_meetings = (
        meetings.annotate(official=Count("sources", filter=official))
        .filter(official=0)
        .order_by("-date")
    )
    weak_commitments = (
        Commitment.objects.published()
        .annotate(official=Count("sources", filter=official))
        .filter(official=0)
        .order_by("-made_on")
    )
    freshness = (
        Forum.objects.published()
        .annotate(
            latest_meeting=Max("meetings__date", filter=Q(meetings__publication_state="published")),
            meetings_verified=Max(
                "meetings__sources__last_verified_on",
                filter=Q(meetings__publication_state="published"),
            ),
            forum_verified=Max("sources__last_verified_on"),
        )
        .prefetch_related(
            Prefetch(
                "known_gaps",
                queryset=KnownGap.objects.prefetch_related("sources").order_by("kind", "id"),
            )
        )
        .order_by("name")
    )
    # Gaps about no particular forum, grouped by kind; a forum's own gaps sit on its row.
    general_gaps = {kind: [] for kind in KnownGapKind.values}
    for gap in (
        KnownGap.objects.published()
        .filter(forum__isnull=True)
        .prefetch_related("sources")
        .order_by("kind", "id")
    ):
        general_gaps[gap.kind].append(gap)
    checked = [f.record_checked_to for f in freshness if f.record_checked_to]
    return {
        # The oldest forum check: the whole record is checked at least to this date.
        "record_checked_to": (min(checked) if checked and len(checked) == len(freshness) else None),
        "planned_bodies": general_gaps[KnownGapKind.PLANNED_BODY],
        "left_out": general_gaps[KnownGapKind.LEFT_OUT],
        "not_found": general_gaps[KnownGapKind.NOT_FOUND],
        "meetings_without_communique": list(without_communique),
        "unconfirmed_dates": list(unconfirmed),
        "meetings_without_recorded_attendance": list(attendance_unrecorded),
        "meetings_without_official_source": list(weak_meetings),
        "commitments_without_official_source": list(weak_commitments),
        "overdue_scheduled_meetings": list(meetings.past_due(today).order_by("date")),
        "forums": [
            {
                "forum": forum,
                "slug": forum.slug,
                "name": forum.name,
                "latest_meeting_on": forum.latest_meeting,
                "record_checked_to": forum.record_checked_to,
                "record_checked_note": forum.record_checked_note,
                # Searched past the latest recorded meeting and found none after it.
                "none_found_since_latest": bool(
                    forum.record_checked_to
                    and (
                        forum.latest_meeting is None
                        or forum.latest_meeting < forum.record_checked_to
                    )
                ),
                "gaps": list(forum.known_gaps.all()),
                "last_verified_on": max(
                    [d for d in (forum.meetings_verified, forum.forum_verified) if d],
                    default=None,
                ),
                "days_since_verified": (
                    (
                        today - max(d for d in (forum.meetings_verified, forum.forum_verified) if d)
                    ).days
                    if (forum.meetings_verified or forum.forum_verified)
                    else None
                ),
            }
            for forum in freshness
        ],
    }

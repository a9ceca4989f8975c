"""Stored figures: the narrow MeetingFigure and CommitmentFigure rows that
forums.stats.aggregates reads, rebuilt from the record.

Each refresh recomputes the rows of the meetings or commitments given, from scratch, and
writes only when they changed; it never adds or subtracts, so it cannot drift and
running it twice changes nothing. `keeper` (named in settings.DERIVED_DATA) is called by
igr.policy.writing() on every write path: `lock` first in the transaction, `refresh`
with every record the write touched, before it commits. `manage.py rebuild_figures`
(rebuild_all) covers writes outside writing() (bulk_create, QuerySet.update, raw SQL)
and any doubt; `rebuild_figures --check` says whether any figure is stale.

Why stored: forum health read every held meeting against its forum's members and the
million attendance rows (3.5 s at 100,000 meetings), and the scorecards joined 300,000
commitment tags and 200,000 agenda-item tags to their meetings (1.1 s); see
docs/benchmarks.md.
"""

from collections import Counter, defaultdict
from typing import NamedTuple

from django.apps import apps as global_apps
from django.db import connections, router, transaction
from django.db.models import Count, Exists, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce

from forums import models as m
from forums.models import AttendanceMode, DocumentKind, MeetingStatus, MembershipRole
from igr.records import PublicationState

#: Meetings (or commitments) per round of a full rebuild: bounds memory and statement size.
CHUNK = 5_000


class MeetingRow(NamedTuple):
    """One MeetingFigure row, field for field."""

    meeting_id: int
    recommendation_id: int | None
    forum_id: int
    date: object
    is_counted: bool
    attendance_recorded: bool = False
    members_expected: int = 0
    members_present: int = 0
    has_communique: bool = False
    agenda_items: int = 0
    via_commitment: bool = False


class CommitmentRow(NamedTuple):
    """One CommitmentFigure row, field for field."""

    commitment_id: int
    recommendation_id: int | None
    meeting_id: int | None
    owner_id: int
    other_forum_id: int | None
    is_published: bool
    status: str
    made_on: object
    due_on: object
    latest_change_on: object


_MEETING_FIELDS = MeetingRow._fields
_COMMITMENT_FIELDS = CommitmentRow._fields


def _model(queryset, name):
    """A model from the registry of the queryset's own model, so the data migration that
    first fills the tables (with historical models) runs this same code."""
    return queryset.model._meta.apps.get_model("forums", name)


#: pg_advisory_xact_lock key (any constant of this project's own).
_LOCK_KEY = 7_210_481


def _serialize(db) -> None:
    """Let one transaction at a time rebuild figures, until it commits (PostgreSQL).

    Two concurrent writes touching the same forum would otherwise each recompute its
    totals from a snapshot without the other's rows, and the later commit would leave
    totals missing the earlier write. Waiting here first, each rebuild's statements run
    after the other transaction committed and so read its rows (READ COMMITTED). SQLite
    lets one writer in at a time already."""
    connection = connections[db]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_LOCK_KEY])


def _member_attendance(meetings) -> dict:
    """Per meeting: member authorities expected (members or chairs on the meeting date,
    one per membership) and how many of them had someone present (in person, virtually or
    as a substitute). One statement joining sets, so a rebuild of 100,000 meetings is one
    pass over the attendance rows rather than a correlated subquery per meeting."""
    meetings_sql, params = (
        meetings.order_by().values("id", "forum_id", "date").query.sql_with_params()
    )
    membership = _model(meetings, "ForumMembership")._meta.db_table
    attendance = _model(meetings, "Attendance")._meta.db_table
    sql = f"""
        WITH m AS ({meetings_sql}),
        pairs AS (
            SELECT m.id AS meeting_id, fm.authority_id
            FROM m JOIN {membership} fm ON fm.forum_id = m.forum_id
            WHERE fm.role IN (%s, %s)
              AND (fm.started_on IS NULL OR fm.started_on <= m.date)
              AND (fm.ended_on IS NULL OR fm.ended_on >= m.date)
        ),
        present AS (
            SELECT DISTINCT a.meeting_id, a.authority_id
            FROM {attendance} a JOIN m ON m.id = a.meeting_id
            WHERE a.mode <> %s
        )
        SELECT pairs.meeting_id, COUNT(*), COUNT(present.meeting_id)
        FROM pairs LEFT JOIN present
          ON present.meeting_id = pairs.meeting_id AND present.authority_id = pairs.authority_id
        GROUP BY pairs.meeting_id
    """  # table names from the models' Meta; every value is a parameter
    params = (*params, MembershipRole.MEMBER, MembershipRole.CHAIR, AttendanceMode.APOLOGIES)
    with connections[meetings.db].cursor() as cursor:
        cursor.execute(sql, params)
        return {row[0]: (row[1], row[2]) for row in cursor.fetchall()}


def _meeting_rows(meetings) -> list[MeetingRow]:
    """The figure rows of the given meetings."""
    Document = _model(meetings, "Document")
    AgendaItem = _model(meetings, "AgendaItem")
    Commitment = _model(meetings, "Commitment")
    base = meetings.order_by().annotate(
        communique=Exists(
            Document.objects.using(meetings.db).filter(
                meeting=OuterRef("pk"), kind=DocumentKind.COMMUNIQUE
            )
        )
    )
    attendance = _member_attendance(meetings)
    items = defaultdict(dict)
    for meeting_id, rec_id, n in (
        AgendaItem.recommendations.through.objects.using(meetings.db)
        .filter(agendaitem__meeting__in=meetings)
        .values_list("agendaitem__meeting_id", "recommendation_id")
        .annotate(n=Count("id"))
        .order_by()
    ):
        items[meeting_id][rec_id] = n
    via_commitment = defaultdict(set)
    for meeting_id, rec_id in (
        Commitment.recommendations.through.objects.using(meetings.db)
        .filter(
            commitment__meeting__in=meetings,
            commitment__publication_state=PublicationState.PUBLISHED,
        )
        .values_list("commitment__meeting_id", "recommendation_id")
        .distinct()
        .order_by()
    ):
        via_commitment[meeting_id].add(rec_id)

    rows = []
    for (
        meeting_id,
        forum_id,
        date,
        state,
        status,
        occurred,
        recorded,
        communique,
    ) in base.values_list(
        "id",
        "forum_id",
        "date",
        "publication_state",
        "status",
        "occurrence_confirmed",
        "attendance_recorded",
        "communique",
    ):
        # A meeting that may not have taken place is never counted as held.
        counted = state == PublicationState.PUBLISHED and status == MeetingStatus.HELD and occurred
        expected, present = attendance.get(meeting_id, (0, 0))
        rows.append(
            MeetingRow(
                meeting_id=meeting_id,
                recommendation_id=None,
                forum_id=forum_id,
                date=date,
                is_counted=counted,
                attendance_recorded=recorded,
                members_expected=expected,
                members_present=present,
                has_communique=communique,
            )
        )
        tagged = items.get(meeting_id, {})
        for rec_id in sorted(set(tagged) | via_commitment.get(meeting_id, set())):
            rows.append(
                MeetingRow(
                    meeting_id=meeting_id,
                    recommendation_id=rec_id,
                    forum_id=forum_id,
                    date=date,
                    is_counted=counted,
                    agenda_items=tagged.get(rec_id, 0),
                    via_commitment=rec_id in via_commitment.get(meeting_id, set()),
                )
            )
    return rows


def _commitment_rows(commitments) -> list[CommitmentRow]:
    """The figure rows of the given commitments."""
    Commitment = commitments.model
    CommitmentStatusChange = _model(commitments, "CommitmentStatusChange")
    tags = defaultdict(list)
    for commitment_id, rec_id in (
        Commitment.recommendations.through.objects.using(commitments.db)
        .filter(commitment__in=commitments)
        .values_list("commitment_id", "recommendation_id")
    ):
        tags[commitment_id].append(rec_id)
    latest_change = (
        CommitmentStatusChange.objects.filter(commitment=OuterRef("pk"), voided_by__isnull=True)
        .order_by("-effective_on")
        .values("effective_on")[:1]
    )
    rows = []
    for pk, meeting_id, own, meeting_forum, state, status, made, due, latest in (
        commitments.order_by()
        .annotate(latest=Subquery(latest_change))
        .values_list(
            "pk",
            "meeting_id",
            "forum_id",
            "meeting__forum_id",
            "publication_state",
            "status",
            "made_on",
            "due_on",
            "latest",
        )
    ):
        # `owner` is the forum responsible (forums_health: its own, else its meeting's);
        # `other_forum` the meeting's forum where that differs, because for_forum()
        # matches a commitment on either.
        owner = own if own is not None else meeting_forum
        for rec_id in [None, *sorted(tags.get(pk, []))]:
            rows.append(
                CommitmentRow(
                    commitment_id=pk,
                    recommendation_id=rec_id,
                    meeting_id=meeting_id,
                    owner_id=owner,
                    other_forum_id=meeting_forum if meeting_forum != owner else None,
                    is_published=state == PublicationState.PUBLISHED,
                    status=status,
                    made_on=made,
                    due_on=due,
                    latest_change_on=latest,
                )
            )
    return rows


def _any_of(keys, fields) -> Q:
    """Rows matching any of the key tuples (None matching an empty column)."""
    condition = Q(pk__in=[])
    for key in keys:
        condition |= Q(
            **{
                (f"{field}__isnull" if value is None else field): (True if value is None else value)
                for field, value in zip(fields, key, strict=True)
            }
        )
    return condition


_MEETING_TOTAL_KEY = ("forum_id", "recommendation_id")
_COMMITMENT_TOTAL_KEY = ("owner_id", "other_forum_id", "recommendation_id", "status")


def _meeting_total_key(row: MeetingRow) -> tuple:
    return (row.forum_id, row.recommendation_id)


def _commitment_total_key(row: CommitmentRow) -> tuple:
    return (row.owner_id, row.other_forum_id, row.recommendation_id, row.status)


def _refresh_meeting_totals(MeetingFigure, MeetingTotal, db, selected=None):
    """Recompute the MeetingTotal rows `selected` (a Q on the total's key; all if None)
    from MeetingFigure: sums, never increments, so it cannot drift."""
    selected = Q() if selected is None else selected
    rows = (
        MeetingFigure.objects.using(db)
        .filter(selected, is_counted=True)
        .values(*_MEETING_TOTAL_KEY)
        .annotate(
            meetings=Count("date"),
            with_communique=Count("date", filter=Q(has_communique=True)),
            # Attendance is summed over the meetings whose attendance is recorded only.
            recorded=Count("date", filter=Q(attendance_recorded=True)),
            members_expected=Coalesce(
                Sum("members_expected", filter=Q(attendance_recorded=True)), 0
            ),
            members_present=Coalesce(Sum("members_present", filter=Q(attendance_recorded=True)), 0),
            agenda_items=Sum("agenda_items"),
        )
        .order_by()
    )
    # (The count is named apart from the figures' own attendance_recorded it filters on.)
    totals = [MeetingTotal(attendance_recorded=row.pop("recorded"), **row) for row in rows]
    MeetingTotal.objects.using(db).filter(selected).delete()
    MeetingTotal.objects.using(db).bulk_create(totals, batch_size=CHUNK)


def _refresh_commitment_totals(CommitmentFigure, CommitmentTotal, db, selected=None):
    """Recompute the CommitmentTotal rows `selected` (all if None) from CommitmentFigure."""
    selected = Q() if selected is None else selected
    rows = (
        CommitmentFigure.objects.using(db)
        .filter(selected, is_published=True)
        .values(*_COMMITMENT_TOTAL_KEY)
        .annotate(
            commitments=Count("status"),
            without_due_date=Count("status", filter=Q(due_on__isnull=True)),
        )
        .order_by()
    )
    totals = [CommitmentTotal(**row) for row in rows]
    CommitmentTotal.objects.using(db).filter(selected).delete()
    CommitmentTotal.objects.using(db).bulk_create(totals, batch_size=CHUNK)


def _key(row):
    return tuple((value is None, value) for value in row)


def _replace(model, row_type, parent_field, parents, rows):
    """Put `rows` in place of the stored figure rows of `parents` (none: drop them);
    return (rows that were stored, rows now stored), or None when they were the same
    and nothing was written."""
    new = sorted(rows, key=_key)
    stored = model.objects.using(parents.db).filter(**{f"{parent_field}__in": parents})
    old = sorted((row_type(*row) for row in stored.values_list(*row_type._fields)), key=_key)
    if new == old:
        return None
    stored.delete()
    model.objects.using(parents.db).bulk_create(
        [model(**row._asdict()) for row in new], batch_size=CHUNK
    )
    return old, new


@transaction.atomic
def refresh_meetings(meetings) -> None:
    """Rebuild the figures of a queryset of meetings; write only what changed."""
    _serialize(meetings.db)
    MeetingFigure = _model(meetings, "MeetingFigure")
    changed = _replace(MeetingFigure, MeetingRow, "meeting", meetings, _meeting_rows(meetings))
    if changed is None:
        return
    old, new = changed
    keys = {_meeting_total_key(row) for row in old + new}
    _refresh_meeting_totals(
        MeetingFigure,
        _model(meetings, "MeetingTotal"),
        meetings.db,
        _any_of(keys, _MEETING_TOTAL_KEY),
    )


def _meeting_side(rows):
    """What a meeting's figures read of its commitments: meeting, published, tags."""
    return {(r.meeting_id, r.is_published, r.recommendation_id) for r in rows}


def _refresh_commitment_figures(commitments) -> set:
    """Rebuild the figures of a queryset of commitments; return the ids of the meetings
    they were and are made at when what those meetings' figures read of them changed."""
    CommitmentFigure = _model(commitments, "CommitmentFigure")
    changed = _replace(
        CommitmentFigure, CommitmentRow, "commitment", commitments, _commitment_rows(commitments)
    )
    if changed is None:
        return set()
    old, new = changed
    keys = {_commitment_total_key(row) for row in old + new}
    _refresh_commitment_totals(
        CommitmentFigure,
        _model(commitments, "CommitmentTotal"),
        commitments.db,
        _any_of(keys, _COMMITMENT_TOTAL_KEY),
    )
    if _meeting_side(new) == _meeting_side(old):
        return set()
    return {r.meeting_id for r in old + new} - {None}


@transaction.atomic
def refresh_commitments(commitments) -> None:
    """Rebuild the figures of a queryset of commitments, and of the meetings they were
    and are made at when their publication, tags or meeting changed."""
    _serialize(commitments.db)
    meeting_ids = _refresh_commitment_figures(commitments)
    if meeting_ids:
        Meeting = _model(commitments, "Meeting")
        refresh_meetings(Meeting.objects.using(commitments.db).filter(pk__in=meeting_ids))


def _refresh_totals_of_forums(forum_ids, using) -> None:
    """Recompute every total of these forums: after a meeting or commitment was deleted,
    its figure rows went by CASCADE and took its share of the totals with them unseen."""
    if not forum_ids:
        return
    _refresh_meeting_totals(
        global_apps.get_model("forums", "MeetingFigure"),
        global_apps.get_model("forums", "MeetingTotal"),
        using,
        Q(forum_id__in=forum_ids),
    )
    _refresh_commitment_totals(
        global_apps.get_model("forums", "CommitmentFigure"),
        global_apps.get_model("forums", "CommitmentTotal"),
        using,
        Q(owner_id__in=forum_ids) | Q(other_forum_id__in=forum_ids),
    )


def _in_chunks(ids):
    ids = sorted(ids)
    for start in range(0, len(ids), CHUNK):
        yield ids[start : start + CHUNK]


def refresh_meeting_ids(ids, *, using=None) -> None:
    ids = {pk for pk in ids if pk is not None}
    Meeting = global_apps.get_model("forums", "Meeting")
    for chunk in _in_chunks(ids):
        refresh_meetings(Meeting.objects.using(using).filter(pk__in=chunk))


def refresh_commitment_ids(ids, *, using=None) -> None:
    """Rebuild these commitments' figures, then (once) those of the meetings affected."""
    ids = {pk for pk in ids if pk is not None}
    if not ids:
        return
    Commitment = global_apps.get_model("forums", "Commitment")
    meeting_ids = set()
    with transaction.atomic(using=using):
        _serialize(using or router.db_for_write(Commitment))
        for chunk in _in_chunks(ids):
            meeting_ids |= _refresh_commitment_figures(
                Commitment.objects.using(using).filter(pk__in=chunk)
            )
        refresh_meeting_ids(meeting_ids, using=using)


class StoredFigures:
    """The stored figures' keeper, named in settings.DERIVED_DATA: igr.policy.writing()
    takes its lock first in every write transaction and hands it every touched record
    (as saved, and as stored before a change: a row moved away changes its old parent's
    figures) to refresh before the write commits."""

    def lock(self, using) -> None:
        _serialize(using)

    def refresh(self, records, using) -> None:
        meetings, commitments, member_forums, recs = set(), set(), set(), set()
        # (pk, forum, meeting) of touched meetings and commitments, for their totals if
        # they were deleted.
        touched_meetings, touched_commitments = [], []
        for record in records:
            if isinstance(record, m.Attendance | m.Document | m.AgendaItem):
                meetings.add(record.meeting_id)
            elif isinstance(record, m.Meeting):
                meetings.add(record.pk)
                touched_meetings.append((record.pk, record.forum_id, None))
            elif isinstance(record, m.ForumMembership):
                member_forums.add(record.forum_id)
            elif isinstance(record, m.Commitment):
                commitments.add(record.pk)
                meetings.add(record.meeting_id)  # it may no longer touch a recommendation
                touched_commitments.append((record.pk, record.forum_id, record.meeting_id))
            elif isinstance(record, m.CommitmentStatusChange):
                commitments.add(record.commitment_id)
            elif isinstance(record, m.Recommendation):
                recs.add(record.pk)
        meetings.discard(None)
        commitments.discard(None)
        Meeting = m.Meeting.objects.using(using)
        Commitment = m.Commitment.objects.using(using)
        if member_forums:
            # Who was expected at every meeting of the forum, old and new, on its date.
            meetings |= set(Meeting.filter(forum_id__in=member_forums).values_list("pk", flat=True))
        if meetings:
            # A meeting's forum is its commitments' forum.
            commitments |= set(
                Commitment.filter(meeting_id__in=meetings).values_list("pk", flat=True)
            )
        if recs:
            # Tags changed from the recommendation's side: what was tagged and what is.
            figures = m.MeetingFigure.objects.using(using).filter(recommendation_id__in=recs)
            meetings |= set(figures.values_list("meeting_id", flat=True))
            meetings |= set(
                Meeting.filter(agenda_items__recommendations__in=recs).values_list("pk", flat=True)
            )
            figures = m.CommitmentFigure.objects.using(using).filter(recommendation_id__in=recs)
            commitments |= set(figures.values_list("commitment_id", flat=True))
            commitments |= set(
                Commitment.filter(recommendations__in=recs).values_list("pk", flat=True)
            )
        gone = _forums_of_deleted(Meeting, touched_meetings) | _forums_of_deleted(
            Commitment, touched_commitments
        )
        refresh_commitment_ids(commitments, using=using)
        refresh_meeting_ids(meetings, using=using)
        _refresh_totals_of_forums(gone, using)


def _forums_of_deleted(queryset, touched) -> set:
    """The forums whose totals lost the share of the deleted ones of `touched`
    ((pk, forum, meeting) triples; a deleted instance has lost its pk)."""
    present = set(
        queryset.filter(pk__in={pk for pk, _, _ in touched} - {None}).values_list("pk", flat=True)
    )
    deleted = [(forum, meeting) for pk, forum, meeting in touched if pk not in present]
    forums = {forum for forum, _ in deleted}
    meeting_ids = {meeting for _, meeting in deleted} - {None}
    if meeting_ids:
        Meeting = global_apps.get_model("forums", "Meeting")
        forums |= set(
            Meeting.objects.using(queryset.db)
            .filter(pk__in=meeting_ids)
            .values_list("forum_id", flat=True)
        )
    return forums - {None}


keeper = StoredFigures()


def _chunks(model, using):
    """The model's rows in primary-key ranges of CHUNK rows (however sparse the keys)."""
    ids = list(model.objects.using(using).order_by("pk").values_list("pk", flat=True))
    bounds = ids[::CHUNK]
    if not bounds:
        return
    for low, high in zip(bounds, [*bounds[1:], None], strict=True):
        rows = model.objects.using(using).filter(pk__gte=low)
        yield rows if high is None else rows.filter(pk__lt=high)


def rebuild_all(*, using=None, apps=global_apps) -> dict:
    """Every figure from scratch: after bulk loads, and whenever in doubt. Returns how
    many rows of each kind were written."""
    Meeting = apps.get_model("forums", "Meeting")
    Commitment = apps.get_model("forums", "Commitment")
    MeetingFigure = apps.get_model("forums", "MeetingFigure")
    CommitmentFigure = apps.get_model("forums", "CommitmentFigure")
    using = using or router.db_for_write(MeetingFigure)
    with transaction.atomic(using=using):
        _serialize(using)
        MeetingFigure.objects.using(using).all().delete()
        CommitmentFigure.objects.using(using).all().delete()
        for commitments in _chunks(Commitment, using):
            CommitmentFigure.objects.using(using).bulk_create(
                [CommitmentFigure(**row._asdict()) for row in _commitment_rows(commitments)],
                batch_size=CHUNK,
            )
        for meetings in _chunks(Meeting, using):
            MeetingFigure.objects.using(using).bulk_create(
                [MeetingFigure(**row._asdict()) for row in _meeting_rows(meetings)],
                batch_size=CHUNK,
            )
        MeetingTotal = apps.get_model("forums", "MeetingTotal")
        CommitmentTotal = apps.get_model("forums", "CommitmentTotal")
        _refresh_meeting_totals(MeetingFigure, MeetingTotal, using)
        _refresh_commitment_totals(CommitmentFigure, CommitmentTotal, using)
    return {
        "meeting figures": MeetingFigure.objects.using(using).count(),
        "commitment figures": CommitmentFigure.objects.using(using).count(),
    }


def _snapshot_fields(name) -> list:
    model = global_apps.get_model("forums", name)
    return [f.attname for f in model._meta.concrete_fields if not f.primary_key]


def snapshot(*, using=None) -> dict:
    """Every stored figure and total, without row ids, in a fixed order."""
    result = {}
    for name in ("MeetingFigure", "CommitmentFigure", "MeetingTotal", "CommitmentTotal"):
        model = global_apps.get_model("forums", name)
        result[name] = sorted(
            model.objects.using(using).values_list(*_snapshot_fields(name)),
            key=lambda row: [(v is None, v) for v in row],
        )
    return result


def stale(*, using=None) -> dict:
    """What differs between the stored figures and a rebuild from scratch (rolled
    back): per table, the rows only stored and the rows only rebuilt. Empty when current."""
    using = using or router.db_for_write(global_apps.get_model("forums", "MeetingFigure"))
    with transaction.atomic(using=using):
        stored = snapshot(using=using)
        rebuild_all(using=using)
        rebuilt = snapshot(using=using)
        transaction.set_rollback(True, using=using)
    differences = {}
    for name, rows in stored.items():
        stored_rows, rebuilt_rows = Counter(rows), Counter(rebuilt[name])
        only_stored = sorted((stored_rows - rebuilt_rows).elements(), key=_key)
        only_rebuilt = sorted((rebuilt_rows - stored_rows).elements(), key=_key)
        if only_stored or only_rebuilt:
            differences[name] = {
                "fields": _snapshot_fields(name),
                "stored": only_stored,
                "rebuilt": only_rebuilt,
            }
    return differences

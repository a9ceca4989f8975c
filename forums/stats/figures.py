"""Stored figures: the narrow MeetingFigure and CommitmentFigure rows that
forums.stats.aggregates reads, rebuilt from the record.

Each refresh recomputes the rows of the meetings or commitments given, from scratch, and
writes only when they changed; it never adds or subtracts, so it cannot drift and
running it twice changes nothing. forums.signals calls it for every ORM write that a
figure depends on; `manage.py rebuild_figures` (rebuild_all) covers writes that send no
signal (bulk_create, QuerySet.update, raw SQL) and any doubt.

Why stored: forum health read every held meeting against its forum's members and the
million attendance rows (3.5 s at 100,000 meetings), and the scorecards joined 300,000
commitment tags and 200,000 agenda-item tags to their meetings (1.1 s); see
docs/benchmarks.md.
"""

from collections import defaultdict

from django.apps import apps as global_apps
from django.db import connections, router, transaction
from django.db.models import Count, Exists, OuterRef, Q, Subquery, Sum

from forums.models import AttendanceMode, DocumentKind, MeetingStatus, MembershipRole
from igr.records import PublicationState

#: Meetings (or commitments) per round of a full rebuild: bounds memory and statement size.
CHUNK = 5_000

_MEETING_FIELDS = (
    "meeting_id",
    "recommendation_id",
    "forum_id",
    "date",
    "is_counted",
    "members_expected",
    "members_present",
    "has_communique",
    "agenda_items",
    "via_commitment",
)
_COMMITMENT_FIELDS = (
    "commitment_id",
    "recommendation_id",
    "meeting_id",
    "owner_id",
    "other_forum_id",
    "is_published",
    "status",
    "made_on",
    "due_on",
    "latest_change_on",
)


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


def _meeting_rows(meetings) -> list[tuple]:
    """The figure rows of the given meetings, as tuples in _MEETING_FIELDS order."""
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
    for meeting_id, forum_id, date, state, status, communique in base.values_list(
        "id", "forum_id", "date", "publication_state", "status", "communique"
    ):
        counted = state == PublicationState.PUBLISHED and status == MeetingStatus.HELD
        expected, present = attendance.get(meeting_id, (0, 0))
        rows.append(
            (meeting_id, None, forum_id, date, counted, expected, present, communique, 0, False)
        )
        tagged = items.get(meeting_id, {})
        for rec_id in sorted(set(tagged) | via_commitment.get(meeting_id, set())):
            rows.append(
                (
                    *(meeting_id, rec_id, forum_id, date, counted),
                    *(0, 0, False),
                    tagged.get(rec_id, 0),
                    rec_id in via_commitment.get(meeting_id, set()),
                )
            )
    return rows


def _commitment_rows(commitments) -> list[tuple]:
    """The figure rows of the given commitments, as tuples in _COMMITMENT_FIELDS order."""
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
        CommitmentStatusChange.objects.filter(commitment=OuterRef("pk"))
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
        other = meeting_forum if meeting_forum != owner else None
        published = state == PublicationState.PUBLISHED
        for rec_id in [None, *sorted(tags.get(pk, []))]:
            rows.append(
                (pk, rec_id, meeting_id, owner, other, published, status, made, due, latest)
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


def _refresh_meeting_totals(MeetingFigure, MeetingTotal, db, keys=None):
    """Recompute MeetingTotal for the (forum, recommendation) keys given (all if None)
    from MeetingFigure: sums, never increments, so it cannot drift."""
    selected = Q() if keys is None else _any_of(keys, _MEETING_TOTAL_KEY)
    rows = (
        MeetingFigure.objects.using(db)
        .filter(selected, is_counted=True)
        .values(*_MEETING_TOTAL_KEY)
        .annotate(
            meetings=Count("date"),
            with_communique=Count("date", filter=Q(has_communique=True)),
            members_expected=Sum("members_expected"),
            members_present=Sum("members_present"),
            meetings_with_items=Count("date", filter=Q(agenda_items__gt=0)),
            agenda_items=Sum("agenda_items"),
        )
        .order_by()
    )
    totals = [MeetingTotal(**row) for row in rows]
    MeetingTotal.objects.using(db).filter(selected).delete()
    MeetingTotal.objects.using(db).bulk_create(totals, batch_size=CHUNK)


def _refresh_commitment_totals(CommitmentFigure, CommitmentTotal, db, keys=None):
    """Recompute CommitmentTotal for the keys given (all if None) from CommitmentFigure."""
    selected = Q() if keys is None else _any_of(keys, _COMMITMENT_TOTAL_KEY)
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


def _replace(model, fields, parent_field, parents, rows):
    """Put `rows` in place of the stored figure rows of `parents` (none: drop them);
    return (rows that were stored, rows now stored), or None when they were the same
    and nothing was written."""
    new = sorted(rows, key=_key)
    stored = model.objects.using(parents.db).filter(**{f"{parent_field}__in": parents})
    old = sorted(stored.values_list(*fields), key=_key)
    if new == old:
        return None
    stored.delete()
    model.objects.using(parents.db).bulk_create(
        [model(**dict(zip(fields, row, strict=True))) for row in new], batch_size=CHUNK
    )
    return old, new


@transaction.atomic
def refresh_meetings(meetings) -> None:
    """Rebuild the figures of a queryset of meetings; write only what changed."""
    _serialize(meetings.db)
    MeetingFigure = _model(meetings, "MeetingFigure")
    changed = _replace(MeetingFigure, _MEETING_FIELDS, "meeting", meetings, _meeting_rows(meetings))
    if changed is None:
        return
    old, new = changed
    keys = {(row[2], row[1]) for row in old + new}  # (forum, recommendation)
    _refresh_meeting_totals(MeetingFigure, _model(meetings, "MeetingTotal"), meetings.db, keys)


def _meeting_side(rows):
    """What a meeting's figures read of its commitments: meeting, published, tags."""
    return {(r[2], r[5], r[1]) for r in rows}


@transaction.atomic
def refresh_commitments(commitments) -> None:
    """Rebuild the figures of a queryset of commitments, and of the meetings they were
    and are made at when their publication, tags or meeting changed."""
    _serialize(commitments.db)
    CommitmentFigure = _model(commitments, "CommitmentFigure")
    changed = _replace(
        CommitmentFigure,
        _COMMITMENT_FIELDS,
        "commitment",
        commitments,
        _commitment_rows(commitments),
    )
    if changed is None:
        return
    old, new = changed
    keys = {(row[3], row[4], row[1], row[6]) for row in old + new}
    _refresh_commitment_totals(
        CommitmentFigure, _model(commitments, "CommitmentTotal"), commitments.db, keys
    )
    if _meeting_side(new) != _meeting_side(old):
        meeting_ids = {r[2] for r in new} | {r[2] for r in old}
        meeting_ids.discard(None)
        if meeting_ids:
            Meeting = _model(commitments, "Meeting")
            refresh_meetings(Meeting.objects.using(commitments.db).filter(pk__in=meeting_ids))


@transaction.atomic
def drop_meetings(meetings) -> None:
    """Remove the figures of meetings about to be deleted, with their share of the
    totals (the rows themselves would go by CASCADE, but the totals would not follow)."""
    _serialize(meetings.db)
    MeetingFigure = _model(meetings, "MeetingFigure")
    changed = _replace(MeetingFigure, _MEETING_FIELDS, "meeting", meetings, [])
    if changed is None:
        return
    keys = {(row[2], row[1]) for row in changed[0]}
    _refresh_meeting_totals(MeetingFigure, _model(meetings, "MeetingTotal"), meetings.db, keys)


@transaction.atomic
def drop_commitments(commitments) -> None:
    """Remove the figures of commitments about to be deleted, with their share of the
    totals (their meetings' figures are rebuilt once they are gone: forums.signals)."""
    _serialize(commitments.db)
    CommitmentFigure = _model(commitments, "CommitmentFigure")
    changed = _replace(CommitmentFigure, _COMMITMENT_FIELDS, "commitment", commitments, [])
    if changed is None:
        return
    keys = {(row[3], row[4], row[1], row[6]) for row in changed[0]}
    _refresh_commitment_totals(
        CommitmentFigure, _model(commitments, "CommitmentTotal"), commitments.db, keys
    )


def refresh_meeting_ids(ids, *, using=None) -> None:
    ids = {pk for pk in ids if pk is not None}
    if ids:
        Meeting = global_apps.get_model("forums", "Meeting")
        refresh_meetings(Meeting.objects.using(using).filter(pk__in=ids))


def refresh_commitment_ids(ids, *, using=None) -> None:
    ids = {pk for pk in ids if pk is not None}
    if ids:
        Commitment = global_apps.get_model("forums", "Commitment")
        refresh_commitments(Commitment.objects.using(using).filter(pk__in=ids))


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
    many rows of each kind were written. `apps` is the data migration's registry."""
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
                [
                    CommitmentFigure(**dict(zip(_COMMITMENT_FIELDS, row, strict=True)))
                    for row in _commitment_rows(commitments)
                ],
                batch_size=CHUNK,
            )
        for meetings in _chunks(Meeting, using):
            MeetingFigure.objects.using(using).bulk_create(
                [
                    MeetingFigure(**dict(zip(_MEETING_FIELDS, row, strict=True)))
                    for row in _meeting_rows(meetings)
                ],
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

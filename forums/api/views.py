"""API viewsets for the forums records, the aggregate views and the sync tombstones.

Every get_queryset starts from `.published()` unless the caller is staff; models with no
publication state of their own (sources, reports' recommendations) are reference data
and public as a whole. Filtering is the shared FilterSets' job (forums.filters).
"""

import datetime
import functools
from pathlib import Path

from django.conf import settings
from django.db.models import CharField, Exists, F, OuterRef, Prefetch, Q, Subquery, Value
from django.db.models.functions import Coalesce, Greatest
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from drf_spectacular.views import SpectacularRedocView
from rest_framework import generics
from rest_framework.decorators import action
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from authorities.models import Authority, Council, Office, Party, Person
from forums.api import serializers as s
from forums.filters import (
    AgendaItemFilter,
    AttendanceFilter,
    CommitmentFilter,
    CommitmentStatusChangeFilter,
    DocumentFilter,
    ForumFilter,
    MeetingFilter,
    RecommendationFilter,
    SourceFilter,
)
from forums.models import (
    AgendaItem,
    Attendance,
    Commitment,
    CommitmentStatus,
    CommitmentStatusChange,
    Document,
    Forum,
    ForumMembership,
    Meeting,
    Recommendation,
    Source,
)
from forums.services import record_status_change, void_status_change
from forums.stats import aggregates
from igr.api.base import (
    ConditionalAPIViewMixin,
    FlatCSVRenderer,
    RecordViewSet,
    csv_table_of,
    flat_rows,
)
from igr.api.renderers import RawFormBrowsableAPIRenderer
from igr.api.serializers import QueryParamsSerializer
from igr.lib.releases import list_releases
from igr.records import PublicationState

AGGREGATE_PARAMETERS = [
    OpenApiParameter("forum", str, description="Slug of a published forum."),
    OpenApiParameter("date_after", OpenApiTypes.DATE, description="From this date, inclusive."),
    OpenApiParameter("date_before", OpenApiTypes.DATE, description="To this date, inclusive."),
]


#: What the aggregates answer in; CSV tables are described by each view's csv_table.
AGGREGATE_RENDERERS = [JSONRenderer, RawFormBrowsableAPIRenderer, FlatCSVRenderer]
#: A score's counts per status, one CSV column per status in their usual order.
BY_STATUS = {"commitments_by_status": CommitmentStatus.values}


def aggregate_params(request, names=("forum", "date_after", "date_before")) -> dict:
    """The aggregate's filters from the query string (only `names`; any other parameter is
    a 400 naming it), as keyword arguments for forums.stats.aggregates."""
    params = s.AggregateParamsSerializer(data=request.query_params)
    for name in [n for n in params.fields if n not in names]:
        del params.fields[name]
    params.is_valid(raise_exception=True)
    data = params.validated_data
    return {
        "forum": data.get("forum"),
        "start": data.get("date_after"),
        "end": data.get("date_before"),
    }


class SourceViewSet(RecordViewSet):
    """Cited documents. Sources have no publication state: they are public as a whole."""

    serializer_class = s.SourceSerializer
    filterset_class = SourceFilter

    def get_queryset(self):
        return Source.objects.all()


class RecommendationViewSet(RecordViewSet):
    """The report's recommendations (reference data, public as a whole)."""

    serializer_class = s.RecommendationSerializer
    filterset_class = RecommendationFilter
    lookup_field = "slug"

    def get_queryset(self):
        return Recommendation.objects.select_related("report")

    @extend_schema(
        parameters=AGGREGATE_PARAMETERS,
        responses=s.ScorecardSerializer,
        summary="A recommendation's scorecard",
    )
    @action(
        detail=True,
        methods=["get"],
        filter_backends=[],
        pagination_class=None,
        renderer_classes=AGGREGATE_RENDERERS,
    )
    def scorecard(self, request, slug=None):
        """Commitments by status, score, meetings and agenda items touched, activity per
        quarter and the rubric, over published records only. As CSV: one row, the
        quarters as JSON text in their column."""
        self.csv_table = csv_table_of(s.ScorecardSerializer(), BY_STATUS)
        card = aggregates.scorecard(self.get_object(), **aggregate_params(request))
        return Response(s.ScorecardSerializer(card).data)


class ForumViewSet(RecordViewSet):
    serializer_class = s.ForumSerializer
    filterset_class = ForumFilter
    lookup_field = "slug"

    def get_queryset(self):
        forums = Forum.objects.all() if self.sees_drafts else Forum.objects.published()
        if self.action == "health":
            return forums  # the aggregate needs the forum alone, not its relations
        return forums.prefetch_related(
            Prefetch("memberships", ForumMembership.objects.select_related("authority")),
            "sources",
        )

    @extend_schema(responses=s.ForumHealthSerializer, summary="A forum's health")
    @action(
        detail=True,
        methods=["get"],
        filter_backends=[],
        pagination_class=None,
        renderer_classes=AGGREGATE_RENDERERS,
    )
    def health(self, request, slug=None):
        """Meetings held against the promised frequency, days since the last meeting,
        attendance and communiqué rates, commitments delivered and overdue."""
        self.csv_table = csv_table_of(s.ForumHealthSerializer())
        QueryParamsSerializer.check(request)
        return Response(s.ForumHealthSerializer(aggregates.forum_health(self.get_object())).data)


# --- reads load only what the JSON shows ----------------------------------------------
#
# The serializers show a related record by its slug (or a source by its id), yet
# select_related and prefetch_related load every column of it: forums' and authorities'
# long text, timestamps parsed into datetimes. On a GET the related rows are loaded with
# only their id and slug, and the publication state igr.visibility reads (the output is
# the same; tests/api pin it), which took a fifth off the meetings list; writes keep
# whole records for validation and the services.


def reads_only(view) -> bool:
    return getattr(view.request, "method", None) in ("GET", "HEAD")


def by_slug(queryset, *relations):
    """select_related(*relations), each loading only its id and slug."""
    return queryset.select_related(*relations).defer(*_all_but_slug(queryset.model, relations))


@functools.cache
def _all_but_slug(model, relations):
    return [
        f"{name}__{field.name}"
        for name in relations
        for field in model._meta.get_field(name).related_model._meta.concrete_fields
        if field.name not in _KEPT
    ]


_KEPT = ("id", "slug", "publication_state")


def slugs_of(relation, model):
    kept = [f.name for f in model._meta.concrete_fields if f.name in _KEPT]
    return Prefetch(relation, queryset=model.objects.only(*kept))


def ids_of(relation, model):
    return Prefetch(relation, queryset=model.objects.only("id"))


class MeetingViewSet(RecordViewSet):
    serializer_class = s.MeetingSerializer
    filterset_class = MeetingFilter
    lookup_field = "slug"

    def get_queryset(self):
        meetings = Meeting.objects.all() if self.sees_drafts else Meeting.objects.published()
        if self.reads_values:
            return meetings
        if reads_only(self):
            return by_slug(meetings, "forum", "host_authority", "chair").prefetch_related(
                ids_of("sources", Source)
            )
        return meetings.select_related("forum", "host_authority", "chair").prefetch_related(
            "sources"
        )


class AttendanceViewSet(RecordViewSet):
    """Who attended each meeting, how, and for which authority."""

    serializer_class = s.AttendanceSerializer
    filterset_class = AttendanceFilter

    def get_queryset(self):
        rows = Attendance.objects.all() if self.sees_drafts else Attendance.objects.published()
        return rows.select_related("meeting", "person", "authority", "substitute_for")


class AgendaItemViewSet(RecordViewSet):
    serializer_class = s.AgendaItemSerializer
    filterset_class = AgendaItemFilter

    def get_queryset(self):
        items = AgendaItem.objects.all() if self.sees_drafts else AgendaItem.objects.published()
        return items.select_related("meeting").prefetch_related("recommendations")


class DocumentViewSet(RecordViewSet):
    serializer_class = s.DocumentSerializer
    filterset_class = DocumentFilter

    def get_queryset(self):
        documents = Document.objects.all() if self.sees_drafts else Document.objects.published()
        return documents.select_related("meeting", "forum")


class CommitmentViewSet(RecordViewSet):
    """What forums agreed. `status` is read-only here: POST a status change to
    /api/v1/commitment-status-changes/ to move it."""

    serializer_class = s.CommitmentSerializer
    filterset_class = CommitmentFilter

    def get_queryset(self):
        rows = Commitment.objects.all() if self.sees_drafts else Commitment.objects.published()
        if self.reads_values:
            return rows
        if self.action == "table":
            return rows.select_related(
                "forum", "meeting__forum", "lead_authority"
            ).prefetch_related(
                Prefetch("recommendations", Recommendation.objects.only("id", "slug", "number"))
            )
        if reads_only(self):
            return by_slug(rows, "meeting", "forum", "lead_authority").prefetch_related(
                slugs_of("other_authorities", Authority),
                slugs_of("recommendations", Recommendation),
                ids_of("sources", Source),
            )
        return rows.select_related("meeting", "forum", "lead_authority").prefetch_related(
            "other_authorities", "recommendations", "sources"
        )

    @extend_schema(
        responses=s.CommitmentTableSerializer(many=True), summary="Commitments as one flat table"
    )
    @action(detail=False, methods=["get"], serializer_class=s.CommitmentTableSerializer)
    def table(self, request):
        """One row per commitment with what an analyst would otherwise join for: the forum
        it belongs to (its own, or its meeting's), the meeting's date, and the
        recommendations it serves by slug and by number. The same filters and paging as
        the commitments list; `format=csv` for a spreadsheet."""
        self.csv_table = csv_table_of(s.CommitmentTableSerializer())
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


class CommitmentStatusChangeViewSet(RecordViewSet):
    """A commitment's status timeline. Append-only: POST records a change through the
    status-change service (which also moves the commitment's status); there is no update."""

    serializer_class = s.CommitmentStatusChangeSerializer
    filterset_class = CommitmentStatusChangeFilter
    http_method_names = ["get", "post", "head", "options"]

    def get_queryset(self):
        changes = (
            CommitmentStatusChange.objects.all()
            if self.sees_drafts
            else CommitmentStatusChange.objects.published()
        )
        return changes.select_related("evidence_meeting", "voided_by")

    @extend_schema(
        request=s.VoidStatusChangeSerializer,
        responses=s.CommitmentStatusChangeSerializer,
        summary="Void a mistaken status change",
        description="A Publisher (publish permission on commitments) voids the latest "
        "status change in force, with a reason. The change stays in the timeline with "
        "`voided_by` set, and the commitment's status goes back to the change's "
        "`old_status`. Void later changes first to reach an earlier one.",
    )
    @action(detail=True, methods=["post"])
    def void(self, request, pk=None):
        change = self.get_object()
        params = s.VoidStatusChangeSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        void_status_change(
            change=change, reason=params.validated_data["reason"], voided_by=request.user
        )
        change = self.get_queryset().get(pk=change.pk)
        return Response(self.get_serializer(change).data)

    def perform_create(self, serializer):
        data = serializer.validated_data
        serializer.instance = record_status_change(
            commitment=data["commitment"],
            new_status=data["new_status"],
            effective_on=data["effective_on"],
            note=data["note"],
            evidence_source=data.get("evidence_source"),
            evidence_meeting=data.get("evidence_meeting"),
            recorded_by=self.request.user,
        )


# --- aggregates across forums ---------------------------------------------------------


class AggregateView(ConditionalAPIViewMixin, APIView):
    renderer_classes = AGGREGATE_RENDERERS


class ScorecardSummaryView(AggregateView):
    csv_table = staticmethod(csv_table_of(s.ScorecardSummarySerializer(), BY_STATUS))

    @extend_schema(
        parameters=AGGREGATE_PARAMETERS,
        responses=s.ScorecardSummarySerializer(many=True),
        summary="Every recommendation's score",
    )
    def get(self, request):
        rows = aggregates.scorecard_summary(**aggregate_params(request))
        return Response(s.ScorecardSummarySerializer(rows, many=True).data)


class ForumHealthListView(AggregateView):
    csv_table = staticmethod(csv_table_of(s.ForumHealthSerializer()))

    @extend_schema(
        parameters=AGGREGATE_PARAMETERS[:1],
        responses=s.ForumHealthSerializer(many=True),
        summary="Every published forum's health",
    )
    def get(self, request):
        forum = aggregate_params(request, names=("forum",))["forum"]
        forums = Forum.objects.published().filter(pk=forum.pk) if forum else None
        return Response(s.ForumHealthSerializer(aggregates.forums_health(forums), many=True).data)


class AttendanceMatrixView(AggregateView):
    @extend_schema(
        parameters=AGGREGATE_PARAMETERS,
        responses=s.AttendanceMatrixSerializer,
        summary="Person × meeting attendance",
    )
    def get(self, request):
        """Held, published meetings in date order, and for each person the mode at each."""
        matrix = aggregates.attendance_matrix(**aggregate_params(request))
        return Response(s.AttendanceMatrixSerializer(matrix).data)

    MATRIX_COLUMNS = ["person", "person_name", "meeting", "date", "forum", "forum_name", "mode"]

    def csv_table(self, data):
        """As CSV, one row per person and meeting (the matrix's cells, long form); `mode`
        is empty where the person was not there."""
        rows = [
            {
                "person": person["person"],
                "person_name": person["person_name"],
                "meeting": meeting["slug"],
                **{k: meeting[k] for k in ("date", "forum", "forum_name")},
                "mode": mode,
            }
            for person in data["people"]
            for meeting, mode in zip(data["meetings"], person["cells"], strict=True)
        ]
        return self.MATRIX_COLUMNS, rows


class CrossPartyView(AggregateView):
    @extend_schema(
        parameters=AGGREGATE_PARAMETERS,
        responses=s.CrossPartySerializer,
        summary="Party mix of attendees",
    )
    def get(self, request):
        """Party of each person present, from the office they held on the meeting date."""
        return Response(
            s.CrossPartySerializer(aggregates.cross_party(**aggregate_params(request))).data
        )

    def csv_table(self, data):
        """As CSV, both tables in one: `table` says which (per_forum or per_meeting), and
        a column the other table has is empty."""
        columns = ["table"]
        for name in ("per_forum", "per_meeting"):
            columns += [
                c for c in s.CrossPartySerializer().fields[name].child.fields if c not in columns
            ]
        rows = [
            {"table": name, **row} for name in ("per_forum", "per_meeting") for row in data[name]
        ]
        return columns, flat_rows(rows, columns)


# --- docs -----------------------------------------------------------------------------


class LocalRedocView(SpectacularRedocView):
    """Redoc from local static files only. Our template drops the Google Fonts links, and
    the policy stops the "by Redocly" logo the bundle always fetches from its CDN."""

    template_name = "api/redoc.html"

    @extend_schema(exclude=True)
    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        response["Content-Security-Policy"] = "img-src 'self' data:; font-src 'self' data:"
        return response


# --- dataset releases -----------------------------------------------------------------


class ReleaseListView(AggregateView):
    """Dated releases written by `manage.py export_dataset`, newest first, with each
    file's size, SHA-256 and download address."""

    @extend_schema(responses=s.ReleaseSerializer(many=True), summary="Dataset releases")
    def get(self, request):
        QueryParamsSerializer.check(request)
        page = request.build_absolute_uri(reverse("releases:list"))
        rows = [
            {
                "name": release.name,
                "date": release.date,
                "url": f"{page}#release-{release.name}",
                "files": [
                    {
                        "name": file.name,
                        "size": file.size,
                        "sha256": file.sha256,
                        "url": request.build_absolute_uri(
                            reverse("releases:file", args=[release.name, file.name])
                        ),
                    }
                    for file in release.files
                ],
            }
            for release in list_releases(Path(settings.RELEASES_DIR))
        ]
        return Response(s.ReleaseSerializer(rows, many=True).data)

    RELEASE_COLUMNS = ["release", "date", "release_url", "file", "size", "sha256", "url"]

    def csv_table(self, data):
        """As CSV, one row per file of each release."""
        rows = [
            {
                "release": release["name"],
                "date": release["date"],
                "release_url": release["url"],
                "file": file["name"],
                **{k: file[k] for k in ("size", "sha256", "url")},
            }
            for release in data
            for file in release["files"]
        ]
        return self.RELEASE_COLUMNS, rows


# --- tombstones -----------------------------------------------------------------------

#: The lists a syncing client mirrors: (list name, model, has a slug).
SYNCED_MODELS = [
    ("authorities", Authority, True),
    ("councils", Council, False),
    ("parties", Party, True),
    ("people", Person, True),
    ("offices", Office, False),
    ("forums", Forum, True),
    ("meetings", Meeting, True),
    ("attendance", Attendance, False),
    ("agenda-items", AgendaItem, False),
    ("documents", Document, False),
    ("commitments", Commitment, False),
    ("commitment-status-changes", CommitmentStatusChange, False),
    ("recommendations", Recommendation, True),
    ("sources", Source, False),
]


WITHDRAWN = PublicationState.WITHDRAWN
EPOCH = Value(datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC))


def _people_gone():
    """People who left the public list with the offices or meetings that showed them: no
    longer public, yet holding a withdrawn office (or one at a withdrawn authority) or
    attending a withdrawn meeting; when, the latest of those changes."""
    offices = Office.objects.filter(person=OuterRef("pk")).annotate(
        at=Greatest("updated_at", "authority__updated_at")
    )
    meetings = Attendance.objects.filter(person=OuterRef("pk"))
    gone = (
        Q(
            Exists(
                offices.filter(
                    Q(publication_state=WITHDRAWN) | Q(authority__publication_state=WITHDRAWN)
                )
            )
        )
        | Q(Exists(meetings.filter(meeting__publication_state=WITHDRAWN)))
    ) & ~Q(Exists(Person.objects.published().filter(pk=OuterRef("pk"))))
    at = Greatest(
        Coalesce(Subquery(offices.order_by("-at").values("at")[:1]), EPOCH),
        Coalesce(
            Subquery(meetings.order_by("-meeting__updated_at").values("meeting__updated_at")[:1]),
            EPOCH,
        ),
    )
    return [(gone, at)]


def _gone_with(parent):
    """Rows that left the public lists with their withdrawn `parent`, at its last change."""
    return [(Q(**{f"{parent}__publication_state": WITHDRAWN}), F(f"{parent}__updated_at"))]


#: How each list's records leave it besides being deleted or withdrawn themselves: with a
#: record they are shown under (igr.visibility), as (condition, when) pairs. Each pair's
#: rows are disjoint from the record's own withdrawal, so a record is named once.
GONE_WITH = {
    "councils": _gone_with("authority"),
    "people": _people_gone,
    "offices": [
        (
            Q(publication_state=PublicationState.PUBLISHED, authority__publication_state=WITHDRAWN),
            F("authority__updated_at"),
        )
    ],
    "attendance": _gone_with("meeting"),
    "agenda-items": _gone_with("meeting"),
    "documents": [
        *_gone_with("meeting"),
        (Q(meeting__isnull=True, forum__publication_state=WITHDRAWN), F("forum__updated_at")),
    ],
    "commitment-status-changes": _gone_with("commitment"),
}


def _columns(queryset, kind, name, has_slug, at, since):
    # Prefixed names: `kind` and `model` would clash with model fields of the same name.
    rows = queryset.annotate(
        tomb_kind=Value(kind, output_field=CharField()),
        tomb_list=Value(name, output_field=CharField()),
        tomb_slug=F("slug") if has_slug else Value(None, output_field=CharField()),
        tomb_at=at,
    )
    if since is not None:
        rows = rows.filter(tomb_at__gte=since)
    return rows.order_by().values_list("tomb_kind", "tomb_list", "id", "tomb_slug", "tomb_at")


def tombstones(*, since=None, only=None, staff=False):
    """Records that left the public lists: deletions (from the history every model
    keeps, which survives deletion), withdrawals, and the rows that left with a withdrawn
    record they are shown under (GONE_WITH). One UNION query, newest first."""
    parts = []
    for name, model, has_slug in SYNCED_MODELS:
        if only and name != only:
            continue
        deleted = model.history.filter(history_type="-")
        publishable = hasattr(model, "publication_state")
        if publishable and not staff:
            # Drafts that were never public leave no public trace.
            deleted = deleted.exclude(publication_state=PublicationState.DRAFT)
        parts.append(_columns(deleted, "deleted", name, has_slug, F("history_date"), since))
        if publishable:
            withdrawn = model.objects.filter(publication_state=WITHDRAWN)
            parts.append(_columns(withdrawn, "withdrawn", name, has_slug, F("updated_at"), since))
        gone = GONE_WITH.get(name, [])
        for condition, at in gone() if callable(gone) else gone:
            rows = model.objects.filter(condition)
            parts.append(_columns(rows, "withdrawn", name, has_slug, at, since))
    first, *rest = parts
    return first.union(*rest, all=True).order_by("-tomb_at", "tomb_list", "id")


class TombstoneListView(ConditionalAPIViewMixin, generics.ListAPIView):
    """Records removed from the public lists, for clients that sync with
    `modified_since`: fetch each list with `?modified_since=T`, then this list with the
    same `T`, and drop the records named here."""

    serializer_class = s.TombstoneSerializer
    filter_backends = []
    # A UNION of several tables' rows: numbered pages only (the paginator says so).
    cursor_paging = False
    renderer_classes = AGGREGATE_RENDERERS
    csv_table = staticmethod(csv_table_of(s.TombstoneSerializer()))

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "modified_since",
                OpenApiTypes.DATETIME,
                description="Removed at or after (ISO 8601).",
            ),
            OpenApiParameter(
                "model", str, enum=[name for name, _, _ in SYNCED_MODELS], description="One list."
            ),
        ],
        summary="Deleted and withdrawn records",
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        params = s.TombstoneParamsSerializer(data=self.request.query_params)
        params.fields["model"].choices = [name for name, _, _ in SYNCED_MODELS]
        params.is_valid(raise_exception=True)
        user = self.request.user
        rows = tombstones(
            since=params.validated_data.get("modified_since"),
            only=params.validated_data.get("model"),
            staff=bool(user and user.is_authenticated and user.is_staff),
        )
        keys = ["kind", "model", "id", "slug", "at"]
        return _RowList(rows, keys)


class _RowList:
    """Lets the paginator count and slice the UNION while the serializer sees dicts."""

    def __init__(self, rows, keys):
        self.rows, self.keys = rows, keys

    def count(self):
        return self.rows.count()

    def __len__(self):
        return self.count()

    def __getitem__(self, index):
        return [dict(zip(self.keys, row, strict=True)) for row in self.rows[index]]

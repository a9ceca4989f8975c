"""Flat serializers for the forums records: relations appear as slugs (or ids where a
model has none), so a JSON row and a CSV row carry the same columns."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from authorities.models import Authority, Person
from forums.models import (
    AgendaItem,
    Attendance,
    Commitment,
    CommitmentStatus,
    CommitmentStatusChange,
    Document,
    Forum,
    Meeting,
    Recommendation,
    Report,
    Source,
)
from forums.stats.aggregates import HEALTH_VERDICTS
from igr import visibility
from igr.api.serializers import (
    PUBLICATION_FIELDS,
    READ_ONLY,
    TIMESTAMPS,
    CanonicalLink,
    FieldsOnce,
    HintedSlugRelatedField,
    QueryParamsSerializer,
    RecordSerializer,
    id_field,
    self_link,
    slug_field,
    slug_list,
    sources_field,
)


class SourceSerializer(RecordSerializer):
    url = self_link("source")
    source_url = serializers.URLField(
        source="url", max_length=1000, help_text="Where the cited document lives."
    )

    class Meta:
        model = Source
        fields = [
            "url",
            "id",
            "source_url",
            "title",
            "publisher",
            "published_on",
            "kind",
            "last_verified_on",
            "quote",
            "notes",
            *TIMESTAMPS,
        ]
        read_only_fields = TIMESTAMPS


class RecommendationSerializer(RecordSerializer):
    url = self_link("recommendation", "slug")
    report = slug_field(Report.objects.all(), help_text="Slug of the report.")
    scorecard = CanonicalLink(
        view_name="api-recommendation-scorecard",
        lookup_field="slug",
        help_text="This recommendation's scorecard.",
    )

    class Meta:
        model = Recommendation
        fields = ["url", "slug", "report", "number", "title", "summary", "scorecard", *TIMESTAMPS]
        read_only_fields = TIMESTAMPS


class ForumSerializer(RecordSerializer):
    url = self_link("forum", "slug")
    promise_source = id_field(
        Source.objects.all(),
        allow_null=True,
        required=False,
        help_text="Id of the source of the promised meeting frequency.",
    )
    members = serializers.SerializerMethodField(
        help_text="Slugs of the authorities that are or were members."
    )
    health = CanonicalLink(
        view_name="api-forum-health", lookup_field="slug", help_text="This forum's health."
    )
    sources = sources_field(Forum)

    class Meta:
        model = Forum
        fields = [
            "url",
            "slug",
            "name",
            "short_name",
            "founded_on",
            "dissolved_on",
            "is_statutory",
            "legal_basis",
            "purpose",
            "chair_description",
            "promised_meetings_per_year",
            "record_checked_to",
            "record_checked_note",
            "promise_source",
            "is_informal",
            "notes",
            "members",
            "sources",
            "health",
            *PUBLICATION_FIELDS,
            *TIMESTAMPS,
        ]
        read_only_fields = READ_ONLY

    def get_members(self, forum) -> list[str]:
        # From the prefetched memberships: sorted in Python to keep to one query.
        authorities = [m.authority for m in forum.memberships.all()]
        if not visibility.sees_drafts(self.context.get("request")):
            authorities = [a for a in authorities if visibility.shows(type(a), a)]
        return sorted({a.slug for a in authorities})


class MeetingSerializer(RecordSerializer):
    url = self_link("meeting", "slug")
    forum = slug_field(Forum.objects.all(), help_text="Slug of the forum.")
    host_authority = slug_field(
        Authority.objects.all(), allow_null=True, required=False, help_text="Slug of the host."
    )
    chair = slug_field(
        Person.objects.all(), allow_null=True, required=False, help_text="Slug of the chair."
    )
    sources = sources_field(Meeting)

    class Meta:
        model = Meeting
        fields = [
            "url",
            "slug",
            "forum",
            "date",
            "start_time",
            "date_confirmed",
            "occurrence_confirmed",
            "attendance_recorded",
            "date_note",
            "location",
            "host_authority",
            "chair",
            "summary",
            "status",
            "status_reason",
            "notes",
            "sources",
            *PUBLICATION_FIELDS,
            *TIMESTAMPS,
        ]
        # The slug is assigned from the forum and date and never changes, so links last.
        read_only_fields = ["slug", *READ_ONLY]


class AttendanceSerializer(RecordSerializer):
    url = self_link("attendance")
    meeting = slug_field(Meeting.objects.all(), help_text="Slug of the meeting.")
    person = slug_field(Person.objects.all(), help_text="Slug of the person.")
    authority = slug_field(
        Authority.objects.all(),
        allow_null=True,
        required=False,
        help_text="Slug of the authority they represented.",
    )
    substitute_for = slug_field(
        Person.objects.all(),
        allow_null=True,
        required=False,
        help_text="Slug of the person a substitute stood in for.",
    )

    class Meta:
        model = Attendance
        fields = [
            "url",
            "id",
            "meeting",
            "person",
            "authority",
            "role",
            "mode",
            "substitute_for",
            "notes",
            *TIMESTAMPS,
        ]
        read_only_fields = TIMESTAMPS
        # full_clean reports the duplicate in the same shape as every other field error.
        validators = []


class AgendaItemSerializer(RecordSerializer):
    url = self_link("agendaitem")
    meeting = slug_field(Meeting.objects.all(), help_text="Slug of the meeting.")
    recommendations = slug_list(
        Recommendation.objects.all(),
        required=False,
        help_text="Slugs of the recommendations the item touches.",
    )

    class Meta:
        model = AgendaItem
        fields = [
            "url",
            "id",
            "meeting",
            "order",
            "title",
            "description",
            "is_public",
            "outcome",
            "recommendations",
            *TIMESTAMPS,
        ]
        read_only_fields = TIMESTAMPS
        validators = []


class DocumentSerializer(RecordSerializer):
    url = self_link("document")
    official_url = serializers.URLField(
        source="url",
        max_length=1000,
        required=False,
        allow_blank=True,
        help_text="The official URL of the document.",
    )
    meeting = slug_field(
        Meeting.objects.all(), allow_null=True, required=False, help_text="Slug of the meeting."
    )
    forum = slug_field(
        Forum.objects.all(),
        allow_null=True,
        required=False,
        help_text="Slug of the forum, for its standing papers.",
    )

    class Meta:
        model = Document
        fields = [
            "url",
            "id",
            "meeting",
            "forum",
            "kind",
            "title",
            "official_url",
            "published_on",
            "is_confirmed",
            "text",
            *TIMESTAMPS,
        ]
        read_only_fields = TIMESTAMPS


class CommitmentSerializer(RecordSerializer):
    url = self_link("commitment")
    meeting = slug_field(
        Meeting.objects.all(), allow_null=True, required=False, help_text="Slug of the meeting."
    )
    forum = slug_field(
        Forum.objects.all(), allow_null=True, required=False, help_text="Slug of the forum."
    )
    lead_authority = slug_field(
        Authority.objects.all(), allow_null=True, required=False, help_text="Slug of the lead."
    )
    other_authorities = slug_list(
        Authority.objects.all(),
        required=False,
        help_text="Slugs of the other parties to it.",
    )
    recommendations = slug_list(
        Recommendation.objects.all(),
        required=False,
        help_text="Slugs of the recommendations it serves.",
    )
    restates = id_field(Commitment.objects.all(), allow_null=True, required=False)
    supersedes = id_field(Commitment.objects.all(), allow_null=True, required=False)
    is_overdue = serializers.BooleanField(
        read_only=True, help_text="Due date passed and still open."
    )
    sources = sources_field(Commitment)

    class Meta:
        model = Commitment
        fields = [
            "url",
            "id",
            "meeting",
            "forum",
            "title",
            "text",
            "made_on",
            "lead_authority",
            "other_authorities",
            "due_on",
            "due_note",
            "recommendations",
            "restates",
            "supersedes",
            "status",
            "status_changed_on",
            "is_overdue",
            "notes",
            "sources",
            *PUBLICATION_FIELDS,
            *TIMESTAMPS,
        ]
        # Status moves only through POST /api/v1/commitment-status-changes/.
        read_only_fields = ["status", "status_changed_on", *READ_ONLY]
        # GETs build rows from .values() (igr.api.values): the property runs on these.
        values_properties = {"is_overdue": ("status", "due_on")}


@extend_schema_field(
    {
        "type": "object",
        "nullable": True,
        "readOnly": True,
        "properties": {
            "reason": {"type": "string", "description": "Why the change was a mistake."},
            "voided_at": {"type": "string", "format": "date-time"},
        },
        "required": ["reason", "voided_at"],
    }
)
class VoidingField(serializers.Field):
    """CommitmentStatusChange.voiding as an object; a plain field (not a nested serializer)
    so that list reads keep to the `.values()` path."""

    def __init__(self, **kwargs):
        super().__init__(source="voiding", read_only=True, **kwargs)

    def to_representation(self, value):
        return {
            "reason": value["reason"],
            "voided_at": serializers.DateTimeField().to_representation(value["voided_at"]),
        }


class VoidStatusChangeSerializer(serializers.Serializer):
    """A Publisher's request to void a mistaken status change."""

    reason = serializers.CharField(
        help_text="Why the change was a mistake; shown with the voided change.",
    )


class CommitmentStatusChangeSerializer(FieldsOnce, serializers.ModelSerializer):
    """Created through forums.services.record_status_change, never saved directly."""

    url = self_link("commitmentstatuschange")
    commitment = id_field(Commitment.objects.all())
    new_status = serializers.ChoiceField(choices=CommitmentStatus.choices)
    evidence_source = id_field(Source.objects.all(), allow_null=True, required=False)
    evidence_meeting = slug_field(
        Meeting.objects.all(),
        allow_null=True,
        required=False,
        help_text="Slug of the meeting that prompted the change.",
    )
    voided_by = VoidingField(
        help_text="The entry voiding this change, or null while it is in force: a voided "
        "change no longer counts towards the commitment's status.",
    )

    class Meta:
        model = CommitmentStatusChange
        fields = [
            "url",
            "id",
            "commitment",
            "old_status",
            "new_status",
            "effective_on",
            "evidence_source",
            "evidence_meeting",
            "note",
            "voided_by",
            *TIMESTAMPS,
        ]
        read_only_fields = ["old_status", "voided_by", *TIMESTAMPS]
        validators = []
        # GETs build rows from .values() (igr.api.values): the property runs on these.
        values_properties = {"voided_by": ("voided_by__reason", "voided_by__created_at")}


# --- aggregates: response shapes, so the schema documents every figure -----------------


class AggregateParamsSerializer(QueryParamsSerializer):
    """The filters every aggregate takes: a forum and a date range (inclusive)."""

    forum = HintedSlugRelatedField(
        slug_field="slug",
        queryset=visibility.visible(Forum),
        required=False,
        help_text="Slug of a published forum.",
    )
    date_after = serializers.DateField(required=False, help_text="From this date (YYYY-MM-DD).")
    date_before = serializers.DateField(required=False, help_text="To this date (YYYY-MM-DD).")

    def validate(self, attrs):
        start, end = attrs.get("date_after"), attrs.get("date_before")
        if start and end and start > end:
            raise serializers.ValidationError({"date_before": ["Comes before date_after."]})
        return attrs


class _ScoreFields(serializers.Serializer):
    number = serializers.IntegerField()
    slug = serializers.CharField()
    title = serializers.CharField()
    meetings_touched = serializers.IntegerField(
        help_text="Held, published meetings with a tagged agenda item or commitment."
    )
    agenda_items = serializers.IntegerField()
    commitments_total = serializers.IntegerField()
    commitments_by_status = serializers.DictField(
        child=serializers.IntegerField(), help_text="Count per commitment status."
    )
    commitments_assessed = serializers.IntegerField()
    share_delivered = serializers.FloatField(allow_null=True)
    score = serializers.FloatField(allow_null=True, help_text="0 to 1; see the rubric.")


class ScorecardSummarySerializer(_ScoreFields):
    pass


class QuarterSerializer(serializers.Serializer):
    quarter = serializers.CharField(help_text='e.g. "2025 Q1".')
    starts_on = serializers.DateField()
    meetings = serializers.IntegerField()
    commitments = serializers.IntegerField()


class ScorecardSerializer(_ScoreFields):
    overdue_commitments = serializers.IntegerField()
    commitments_without_due_date = serializers.IntegerField(
        help_text="Tagged commitments with no due date, which are never counted overdue."
    )
    latest_activity = serializers.DateField(allow_null=True)
    activity_per_quarter = QuarterSerializer(many=True)
    rubric = serializers.CharField(help_text="How the score is computed.")


class ForumHealthSerializer(serializers.Serializer):
    slug = serializers.CharField()
    name = serializers.CharField()
    is_statutory = serializers.BooleanField()
    legal_basis = serializers.CharField(allow_blank=True)
    promised_meetings_per_year = serializers.IntegerField(allow_null=True)
    meetings_held_total = serializers.IntegerField()
    meetings_held_last_12_months = serializers.IntegerField()
    meets_promise = serializers.BooleanField(
        allow_null=True,
        help_text="Null when no frequency is promised or not all 12 months are checked.",
    )
    record_checked_to = serializers.DateField(
        allow_null=True,
        help_text="Sources were searched for this forum's meetings up to this date.",
    )
    record_checked_note = serializers.CharField(allow_blank=True)
    last_meeting_on = serializers.DateField(
        allow_null=True, help_text="The latest held meeting whose date is confirmed."
    )
    days_since_last_meeting = serializers.IntegerField(allow_null=True)
    unconfirmed_meeting_on = serializers.DateField(
        allow_null=True,
        help_text="A held meeting after the last one whose date or occurrence is not confirmed.",
    )
    expected_interval_days = serializers.IntegerField(allow_null=True)
    verdict = serializers.ChoiceField(
        choices=HEALTH_VERDICTS,
        help_text="Judged on the checked-to date; unknown when the sources were never checked.",
    )
    overdue = serializers.BooleanField(help_text="The verdict is overdue.")
    attendance_rate = serializers.FloatField(
        allow_null=True,
        help_text="Over held meetings whose attendance is recorded only; null when none is.",
    )
    attendance_recorded_meetings = serializers.IntegerField(
        help_text="Held meetings whose attendance is recorded: the rate is worked out over these."
    )
    attendance_unknown_meetings = serializers.IntegerField(
        help_text="Held meetings whose attendance is not recorded, left out of the rate."
    )
    communique_rate = serializers.FloatField(allow_null=True)
    commitments_total = serializers.IntegerField()
    commitments_delivered = serializers.IntegerField()
    commitments_overdue = serializers.IntegerField()
    commitments_without_due_date = serializers.IntegerField(
        help_text="Commitments with no due date, which are never counted overdue."
    )
    rubric = serializers.CharField()


class MatrixMeetingSerializer(serializers.Serializer):
    slug = serializers.CharField()
    date = serializers.DateField()
    forum = serializers.CharField()
    forum_name = serializers.CharField()
    attendance_recorded = serializers.BooleanField(
        help_text="The sources list who attended, so a person not listed was not there."
    )


class MatrixRowSerializer(serializers.Serializer):
    person = serializers.CharField(help_text="Slug of the person.")
    person_name = serializers.CharField()
    cells = serializers.ListField(
        child=serializers.CharField(allow_null=True),
        help_text="Attendance mode at each meeting, in the order of `meetings`; where the "
        "person is not listed, `not_listed` if the meeting's attendance is recorded and "
        "`unknown` if it is not.",
    )


class AttendanceMatrixSerializer(serializers.Serializer):
    meetings = MatrixMeetingSerializer(many=True)
    people = MatrixRowSerializer(many=True)
    modes = serializers.DictField(
        child=serializers.CharField(), help_text="Labels of the cells' values."
    )


class PartyPerForumSerializer(serializers.Serializer):
    forum = serializers.CharField()
    forum_name = serializers.CharField()
    party = serializers.CharField(allow_null=True)
    party_name = serializers.CharField()
    party_colour = serializers.CharField(allow_null=True)
    attendances = serializers.IntegerField()
    people = serializers.IntegerField()


class PartyPerMeetingSerializer(serializers.Serializer):
    meeting = serializers.CharField()
    date = serializers.DateField()
    forum = serializers.CharField()
    party = serializers.CharField(allow_null=True)
    party_name = serializers.CharField()
    people = serializers.IntegerField()


class CrossPartySerializer(serializers.Serializer):
    per_forum = PartyPerForumSerializer(many=True)
    per_meeting = PartyPerMeetingSerializer(many=True)


class TombstoneSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(
        choices=["deleted", "withdrawn"],
        help_text="Deleted from the record; or withdrawn from publication, or gone from "
        "the public lists with a withdrawn record it is shown under (a meeting's attendance, "
        "agenda items and documents, a commitment's status changes, an authority's councils "
        "and offices, a person no longer shown).",
    )
    model = serializers.CharField(help_text="The list it left, e.g. `meetings`.")
    id = serializers.IntegerField()
    slug = serializers.CharField(allow_null=True)
    at = serializers.DateTimeField(
        help_text="When it was deleted or withdrawn (for a row gone with its parent, when "
        "the parent last changed); what `modified_since` compares."
    )


class TombstoneParamsSerializer(QueryParamsSerializer):
    other_parameters = ("format", "page", "page_size", "cursor")

    modified_since = serializers.DateTimeField(
        required=False, help_text="Only records removed at or after this ISO 8601 date-time."
    )
    model = serializers.ChoiceField(choices=[], required=False, help_text="Only this list.")


class ReleaseFileSerializer(serializers.Serializer):
    name = serializers.CharField()
    size = serializers.IntegerField(help_text="Bytes.")
    sha256 = serializers.CharField(help_text="SHA-256 of the file, hex.")
    url = serializers.URLField(help_text="Download address.")


class ReleaseSerializer(serializers.Serializer):
    name = serializers.CharField(help_text="The release's date, with .2, .3… for later ones.")
    date = serializers.DateField()
    url = serializers.URLField(help_text="The release on the /data/ page.")
    files = ReleaseFileSerializer(many=True)


class CommitmentTableSerializer(serializers.Serializer):
    """A commitment as one flat row for analysis: what an analyst would otherwise join
    for (the forum of a commitment made at a meeting, the recommendations' numbers)."""

    url = self_link("commitment")
    id = serializers.IntegerField(help_text="The commitment's id, as in /api/v1/commitments/.")
    title = serializers.CharField(help_text="What was agreed, in short.")
    forum = serializers.SerializerMethodField(
        help_text="Slug of the forum: its own, or that of the meeting it was made at."
    )
    forum_name = serializers.SerializerMethodField(help_text="Name of that forum.")
    meeting = slug_field(
        Meeting.objects.all(), allow_null=True, help_text="Slug of the meeting; null if none."
    )
    meeting_date = serializers.SerializerMethodField(help_text="Date of that meeting.")
    made_on = serializers.DateField(allow_null=True, help_text="Date the commitment was made.")
    lead_authority = slug_field(
        Authority.objects.all(), allow_null=True, help_text="Slug of the lead; null if none."
    )
    status = serializers.CharField(help_text="Current status.")
    status_changed_on = serializers.DateField(
        allow_null=True, help_text="Date the status last changed."
    )
    due_on = serializers.DateField(allow_null=True, help_text="Date it is due; null if none.")
    is_overdue = serializers.BooleanField(help_text="Due date passed and still open.")
    recommendations = serializers.SerializerMethodField(
        help_text="Slugs of the recommendations it serves (joined with '; ' in CSV)."
    )
    recommendation_numbers = serializers.SerializerMethodField(
        help_text="Their numbers in the report, 1–5, in the same order."
    )

    class Meta:
        model = Commitment  # where the public relations (meeting, lead) look up visibility

    def _forum(self, commitment):
        forum = commitment.forum or (commitment.meeting.forum if commitment.meeting else None)
        memo = self.context.setdefault("_visibility_memo", {})
        if forum is None or not (
            visibility.sees_drafts(self.context.get("request"))
            or visibility.shows(Forum, forum, memo)
        ):
            return None
        return forum

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_forum(self, commitment):
        forum = self._forum(commitment)
        return forum.slug if forum else None

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_forum_name(self, commitment):
        forum = self._forum(commitment)
        return forum.name if forum else None

    @extend_schema_field(serializers.DateField(allow_null=True))
    def get_meeting_date(self, commitment):
        meeting = self.fields["meeting"].get_attribute(commitment)
        return meeting.date if meeting else None

    def _recommendations(self, commitment):
        return sorted(commitment.recommendations.all(), key=lambda r: (r.number, r.slug))

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_recommendations(self, commitment):
        return [r.slug for r in self._recommendations(commitment)]

    @extend_schema_field(serializers.ListField(child=serializers.IntegerField()))
    def get_recommendation_numbers(self, commitment):
        return [r.number for r in self._recommendations(commitment)]

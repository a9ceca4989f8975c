"""Flat serializers for the forums records: relations appear as slugs (or ids where a
model has none), so a JSON row and a CSV row carry the same columns."""

import copy
import re

from django.urls import NoReverseMatch, reverse
from rest_framework import serializers
from rest_framework.relations import MANY_RELATION_KWARGS

from authorities.models import Authority, Person
from forums.api.base import CleanModelSerializer, slug_field
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

PUBLICATION_FIELDS = ["publication_state", "published_at", "withdrawal_reason"]
TIMESTAMPS = ["created_at", "updated_at"]
READ_ONLY = ["published_at", *TIMESTAMPS]


#: Lookup values that reverse() and build_absolute_uri() leave exactly as they are.
_PLAIN_LOOKUP = re.compile(r"^[-A-Za-z0-9_]+$")
_MARKER = "LOOKUPMARKER0"


class CanonicalLink(serializers.HyperlinkedIdentityField):
    """A record's own API address, without the `?format=csv` that DRF's reverse() would
    carry over from the request, so a record has one URL in every file.

    reverse() and build_absolute_uri() run once per serializer (a request) with a marker
    for the slug or id; each row then fills in its own value. A value they would quote or
    change (anything beyond letters, digits, - and _) still goes through reverse(). The
    URL is the same string either way (tests/api pin it); reverse() per row was a tenth
    of a list request."""

    def get_url(self, obj, view_name, request, format):
        value = getattr(obj, self.lookup_field)
        text = str(value)
        template = self._template(view_name, request) if _PLAIN_LOOKUP.match(text) else None
        if template is not None:
            return template[0] + text + template[1]
        url = reverse(view_name, kwargs={self.lookup_url_kwarg: value})
        return request.build_absolute_uri(url) if request is not None else url

    def _template(self, view_name, request):
        cached = getattr(self, "_cached_template", None)
        if cached is not None and cached[0] is request and cached[1] == view_name:
            return cached[2]
        template = None
        try:
            url = reverse(view_name, kwargs={self.lookup_url_kwarg: _MARKER})
        except NoReverseMatch:
            url = ""
        if url.count(_MARKER) == 1:
            url = request.build_absolute_uri(url) if request is not None else url
            if url.count(_MARKER) == 1:
                template = tuple(url.split(_MARKER))
        self._cached_template = (request, view_name, template)
        return template


class FieldsOnce:
    """A ModelSerializer works its fields out from the model on every instance (model
    introspection, field mapping, uniqueness validators): a tenth of a detail request.
    The fields depend only on the class, so they are built once per class and each
    serializer gets fresh copies (DRF's own way of copying declared fields)."""

    def get_fields(self):
        cls = type(self)
        prototype = cls.__dict__.get("_prototype_fields")
        if prototype is None:
            prototype = super().get_fields()
            cls._prototype_fields = prototype
        return copy.deepcopy(prototype)


class RecordSerializer(FieldsOnce, CleanModelSerializer):
    pass


def self_link(name, lookup_field="pk"):
    return CanonicalLink(
        view_name=f"api-{name}-detail",
        lookup_field=lookup_field,
        help_text="This record in the API.",
    )


class PrefetchedManyField(serializers.ManyRelatedField):
    """A many-to-many list read straight from the rows prefetch_related loaded.

    DRF reads `instance.sources.all()`, which builds a related manager and a queryset
    per row and relation (150 of each for a page of 50 commitments) only to return the
    prefetched rows; this returns those rows, in the same order. Without a prefetch it
    does exactly what DRF does."""

    def get_attribute(self, instance):
        cache = getattr(instance, "_prefetched_objects_cache", None)
        if cache and len(self.source_attrs) == 1 and getattr(instance, "pk", None) is not None:
            rows = cache.get(self.source_attrs[0])
            if rows is not None:
                return rows
        return super().get_attribute(instance)


class PrefetchedMany:
    """`many=True` gives a PrefetchedManyField (DRF's RelatedField.many_init otherwise)."""

    @classmethod
    def many_init(cls, *args, **kwargs):
        list_kwargs = {"child_relation": cls(*args, **kwargs)}
        for key in kwargs:
            if key in MANY_RELATION_KWARGS:
                list_kwargs[key] = kwargs[key]
        return PrefetchedManyField(**list_kwargs)


class SlugList(PrefetchedMany, serializers.SlugRelatedField):
    pass


class IdList(PrefetchedMany, serializers.PrimaryKeyRelatedField):
    pass


def slug_list(queryset, **kwargs):
    return SlugList(slug_field="slug", queryset=queryset, many=True, **kwargs)


def sources_field():
    return IdList(
        many=True,
        required=False,
        queryset=Source.objects.all(),
        help_text="Ids of the sources cited (see /api/v1/sources/).",
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
    promise_source = serializers.PrimaryKeyRelatedField(
        queryset=Source.objects.all(),
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
    sources = sources_field()

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
        return sorted({m.authority.slug for m in forum.memberships.all()})


class MeetingSerializer(RecordSerializer):
    url = self_link("meeting", "slug")
    forum = slug_field(Forum.objects.all(), help_text="Slug of the forum.")
    host_authority = slug_field(
        Authority.objects.all(), allow_null=True, required=False, help_text="Slug of the host."
    )
    chair = slug_field(
        Person.objects.all(), allow_null=True, required=False, help_text="Slug of the chair."
    )
    sources = sources_field()

    class Meta:
        model = Meeting
        fields = [
            "url",
            "slug",
            "forum",
            "date",
            "start_time",
            "date_confirmed",
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
    restates = serializers.PrimaryKeyRelatedField(
        queryset=Commitment.objects.all(), allow_null=True, required=False
    )
    supersedes = serializers.PrimaryKeyRelatedField(
        queryset=Commitment.objects.all(), allow_null=True, required=False
    )
    is_overdue = serializers.BooleanField(
        read_only=True, help_text="Due date passed and still open."
    )
    sources = sources_field()

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
        # GETs build rows from .values() (forums.api.values): the property runs on these.
        values_properties = {"is_overdue": ("status", "due_on")}


class CommitmentStatusChangeSerializer(FieldsOnce, serializers.ModelSerializer):
    """Created through forums.services.record_status_change, never saved directly."""

    url = self_link("commitmentstatuschange")
    commitment = serializers.PrimaryKeyRelatedField(queryset=Commitment.objects.all())
    new_status = serializers.ChoiceField(choices=CommitmentStatus.choices)
    evidence_source = serializers.PrimaryKeyRelatedField(
        queryset=Source.objects.all(), allow_null=True, required=False
    )
    evidence_meeting = slug_field(
        Meeting.objects.all(),
        allow_null=True,
        required=False,
        help_text="Slug of the meeting that prompted the change.",
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
            *TIMESTAMPS,
        ]
        read_only_fields = ["old_status", *TIMESTAMPS]
        validators = []


# --- aggregates: response shapes, so the schema documents every figure -----------------


class AggregateParamsSerializer(serializers.Serializer):
    """The filters every aggregate takes: a forum and a date range (inclusive)."""

    forum = serializers.SlugRelatedField(
        slug_field="slug",
        queryset=Forum.objects.published(),
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
    meets_promise = serializers.BooleanField(allow_null=True)
    last_meeting_on = serializers.DateField(allow_null=True)
    days_since_last_meeting = serializers.IntegerField(allow_null=True)
    expected_interval_days = serializers.IntegerField(allow_null=True)
    overdue = serializers.BooleanField()
    attendance_rate = serializers.FloatField(allow_null=True)
    communique_rate = serializers.FloatField(allow_null=True)
    commitments_total = serializers.IntegerField()
    commitments_delivered = serializers.IntegerField()
    commitments_overdue = serializers.IntegerField()
    rubric = serializers.CharField()


class MatrixMeetingSerializer(serializers.Serializer):
    slug = serializers.CharField()
    date = serializers.DateField()
    forum = serializers.CharField()
    forum_name = serializers.CharField()


class MatrixRowSerializer(serializers.Serializer):
    person = serializers.CharField(help_text="Slug of the person.")
    person_name = serializers.CharField()
    cells = serializers.ListField(
        child=serializers.CharField(allow_null=True),
        help_text="Attendance mode at each meeting, in the order of `meetings`; null if absent.",
    )


class AttendanceMatrixSerializer(serializers.Serializer):
    meetings = MatrixMeetingSerializer(many=True)
    people = MatrixRowSerializer(many=True)
    modes = serializers.DictField(child=serializers.CharField(), help_text="Mode labels.")


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
        help_text="Deleted from the record, or withdrawn from publication (its child records "
        "— attendance, agenda items, documents — leave the public lists with it).",
    )
    model = serializers.CharField(help_text="The list it left, e.g. `meetings`.")
    id = serializers.IntegerField()
    slug = serializers.CharField(allow_null=True)
    at = serializers.DateTimeField(help_text="When it was deleted or last changed.")


class TombstoneParamsSerializer(serializers.Serializer):
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

"""FilterSets for forums, meetings and commitments, shared by the public list pages and
the API, so the site and the API filter identically. See authorities.filters.BaseFilterSet."""

import django_filters
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from authorities.models import Authority, Office, Party, Person
from forums.models import (
    AgendaItem,
    Attendance,
    AttendanceMode,
    Commitment,
    CommitmentStatus,
    CommitmentStatusChange,
    Document,
    DocumentKind,
    Forum,
    Meeting,
    MeetingStatus,
    Recommendation,
    Report,
    Source,
    SourceKind,
)
from igr.filters import BaseFilterSet, slug_filter


class ForumFilter(BaseFilterSet):
    is_statutory = django_filters.BooleanFilter(label="Statutory")
    member = slug_filter(Authority.objects.all(), "Member authority", method="filter_member")
    ordering = django_filters.OrderingFilter(
        fields=(("name", "name"), ("founded_on", "founded_on"))
    )
    search_fields = ("name", "short_name", "purpose")
    # Kept in step with the GIN index of migration "search_indexes".
    search_vector = (("name", "A"), ("short_name", "A"), ("purpose", "B"))

    class Meta:
        model = Forum
        fields = ["is_statutory"]

    def filter_member(self, queryset, name, authority):
        return queryset.filter(memberships__authority=authority).distinct()


class MeetingFilter(BaseFilterSet):
    forum = slug_filter(Forum.objects.all(), "Forum")
    status = django_filters.ChoiceFilter(choices=MeetingStatus.choices)
    date = django_filters.DateFromToRangeFilter(label="Meeting date")
    authority = slug_filter(
        Authority.objects.all(), "Attended or hosted by", method="filter_authority"
    )
    person = slug_filter(Person.objects.all(), "Attended by", method="filter_person")
    recommendation = slug_filter(
        Recommendation.objects.all(),
        "Touches recommendation",
        method="filter_recommendation",
    )
    date_confirmed = django_filters.BooleanFilter(label="Date confirmed")
    occurrence_confirmed = django_filters.BooleanFilter(
        label="Confirmed it took place",
        help_text="Yes (true): a source confirms the meeting took place. No (false): "
        "listed but not confirmed, so not counted as held in any figure.",
    )
    attendance_recorded = django_filters.BooleanFilter(
        label="Attendance recorded",
        help_text="Yes (true): the sources list who attended, so a member not listed was "
        "absent. No (false): who was absent is unknown; left out of attendance rates.",
    )
    ordering = django_filters.OrderingFilter(fields=(("date", "date"), ("forum__name", "forum")))
    search_fields = ("forum__name", "summary", "location")
    # Kept in step with the GIN index of migration "search_indexes".
    search_vector = (("summary", "B"), ("location", "C"))

    class Meta:
        model = Meeting
        fields = [
            "forum",
            "status",
            "date_confirmed",
            "occurrence_confirmed",
            "attendance_recorded",
        ]

    def filter_authority(self, queryset, name, authority):
        attended = Attendance.objects.filter(meeting=OuterRef("pk"), authority=authority)
        return queryset.filter(Q(host_authority=authority) | Exists(attended))

    def filter_person(self, queryset, name, person):
        return queryset.filter(
            Exists(Attendance.objects.filter(meeting=OuterRef("pk"), person=person))
        )

    def filter_recommendation(self, queryset, name, recommendation):
        items = AgendaItem.objects.filter(meeting=OuterRef("pk"), recommendations=recommendation)
        commitments = Commitment.objects.filter(
            meeting=OuterRef("pk"), recommendations=recommendation
        )
        return queryset.filter(Exists(items) | Exists(commitments))


class AttendanceFilter(BaseFilterSet):
    meeting = slug_filter(Meeting.objects.all(), "Meeting")
    forum = slug_filter(Forum.objects.all(), "Forum", field_name="meeting__forum")
    person = slug_filter(Person.objects.all(), "Person")
    authority = slug_filter(Authority.objects.all(), "Authority represented")
    mode = django_filters.ChoiceFilter(choices=AttendanceMode.choices)
    date = django_filters.DateFromToRangeFilter(field_name="meeting__date", label="Meeting date")
    party = slug_filter(Party.objects.all(), "Party on the meeting date", method="filter_party")
    ordering = django_filters.OrderingFilter(
        fields=(("meeting__date", "date"), ("person__name", "person"))
    )
    sync_parents = ("meeting",)
    search_fields = ("person__name", "role")

    class Meta:
        model = Attendance
        fields = ["meeting", "person", "authority", "mode"]

    def filter_party(self, queryset, name, party):
        office_on_day = Office.objects.on(OuterRef("meeting__date")).filter(
            person=OuterRef("person"), party=party
        )
        return queryset.filter(Exists(office_on_day))


class AgendaItemFilter(BaseFilterSet):
    meeting = slug_filter(Meeting.objects.all(), "Meeting")
    forum = slug_filter(Forum.objects.all(), "Forum", field_name="meeting__forum")
    recommendation = slug_filter(
        Recommendation.objects.all(), "Recommendation", field_name="recommendations"
    )
    is_public = django_filters.BooleanFilter(label="Public item")
    date = django_filters.DateFromToRangeFilter(field_name="meeting__date", label="Meeting date")
    ordering = django_filters.OrderingFilter(fields=(("meeting__date", "date"), ("order", "order")))
    sync_parents = ("meeting",)
    search_fields = ("title", "description", "outcome")
    # Kept in step with the GIN index of migration "search_indexes".
    search_vector = (("title", "A"), ("description", "B"), ("outcome", "B"))

    class Meta:
        model = AgendaItem
        fields = ["meeting", "is_public"]


class DocumentFilter(BaseFilterSet):
    kind = django_filters.ChoiceFilter(choices=DocumentKind.choices)
    meeting = slug_filter(Meeting.objects.all(), "Meeting")
    forum = slug_filter(Forum.objects.all(), "Forum", method="filter_forum")
    published = django_filters.DateFromToRangeFilter(field_name="published_on", label="Published")
    ordering = django_filters.OrderingFilter(
        fields=(("published_on", "published_on"), ("title", "title"))
    )
    sync_parents = ("meeting", "forum")
    search_fields = ("title", "text")
    # Kept in step with the GIN index of migration "search_indexes".
    search_vector = (("title", "A"), ("text", "C"))

    class Meta:
        model = Document
        fields = ["kind", "meeting"]

    def filter_forum(self, queryset, name, forum):
        return queryset.filter(Q(forum=forum) | Q(meeting__forum=forum))


class CommitmentFilter(BaseFilterSet):
    # No joins here, so no DISTINCT needed (django-filter adds one by default).
    status = django_filters.MultipleChoiceFilter(choices=CommitmentStatus.choices, distinct=False)
    forum = slug_filter(Forum.objects.all(), "Forum", method="filter_forum")
    meeting = slug_filter(Meeting.objects.all(), "Meeting")
    lead_authority = slug_filter(Authority.objects.all(), "Lead authority")
    authority = slug_filter(
        Authority.objects.all(), "Lead or other party", method="filter_authority"
    )
    recommendation = slug_filter(
        Recommendation.objects.all(), "Recommendation", method="filter_recommendation"
    )
    overdue = django_filters.BooleanFilter(method="filter_overdue", label="Overdue")
    due = django_filters.DateFromToRangeFilter(field_name="due_on", label="Due")
    made = django_filters.DateFromToRangeFilter(field_name="made_on", label="Made")
    ordering = django_filters.OrderingFilter(
        fields=(
            ("made_on", "made_on"),
            ("due_on", "due_on"),
            ("status", "status"),
            ("status_changed_on", "status_changed_on"),
        )
    )
    search_fields = ("title", "text")
    # Kept in step with the GIN index of migration "search_indexes".
    search_vector = (("title", "A"), ("text", "B"))

    class Meta:
        model = Commitment
        fields = ["status", "meeting", "lead_authority"]

    def filter_forum(self, queryset, name, forum):
        return queryset.for_forum(forum)

    def filter_authority(self, queryset, name, authority):
        shared = Commitment.other_authorities.through.objects.filter(
            commitment=OuterRef("pk"), authority=authority
        )
        return queryset.filter(Q(lead_authority=authority) | Exists(shared))

    def filter_recommendation(self, queryset, name, recommendation):
        tagged = Commitment.recommendations.through.objects.filter(
            commitment=OuterRef("pk"), recommendation=recommendation
        )
        return queryset.filter(Exists(tagged))

    def filter_overdue(self, queryset, name, value):
        overdue = queryset.overdue(timezone.localdate())
        return overdue if value else queryset.exclude(pk__in=overdue.values("pk"))


class CommitmentStatusChangeFilter(BaseFilterSet):
    commitment = django_filters.NumberFilter(
        field_name="commitment_id", min_value=1, max_value=2**62
    )
    new_status = django_filters.ChoiceFilter(choices=CommitmentStatus.choices)
    effective = django_filters.DateFromToRangeFilter(field_name="effective_on", label="Effective")
    forum = slug_filter(Forum.objects.all(), "Forum", method="filter_forum")
    ordering = django_filters.OrderingFilter(fields=(("effective_on", "effective_on"),))
    sync_parents = ("commitment",)
    search_fields = ("note", "commitment__title")

    class Meta:
        model = CommitmentStatusChange
        fields = ["new_status"]

    def filter_forum(self, queryset, name, forum):
        return queryset.filter(Q(commitment__forum=forum) | Q(commitment__meeting__forum=forum))


class RecommendationFilter(BaseFilterSet):
    report = slug_filter(Report.objects.all(), "Report")
    ordering = django_filters.OrderingFilter(fields=(("number", "number"),))
    search_fields = ("title", "summary")
    # Kept in step with the GIN index of migration "search_indexes".
    search_vector = (("title", "A"), ("summary", "B"))

    class Meta:
        model = Recommendation
        fields = ["report"]


class SourceFilter(BaseFilterSet):
    kind = django_filters.ChoiceFilter(choices=SourceKind.choices)
    published = django_filters.DateFromToRangeFilter(field_name="published_on", label="Published")
    verified = django_filters.DateFromToRangeFilter(
        field_name="last_verified_on", label="Last verified"
    )
    ordering = django_filters.OrderingFilter(
        fields=(("published_on", "published_on"), ("title", "title"))
    )
    search_fields = ("title", "publisher", "url")
    # Kept in step with the GIN index of migration "search_indexes".
    search_vector = (("title", "A"), ("publisher", "B"), ("quote", "C"))

    class Meta:
        model = Source
        fields = ["kind"]

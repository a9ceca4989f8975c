from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from forums.models import (
    AgendaItem,
    Attendance,
    Commitment,
    CommitmentStatusChange,
    Document,
    Forum,
    ForumMembership,
    Meeting,
    Recommendation,
    Report,
    Source,
)


@admin.register(Source)
class SourceAdmin(SimpleHistoryAdmin):
    list_display = ["title", "publisher", "kind", "published_on", "last_verified_on"]
    list_filter = ["kind"]
    search_fields = ["title", "url", "publisher"]


@admin.register(Report)
class ReportAdmin(SimpleHistoryAdmin):
    list_display = ["title", "publisher", "published_on"]
    search_fields = ["title"]


@admin.register(Recommendation)
class RecommendationAdmin(SimpleHistoryAdmin):
    list_display = ["number", "title", "report"]
    list_select_related = ["report"]
    search_fields = ["title"]


@admin.register(Forum)
class ForumAdmin(SimpleHistoryAdmin):
    list_display = ["name", "is_statutory", "promised_meetings_per_year", "publication_state"]
    list_filter = ["publication_state", "is_statutory"]
    search_fields = ["name", "short_name"]


@admin.register(ForumMembership)
class ForumMembershipAdmin(SimpleHistoryAdmin):
    list_display = ["forum", "authority", "role", "started_on", "ended_on"]
    list_select_related = ["forum", "authority"]


@admin.register(Meeting)
class MeetingAdmin(SimpleHistoryAdmin):
    list_display = ["__str__", "status", "publication_state"]
    list_select_related = ["forum"]
    list_filter = ["forum", "status", "publication_state"]
    search_fields = ["forum__name", "summary", "slug"]
    date_hierarchy = "date"


@admin.register(Attendance)
class AttendanceAdmin(SimpleHistoryAdmin):
    list_display = ["person", "meeting", "authority", "mode"]
    list_select_related = ["person", "meeting__forum", "authority"]


@admin.register(AgendaItem)
class AgendaItemAdmin(SimpleHistoryAdmin):
    list_display = ["title", "meeting", "order"]
    list_select_related = ["meeting__forum"]


@admin.register(Document)
class DocumentAdmin(SimpleHistoryAdmin):
    list_display = ["title", "kind", "published_on"]
    search_fields = ["title"]


@admin.register(Commitment)
class CommitmentAdmin(SimpleHistoryAdmin):
    list_display = ["title", "status", "due_on", "publication_state"]
    list_filter = ["status", "publication_state"]
    search_fields = ["title", "text"]
    readonly_fields = ["status", "status_changed_on"]


@admin.register(CommitmentStatusChange)
class CommitmentStatusChangeAdmin(SimpleHistoryAdmin):
    list_display = ["commitment", "old_status", "new_status", "effective_on"]
    list_select_related = ["commitment"]

    # Append-only: status changes are written by forums.services.record_status_change.
    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

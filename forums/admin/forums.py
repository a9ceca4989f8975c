"""Forums, their members and what the record knows it is missing about them."""

from django.contrib import admin

from forums.models import (
    Forum,
    ForumMembership,
    KnownGap,
)
from igr.admin import (
    RecordAdmin,
    RecordInline,
)


class ForumMembershipInline(RecordInline, admin.TabularInline):
    model = ForumMembership
    fields = ["authority", "role", "started_on", "ended_on", "notes", "version"]
    autocomplete_fields = ["authority"]


@admin.register(Forum)
class ForumAdmin(RecordAdmin):
    list_display = [
        "name",
        "is_statutory",
        "promised_meetings_per_year",
        "founded_on",
        "record_checked_to",
        "publication_state",
    ]
    list_filter = ["publication_state", "is_statutory", "is_informal"]
    search_fields = ["name", "short_name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["promise_source", "sources"]
    inlines = [ForumMembershipInline]


@admin.register(ForumMembership)
class ForumMembershipAdmin(RecordAdmin):
    list_display = ["forum", "authority", "role", "started_on", "ended_on"]
    list_select_related = ["forum", "authority"]
    list_filter = ["role", "forum"]
    search_fields = ["forum__name", "authority__name"]
    autocomplete_fields = ["forum", "authority"]


@admin.register(KnownGap)
class KnownGapAdmin(RecordAdmin):
    list_display = ["__str__", "kind", "forum"]
    list_select_related = ["forum"]
    list_filter = ["kind", "forum"]
    search_fields = ["text", "forum__name"]
    autocomplete_fields = ["forum", "sources"]

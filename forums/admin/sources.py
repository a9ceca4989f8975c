"""Sources, the report and its recommendations."""

from django.contrib import admin

from forums.models import (
    Recommendation,
    Report,
    Source,
)
from igr.admin import (
    RecordAdmin,
)


@admin.register(Source)
class SourceAdmin(RecordAdmin):
    list_display = ["title", "publisher", "kind", "published_on", "last_verified_on"]
    list_filter = ["kind", "published_on", "last_verified_on"]
    search_fields = ["title", "url", "publisher"]
    date_hierarchy = "published_on"


@admin.register(Report)
class ReportAdmin(RecordAdmin):
    list_display = ["title", "publisher", "published_on"]
    list_filter = ["published_on"]
    search_fields = ["title", "publisher", "authors"]
    autocomplete_fields = ["sources"]


@admin.register(Recommendation)
class RecommendationAdmin(RecordAdmin):
    list_display = ["number", "title", "report"]
    list_display_links = ["number", "title"]
    list_select_related = ["report"]
    list_filter = ["report"]
    search_fields = ["title", "summary", "slug"]
    autocomplete_fields = ["report"]

"""Sources, the report and its recommendations."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseNotAllowed, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html

from forums.models import (
    Recommendation,
    Report,
    Source,
)
from igr import policy
from igr.admin import (
    RecordAdmin,
)


def mark_verified(sources, *, on) -> int:
    """Set `last_verified_on` on each source in one write, each save kept in its history."""
    count = 0
    with policy.writing() as write:
        for source in sources:
            write.changing(source)
            source.last_verified_on = on
            source._change_reason = f"Checked the source on {on:%-d %B %Y}"
            source.save()
            write.touched(source)
            count += 1
    return count


class LinkHealthFilter(admin.SimpleListFilter):
    title = "link check"
    parameter_name = "link"

    def lookups(self, request, model_admin):
        return [
            ("dead", "Dead link"),
            ("moved", "Redirected"),
            ("unchecked", "Never checked"),
        ]

    def queryset(self, request, queryset):
        if self.value() == "dead":
            return queryset.dead_links()
        if self.value() == "moved":
            return queryset.exclude(link_moved_to="")
        if self.value() == "unchecked":
            return queryset.filter(link_checked_at__isnull=True)
        return queryset


#: Written by `manage.py check_sources`, shown to staff, never typed.
LINK_CHECK_FIELDS = [
    "link_checked_at",
    "link_status",
    "link_error",
    "link_moved_to",
    "link_fingerprint",
]


@admin.register(Source)
class SourceAdmin(RecordAdmin):
    list_display = ["title", "publisher", "kind", "published_on", "last_verified_on", "link_health"]
    list_filter = ["kind", LinkHealthFilter, "published_on", "last_verified_on"]
    search_fields = ["title", "url", "publisher"]
    date_hierarchy = "published_on"
    actions = [*RecordAdmin.actions, "mark_verified_today"]

    @admin.display(description="Link")
    def link_health(self, obj):
        if obj.link_checked_at is None:
            return "Not checked"
        if obj.link_is_dead:
            return format_html(
                "<strong>Dead</strong> ({})", obj.link_error or f"HTTP {obj.link_status}"
            )
        if obj.link_moved_to:
            return format_html("Redirects to {}", obj.link_moved_to)
        return f"OK ({obj.link_status})"

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        fields += [f for f in LINK_CHECK_FIELDS if f not in fields]
        if obj is not None and self.has_change_permission(request, obj):
            fields.append("verify_today")
        return fields

    @admin.display(description="Checked today?")
    def verify_today(self, obj):
        # A button of the change form posting to its own URL, so no other field is saved.
        return format_html(
            '<button type="submit" class="button" formaction="{}" formnovalidate>'
            "Mark as verified today</button>",
            reverse("admin:forums_source_verify", args=[obj.pk]),
        )

    def get_urls(self):
        return [
            path(
                "<int:pk>/verify/",
                self.admin_site.admin_view(self.verify_view),
                name="forums_source_verify",
            ),
            *super().get_urls(),
        ]

    def verify_view(self, request, pk):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        source = get_object_or_404(Source, pk=pk)
        if not self.has_change_permission(request, source):
            raise PermissionDenied
        today = timezone.localdate()
        mark_verified([source], on=today)
        self.message_user(
            request, f"Marked “{source}” as verified on {today:%-d %B %Y}.", messages.SUCCESS
        )
        return HttpResponseRedirect(reverse("admin:forums_source_change", args=[pk]))

    @admin.action(description="Mark as verified today", permissions=["change"])
    def mark_verified_today(self, request, queryset):
        today = timezone.localdate()
        count = mark_verified(queryset.order_by("pk"), on=today)
        self.message_user(
            request,
            f"Marked {count} source{'s' if count != 1 else ''} as verified on {today:%-d %B %Y}.",
            messages.SUCCESS,
        )


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

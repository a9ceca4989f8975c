"""Meetings, on one page: attendance, agenda items, documents and commitments inline."""

import datetime
import re

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import ValidationError
from django.db.models import Q

from forums.models import (
    AgendaItem,
    Attendance,
    Commitment,
    Document,
    Meeting,
)
from igr.admin import (
    RecordAdmin,
    RecordInline,
    RecordInlineFormSet,
    flag,
)


class AttendanceFormSet(RecordInlineFormSet):
    def clean(self):
        # Before Django's own uniqueness check, whose message names no one.
        seen = {}
        for form in self.forms:
            data = getattr(form, "cleaned_data", None) or {}
            person = data.get("person")
            if person is None or data.get("DELETE"):
                continue
            if person.pk in seen:
                raise ValidationError(
                    f"{person} is listed twice. Record each person once per meeting "
                    "(use the notes for a second role)."
                )
            seen[person.pk] = form
        super().clean()


class AttendanceInline(RecordInline, admin.TabularInline):
    model = Attendance
    formset = AttendanceFormSet
    fields = ["person", "authority", "role", "mode", "substitute_for", "notes", "version"]
    autocomplete_fields = ["person", "authority", "substitute_for"]
    # Every column on a 1280 px screen (staff audit B2: the grid was 1,872 px wide, with
    # "Mode", "Substitute for", "Notes" and "Delete?" off the screen): the pickers and
    # text boxes narrower than Django's defaults, notes on one line, and the meeting's
    # page without the navigation sidebar (MeetingAdmin.changeform_view).
    formfield_overrides = {
        Attendance._meta.get_field("notes").__class__: {
            "widget": forms.TextInput(attrs={"size": 16})
        },
        Attendance._meta.get_field("role").__class__: {
            "widget": forms.TextInput(attrs={"size": 16})
        },
    }
    picker_width = "13em"

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if field is not None and db_field.name in self.autocomplete_fields:
            # select2 reads its width from the data attribute.
            picker = getattr(field.widget, "widget", field.widget)
            picker.attrs["data-width"] = self.picker_width
        return field


class AgendaItemInline(RecordInline, admin.TabularInline):
    model = AgendaItem
    fields = ["order", "title", "is_public", "outcome", "recommendations", "version"]
    autocomplete_fields = ["recommendations"]
    formfield_overrides = {
        AgendaItem._meta.get_field("outcome").__class__: {
            "widget": forms.Textarea(attrs={"rows": 2, "cols": 30})
        }
    }


class DocumentInline(RecordInline, admin.StackedInline):
    model = Document
    fk_name = "meeting"
    fields = [("kind", "title"), ("url", "published_on", "is_confirmed"), "text", "version"]
    classes = ["collapse"]


class CommitmentInline(RecordInline, admin.StackedInline):
    model = Commitment
    fk_name = "meeting"
    fields = [
        "title",
        "text",
        ("made_on", "due_on", "due_note"),
        "lead_authority",
        "other_authorities",
        "recommendations",
        "sources",
        "version",
    ]
    autocomplete_fields = ["lead_authority", "other_authorities", "recommendations", "sources"]
    readonly_fields = ["status"]
    show_change_link = True


class PastDueFilter(admin.SimpleListFilter):
    title = "needs attention"
    parameter_name = "attention"

    def lookups(self, request, model_admin):
        return [("past_due", "Scheduled, but the date has passed")]

    def queryset(self, request, queryset):
        if self.value() == "past_due":
            return queryset.past_due()
        return queryset


#: The rows edited on a meeting's page, whose changes its history lists too.
ROW_MODELS = [(Attendance, "attendance"), (AgendaItem, "agenda item"), (Document, "document")]


def _row_history(object_id):
    """Every saved version of the meeting's attendance, agenda and document rows, newest
    first, each with what changed from the version before it."""
    entries = []
    for model, kind in ROW_MODELS:
        records = list(
            model.history.filter(meeting_id=unquote(object_id))
            .select_related("history_user")
            .order_by("id", "history_date", "history_id")
        )
        previous = {}
        for record in records:
            before = previous.get(record.id)
            changes = (
                [
                    change
                    for change in record.diff_against(before).changes
                    if change.field not in ("updated_at", "created_at")
                ]
                if before is not None
                else []
            )
            previous[record.id] = record
            entries.append({"kind": kind, "record": record, "changes": changes})
    entries.sort(key=lambda e: (e["record"].history_date, e["record"].history_id), reverse=True)
    return entries


_MONTHS = {
    name.lower(): number
    for number in range(1, 13)
    for name in (
        datetime.date(2000, number, 1).strftime("%B"),
        datetime.date(2000, number, 1).strftime("%b"),
    )
}
_DAY_MONTH_NAME = re.compile(r"\b(\d{1,2})(?:st|nd|rd|th)?\s+([A-Za-z]{3,9})\.?(?:,?\s+(\d{4}))?\b")
_DAY_MONTH_NUMBER = re.compile(r"\b(\d{1,2})/(\d{1,2})(?:/(\d{4}|\d{2}))?\b")


def date_in_search(term: str):
    """(the term without its date, a condition on Meeting.date) for the first date a
    search term gives as people write it ("20 November 2025", "20th Nov", "20/11/2025",
    "20/11/25", or a day and month of any year); (term, None) when it gives none."""
    for pattern in (_DAY_MONTH_NAME, _DAY_MONTH_NUMBER):
        for match in pattern.finditer(term):
            day, month, year = match.groups()
            month = _MONTHS.get(month.lower()) if not month.isdigit() else int(month)
            if month is None:
                continue
            if year is not None and len(year) == 2:
                year = f"20{year}"
            try:
                # A leap year stands in when none is given, so 29 February is a date.
                datetime.date(int(year or 2000), month, int(day))
            except ValueError:
                continue
            condition = Q(date__month=month, date__day=int(day))
            if year is not None:
                condition &= Q(date__year=int(year))
            rest = term[: match.start()] + " " + term[match.end() :]
            # A dash or comma left beside the date ("Mayoral Council — 20 November 2025",
            # as a picker shows it) is no word to search for.
            return " ".join(w for w in rest.split() if any(c.isalnum() for c in w)), condition
    return term, None


@admin.register(Meeting)
class MeetingAdmin(RecordAdmin):
    list_display = [
        "__str__",
        "date",
        "status",
        "attention",
        "publication_state",
        "location",
    ]
    list_select_related = ["forum"]
    list_filter = [PastDueFilter, "forum", "status", "publication_state", "date"]
    search_fields = ["forum__name", "summary", "slug", "location"]
    date_hierarchy = "date"
    autocomplete_fields = ["forum", "host_authority", "chair", "sources"]
    readonly_fields = ["slug"]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "forum",
                    ("date", "start_time"),
                    ("date_confirmed", "occurrence_confirmed", "date_note"),
                    ("status", "status_reason"),
                    "attendance_recorded",
                    "location",
                    ("host_authority", "chair"),
                    "summary",
                    "sources",
                    "notes",
                    "slug",
                ]
            },
        ),
        (
            "Publication",
            {"fields": ["publication_state", "published_at", "withdrawal_reason"]},
        ),
    ]
    inlines = [AttendanceInline, AgendaItemInline, CommitmentInline, DocumentInline]

    def get_search_results(self, request, queryset, search_term):
        """The changelist's search and the meeting pickers' (autocomplete) also find a
        meeting by the date they show: "20 November 2025", "20 Nov", "20/11/2025" as well
        as the 2025-11-20 in its slug. The date is taken out of the words, which must
        still match as before ("Mayoral 20 November")."""
        rest, condition = date_in_search(search_term)
        if condition is None:
            return super().get_search_results(request, queryset, search_term)
        queryset, may_have_duplicates = super().get_search_results(request, queryset, rest)
        return queryset.filter(condition), may_have_duplicates

    @admin.display(description="needs attention")
    def attention(self, obj):
        if obj.is_past_due:
            return flag("Date passed: record what happened")
        return ""

    object_history_list_template = "admin/forums/meeting/object_history_list.html"

    def history_view(self, request, object_id, extra_context=None):
        return super().history_view(
            request,
            object_id,
            extra_context={**(extra_context or {}), "row_history": _row_history(object_id)},
        )

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        # The attendance grid needs the page's whole width (AttendanceInline); the
        # breadcrumbs still lead back.
        extra_context = {**(extra_context or {}), "is_nav_sidebar_enabled": False}
        return super().changeform_view(request, object_id, form_url, extra_context)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        if request.method == "GET":
            obj = self.get_object(request, unquote(object_id))
            if obj is not None and obj.is_past_due:
                self.message_user(
                    request,
                    f"This meeting is still marked scheduled, but {obj.date:%-d %B %Y} has "
                    "passed: record whether it was held, postponed or cancelled.",
                    messages.WARNING,
                )
        return super().change_view(request, object_id, form_url, extra_context)


@admin.register(Attendance)
class AttendanceAdmin(RecordAdmin):
    list_display = ["person", "meeting", "authority", "mode", "substitute_for"]
    list_select_related = ["person", "meeting__forum", "authority", "substitute_for"]
    list_filter = ["mode", "meeting__forum"]
    search_fields = ["person__name", "meeting__slug", "authority__name"]
    autocomplete_fields = ["meeting", "person", "authority", "substitute_for"]


@admin.register(AgendaItem)
class AgendaItemAdmin(RecordAdmin):
    list_display = ["title", "meeting", "order", "is_public"]
    list_select_related = ["meeting__forum"]
    list_filter = ["is_public", "meeting__forum"]
    search_fields = ["title", "outcome", "meeting__slug"]
    autocomplete_fields = ["meeting", "recommendations"]


@admin.register(Document)
class DocumentAdmin(RecordAdmin):
    list_display = ["title", "kind", "meeting", "forum", "published_on", "is_confirmed"]
    list_select_related = ["meeting__forum", "forum"]
    list_filter = ["kind", "is_confirmed", "published_on"]
    search_fields = ["title", "url", "text"]
    autocomplete_fields = ["meeting", "forum"]

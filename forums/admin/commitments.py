"""Commitments, whose status moves only through the status-change service."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.admin.widgets import AutocompleteSelect
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join

from forums.models import (
    Commitment,
    CommitmentStatus,
    CommitmentStatusChange,
    Meeting,
    Source,
)
from forums.services import record_status_change, void_status_change
from igr import policy
from igr.admin import (
    RecordAdmin,
    redirect_to_change,
)


class StatusChangeForm(forms.Form):
    """What the status-change service needs; it is the only writer of a status."""

    commitment = forms.ModelChoiceField(queryset=Commitment.objects.all())
    new_status = forms.ChoiceField(label="New status", choices=CommitmentStatus.choices)
    effective_on = forms.DateField(
        label="Effective from",
        help_text=(
            "The day the new status took effect: often the date of the meeting or the "
            "announcement, not today's."
        ),
        widget=admin.widgets.AdminDateWidget,
        error_messages={"required": "Enter the day the new status took effect."},
    )
    note = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        help_text="What happened, in a sentence the public can read.",
    )
    evidence_source = forms.ModelChoiceField(
        label="Evidence: source", queryset=Source.objects.all(), required=False
    )
    evidence_meeting = forms.ModelChoiceField(
        label="Evidence: meeting",
        queryset=Meeting.objects.all(),
        required=False,
        help_text="The meeting that prompted the change, if any. Give a source, a meeting or both.",
    )

    def __init__(self, *args, admin_site, commitment=None, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("commitment", "evidence_source", "evidence_meeting"):
            widget = AutocompleteSelect(CommitmentStatusChange._meta.get_field(name), admin_site)
            widget.choices = self.fields[name].choices
            self.fields[name].widget = widget
        if commitment is not None:
            self.fields["commitment"].initial = commitment.pk
            self.fields["commitment"].widget = forms.HiddenInput()
            self.fields["new_status"].choices = [
                (value, label)
                for value, label in CommitmentStatus.choices
                if value != commitment.status
            ]


def _status_change_view(model_admin, request, commitment=None):
    """Record a commitment's status change through forums.services.record_status_change."""
    if not request.user.has_perm("forums.add_commitmentstatuschange"):
        raise PermissionDenied
    form = StatusChangeForm(
        request.POST if request.method == "POST" else None,
        admin_site=model_admin.admin_site,
        commitment=commitment,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        target = data["commitment"]
        if commitment is not None and target.pk != commitment.pk:
            raise PermissionDenied
        try:
            change = record_status_change(
                commitment=target,
                new_status=data["new_status"],
                effective_on=data["effective_on"],
                note=data["note"],
                evidence_source=data["evidence_source"],
                evidence_meeting=data["evidence_meeting"],
                recorded_by=request.user,
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            model_admin.message_user(
                request,
                f"Recorded: {change.get_old_status_display()} → "
                f"{change.get_new_status_display()} from {change.effective_on:%-d %B %Y}.",
                messages.SUCCESS,
            )
            return redirect_to_change(target)
    opts = Commitment._meta
    context = {
        **model_admin.admin_site.each_context(request),
        "title": "Record a status change",
        "subtitle": str(commitment) if commitment else None,
        "opts": opts,
        "commitment": commitment,
        "form": form,
        "media": model_admin.media + form.media,
        "has_view_permission": True,
    }
    return TemplateResponse(request, "admin/forums/commitment/status_change.html", context)


def status_timeline_table(commitment):
    changes = list(
        commitment.status_changes.select_related(
            "evidence_source", "evidence_meeting__forum", "recorded_by", "voided_by__recorded_by"
        ).order_by("effective_on", "id")
    )
    in_force = [c for c in changes if not c.is_voided]
    latest_in_force = in_force[-1] if in_force else None
    return format_html_join(
        "",
        "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
        (
            (
                f"{c.effective_on:%-d %b %Y}",
                _step(c),
                c.note,
                _evidence(c),
                c.recorded_by.get_username() if c.recorded_by else "(data load)",
                _void_cell(c, latest_in_force),
            )
            for c in changes
        ),
    )


def _step(change):
    step = format_html(
        "{} → <strong>{}</strong>",
        change.get_old_status_display(),
        change.get_new_status_display(),
    )
    return format_html("<del>{}</del>", step) if change.is_voided else step


def _void_cell(change, latest_in_force):
    if change.is_voided:
        void = change.voided_by
        by = void.recorded_by.get_username() if void.recorded_by else "(data load)"
        return format_html(
            "Voided: {} ({}, {})",
            void.reason,
            by,
            f"{timezone.localtime(void.created_at):%-d %b %Y}",
        )
    if change == latest_in_force:
        # Shown to every reader of the page: the void view checks the publish permission.
        url = reverse(
            "admin:forums_commitment_void_status_change", args=[change.commitment_id, change.pk]
        )
        return format_html('<a href="{}">Void this change…</a>', url)
    return ""


class VoidStatusChangeForm(forms.Form):
    reason = forms.CharField(
        label="Reason for voiding",
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        help_text="Why the change was a mistake, in a sentence the public can read. The change "
        "stays in the timeline, struck through, with this reason.",
    )


def _void_status_change_view(model_admin, request, commitment, change):
    if not request.user.has_perm(policy.publish_permission(Commitment)):
        raise PermissionDenied
    form = VoidStatusChangeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            void_status_change(
                change=change, reason=form.cleaned_data["reason"], voided_by=request.user
            )
        except ValidationError as exc:
            for message in exc.messages:
                form.add_error(None, message)
        else:
            commitment.refresh_from_db()
            model_admin.message_user(
                request,
                f"Voided: {change.get_old_status_display()} → {change.get_new_status_display()} "
                f"from {change.effective_on:%-d %B %Y}. The status is now "
                f"{commitment.get_status_display()}.",
                messages.SUCCESS,
            )
            return redirect_to_change(commitment)
    context = {
        **model_admin.admin_site.each_context(request),
        "title": "Void a status change",
        "subtitle": str(commitment),
        "opts": Commitment._meta,
        "commitment": commitment,
        "change": change,
        "form": form,
        "has_view_permission": True,
    }
    return TemplateResponse(request, "admin/forums/commitment/void_status_change.html", context)


def _evidence(change):
    parts = []
    if change.evidence_source_id:
        parts.append(
            format_html(
                '<a href="{}">{}</a>', change.evidence_source.url, change.evidence_source.title
            )
        )
    if change.evidence_meeting_id:
        parts.append(format_html("{}", change.evidence_meeting))
    return format_html_join("; ", "{}", ((p,) for p in parts))


class CommitmentStatusFilter(admin.SimpleListFilter):
    title = "due"
    parameter_name = "due"

    def lookups(self, request, model_admin):
        return [("overdue", "Overdue (due date passed, still open)")]

    def queryset(self, request, queryset):
        if self.value() == "overdue":
            return queryset.overdue()
        return queryset


@admin.register(Commitment)
class CommitmentAdmin(RecordAdmin):
    list_display = ["title", "meeting", "status", "due_on", "publication_state"]
    list_select_related = ["meeting__forum"]
    list_filter = [
        "status",
        "publication_state",
        CommitmentStatusFilter,
        "meeting__forum",
        "made_on",
    ]
    search_fields = ["title", "text", "meeting__slug"]
    date_hierarchy = "made_on"
    autocomplete_fields = [
        "meeting",
        "forum",
        "lead_authority",
        "other_authorities",
        "recommendations",
        "restates",
        "supersedes",
        "sources",
    ]
    readonly_fields = ["status", "status_changed_on", "status_timeline", "lineage"]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    ("meeting", "forum"),
                    "title",
                    "text",
                    "made_on",
                    "lead_authority",
                    "other_authorities",
                    ("due_on", "due_note"),
                    "recommendations",
                    "sources",
                    "notes",
                ]
            },
        ),
        (
            "Status",
            {
                "fields": ["status", "status_changed_on", "status_timeline"],
                "description": "The status moves only by recording a status change, "
                "with its effective date, a note and evidence.",
            },
        ),
        ("Lineage", {"fields": ["restates", "supersedes", "lineage"]}),
        (
            "Publication",
            {"fields": ["publication_state", "published_at", "withdrawal_reason"]},
        ),
    ]

    def get_urls(self):
        return [
            path(
                "<path:object_id>/status/",
                self.admin_site.admin_view(self.status_change_view),
                name="forums_commitment_status_change",
            ),
            path(
                "<path:object_id>/status/<int:change_id>/void/",
                self.admin_site.admin_view(self.void_status_change_view),
                name="forums_commitment_void_status_change",
            ),
            *super().get_urls(),
        ]

    def void_status_change_view(self, request, object_id, change_id):
        commitment = get_object_or_404(Commitment, pk=unquote(object_id))
        change = get_object_or_404(commitment.status_changes, pk=change_id)
        return _void_status_change_view(self, request, commitment, change)

    def status_change_view(self, request, object_id):
        commitment = get_object_or_404(Commitment, pk=unquote(object_id))
        if not self.has_view_permission(request, commitment):
            raise PermissionDenied
        return _status_change_view(self, request, commitment)

    @admin.display(description="status timeline")
    def status_timeline(self, obj):
        if obj.pk is None:
            return "Save the commitment first; then record its status changes here."
        rows = status_timeline_table(obj)
        link = ""
        # Read from the request-less admin: the link is harmless, the view checks rights.
        url = reverse("admin:forums_commitment_status_change", args=[obj.pk])
        link = format_html('<p><a class="button" href="{}">Record a status change</a></p>', url)
        if not rows:
            return format_html("<p>No status change recorded yet.</p>{}", link)
        return format_html(
            '<table><thead><tr><th scope="col">Effective</th><th scope="col">Change</th>'
            '<th scope="col">Note</th><th scope="col">Evidence</th>'
            '<th scope="col">Recorded by</th><th scope="col">Voided</th></tr></thead>'
            "<tbody>{}</tbody></table>{}",
            rows,
            link,
        )

    @admin.display(description="restated or superseded by")
    def lineage(self, obj):
        if obj.pk is None:
            return "-"
        later = [*obj.restated_by.all(), *obj.superseded_by.all()]
        if not later:
            return "Nothing later restates or supersedes this commitment."
        return format_html_join(
            ", ",
            '<a href="{}">{}</a>',
            ((reverse("admin:forums_commitment_change", args=[c.pk]), c.title) for c in later),
        )


@admin.register(CommitmentStatusChange)
class CommitmentStatusChangeAdmin(RecordAdmin):
    """Append-only: the add page records a change through the service; nothing is edited
    or deleted here."""

    list_display = [
        "commitment",
        "old_status",
        "new_status",
        "effective_on",
        "recorded_by",
        "voided",
    ]
    list_select_related = ["commitment", "recorded_by", "voided_by"]
    list_filter = ["new_status", "effective_on"]
    search_fields = ["commitment__title", "note"]
    date_hierarchy = "effective_on"
    autocomplete_fields = ["commitment", "evidence_source", "evidence_meeting"]

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="voided")
    def voided(self, obj):
        return f"Voided: {obj.voided_by.reason}" if obj.is_voided else ""

    def add_view(self, request, form_url="", extra_context=None):
        if not self.has_add_permission(request):
            raise PermissionDenied
        return _status_change_view(self, request)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if request.method == "POST":
            raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)

"""The review inbox: leads newest first, each beside the records it may touch, with one
action per kind of lead that drafts records from it (never publishing them) and a
dismissal that asks why. The watchers' runs and the forum watches live here too."""

import datetime

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseNotAllowed, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import path, reverse

from authorities.models import Office
from forums.models import Meeting, Source
from igr.admin import RecordAdmin, RunLogAdmin
from leads import services
from leads.models import ForumWatch, Kind, Lead, LeadState, WatcherRun

#: Meetings this close to a lead's guessed date are shown beside it.
NEARBY = datetime.timedelta(days=14)

ACCEPT_LABELS = {
    Kind.COMMUNIQUE: "Draft a meeting from this lead",
    Kind.RESULT: "Draft the new office from this result",
}


class DismissForm(forms.Form):
    dismissal_reason = forms.CharField(
        label="Why dismiss this lead?",
        widget=forms.Textarea(attrs={"rows": 2, "cols": 60}),
        max_length=2000,
    )


def records_it_may_touch(lead) -> dict:
    """What is on the record already near this lead, for the side-by-side view."""
    touch = {"source": Source.objects.filter(url=lead.url).first() if lead.url else None}
    if lead.guessed_forum_id and lead.meeting_date:
        touch["meetings"] = list(
            Meeting.objects.for_forum(lead.guessed_forum)
            .held_between(lead.meeting_date - NEARBY, lead.meeting_date + NEARBY)
            .select_related("forum")[:5]
        )
    elif lead.guessed_forum_id:
        touch["meetings"] = list(
            Meeting.objects.for_forum(lead.guessed_forum).select_related("forum")[:5]
        )
    authority_id = (lead.guesses or {}).get("authority_id")
    if authority_id:
        touch["offices"] = list(
            Office.objects.current()
            .filter(authority_id=authority_id)
            .select_related("person", "authority", "party")
        )
    return touch


@admin.register(Lead)
class LeadAdmin(RecordAdmin):
    list_display = ["title", "origin", "kind", "guessed_forum", "state", "found_at"]
    list_filter = ["state", "origin", "kind", "guessed_forum"]
    list_select_related = ["guessed_forum"]
    search_fields = ["title", "url", "text"]
    date_hierarchy = "found_at"
    change_form_template = "admin/leads/lead/change_form.html"
    actions = ["draft_records_from_selected"]
    fieldsets = [
        (None, {"fields": ["title", "url", "origin", "kind", "state", "dismissal_reason"]}),
        ("Dates", {"fields": ["published_at", "updated_at_source", "found_at"]}),
        (
            "What the watcher guessed (correct these before drafting)",
            {"fields": ["guessed_forum", "meeting_date", "guesses"]},
        ),
        ("Fetched", {"fields": ["organisations", "reporter_email", "text"]}),
        (
            "Decision",
            {
                "fields": [
                    "decided_by",
                    "decided_at",
                    "cited_source",
                    "drafted_meeting",
                    "drafted_office",
                ]
            },
        ),
    ]
    readonly_fields = [
        "url",
        "origin",
        "kind",
        "state",
        "dismissal_reason",
        "published_at",
        "updated_at_source",
        "found_at",
        "organisations",
        "reporter_email",
        "text",
        "decided_by",
        "decided_at",
        "cited_source",
        "drafted_meeting",
        "drafted_office",
    ]

    def has_add_permission(self, request):
        # Leads come from the watchers and the public form, not from typing.
        return False

    def get_urls(self):
        return [
            path(
                "<int:pk>/accept/",
                self.admin_site.admin_view(self.accept_view),
                name="leads_lead_accept",
            ),
            path(
                "<int:pk>/dismiss/",
                self.admin_site.admin_view(self.dismiss_view),
                name="leads_lead_dismiss",
            ),
            *super().get_urls(),
        ]

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        extra_context = extra_context or {}
        if object_id is not None:
            lead = self.get_object(request, object_id)
            if lead is not None:
                extra_context.update(
                    lead=lead,
                    touch=records_it_may_touch(lead),
                    accept_label=ACCEPT_LABELS.get(lead.kind, "Mark as dealt with"),
                    may_decide=lead.state == LeadState.NEW
                    and self.has_change_permission(request, lead),
                )
        return super().changeform_view(request, object_id, form_url, extra_context)

    def _lead_for_post(self, request, pk):
        if request.method != "POST":
            return None
        lead = get_object_or_404(Lead, pk=pk)
        if not self.has_change_permission(request, lead):
            raise PermissionDenied
        return lead

    def _back(self, pk):
        return HttpResponseRedirect(reverse("admin:leads_lead_change", args=[pk]))

    def accept_view(self, request, pk):
        lead = self._lead_for_post(request, pk)
        if lead is None:
            return HttpResponseNotAllowed(["POST"])
        try:
            created = self.accept(request, lead)
        except (ValidationError, PermissionDenied) as error:
            self.message_user(request, _message(error), messages.ERROR)
            return self._back(pk)
        if created is None:
            self.message_user(request, f"Marked “{lead}” as dealt with.", messages.SUCCESS)
            return self._back(pk)
        opts = created._meta
        self.message_user(
            request,
            f"Drafted {opts.verbose_name} “{created}” from this lead. Check it against the "
            "source; a Publisher publishes it.",
            messages.SUCCESS,
        )
        return HttpResponseRedirect(
            reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[created.pk])
        )

    def accept(self, request, lead):
        acceptor = services.ACCEPTORS.get(lead.kind)
        if acceptor is None:
            services.accept_note(lead, by=request.user)
            return None
        return acceptor(lead, by=request.user)

    def dismiss_view(self, request, pk):
        lead = self._lead_for_post(request, pk)
        if lead is None:
            return HttpResponseNotAllowed(["POST"])
        form = DismissForm(request.POST)
        if not form.is_valid():
            self.message_user(request, "Say why the lead is dismissed.", messages.ERROR)
            return self._back(pk)
        try:
            services.dismiss(lead, by=request.user, reason=form.cleaned_data["dismissal_reason"])
        except ValidationError as error:
            self.message_user(request, _message(error), messages.ERROR)
            return self._back(pk)
        self.message_user(request, f"Dismissed “{lead}”.", messages.SUCCESS)
        return HttpResponseRedirect(reverse("admin:leads_lead_changelist"))

    @admin.action(description="Draft records from the selected leads")
    def draft_records_from_selected(self, request, queryset):
        made, refused = 0, []
        for lead in queryset.filter(state=LeadState.NEW):
            try:
                self.accept(request, lead)
                made += 1
            except (ValidationError, PermissionDenied) as error:
                refused.append(f"“{lead}”: {_message(error)}")
        if made:
            self.message_user(request, f"Drafted records from {made} leads.", messages.SUCCESS)
        for message in refused:
            self.message_user(request, message, messages.ERROR)


def _message(error) -> str:
    if isinstance(error, ValidationError):
        return " ".join(error.messages)
    return str(error) or "You do not have permission to do that."


@admin.register(ForumWatch)
class ForumWatchAdmin(RecordAdmin):
    list_display = ["watched_forum", "search_terms", "organisations", "is_active"]
    list_filter = ["is_active"]
    list_select_related = ["watched_forum"]


@admin.register(WatcherRun)
class WatcherRunAdmin(RunLogAdmin):
    list_display = ["command", "started_at", "finished_at", "outcome", "counts", "errors"]
    list_filter = ["command", "outcome"]
    readonly_fields = ["command", "started_at", "finished_at", "outcome", "counts", "errors"]

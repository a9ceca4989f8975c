"""Public pages for forums, meetings, commitments and recommendations.

Every queryset starts from `.published()`; list pages filter with the API's FilterSets
(see igr.listing) and the derived figures come from forums.stats.aggregates.
"""

import datetime

import icalendar
from django.db.models import Prefetch
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.views.generic import DetailView, TemplateView

from authorities.models import Authority
from forums.filters import CommitmentFilter, ForumFilter, MeetingFilter
from forums.models import (
    AgendaItem,
    Attendance,
    Commitment,
    CommitmentStatus,
    CommitmentStatusChange,
    Document,
    Forum,
    ForumMembership,
    Meeting,
    MeetingStatus,
    Recommendation,
)
from forums.stats import aggregates
from igr import visibility
from igr.listing import FilteredListView


def _absolute(request, path):
    return request.build_absolute_uri(path)


class ForumListView(FilteredListView):
    template_name = "forums/forum_list.html"
    filterset_class = ForumFilter
    filter_fields = ("q", "is_statutory", "member")
    csv_name = "forums"
    keyset_field = "slug"
    csv_columns = (
        ("slug", lambda f: f.slug),
        ("name", lambda f: f.name),
        ("founded_on", lambda f: f.founded_on),
        ("is_statutory", lambda f: f.is_statutory),
        ("legal_basis", lambda f: f.legal_basis),
        ("chair", lambda f: f.chair_description),
        ("promised_meetings_per_year", lambda f: f.promised_meetings_per_year),
    )

    def get_base_queryset(self):
        return Forum.objects.published().select_related(None)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        page_forums = [forum.pk for forum in context["object_list"]]
        # One pass of aggregate queries for the whole page, not one per forum.
        health = {
            row["forum"].pk: row
            for row in aggregates.forums_health(
                Forum.objects.published().filter(pk__in=page_forums)
            )
        }
        context["health_rows"] = [health[pk] for pk in page_forums]
        return context


class DraftPreviewMixin:
    """A record not (or no longer) public is 404 for the public, as ever; signed-in staff
    following the admin's "View on site" get a preview of it instead, marked as a draft
    and kept out of search engines and shared caches."""

    def get_object(self, queryset=None):
        try:
            return super().get_object(queryset)
        except Http404:
            if queryset is not None or not visibility.sees_drafts(self.request):
                raise
        public = self.get_queryset()
        # The page's own reads, without the published() that hid the record.
        rows = public.model._default_manager.all()
        rows.query.select_related = public.query.select_related
        obj = super().get_object(rows.prefetch_related(*public._prefetch_related_lookups))
        self.draft_preview = True
        return obj

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["draft_preview"] = getattr(self, "draft_preview", False)
        return context

    def render_to_response(self, context, **response_kwargs):
        response = super().render_to_response(context, **response_kwargs)
        if context.get("draft_preview"):
            response["X-Robots-Tag"] = "noindex, nofollow"
            response["Cache-Control"] = "private, no-store"
        return response


class ForumDetailView(DraftPreviewMixin, DetailView):
    template_name = "forums/forum_detail.html"
    context_object_name = "forum"

    def get_queryset(self):
        return (
            Forum.objects.published()
            .select_related("promise_source")
            .prefetch_related(
                "sources",
                Prefetch(
                    "memberships",
                    queryset=ForumMembership.objects.filter(
                        authority__publication_state="published"
                    ).select_related("authority"),
                ),
                Prefetch("documents", queryset=Document.objects.filter(meeting__isnull=True)),
            )
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        forum = self.object
        today = timezone.localdate()
        context.update(
            health=aggregates.forum_health(forum, today=today),
            current_members=[
                m
                for m in forum.memberships.all()
                if (m.started_on is None or m.started_on <= today)
                and (m.ended_on is None or m.ended_on >= today)
            ],
            past_members=[m for m in forum.memberships.all() if m.ended_on and m.ended_on < today],
            meetings=Meeting.objects.published()
            .for_forum(forum)
            .select_related("host_authority")
            .order_by("-date"),
        )
        return context


class MeetingListView(FilteredListView):
    template_name = "forums/meeting_list.html"
    filterset_class = MeetingFilter
    filter_fields = (
        "q",
        "forum",
        "status",
        "date",
        "authority",
        "recommendation",
        "occurrence_confirmed",
        "attendance_recorded",
    )
    csv_name = "meetings"
    keyset_field = "slug"
    csv_columns = (
        ("slug", lambda m: m.slug),
        ("date", lambda m: m.date),
        ("date_confirmed", lambda m: m.date_confirmed),
        ("occurrence_confirmed", lambda m: m.occurrence_confirmed),
        ("attendance_recorded", lambda m: m.attendance_recorded),
        ("forum", lambda m: m.forum.slug),
        ("forum_name", lambda m: m.forum.name),
        ("status", lambda m: m.status),
        ("location", lambda m: m.location),
        ("host_authority", lambda m: m.host_authority.slug if m.host_authority else ""),
        ("summary", lambda m: m.summary),
    )

    def get_base_queryset(self):
        return Meeting.objects.published().select_related("forum", "host_authority")


class MeetingDetailView(DraftPreviewMixin, DetailView):
    template_name = "forums/meeting_detail.html"
    context_object_name = "meeting"

    def get_queryset(self):
        return (
            Meeting.objects.published()
            .select_related("forum", "host_authority", "chair")
            .prefetch_related(
                "sources",
                Prefetch(
                    "attendances",
                    queryset=Attendance.objects.select_related(
                        "person", "authority", "substitute_for"
                    ).order_by("mode", "person__name"),
                ),
                Prefetch(
                    "agenda_items",
                    queryset=AgendaItem.objects.prefetch_related("recommendations"),
                ),
                "documents",
                Prefetch(
                    "commitments",
                    queryset=Commitment.objects.published().select_related("lead_authority"),
                ),
            )
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        # Dates and reasons only: who made each edit stays with staff.
        context["history"] = self.object.history.order_by("-history_date")[:20]
        if context["draft_preview"]:
            # A draft meeting's commitments are drafts with it (they publish together):
            # staff previewing it see them, each marked as a draft.
            context["commitments"] = Commitment.objects.filter(meeting=self.object).select_related(
                "lead_authority"
            )
        else:
            context["commitments"] = self.object.commitments.all()  # published, prefetched
        return context


def _public_slug(record) -> str:
    """The slug of `record` when the public may see it (igr.visibility), else empty."""
    return record.slug if record is not None and visibility.shows(type(record), record) else ""


class CommitmentListView(FilteredListView):
    template_name = "forums/commitment_list.html"
    filterset_class = CommitmentFilter
    filter_fields = ("q", "status", "forum", "lead_authority", "recommendation", "overdue")
    csv_name = "commitments"
    csv_columns = (
        ("id", lambda c: c.pk),
        ("title", lambda c: c.title),
        ("status", lambda c: c.status),
        ("status_changed_on", lambda c: c.status_changed_on),
        ("overdue", lambda c: c.is_overdue),
        ("made_on", lambda c: c.made_on),
        ("due_on", lambda c: c.due_on),
        ("due_note", lambda c: c.due_note),
        ("forum", lambda c: c.responsible_forum.slug),
        ("meeting", lambda c: c.meeting.slug if c.meeting else ""),
        ("lead_authority", lambda c: _public_slug(c.lead_authority)),
        ("text", lambda c: c.text),
    )

    def get_base_queryset(self):
        return Commitment.objects.published().select_related(
            "meeting__forum", "forum", "lead_authority"
        )


class CommitmentDetailView(DraftPreviewMixin, DetailView):
    template_name = "forums/commitment_detail.html"
    context_object_name = "commitment"

    def get_queryset(self):
        published = Commitment.objects.published()
        return published.select_related(
            "meeting__forum", "forum", "lead_authority", "restates", "supersedes"
        ).prefetch_related(
            "sources",
            # A commitment naming no source rests on its meeting's, shown in their place.
            "meeting__sources",
            "recommendations",
            Prefetch("other_authorities", queryset=Authority.objects.published()),
            Prefetch(
                "status_changes",
                queryset=CommitmentStatusChange.objects.select_related(
                    "evidence_source", "evidence_meeting__forum", "voided_by"
                ).order_by("-effective_on", "-id"),
            ),
            Prefetch("restated_by", queryset=published),
            Prefetch("superseded_by", queryset=published),
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        commitment = self.object
        # Lineage links only to published commitments; a draft ancestor is not named.
        context["restates"] = (
            commitment.restates
            if commitment.restates and commitment.restates.is_published
            else None
        )
        context["supersedes"] = (
            commitment.supersedes
            if commitment.supersedes and commitment.supersedes.is_published
            else None
        )
        return context


class RecommendationListView(TemplateView):
    template_name = "forums/recommendation_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["rows"] = aggregates.scorecard_summary()
        context["rubric"] = aggregates.SCORECARD_RUBRIC
        context["statuses"] = CommitmentStatus.choices
        return context


class RecommendationDetailView(DetailView):
    template_name = "forums/recommendation_detail.html"
    context_object_name = "recommendation"

    def get_queryset(self):
        # Recommendations are the report's text, public as soon as they exist.
        return Recommendation.objects.select_related("report")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        card = aggregates.scorecard(self.object)
        context.update(
            card=card,
            status_rows=[
                (value, label, card["commitments_by_status"][value])
                for value, label in CommitmentStatus.choices
            ],
            commitments=Commitment.objects.published()
            .for_recommendation(self.object)
            .select_related("meeting__forum", "forum", "lead_authority")
            .order_by("-made_on", "id"),
            meetings=MeetingFilter()
            .filter_recommendation(
                Meeting.objects.published().select_related("forum"), "recommendation", self.object
            )
            .order_by("-date"),
        )
        return context


def _ical_status(meeting):
    """CANCELLED for a cancelled meeting; TENTATIVE when its date or occurrence is not
    confirmed (held meetings too: a calendar must not assert a meeting that may not have
    happened) or it is postponed; CONFIRMED otherwise."""
    if meeting.status == MeetingStatus.CANCELLED:
        return "CANCELLED"
    if (
        not (meeting.date_confirmed and meeting.occurrence_confirmed)
        or meeting.status == MeetingStatus.POSTPONED
    ):
        return "TENTATIVE"
    return "CONFIRMED"


def _calendar(request, meetings, name):
    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//IGR Tracker//Meetings//EN")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", name)
    host = request.get_host().split(":")[0]
    for meeting in meetings:
        event = icalendar.Event()
        event.add("uid", f"meeting-{meeting.pk}@{host}")
        event.add("summary", f"{meeting.forum.name} ({meeting.get_status_display().lower()})")
        if meeting.start_time:
            # No end time is recorded, so none is guessed: a timed event with no length.
            event.add(
                "dtstart",
                datetime.datetime.combine(
                    meeting.date, meeting.start_time, tzinfo=timezone.get_default_timezone()
                ),
            )
        else:
            event.add("dtstart", meeting.date)
            event.add("dtend", meeting.date + datetime.timedelta(days=1))
        event.add("dtstamp", meeting.updated_at)
        event.add("last-modified", meeting.updated_at)
        event.add("url", _absolute(request, meeting.get_absolute_url()))
        event.add("status", _ical_status(meeting))
        if meeting.location:
            event.add("location", meeting.location)
        description = meeting.summary or meeting.status_reason
        if description:
            event.add("description", description)
        calendar.add_component(event)
    calendar.add_missing_timezones()
    response = HttpResponse(calendar.to_ical(), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="meetings.ics"'
    return response


def meetings_ics(request):
    """Every published meeting, upcoming and past."""
    meetings = Meeting.objects.published().select_related("forum").order_by("date")
    return _calendar(request, meetings, "IGR Tracker: all forum meetings")


def forum_meetings_ics(request, slug):
    forum = get_object_or_404(Forum.objects.published(), slug=slug)
    meetings = Meeting.objects.published().for_forum(forum).select_related("forum").order_by("date")
    return _calendar(request, meetings, f"IGR Tracker: {forum.name}")

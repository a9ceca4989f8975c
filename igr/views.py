"""Site-wide views: home, search, recent changes, attendance, coverage, the static pages
and health."""

from django.db import DatabaseError, connection
from django.http import JsonResponse
from django.views.generic import TemplateView

from forums import aggregates
from forums.filters import AttendanceFilter, CommitmentStatusChangeFilter
from forums.models import (
    AttendanceMode,
    CommitmentStatusChange,
    Forum,
    Meeting,
)
from igr.listing import FilteredListView, filter_controls
from igr.search import search


class HomeView(TemplateView):
    template_name = "home.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        meetings = Meeting.objects.published().select_related("forum")
        context.update(
            # Counting 300,000 commitments took most of the page's time: cached with the
            # other aggregates, and recounted after any write.
            **aggregates.headline_figures(),
            upcoming_meetings=meetings.upcoming()[:5],
            recent_meetings=meetings.held().order_by("-date")[:5],
            scorecards=aggregates.scorecard_summary(),
        )
        return context


class SearchView(TemplateView):
    template_name = "search.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        query = self.request.GET.get("q", "").strip()
        error = None
        if len(query) > 200:
            error = "Enter at most 200 characters."
        groups = search(query) if query and not error else []
        context.update(
            query=query,
            error=error,
            groups=groups,
            total=sum(group["count"] for group in groups),
        )
        return context

    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        if response.context_data["error"]:
            response.status_code = 400
        return response


class ChangeListView(FilteredListView):
    """Recent changes to the record: each commitment status change, newest first."""

    template_name = "changes.html"
    filterset_class = CommitmentStatusChangeFilter
    filter_fields = ("q", "new_status", "forum", "effective")
    csv_name = "changes"
    csv_columns = (
        ("effective_on", lambda c: c.effective_on),
        ("commitment", lambda c: c.commitment_id),
        ("commitment_title", lambda c: c.commitment.title),
        ("old_status", lambda c: c.old_status),
        ("new_status", lambda c: c.new_status),
        ("note", lambda c: c.note),
        ("evidence_source", lambda c: c.evidence_source.url if c.evidence_source else ""),
        ("evidence_meeting", lambda c: c.evidence_meeting.slug if c.evidence_meeting else ""),
    )

    def get_base_queryset(self):
        return (
            CommitmentStatusChange.objects.published()
            .select_related("commitment", "evidence_source", "evidence_meeting__forum")
            .order_by("-effective_on", "-id")
        )


class AttendanceView(TemplateView):
    """Person × forum, counted by mode; the same AttendanceFilter as the API checks the
    forum and dates."""

    template_name = "attendance.html"
    filter_fields = ("forum", "date")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        params = {
            k: v for k, v in self.request.GET.items() if k in {"forum", "date_after", "date_before"}
        }
        filterset = AttendanceFilter(params or None)
        form = filterset.form
        form.fields["forum"].queryset = Forum.objects.published()
        valid = not filterset.is_bound or filterset.is_valid()
        rows = []
        if valid:
            cleaned = form.cleaned_data if filterset.is_bound else {}
            dates = cleaned.get("date")
            rows = aggregates.attendance_summary(
                forum=cleaned.get("forum"),
                start=dates.start.date() if dates and dates.start else None,
                end=dates.stop.date() if dates and dates.stop else None,
            )
        context.update(
            rows=rows,
            modes=AttendanceMode.choices,
            filter_controls=filter_controls(form, self.filter_fields),
            filter_errors=[
                {"id": f"id_{name}" if name != "date" else "id_date_0", "message": message}
                for name, messages in (filterset.errors.items() if not valid else [])
                for message in messages
            ],
            is_filtered=bool(params),
        )
        return context


class CoverageView(TemplateView):
    template_name = "coverage.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["coverage"] = aggregates.coverage()
        return context


class MethodologyView(TemplateView):
    template_name = "pages/methodology.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["scorecard_rubric"] = aggregates.SCORECARD_RUBRIC
        context["health_rubric"] = aggregates.FORUM_HEALTH_RUBRIC
        return context


def health(request):
    """Answers 503 when the database cannot be reached, so a load balancer drops this node."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError:
        return JsonResponse({"status": "error", "database": "unreachable"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})

"""Site-wide views: home, search, recent changes, attendance, coverage, the static pages
and health."""

from django.db import DatabaseError, connection
from django.http import JsonResponse
from django.views.generic import ListView, TemplateView

from forums.filters import AttendanceFilter, CommitmentStatusChangeFilter
from forums.models import (
    AttendanceMode,
    CommitmentStatusChange,
    Forum,
    Meeting,
    Source,
)
from forums.stats import aggregates
from igr import fulltext
from igr.listing import (
    FilteredListView,
    csv_attachment,
    csv_filter_errors,
    list_context,
)
from igr.search import SearchForm, search
from leads.models import WatcherRun


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
            record_checks=aggregates.record_checks(),
        )
        return context


class SearchView(TemplateView):
    template_name = "search.html"
    filter_fields = ("kind", "forum", "date")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        form = SearchForm(self.request.GET or None)
        valid = form.is_valid() if form.is_bound else False
        found = {"groups": [], "total": 0, "more": False, "suggestions": [], "skipped": []}
        query = ""
        if valid and form.cleaned_data["q"]:
            query = form.cleaned_data["q"]
            found = search(
                query,
                kind=form.cleaned_data["kind"],
                forum=form.cleaned_data["forum"],
                date=form.cleaned_data["date"],
            )
        errors = form.errors if form.is_bound else {}
        context.update(
            form=form,
            query=query or self.request.GET.get("q", "")[:200],
            searched=bool(query),
            errors=errors,
            full_text=fulltext.is_full_text(),
            filters_open=any(
                self.request.GET.get(name)
                for name in ("kind", "forum", "date_after", "date_before")
            ),
            **found,
            **list_context(self.request, None, form, errors, self.filter_fields),
        )
        return context

    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        if response.context_data["errors"]:
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
        # A voided change stays in the timeline (append-only), so the CSV says which are.
        ("voided", lambda c: c.is_voided),
        ("void_reason", lambda c: c.voided_by.reason if c.is_voided else ""),
    )

    def get_base_queryset(self):
        return CommitmentStatusChange.objects.public_log()


class _AttendanceRows:
    """The attendance summary as a sequence Django's Paginator can page without reading it
    all: its count is one COUNT of the person × forum groups and a slice is one page of
    them (LIMIT/OFFSET in the database), each cached under the data fingerprint. Drawing
    all 35,000 rows of the large dataset at once ran past gunicorn's 30 s timeout."""

    def __init__(self, **filters):
        self.filters = filters

    def count(self):
        return aggregates.attendance_summary_count(**self.filters)

    def __getitem__(self, index):
        start = index.start or 0
        return aggregates.attendance_summary(**self.filters, offset=start, limit=index.stop - start)


class AttendanceView(ListView):
    """Person × forum, counted by mode, a page at a time like the other lists (same page
    size, same 404 for a page that does not exist), with the CSV of every row; the same
    AttendanceFilter as the API checks the forum and dates."""

    template_name = "attendance.html"
    filter_fields = ("forum", "date")
    paginate_by = FilteredListView.paginate_by
    csv_name = "attendance"

    def get_queryset(self):
        params = {
            k: v for k, v in self.request.GET.items() if k in {"forum", "date_after", "date_before"}
        }
        self.is_filtered = bool(params)
        self.filterset = AttendanceFilter(params or None)
        self.filterset.form.fields["forum"].queryset = Forum.objects.published()
        self.valid = not self.filterset.is_bound or self.filterset.is_valid()
        if not self.valid:
            return []
        cleaned = self.filterset.form.cleaned_data if self.filterset.is_bound else {}
        dates = cleaned.get("date")
        self.filters = {
            "forum": cleaned.get("forum"),
            "start": dates.start.date() if dates and dates.start else None,
            "end": dates.stop.date() if dates and dates.stop else None,
        }
        return _AttendanceRows(**self.filters)

    def get(self, request, *args, **kwargs):
        if request.GET.get("format") == "csv":
            return self.render_csv()
        return super().get(request, *args, **kwargs)

    def render_csv(self):
        self.get_queryset()
        if not self.valid:
            return csv_filter_errors(self.filterset)
        columns = [
            "person",
            "person_name",
            "forum",
            "forum_name",
            *AttendanceMode.values,
            "meetings",
            "present_at_recorded",
            "forum_meetings_recorded",
            "forum_meetings_unrecorded",
        ]
        # Streamed: the header goes at once, the rows a block of people at a time
        # (aggregates.attendance_summary_rows), however long the whole takes.
        rows = (
            [row[c] for c in columns] for row in aggregates.attendance_summary_rows(**self.filters)
        )
        return csv_attachment(self.csv_name, columns, rows)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        errors = self.filterset.errors if not self.valid else {}
        context.update(
            rows=context["page_obj"].object_list,
            modes=AttendanceMode.choices,
            **list_context(
                self.request, context["page_obj"], self.filterset.form, errors, self.filter_fields
            ),
        )
        context["is_filtered"] = self.is_filtered
        return context


class CoverageView(TemplateView):
    template_name = "coverage.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["coverage"] = aggregates.coverage()
        context["dead_sources"] = list(Source.objects.dead_links().order_by("title", "id"))
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
    body = {"status": "ok", "database": "ok"}
    if request.user.is_authenticated and request.user.is_staff:
        # Staff also see how the scheduled watchers last went (docs/operations.md); a
        # failed watcher never makes the node unhealthy, so it never changes the status.
        body["watchers"] = [
            {
                "command": run.command,
                "started_at": run.started_at,
                "finished_at": run.finished_at,
                "outcome": run.outcome,
                "counts": run.counts,
                "errors": run.errors.splitlines(),
            }
            for run in WatcherRun.objects.latest_per_command()
        ]
    return JsonResponse(body)

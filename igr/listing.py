"""The public list pages' shared machinery: the API's FilterSet, pagination, a filter form
rendered with GOV.UK markup, and the CSV of exactly the filtered list.

A list page names its FilterSet, its published base queryset and its CSV columns; this
class does the rest, so every list behaves the same way.
"""

import csv
import io
from urllib.parse import urlencode

from django import forms
from django.conf import settings
from django.http import HttpResponse, StreamingHttpResponse
from django.utils import timezone
from django.views.generic import ListView

from igr.api.pagination import CachedCountPaginator

# Query parameters that belong to the page, not to the FilterSet.
PAGE_PARAMS = {"page", "format"}


class FilteredListView(ListView):
    filterset_class = None
    #: Filters offered in the form, in order; every filter still works from the URL.
    filter_fields: tuple[str, ...] = ()
    paginate_by = 25
    # The row count is cached until the data changes, since counting is most of a big
    # list's cost (igr.api.pagination; figures in docs/benchmarks.md).
    paginator_class = CachedCountPaginator
    #: (column header, function of a row) pairs for the CSV download.
    csv_columns: tuple[tuple[str, object], ...] = ()
    csv_name = "list"

    def get_base_queryset(self):
        raise NotImplementedError

    def get_queryset(self):
        params = self.request.GET.copy()
        for name in PAGE_PARAMS:
            params.pop(name, None)
        self.filterset = self.filterset_class(
            params or None, queryset=self.get_base_queryset(), request=self.request
        )
        form = self.filterset.form
        for field in form.fields.values():
            # Option lists never name a draft: a draft's slug is then an unknown value.
            queryset = getattr(field, "queryset", None)
            if queryset is not None and hasattr(queryset, "published"):
                field.queryset = queryset.published()
        if self.filterset.is_bound and not self.filterset.is_valid():
            return self.filterset.queryset.none()
        return self.filterset.qs

    def get(self, request, *args, **kwargs):
        if request.GET.get("format") == "csv":
            return self.render_csv(self.get_queryset())
        return super().get(request, *args, **kwargs)

    def render_csv(self, queryset):
        if self.filterset.is_bound and not self.filterset.is_valid():
            return csv_filter_errors(self.filterset)
        # iterator(): a long list streams from the cursor instead of sitting in memory;
        # prefetch_related still applies in chunks.
        rows = (
            [_cell(value(row)) for _, value in self.csv_columns]
            for row in queryset.iterator(chunk_size=500)
        )
        return csv_attachment(self.csv_name, [header for header, _ in self.csv_columns], rows)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        errors = {}
        if self.filterset.is_bound and not self.filterset.is_valid():
            errors = self.filterset.errors
        context.update(
            filterset=self.filterset,
            **list_context(
                self.request,
                context.get("page_obj"),
                self.filterset.form,
                errors,
                self.filter_fields,
            ),
        )
        return context


def list_context(request, page, form, errors, filter_fields) -> dict:
    """What every filtered list's template draws besides its rows: the filter controls and
    their errors, the query string page links keep, the CSV link and the page links."""
    query = request.GET.copy()
    for name in PAGE_PARAMS:
        query.pop(name, None)
    context = {
        "filter_controls": filter_controls(form, filter_fields),
        "filter_errors": [
            {"id": _control_id(form, name), "message": message}
            for name, messages in errors.items()
            for message in messages
        ],
        "query_string": query.urlencode(),
        "csv_url": "?" + urlencode([*_pairs(query), ("format", "csv")]),
        "is_filtered": bool(query),
    }
    if page is not None:
        # The page links drawn: first, last, two either side of this one, "…" between.
        # Built by the paginator: a template loop over every page number is slow on big
        # lists (docs/benchmarks.md).
        context["page_numbers"] = page.paginator.get_elided_page_range(
            page.number, on_each_side=2, on_ends=1
        )
    return context


def csv_filter_errors(filterset) -> HttpResponse:
    """A CSV asked for with bad filters: a 400 naming each field, in plain text."""
    return HttpResponse(
        "\n".join(f"{field}: {' '.join(errors)}" for field, errors in filterset.errors.items()),
        status=400,
        content_type="text/plain; charset=utf-8",
    )


def csv_attachment(name, header, rows) -> StreamingHttpResponse:
    """The download igr-<name>-<today>.csv of `header` and then each of `rows` (lists of
    cells), streamed: the header goes at once and the rows as they are read, so a long
    list neither waits for its last row nor sits in memory. Django's "Streaming large
    CSV files" pattern, with the lines sent in batches rather than one write each."""
    response = StreamingHttpResponse(
        _csv_lines(header, rows), content_type="text/csv; charset=utf-8"
    )
    stamp = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="igr-{name}-{stamp}.csv"'
    # The data's licence, as on the API's CSVs (settings.DATA_LICENCE).
    response["Link"] = f'<{settings.DATA_LICENCE["url"]}>; rel="license"'
    return response


# Rows per chunk sent: about 10 to 50 KB of CSV.
CSV_ROWS_PER_CHUNK = 100


def _csv_lines(header, rows):
    """The CSV text in chunks: the header alone first, then CSV_ROWS_PER_CHUNK rows at a
    time; the same bytes csv.writer writes into one response."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    yield _drain(buffer)
    for count, row in enumerate(rows, start=1):
        writer.writerow(row)
        if count % CSV_ROWS_PER_CHUNK == 0:
            yield _drain(buffer)
    if buffer.tell():
        yield _drain(buffer)


def _drain(buffer: io.StringIO) -> str:
    text = buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    return text


def _pairs(query):
    return [(key, value) for key in query for value in query.getlist(key)]


def _cell(value):
    if value is None:
        return ""
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def _control_id(form, name):
    field = form.fields.get(name)
    if field is not None and isinstance(field.widget, forms.MultiWidget):
        return f"id_{name}_0"
    return f"id_{name}"


def filter_controls(form, names):
    """Describe the chosen form fields so a template can draw them with GOV.UK markup:
    a select, a text input, checkboxes, or a from–to pair of dates."""
    controls = []
    data = form.data if form.is_bound else {}
    errors = form.errors if form.is_bound else {}
    for name in names:
        field = form.fields[name]
        bound = form[name]
        control = {
            "name": name,
            "id": _control_id(form, name),
            "label": field.label or name.replace("_", " ").capitalize(),
            "hint": field.help_text,
            "errors": errors.get(name, []),
        }
        if isinstance(field.widget, forms.MultiWidget):
            # django-filter's range widgets: <name>_after and <name>_before.
            control["kind"] = "range"
            control["parts"] = [
                {
                    "id": f"id_{name}_{i}",
                    "name": f"{name}{suffix}",
                    "label": part_label,
                    "value": data.get(f"{name}{suffix}", ""),
                }
                for i, (suffix, part_label) in enumerate((("_after", "From"), ("_before", "To")))
            ]
        elif isinstance(field, forms.MultipleChoiceField):
            chosen = set(data.getlist(name)) if hasattr(data, "getlist") else set()
            control["kind"] = "checkboxes"
            control["options"] = [
                {"value": value, "label": label, "selected": str(value) in chosen}
                for value, label in field.choices
                if value != ""
            ]
        elif isinstance(field, forms.ModelChoiceField):
            current = data.get(name, "")
            control["kind"] = "select"
            control["options"] = [{"value": "", "label": "Any", "selected": not current}] + [
                {"value": obj.slug, "label": str(obj), "selected": obj.slug == current}
                for obj in field.queryset
            ]
        elif isinstance(field, (forms.ChoiceField, forms.NullBooleanField)):
            current = data.get(name, "")
            choices = (
                [("true", "Yes"), ("false", "No")]
                if isinstance(field, forms.NullBooleanField)
                else [(v, label) for v, label in field.choices if v != ""]
            )
            control["kind"] = "select"
            control["options"] = [{"value": "", "label": "Any", "selected": not current}] + [
                {"value": v, "label": label, "selected": str(v) == current} for v, label in choices
            ]
        else:
            control["kind"] = "text"
            control["value"] = bound.value() or ""
        controls.append(control)
    return controls

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
from django.core.exceptions import ValidationError
from django.http import HttpResponse, StreamingHttpResponse
from django.utils import timezone
from django.views.generic import ListView

from igr.api.pagination import CachedCountPaginator
from igr.lib.keyset import Keyset, UnsupportedOrdering, read_page
from igr.lib.params import is_tracking

# Query parameters that belong to the page, not to the FilterSet.
PAGE_PARAMS = {"page", "format", "after", "before"}


def filter_parameters(request):
    """The request's query parameters less the page's own (PAGE_PARAMS) and the
    link-tracking ones sharing tools add (igr.lib.params.is_tracking): what the list's
    FilterSet reads, and what its page and CSV links carry."""
    params = request.GET.copy()
    for name in list(params):
        if name in PAGE_PARAMS or is_tracking(name):
            params.pop(name)
    return params


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
    #: What names a row in the Next and Previous links (?after=<it>, ?before=<it>): a
    #: unique field the list's own addresses use, "slug" or "pk".
    keyset_field = "pk"

    def get_base_queryset(self):
        raise NotImplementedError

    def get_queryset(self):
        params = filter_parameters(self.request)
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
        self.position_error = None
        response = super().get(request, *args, **kwargs)
        if self.position_error:
            response.status_code = 400
        return response

    def render_csv(self, queryset):
        if self.filterset.is_bound and not self.filterset.is_valid():
            return csv_filter_errors(self.filterset)
        rows = (
            [_cell(value(row)) for _, value in self.csv_columns]
            for row in keyset_chunks(queryset, CSV_CHUNK_ROWS)
        )
        return csv_attachment(self.csv_name, [header for header, _ in self.csv_columns], rows)

    # -- pages ---------------------------------------------------------------------------

    def paginate_queryset(self, queryset, page_size):
        """Numbered pages (?page=N) as Django pages them, or the page of rows after or
        before a row named in the URL (?after=<key>, ?before=<key>), which Next and
        Previous link to: a keyset page costs the same at any depth."""
        after, before = self.request.GET.get("after"), self.request.GET.get("before")
        keyset = _keyset(queryset)
        self.keyset = keyset
        invalid = self.filterset.is_bound and not self.filterset.is_valid()
        if (after is None and before is None) or invalid:  # bad filters: no rows, their errors
            # Numbered pages in the keyset's total order, so that Next from page N (by
            # keyset) lists the rows page N+1 does, and ties never move between pages.
            ordered = keyset.ordered(queryset) if keyset is not None else queryset
            return super().paginate_queryset(ordered, page_size)
        paginator = self.get_paginator(queryset, page_size)
        key = after if after is not None else before
        problem = None
        if after is not None and before is not None:
            problem = "Give the row to start after or the row to end before, not both."
        elif "page" in self.request.GET:
            problem = "Give a page number or a row to start from, not both."
        elif keyset is None:
            problem = "These filters list rows in an order Next and Previous cannot follow."
        boundary = None if problem else self._boundary(queryset, key)
        if boundary is None:
            noun = queryset.model._meta.verbose_name
            problem = problem or (
                f"There is no {noun} “{key[:100]}” in this list: it may have been removed, "
                "or the link was changed. Start again from the first page."
            )
            self.position_error = problem
            page = KeysetPage(paginator, [], None, after is not None, False, False)
            return paginator, page, page.object_list, True
        forward = after is not None
        token = keyset.encode(keyset.position(boundary), forward=forward)
        found = read_page(queryset, page_size, token, keyset=keyset)
        rows = list(found.rows(queryset))
        page = KeysetPage(
            paginator, rows, boundary, forward, found.next is not None, found.previous is not None
        )
        return paginator, page, rows, True

    def _boundary(self, queryset, key):
        """The row of the list named `key`, with what the ordering reads; None when the
        list has no such row (a bad or changed link)."""
        field = queryset.model._meta.pk if self.keyset_field == "pk" else None
        if field is None:
            field = queryset.model._meta.get_field(self.keyset_field)
        try:
            value = field.to_python(key)
        except ValidationError:
            return None
        max_length = getattr(field, "max_length", None)
        if max_length and isinstance(value, str) and len(value) > max_length:
            return None
        return queryset.filter(**{self.keyset_field: value}).first()

    def _key(self, row) -> str:
        return str(getattr(row, self.keyset_field))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        errors = {}
        if self.filterset.is_bound and not self.filterset.is_valid():
            errors = self.filterset.errors
        page = context.get("page_obj")
        context.update(
            filterset=self.filterset,
            **list_context(
                self.request,
                page,
                self.filterset.form,
                errors,
                self.filter_fields,
            ),
        )
        if page is not None and getattr(self, "keyset", None) is not None:
            rows = list(page.object_list)
            if rows and page.has_next():
                context["next_after"] = self._key(rows[-1])
            if rows and page.has_previous():
                context["previous_before"] = self._key(rows[0])
        if self.position_error:
            context["filter_errors"] = [
                {"href": "?" + context["query_string"], "message": self.position_error}
            ]
            context["error_title"] = "There is a problem with the page link"
        return context


class KeysetPage:
    """A page reached by Next or Previous: the rows just after (or before) `boundary`.
    Where it falls in the numbered pages is not known without counting every row before
    it, which is the cost keyset paging avoids; the page says which row it follows.
    Duck-types the parts of Django's Page the list templates read."""

    def __init__(self, paginator, rows, boundary, forward, has_next, has_previous):
        self.paginator = paginator
        self.object_list = rows
        self.boundary = boundary
        self.forward = forward
        self._has_next, self._has_previous = has_next, has_previous
        # Back at the start of the list (Previous as far as it goes), with page 1's rows
        # exactly: that page number is known.
        full = len(rows) == paginator.per_page or not has_next
        self.number = 1 if rows and not has_previous and full else None

    def has_next(self):
        return self._has_next

    def has_previous(self):
        return self._has_previous

    def has_other_pages(self):
        return self._has_next or self._has_previous

    def __len__(self):
        return len(self.object_list)


def _keyset(queryset):
    """The list's keyset, or None where keyset paging cannot follow its order (a
    DISTINCT from a filter across a many-valued relation): page numbers then."""
    try:
        return Keyset(queryset)
    except UnsupportedOrdering:
        return None


# Rows per query of a CSV download read by keyset.
CSV_CHUNK_ROWS = 500


def keyset_chunks(queryset, size):
    """Every row of `queryset` in its order, read `size` rows at a time, each block the
    rows after the last one's position (igr.lib.keyset), with select_related and
    prefetch_related applied per block.

    Each block is a short query that starts at its position in the ordering's index, so
    the first rows come at once. A server-side cursor (QuerySet.iterator()) does not:
    outside a transaction PostgreSQL materialises a WITH HOLD cursor's whole result
    before the first fetch. Lists whose order keyset paging cannot follow use it."""
    keyset = _keyset(queryset)
    if keyset is None:
        yield from queryset.iterator(chunk_size=size)
        return
    position = None
    while True:
        block = list(keyset.after(queryset, position)[:size])
        yield from block
        if len(block) < size:
            return
        position = keyset.position(block[-1])


def list_context(request, page, form, errors, filter_fields) -> dict:
    """What every filtered list's template draws besides its rows: the filter controls and
    their errors, the query string page links keep, the CSV link and the page links."""
    query = filter_parameters(request)
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
    if page is not None and page.number is None:
        # A keyset page's number is not known: the first and last pages are linked.
        last = page.paginator.num_pages
        context["page_numbers"] = (
            [1, page.paginator.ELLIPSIS, last] if last > 2 else range(1, last + 1)
        )
    elif page is not None:
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

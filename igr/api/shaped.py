"""An API list's numbered page read by SQL compiled once per query shape (igr.compiled).

A filtered list page used to build its queryset for every request (a FilterSet's
filters, the total order, the page's id query, the count's cache key) and compile it:
about a fifth of the commitments list's function calls (docs/benchmarks.md, issue 19's
seventh round), although two requests that differ only in which authority or meeting
they name compile to the same SQL with another parameter. Here the page's id query and
its count are built and compiled once per shape, with sentinel records in place of the
request's, and later requests of that shape run the same SQL with their own values.

A shape is: the viewset, whether the client sees drafts (the viewset's queryset differs
by that alone), and which filters are given, with the value of each whose value decides
the SQL (a choice, a multiple choice, an ordering, a yes/no: a few values each); the
page's size and position are parameters of the page's query, so one shape serves every
page. Only filters whose SQL is known to be fixed take part: a slug filter with no
method of its own (`field = record`, the record's id a parameter), and the choice,
multiple-choice, ordering and yes/no filters with no method. Any other filter given (a
date range, the text search `q`, a filter with its own method, which may read more of
the record than its id), a cursor, a page from the first remembered position on
(CachedCountPaginator's anchors), a DISTINCT or grouped query, SQLite, or caching off:
the page is read the usual way. The rows, the count, the links and the bytes are those
of the usual way (tests/api/test_shaped_pages.py compares the two).
"""

from django.core.cache import cache
from django.core.paginator import Page
from django.db import connections
from django.db.models import Model
from django_filters import (
    BooleanFilter,
    ChoiceFilter,
    ModelChoiceFilter,
    ModelMultipleChoiceFilter,
    MultipleChoiceFilter,
)
from rest_framework import exceptions

from igr import compiled
from igr.api.filter_backend import FilterBackend
from igr.api.pagination import (
    CachedCountPaginator,
    Pagination,
    _cache_key,
    _cache_seconds,
    _positive_int,
)
from igr.caching import data_fingerprint
from igr.lib.keyset import totally_ordered

#: The ids of the sentinel records a shape is compiled with (no record has such an id).
_SENTINEL = -7_000_001


def read_page(view, request, plan):
    """The representation of the requested page's rows, with the view's paginator set up
    for its response (count, links), as paginate_values gives them; None where a shape
    does not apply, and the caller reads the page the usual way."""
    pagination = view.paginator
    if (
        not compiled.ENABLED
        or not getattr(view, "shaped_pages", True)
        or not isinstance(pagination, Pagination)
        or pagination.cursor_query_param in request.query_params
        or list(view.filter_backends) != [FilterBackend]
        or not _cache_seconds()
    ):
        return None
    base = view.get_queryset()
    using = base.db
    if connections[using].vendor != "postgresql":
        # The page's rows are read by their ids on PostgreSQL only (igr.api.values).
        return None
    # Checked in the usual order (filters, then `page`, then `page_size`), so a request
    # with two bad parameters hears about the same one.
    filterset = FilterBackend().valid_filterset(request, base, view)
    number = _positive_int(request, pagination.page_query_param, 1)
    size = pagination.get_page_size(request)
    offset = (number - 1) * size
    if offset >= CachedCountPaginator.anchor_rows:
        return None
    parts, swaps = _parts(filterset)
    if parts is None:
        return None
    shape = (type(view), view.sees_drafts, parts)

    def filtered(values):
        # As the usual read: the FilterSet's filters in its form's order (with the
        # sentinel records), then the list's order made total (igr.lib.keyset).
        queryset = base.all()
        if filterset is not None:
            cleaned = dict(filterset.form.cleaned_data)
            for name, sentinel in values.items():
                cleaned[name] = type(cleaned[name])(pk=sentinel)
            for name, value in cleaned.items():
                queryset = filterset.filters[name].filter(queryset, value)
        return totally_ordered(queryset)

    def counted(values):
        queryset = filtered(values)
        query = queryset.query
        if query.distinct or query.combinator or query.group_by is not None:
            return queryset.none()  # not kept (EmptyResultSet): read the usual way
        return queryset.order_by().values("pk")

    def ordered_ids(values):
        return filtered(values).values_list("pk", flat=True)

    counting = compiled.statement(("api-count", *shape), counted, swaps, using=using)
    if counting is None:
        return None
    reading = compiled.statement(("api-page", *shape), ordered_ids, swaps, using=using)
    if reading is None:
        return None

    count = _count(using, shape, swaps, counting)
    paginator = CachedCountPaginator(base, size)
    paginator.__dict__["count"] = count  # its cached_property, worked out here
    if number > max(paginator.num_pages, 1):
        raise exceptions.NotFound(
            {
                pagination.page_query_param: [
                    f"There is no page {number}; the last is {paginator.num_pages}."
                ]
            }
        )
    # The page's slice as parameters, so one shape serves every page and page size.
    sql, params = reading
    with connections[using].cursor() as cursor:
        cursor.execute(f"{sql} LIMIT %s OFFSET %s", [*params, size, offset])
        ids = [row[0] for row in cursor.fetchall()]
    pagination.request = request
    pagination.keyset_page = None
    pagination.page = Page(ids, number, paginator)
    return plan.rows(base, view.get_serializer_context(), ids=ids)


def _parts(filterset):
    """(the shape's part for the filters given, the sentinels' swaps), or (None, None)
    when a filter given may compile to other SQL for another value of the same kind."""
    if filterset is None:
        return (), {}
    parts, swaps = [], {}
    for name, value in sorted(filterset.form.cleaned_data.items()):
        filter_ = filterset.filters[name]
        if filter_.method is not None:
            return None, None
        if isinstance(filter_, ModelChoiceFilter) and not isinstance(
            filter_, ModelMultipleChoiceFilter
        ):
            if not isinstance(value, Model) or value.pk is None:
                return None, None
            parts.append((name, "record", value._meta.label))
            swaps[name] = (_SENTINEL - len(swaps), value.pk)
        elif isinstance(filter_, ChoiceFilter | MultipleChoiceFilter | BooleanFilter):
            if isinstance(value, list | tuple):
                value = tuple(value)
            if not all(isinstance(v, str | bool | type(None)) for v in _flat(value)):
                return None, None
            parts.append((name, "value", value))
        else:
            return None, None
    return tuple(parts), swaps


def _flat(value):
    return value if isinstance(value, tuple) else (value,)


def _count(using, shape, swaps, counting):
    """The shape's row count for these values, cached under the data fingerprint as
    CachedCountPaginator caches its counts (any write recounts)."""
    values = tuple((name, pair[1]) for name, pair in swaps.items())
    key = _cache_key("count", using, "shape", shape, values, data_fingerprint())
    count = cache.get(key)
    if count is None:
        sql, params = counting
        with connections[using].cursor() as cursor:
            cursor.execute(f'SELECT COUNT(*) FROM ({sql}) AS "counted"', params)
            count = cursor.fetchone()[0]
        cache.set(key, count, _cache_seconds())
    return count

"""An API list's page read by SQL compiled once per query shape (igr.compiled).

A filtered list page used to build its queryset for every request (a FilterSet's
filters, the total order, the page's id query, the count's cache key) and compile it:
about a fifth of the commitments list's function calls (docs/benchmarks.md, issue 19's
seventh round), although two requests that differ only in which authority or meeting
they name compile to the same SQL with another parameter. Here the page's id query and
its count are built and compiled once per shape, with sentinel records in place of the
request's, and later requests of that shape run the same SQL with their own values.

A shape is: the viewset, whether the client sees drafts (the viewset's queryset differs
by that alone), and which filters are given, with the value of each whose value decides
the SQL (a choice, a multiple choice, an ordering, a yes/no: a few values each). A
numbered page's size and position are parameters of its query, so one shape serves
every page. A cursor page (igr.lib.keyset) reads its keyset segments' queries, compiled
once per shape, direction and kind of position (the type of each of the position's
values, None included), with sentinels of the same types in place of the position's
values (an id, a slug, a date); its cursors either side are worked out as read_page
always does.

Only filters whose SQL is known to be fixed take part: a slug filter with no method of
its own (`field = record`, the record's id a parameter), and the choice,
multiple-choice, ordering and yes/no filters with no method. Any other filter given (a
date range, the text search `q`, a filter with its own method, which may read more of
the record than its id), a numbered page from the first remembered position on
(CachedCountPaginator's anchors), a cursor position with a value of another type (a
number with a fraction), a DISTINCT or grouped query, SQLite, or caching off: the page
is read the usual way. The rows, the count, the links and the bytes are those of the
usual way (tests/api/test_shaped_pages.py compares the two).
"""

import datetime

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
from igr.lib.keyset import InvalidCursor, Keyset, UnsupportedOrdering, totally_ordered
from igr.lib.keyset import read_page as read_keyset_page

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
    cursor = request.query_params.get(pagination.cursor_query_param)
    if cursor is not None:
        if pagination.page_query_param in request.query_params:
            return None  # refused the usual way
        number = None
    else:
        number = _positive_int(request, pagination.page_query_param, 1)
    size = pagination.get_page_size(request)
    if number is not None and (number - 1) * size >= CachedCountPaginator.anchor_rows:
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
            for name in swaps:
                cleaned[name] = type(cleaned[name])(pk=values[name])
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
    count = _count(using, shape, swaps, counting)
    if cursor is not None:
        page = _keyset_page(shape, filtered, swaps, cursor, size, using)
        if page is None:
            return None
        pagination.request = request
        pagination.keyset_page = page
        pagination.count = count
        return plan.rows(base, view.get_serializer_context(), ids=page.pks)
    reading = compiled.statement(("api-page", *shape), ordered_ids, swaps, using=using)
    if reading is None:
        return None
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
    offset = (number - 1) * size
    with connections[using].cursor() as cursor:
        cursor.execute(f"{sql} LIMIT %s OFFSET %s", [*params, size, offset])
        ids = [row[0] for row in cursor.fetchall()]
    pagination.request = request
    pagination.keyset_page = None
    pagination.page = Page(ids, number, paginator)
    return plan.rows(base, view.get_serializer_context(), ids=ids)


#: Each shape's Keyset (its ordering's columns), found once; at most MAX_SHAPES.
_KEYSETS: dict = {}


def _keyset_page(shape, filtered, swaps, cursor, size, using):
    """The keyset page `cursor` points at (igr.lib.keyset.read_page), its rows read by
    the segments' queries compiled once per shape, direction and kind of position, with
    sentinels in place of the position's values; None when the usual read must answer
    (a cursor that is not valid here, an ordering keyset paging cannot follow, a value
    with no sentinel)."""
    keyset = _KEYSETS.get(shape)
    if keyset is None:
        try:
            keyset = Keyset(filtered({name: pair[0] for name, pair in swaps.items()}))
        except UnsupportedOrdering:
            return None
        if len(_KEYSETS) < compiled.MAX_SHAPES:
            _KEYSETS[shape] = keyset

    def read(position, forward, inclusive, fields, limit):
        kinds = None if position is None else tuple(type(v).__name__ for v in position)
        found_swaps = dict(swaps)
        if position is not None:
            for n, value in enumerate(position):
                if value is None:
                    continue
                sentinel = _position_sentinel(value, n)
                if sentinel is None:
                    raise _NoSentinel
                found_swaps[f"position{n}"] = (sentinel, value)

        def segments(values):
            if position is None:
                at = None
            else:
                at = tuple(
                    None if v is None else values[f"position{n}"] for n, v in enumerate(position)
                )
            rows = filtered(values).prefetch_related(None)
            return keyset.segments(rows, at, forward, inclusive)

        key = ("api-cursor", *shape, forward, inclusive, kinds)
        count = _SEGMENTS.get(key)
        if count is None:
            count = len(segments({n: pair[0] for n, pair in found_swaps.items()}))
            _SEGMENTS[key] = count
        found = []
        for k in range(count):
            want = limit - len(found)
            found += compiled.rows(
                (*key, k, want),
                lambda values, k=k, want=want: segments(values)[k].values_list(*fields)[:want],
                found_swaps,
                using=using,
            )
            if len(found) >= limit:
                break
        return found

    try:
        return read_keyset_page(None, size, cursor, keyset, read=read)
    except (InvalidCursor, _NoSentinel):
        return None


#: How many segments each cursor shape reads (Keyset.segments), found once.
_SEGMENTS: dict = {}


class _NoSentinel(Exception):
    pass


def _position_sentinel(value, n):
    """A value of the same type as `value` that no position holds, or None."""
    kind = type(value)
    if kind is int:
        return -8_000_001 - n
    if kind is str:
        return f"qqposition{n}qq"
    if kind is datetime.date:
        return datetime.date(1, 3, 1 + n)
    if kind is datetime.datetime and value.tzinfo is not None:
        return datetime.datetime(1, 3, 1 + n, tzinfo=datetime.UTC)
    return None


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

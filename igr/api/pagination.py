"""Pagination for every API list. Its own module because DRF imports the default
pagination class while rest_framework.generics is still loading."""

import hashlib

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import EmptyResultSet, FullResultSet
from django.core.paginator import Page, Paginator
from django.db import connections
from django.db.models import QuerySet, Window
from django.db.models.constants import LOOKUP_SEP
from django.db.models.expressions import RawSQL
from django.db.models.functions import RowNumber
from django.utils.functional import cached_property
from rest_framework import exceptions
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param

from igr.caching import data_fingerprint
from igr.lib.keyset import (
    InvalidCursor,
    Keyset,
    UnsupportedOrdering,
    read_page,
    totally_ordered,
)

MAX_PAGE_SIZE = 200


class CachedCountPaginator(Paginator):
    """Django's paginator with the row count cached, keyed by the count's SQL and the data
    fingerprint (igr.caching.data_fingerprint), so any write recounts; and deep pages
    read from a remembered position ("anchors") instead of walking the whole OFFSET.

    Counting is most of a list's cost on big tables (docs/benchmarks.md) and gives the
    same answer until the data changes; the fingerprint is one indexed query. The count
    stays exact: the API's `count` and X-Total-Count and the pages' "page N of M" do not
    change.

    Anchors: an OFFSET makes the database walk every row before the page (85,000 index
    entries, about 7 ms, for page 1,800 of the API's meetings). So the position in the
    list's total order (igr.lib.keyset) of every `anchor_rows`-th row is remembered in
    the cache, under the same kind of key as the count plus the ordering, and so dropped
    by any write. Page N then reads "the rows after the nearest anchor at or before it"
    from the ordering's index and walks fewer than `anchor_rows` entries from there:
    the same rows in the same order as the plain OFFSET, since the order is total. The
    first deep request after a write still walks once: it finds the anchors it lacks, up
    to its page, in one query (a row_number() over the ordered ids, keeping every
    `anchor_rows`-th position), starting from the last anchor already known."""

    #: Rows between remembered positions; pages starting before the first read as usual.
    anchor_rows = 1000

    @cached_property
    def count(self):
        timeout = _cache_seconds()
        if not timeout or not isinstance(self.object_list, QuerySet):
            return super().count
        try:
            sql = _count_identity(self.object_list)
        except EmptyResultSet:  # .none(): nothing to count
            return super().count
        key = _cache_key("count", self.object_list.db, sql, self._fingerprint)
        count = cache.get(key)
        if count is None:
            count = super().count
            cache.set(key, count, timeout)
        return count

    @cached_property
    def _fingerprint(self):
        # Once per paginator: the count and the anchors share it (each call can be a query).
        return data_fingerprint()

    def page(self, number):
        """Django's Paginator.page, a deep page's slice started at an anchor."""
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        anchored = self._anchored_slice(bottom, top)
        if anchored is None:
            return self._get_page(self.object_list[bottom:top], number, self)
        if isinstance(anchored, list):  # the ids, read already (_rows_after)
            return _Page(lambda: self.object_list.filter(pk__in=anchored), number, self, anchored)
        return self._get_page(anchored, number, self)

    def _get_page(self, object_list, number, paginator):
        """Django's page, its rows fetched by a "deferred join": the page's ids are chosen
        by a subquery that reads only the ordering's index, and the outer query fetches
        those rows with their select_related joins. Still one query.

        A deep page is an OFFSET: PostgreSQL reads and throws away every row before it.
        With the joins, it builds every joined row it skips; choosing the ids alone walks
        the index without visiting the table (figures in docs/benchmarks.md). The rows
        and their order are the same. `object_list` is this page's slice of
        self.object_list (page()), by OFFSET or from an anchor."""
        if self._defers_join():
            # The page's ids alone, for a reader that fetches rows by id itself
            # (igr.api.values: ValuesPlan._rows_by_ids); lazy, read only by that reader.
            ids = object_list.values_list("pk", flat=True)
            sliced = object_list
            return _Page(
                lambda: self.object_list.filter(pk__in=sliced.values("pk")), number, self, ids
            )
        page = super()._get_page(object_list, number, paginator)
        page.ids = None
        return page

    def _defers_join(self):
        queryset = self.object_list
        if not isinstance(queryset, QuerySet) or not queryset.ordered:
            return False
        query = queryset.query
        # values("pk") of a DISTINCT, grouped or combined (UNION) query is not the same
        # set of rows, and MySQL cannot LIMIT inside IN; those page the plain way.
        return (
            connections[queryset.db].features.allow_sliced_subqueries_with_in
            and not query.distinct
            and not query.combinator
            and query.group_by is None
            and not query.is_sliced
        )

    # -- anchors -----------------------------------------------------------------------

    def _anchored_slice(self, bottom, top):
        """Rows bottom to top of the list read after the nearest anchor: a sliced
        queryset, or the ids in order where the ordering's first column is nullable and
        its values and NULLs are read apart (Keyset.segments). None: page by OFFSET."""
        step = self.anchor_rows
        if bottom < step:
            return None
        keyset = self._keyset()
        if keyset is None:
            return None
        wanted = bottom // step
        anchors = self._anchors(keyset, wanted)
        if len(anchors) < wanted:  # fewer rows than the count said: it changed meanwhile
            return None
        anchor = anchors[wanted - 1]
        return _rows_after(keyset, self.object_list, anchor, bottom % step, top - bottom)

    def _keyset(self):
        """The list's Keyset where anchors can stand in for its OFFSET, else None."""
        queryset = self.object_list
        if not _cache_seconds() or not self._defers_join():
            return None
        try:
            keyset = Keyset(queryset)
        except UnsupportedOrdering:
            return None
        if any(column.field is None for column in keyset.columns):
            # Ordered by an annotation (a search rank): the count's key does not name the
            # annotation's expression, which the positions depend on.
            return None
        return keyset

    def _anchors(self, keyset, wanted):
        """At least `wanted` anchors (positions of rows step, 2 × step, …, counting from
        1), from the cache, the missing ones found by one query; fewer only when the list
        has fewer rows."""
        queryset = self.object_list
        try:
            identity = _count_identity(queryset)
        except EmptyResultSet:
            return []
        key = _cache_key(
            "anchors",
            queryset.db,
            identity,
            self._fingerprint,
            f"{keyset.fingerprint}|{keyset.key}|{self.anchor_rows}",
        )
        anchors = cache.get(key) or []
        if len(anchors) < wanted:
            start = anchors[-1] if anchors else None
            anchors = anchors + _find_anchors(
                keyset, queryset, start, wanted - len(anchors), self.anchor_rows
            )
            cache.set(key, anchors, _cache_seconds())
        return anchors


class _Page(Page):
    """Django's Page with its rows' queryset built when first read, and the page's ids
    (`ids`: a list, or a lazy values_list query). An API list read by ids
    (igr.api.values) never reads the queryset, so it is never built for one (a
    subquery and clones, every request)."""

    def __init__(self, build, number, paginator, ids):
        self._build = build
        self.number = number
        self.paginator = paginator
        self.ids = ids

    @cached_property
    def object_list(self):
        return self._build()


def _cache_seconds():
    return getattr(settings, "AGGREGATE_CACHE_SECONDS", 300)


def _cache_key(kind, *parts):
    text = "|".join(str(part) for part in parts)
    return f"{kind}:" + hashlib.blake2b(text.encode(), digest_size=16).hexdigest()


def _find_anchors(keyset, queryset, start, wanted, step):
    """The positions of rows step, 2 × step, … wanted × step after `start` (a position;
    None: from the first row) in `queryset`'s keyset order, found by one query that
    walks the ordering's index once as far as the last of them (fewer positions where
    the list ends sooner)."""
    connection = connections[queryset.db]
    own = all(LOOKUP_SEP not in c.path and not c.nullable for c in keyset.columns)
    if connection.vendor == "postgresql" and own:
        return _hop_anchors(keyset, queryset, start, wanted, step)
    return _numbered_anchors(keyset, queryset, start, wanted, step)


def _hop_anchors(keyset, queryset, start, wanted, step):
    """PostgreSQL: each anchor is the row `step` rows after the one before, a keyset read
    from its position (a recursive query, each step a LATERAL subquery):

        WITH RECURSIVE anchors (c0, c1, …, n) AS (
            (SELECT * , 1 FROM (<rows after start> OFFSET step - 1 LIMIT 1))
            UNION ALL
            SELECT next.*, n + 1 FROM anchors CROSS JOIN LATERAL
                (<rows after (anchors.c0, anchors.c1, …)> OFFSET step - 1 LIMIT 1) next
            WHERE n < wanted)
        SELECT * FROM anchors

    It walks the same index entries as one OFFSET to the last anchor, at about the same
    cost; row_number() over them (_numbered_anchors) took three times as long on the
    benchmark's meetings. Only for orderings by the model's own columns without NULLs:
    the position's columns are compared to the previous anchor's in SQL, where a NULL
    compares as unknown; and an ordering through a join (attendance by its meeting) pays
    the join's start-up on every hop, 10.6 s for 899 anchors of attendance against
    5.2 s by row_number() and 3.5 s for the OFFSET alone (a loaded machine)."""
    connection = connections[queryset.db]
    quote = connection.ops.quote_name
    table = quote("igr_anchors")
    names = [quote(f"c{index}") for index in range(len(keyset.columns))]
    number = quote("n")
    previous = tuple(
        RawSQL(f"{table}.{name}", (), output_field=column.field)
        for name, column in zip(names, keyset.columns, strict=True)
    )
    base = queryset.prefetch_related(None)
    first = keyset.after(base, start).values_list(*keyset.paths)[step - 1 : step]
    hop = keyset.after(base, previous).values_list(*keyset.paths)[step - 1 : step]
    first_compiler = first.query.get_compiler(using=first.db)
    first_sql, first_params = first_compiler.as_sql()
    hop_sql, hop_params = hop.query.get_compiler(using=hop.db).as_sql()
    sql = (
        f"WITH RECURSIVE {table} ({', '.join(names)}, {number}) AS ("
        f"(SELECT *, 1 FROM ({first_sql}) {quote('first')})"
        f" UNION ALL SELECT {quote('next')}.*, {table}.{number} + 1 FROM {table}"
        f" CROSS JOIN LATERAL ({hop_sql}) {quote('next')} WHERE {table}.{number} < %s"
        f") SELECT * FROM {table}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, (*first_params, *hop_params, wanted))
        found = cursor.fetchall()
    return _positions(first_compiler, found)


def _positions(compiler, rows):
    """Rows of the ordering's columns and then a row number, as positions in that order,
    with Django's converters for each column (dates from SQLite's text, for example)."""
    converters = compiler.get_converters([expression for expression, _, _ in compiler.select])
    if converters:
        rows = compiler.apply_converters(rows, converters)
    return [tuple(row[:-1]) for row in sorted(rows, key=lambda row: row[-1])]


#: The row number's column in _numbered_anchors's query.
_ROW_NUMBER = "igr_anchor_row"


def _numbered_anchors(keyset, queryset, start, wanted, step):
    """Every `step`-th row of the rows after `start`, numbered by row_number():

    SELECT * FROM (SELECT <ordering's columns>, ROW_NUMBER() OVER (<ordering>)
                   FROM … WHERE <filters> AND <after start> ORDER BY <ordering>
                   LIMIT wanted × step) anchors
    WHERE row_number % step = 0"""
    rows = keyset.after(queryset.prefetch_related(None), start)
    rows = rows.annotate(**{_ROW_NUMBER: Window(RowNumber(), order_by=keyset.order_by())})
    rows = rows.values_list(*keyset.paths, _ROW_NUMBER)[: wanted * step]
    connection = connections[rows.db]
    compiler = rows.query.get_compiler(using=rows.db)
    sql, params = compiler.as_sql(with_col_aliases=True)
    quote = connection.ops.quote_name
    sql = (
        f"SELECT * FROM ({sql}) {quote('anchors')}"
        f" WHERE {quote('anchors')}.{quote(_ROW_NUMBER)} %% %s = 0"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, (*params, step))
        found = cursor.fetchall()
    return _positions(compiler, found)


def _rows_after(keyset, queryset, anchor, skip, size):
    """`size` rows of `queryset` after skipping `skip` rows after the position `anchor`,
    in the keyset's order: a sliced queryset (one query, read lazily), or the ids in
    order when the rows after the anchor are two index ranges (a nullable first
    column's values and its NULLs), of which the page may take from both: one query,
    two where the page crosses from one range into the other, three where it lies past
    that point (to count the first range's rows, at most `skip`)."""
    segments = keyset.segments(queryset, anchor)
    if len(segments) == 1:
        return segments[0][skip : skip + size]
    ids = []
    for segment in segments:
        if len(ids) == size:
            break
        found = list(segment.values_list("pk", flat=True)[skip : skip + size - len(ids)])
        if found or ids:
            skip = 0
        elif skip:
            skip -= segment[:skip].count()
        ids += found
    return ids


def _count_identity(queryset) -> str:
    """What decides `queryset`'s row count, as text for a cache key: its table, its
    joins and its WHERE clause with the values, for a plain filtered query.

    The columns it selects, their select_related joins (which count() drops) and its
    order do not change the count; compiling them for the key (str(query)) was most of
    the key's cost, about 0.9 ms of an API list request. A DISTINCT, grouped, combined,
    sliced or extra() query is keyed by its whole SQL, as before."""
    query = queryset.query
    if (
        query.distinct
        or query.combinator
        or query.group_by is not None
        or query.is_sliced
        or query.extra
        or query.extra_tables
        or any(getattr(a, "contains_aggregate", False) for a in query.annotation_select.values())
    ):
        return str(query)
    compiler = query.get_compiler(queryset.db)
    try:
        where, params = compiler.compile(query.where)
    except FullResultSet:
        where, params = "", ()
    joins = [
        (alias, getattr(join, "join_type", None), str(join.identity))
        for alias, join in query.alias_map.items()
    ]
    return f"{query.model._meta.label}|{joins}|{where}|{params!r}"


def _positive_int(request, name, default, maximum=None):
    raw = request.query_params.get(name)
    if raw is None:
        return default
    try:
        number = int(raw)
    except ValueError:
        number = None
    if number is None or number < 1 or (maximum is not None and number > maximum):
        allowed = f"between 1 and {maximum}" if maximum else "from 1 up"
        raise exceptions.ValidationError(
            {name: [f"“{raw[:50]}” is not allowed: give a whole number {allowed}."]}
        )
    return number


class Pagination(PageNumberPagination):
    """Numbered pages of at most MAX_PAGE_SIZE rows; bad `page`/`page_size` values are 400s.

    DRF would quietly fall back to the default size for `page_size=abc`; an analyst's
    script would then miss rows without noticing, so the value is validated instead.

    Or pages by keyset (issue 19): `?cursor` (no value) is the first page, and then
    `next`/`previous` and the Link header carry `cursor=<opaque>` addresses. A cursor
    page starts at the last row's position in the list's ordering (igr.lib.keyset)
    instead of an OFFSET, so the ten-thousandth page costs what the first does, and a
    write between two requests neither repeats nor skips a row. `count` and
    X-Total-Count stay (the count is cached, CachedCountPaginator).
    """

    page_size_query_param = "page_size"
    cursor_query_param = "cursor"
    max_page_size = MAX_PAGE_SIZE
    django_paginator_class = CachedCountPaginator
    keyset_page = None

    def get_page_size(self, request):
        return _positive_int(request, "page_size", self.page_size, self.max_page_size)

    def paginate_queryset(self, queryset, request, view=None):
        self._choose_page(queryset, request)
        if self.keyset_page is not None:
            return list(self.keyset_page.rows(queryset))
        return list(self.page)

    def paginate_values(self, queryset, request, plan, context):
        """The page's rows as the serializer would represent them, read with `plan`
        (igr.api.values) from the same rows paginate_queryset would load."""
        self._choose_page(queryset, request)
        if self.keyset_page is not None:
            # The page's ids are read already (igr.lib.keyset.read_page).
            page = self.keyset_page
            rows = queryset if plan.reads_by_ids(queryset) else page.rows(queryset)
            return plan.rows(rows, context, ids=page.pks)
        page = self.page
        listed = page.paginator.object_list
        if page.ids is not None and plan.reads_by_ids(listed):
            # The rows are read by the page's ids alone; the page's queryset is not built.
            return plan.rows(listed, context, ids=page.ids)
        return plan.rows(page.object_list, context, ids=page.ids)

    def _choose_page(self, queryset, request):
        self.request = request
        cursor = request.query_params.get(self.cursor_query_param)
        if cursor is not None:
            return self._choose_keyset_page(queryset, request, cursor)
        page = _positive_int(request, self.page_query_param, 1)
        if isinstance(queryset, QuerySet):
            queryset = totally_ordered(queryset)
        paginator = self.django_paginator_class(queryset, self.get_page_size(request))
        if page > max(paginator.num_pages, 1):
            raise exceptions.NotFound(
                {
                    self.page_query_param: [
                        f"There is no page {page}; the last is {paginator.num_pages}."
                    ]
                }
            )
        # Lazy: Django's Page holds the page's queryset until something iterates it.
        self.page = paginator.page(page)

    def _choose_keyset_page(self, queryset, request, cursor):
        def refuse(message, code="invalid_cursor"):
            detail = exceptions.ErrorDetail(message, code=code)
            raise exceptions.ValidationError({self.cursor_query_param: [detail]})

        if self.page_query_param in request.query_params:
            refuse(
                f"Give `{self.page_query_param}` or `{self.cursor_query_param}`, not both: "
                f"a cursor says where its page starts.",
                code="cursor_with_page",
            )
        size = self.get_page_size(request)
        if not isinstance(queryset, QuerySet):
            refuse("This list pages by `page` only.")
        try:
            keyset = Keyset(queryset)
            self.keyset_page = read_page(queryset, size, cursor or None, keyset)
        except UnsupportedOrdering:
            refuse("This list's ordering cannot be paged by cursor; use `page`.")
        except InvalidCursor as error:
            refuse(str(error))
        # The same count, and the same cache entry, as the numbered pages'.
        self.count = self.django_paginator_class(queryset, size).count

    def get_next_link(self):
        if self.keyset_page is not None:
            return self._cursor_link(self.keyset_page.next)
        return super().get_next_link()

    def get_previous_link(self):
        if self.keyset_page is not None:
            return self._cursor_link(self.keyset_page.previous)
        return super().get_previous_link()

    def _cursor_link(self, cursor):
        if cursor is None:
            return None
        # Asked twice a link (the body's `next`/`previous` and the Link header).
        links = self.__dict__.setdefault("_cursor_links", {})
        if cursor not in links:
            url = remove_query_param(self.request.build_absolute_uri(), self.page_query_param)
            links[cursor] = replace_query_param(url, self.cursor_query_param, cursor)
        return links[cursor]

    def get_paginated_response(self, data):
        if self.keyset_page is not None:
            response = Response(
                {
                    "count": self.count,
                    "next": self.get_next_link(),
                    "previous": self.get_previous_link(),
                    "results": data,
                }
            )
            count = self.count
        else:
            response = super().get_paginated_response(data)
            count = self.page.paginator.count
        # A Link header lets CSV clients, which cannot see `next` in the body, page on.
        links = [
            f'<{url}>; rel="{rel}"'
            for rel, url in (("next", self.get_next_link()), ("prev", self.get_previous_link()))
            if url
        ]
        if links:
            response["Link"] = ", ".join(links)
        response["X-Total-Count"] = str(count)
        return response

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        if getattr(view, "cursor_paging", True):
            parameters.append(
                {
                    "name": self.cursor_query_param,
                    "required": False,
                    "in": "query",
                    "description": CURSOR,
                    "schema": {"type": "string"},
                }
            )
        for parameter in parameters:
            if parameter["name"] == self.cursor_query_param:
                continue
            parameter["schema"]["minimum"] = 1
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"]["maximum"] = self.max_page_size
                parameter["description"] = (
                    f"Rows per page, 1 to {self.max_page_size} (default {self.page_size})."
                )
        return parameters

    def get_paginated_response_schema(self, schema):
        response = super().get_paginated_response_schema(schema)
        properties = response["properties"]
        for name, text in PAGE_FIELDS.items():
            if name in properties:
                properties[name]["description"] = text
        return response


CURSOR = (
    "Page by keyset instead of by `page` number: `cursor` with no value is the first "
    "page, and each answer's `next` and `previous` (and Link header) carry the cursor "
    "of the page either side. A cursor page costs the same however deep it is, and "
    "rows added or removed between requests are neither repeated nor skipped. Keep the "
    "other parameters (filters, `ordering`) as they were: a cursor belongs to its "
    "list's ordering. Not with `page`."
)

PAGE_FIELDS = {
    "count": "How many records the filters match in all (also the X-Total-Count header).",
    "next": "Address of the next page (by `page` number, or by `cursor` when the request "
    "gave one); null on the last (also the Link header).",
    "previous": "Address of the previous page, as `next`; null on the first.",
    "results": "This page's records.",
}

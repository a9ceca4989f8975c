"""Queries compiled once per process and shape, then run with each request's values.

Building a queryset and compiling it is Python work that grows with the expression: a
site search compiled about 25 queries, each with weighted full-text vectors of several
`setweight(to_tsvector(COALESCE(…)))` terms, and that compilation was the largest part
of the request (docs/benchmarks.md, "Search"). Here a query is built once with sentinel
values in place of the request's (the search text, a forum, dates, ids), compiled, and
its SQL kept under a key naming everything else its SQL depends on (the caller's
"shape"); later requests of the same shape run that SQL with their own values swapped in
at the sentinels' parameter positions. The SQL is the one Django would compile for those
values (tests/search/test_search.py compares the two), and the rows are read as Django
reads them: the compiled query's converters, and for model instances its select and
select_related layout.

A sentinel must appear among the compiled parameters as itself (a value Django passes
through unchanged); if one does not, if some other parameter equals one, or if a date or
time is among the parameters other than a sentinel's (today's date, built into a
"current" or "overdue" filter, would be wrong tomorrow), the shape is not kept and the
query runs through the ORM each time, as it would without this module.
"""

import datetime

from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models.query import get_related_populators

from igr.lib.prepared import load_timestamps_in_c

#: Off, every query is built and compiled by the ORM for each request (for comparison).
ENABLED = True

#: Shapes kept at most; past it new shapes run through the ORM (a bound on memory, far
#: above what the site search's kinds, filters and page sizes can make).
MAX_SHAPES = 5_000

_SHAPES: dict = {}
_UNCACHEABLE = object()


def rows(key, build, swaps, *, using, wrap=None) -> list[tuple]:
    """The rows of `build(values)`, a values_list() queryset, as tuples. `swaps` is
    {name: (sentinel, value)}; `build` is given {name: sentinel} (to compile the shape)
    or {name: value} (when the shape is not kept), so the same function builds both. A
    name starting with "_" is given to `build` but is no parameter itself (the text the
    parameters are derived from, say). The key, with the names, says which shape; a
    key of None compiles nothing and runs the ORM's query.

    `wrap`, a function of the compiled SQL giving the SQL to run in its place (a query
    reading the compiled one as a subquery, with no parameters of its own), must be the
    same for every request of the key; the rows are then the wrapping query's, as the
    database driver gives them (no field converters)."""
    shape = _shape(key, build, swaps, using, wrap)
    if shape is None:
        queryset = build(_values(swaps, 1))
        if wrap is None:
            return list(queryset)
        try:
            sql, params = queryset.query.get_compiler(using=using).as_sql()
        except EmptyResultSet:
            return []
        with connections[using].cursor() as cursor:
            cursor.execute(wrap(sql), params)
            return cursor.fetchall()
    compiler, found = _run(shape, swaps, using)
    if wrap is not None:
        return found
    return list(compiler.results_iter([found], tuple_expected=True))


def instances(key, build, swaps, *, using) -> list:
    """The model instances of `build(values)`, a queryset of models (select_related and
    annotations included), as its ModelIterable would give them."""
    shape = _shape(key, build, swaps, using)
    if shape is None:
        return list(build(_values(swaps, 1)))
    compiler, found = _run(shape, swaps, using)
    return _instances(compiler, found, using)


def instances_many(reads, *, using) -> list[list]:
    """`instances` of each (key, build, swaps) in `reads`, all sent in one round trip on
    PostgreSQL: the statements joined by ";" in one execute (parameters bound on the
    client, as Django's cursors bind them), each result read in turn. A read whose shape
    is not kept is compiled by the ORM for its own values and sent in the batch too, so
    the statements are the same either way. Elsewhere, one query per read."""
    connection = connections[using]
    if connection.vendor != "postgresql":
        return [instances(key, build, swaps, using=using) for key, build, swaps in reads]
    batch, found = [], [[] for _read in reads]
    for number, (key, build, swaps) in enumerate(reads):
        shape = _shape(key, build, swaps, using)
        if shape is None:
            compiler = build(_values(swaps, 1)).query.get_compiler(using=using)
            try:
                sql, params = compiler.as_sql()
            except EmptyResultSet:
                continue
            params = list(params)
        else:
            sql, params, slots, compiler = shape
            params = _swapped(params, slots, swaps)
        batch.append((number, sql, params, compiler))
    if batch:
        with connection.cursor() as cursor:
            load_timestamps_in_c(cursor, connection)
            cursor.execute(
                "; ".join(sql for _number, sql, _params, _compiler in batch),
                [param for _number, _sql, params, _compiler in batch for param in params],
            )
            for position, (number, _sql, _params, compiler) in enumerate(batch):
                if position:
                    cursor.nextset()
                found[number] = _instances(compiler, cursor.fetchall(), using)
    return found


def _instances(compiler, found, using) -> list:
    select, klass_info, annotation_col_map = (
        compiler.select,
        compiler.klass_info,
        compiler.annotation_col_map,
    )
    model_cls = klass_info["model"]
    select_fields = klass_info["select_fields"]
    start, end = select_fields[0], select_fields[-1] + 1
    init_list = [column[0].target.attname for column in select[start:end]]
    related_populators = get_related_populators(klass_info, select, using)
    objects = []
    for row in compiler.results_iter([found]):
        obj = model_cls.from_db(using, init_list, row[start:end])
        for populator in related_populators:
            populator.populate(row, obj)
        for name, position in (annotation_col_map or {}).items():
            setattr(obj, name, row[position])
        objects.append(obj)
    return objects


def statement(key, build, swaps, *, using):
    """(sql, params) of `build(values)` with this request's values, from the shape
    compiled once; None when the shape is not kept (the caller then runs the ORM's
    query). For a caller that reads the rows itself, or runs the SQL inside another."""
    shape = _shape(key, build, swaps, using)
    if shape is None:
        return None
    sql, params, slots, _compiler = shape
    return sql, _swapped(params, slots, swaps)


def _values(swaps, which):
    return {name: pair[which] for name, pair in swaps.items()}


def _shape(key, build, swaps, using, wrap=None):
    """(sql, params, slots, compiler) for the key, compiled now if new; None when the
    shape cannot be kept (or ENABLED is off)."""
    if not ENABLED or key is None:
        return None
    key = (using, key, tuple(swaps))
    shape = _SHAPES.get(key)
    if shape is None:
        if len(_SHAPES) >= MAX_SHAPES:
            return None
        shape = _compiled(build, swaps, using, wrap)
        _SHAPES[key] = shape
    return None if shape is _UNCACHEABLE else shape


def _compiled(build, swaps, using, wrap=None):
    queryset = build(_values(swaps, 0))
    names = [name for name in swaps if not name.startswith("_")]
    sentinels = [swaps[name][0] for name in names]
    if queryset._known_related_objects or queryset._prefetch_related_lookups:
        return _UNCACHEABLE
    compiler = queryset.query.get_compiler(using=using)
    try:
        sql, params = compiler.as_sql()
    except EmptyResultSet:
        return _UNCACHEABLE
    params = tuple(params)
    slots = []
    for position, param in enumerate(params):
        matches = [n for n, sentinel in enumerate(sentinels) if _same(param, sentinel)]
        if len(matches) > 1:
            return _UNCACHEABLE
        if matches:
            slots.append((position, names[matches[0]]))
    if {name for _position, name in slots} != set(names):
        return _UNCACHEABLE
    taken = {position for position, _name in slots}
    if any(isinstance(param, datetime.date) for n, param in enumerate(params) if n not in taken):
        # A date or time the query was built with rather than given (today's, say, for
        # "current" or "overdue"): the same shape tomorrow would need another.
        return _UNCACHEABLE
    if wrap is not None:
        sql = wrap(sql)
    return sql, params, slots, compiler


def _same(param, sentinel) -> bool:
    return type(param) is type(sentinel) and param == sentinel


def _swapped(params, slots, swaps) -> list:
    params = list(params)
    for position, name in slots:
        params[position] = swaps[name][1]
    return params


def _run(shape, swaps, using):
    sql, params, slots, compiler = shape
    params = _swapped(params, slots, swaps)
    with connections[using].cursor() as cursor:
        cursor.execute(sql, params)
        found = cursor.fetchall()
    return compiler, found

"""Statements PostgreSQL parses and plans once per connection, then only executes.

Django's own cursors bind parameters on the client and never prepare, so that
connection poolers in transaction mode work. For a read the same on every request
save its values, compiling it in Django and planning it in PostgreSQL cost more than
running it (docs/benchmarks.md); these helpers compile such a read once per process and
have PostgreSQL prepare it once per connection. A deployment behind a pooler that does
not track prepared statements turns them off with DB_PREPARED_STATEMENTS=false
(docs/deployment.md), and every helper here then runs Django's ordinary path.
"""

import datetime
import functools

from django.conf import settings
from django.db import connections

#: Stands for the looked-up value while a statement is compiled; never sent.
_PLACEHOLDER = "\x00igr.lib.prepared placeholder\x00"


def prepared_cursor(connection):
    """A cursor whose statements PostgreSQL prepares: parsed and planned once per
    connection and statement, then only executed (psycopg's prepared statements, with
    server-side parameters). Off (Django's ordinary cursor) with
    DB_PREPARED_STATEMENTS=false; PgBouncer 1.21 and later tracks them
    (`max_prepared_statements`).

    Wrapped as Django wraps its own cursors, so the statement is logged, counted in
    tests and passes through execute_wrappers like any other."""
    connection.ensure_connection()
    if not preparing():
        return connection.cursor()
    connection.validate_thread_sharing()
    _generic_plans(connection)
    preparing_class, logged = _cursor_classes()
    cursor = preparing_class(connection.connection)
    if connection.queries_logged:
        return logged(cursor, connection)
    return connection.make_cursor(cursor)


def _generic_plans(connection):
    """Have PostgreSQL keep one generic plan for each of these statements on this
    connection. By default it plans a statement afresh for its values whenever the
    generic plan looks dearer than a custom one, which it does for a page of one row
    (the generic plan is costed for ten ids): about 2 ms of planning on every record's
    read, the cost preparing is there to save. Only these statements are prepared
    (Django's own are bound on the client), so no other query is affected.

    Set once per database connection, on psycopg's connection directly (not counted
    as one of a request's queries). Inside a transaction that rolls back the setting
    is undone; statements then plan as PostgreSQL chooses, which changes their cost and
    never their rows."""
    raw = connection.connection
    if getattr(connection, "_generic_plans_for", None) is not raw:
        raw.execute("SET plan_cache_mode = force_generic_plan")
        connection._generic_plans_for = raw


def preparing() -> bool:
    return getattr(settings, "DB_PREPARED_STATEMENTS", True)


@functools.cache
def _cursor_classes():
    from django.db.backends.postgresql.base import ServerBindingCursor
    from django.db.backends.utils import CursorDebugWrapper, CursorWrapper

    class PreparingCursor(ServerBindingCursor):
        def execute(self, query, params=None, *, prepare=None, binary=None):
            return super().execute(query, params, prepare=True, binary=binary)

    class LoggedCursor(CursorDebugWrapper):
        """Logs the statement with its values in place, as Django logs its own (psycopg
        keeps no text of a prepared statement's execution to read back)."""

        def execute(self, sql, params=None):
            with self.debug_sql(self.db.ops.compose_sql(sql, params)):
                return CursorWrapper.execute(self, sql, params)

    return PreparingCursor, LoggedCursor


class PreparedGet:
    """`queryset.get(<field>=value)` for one unique field, as a statement compiled once
    per process and prepared once per connection: the same row, built into the same
    model instance, as QuerySet.get gives, for a fraction of its cost (a slug filter's
    lookup took a millisecond of an API list request, nearly all of it Django
    building and compiling the query).

    `key` names the queryset's rows: two querysets given the same key must select the
    same rows in the same way, whatever their values, since the statement compiled for
    the first serves both. Only plain querysets qualify (no select_related,
    annotations, deferred fields or combinators) and a unique text field (a slug);
    anything else, or a database that is not PostgreSQL with prepared statements on, goes
    through QuerySet.get."""

    def __init__(self):
        self._templates = {}

    def get(self, queryset, key, field, value):
        template = self._template(queryset, key, field)
        if template is None:
            return queryset.get(**{field: value})
        sql, params, position, names, converters = template
        alias = queryset.db
        connection = connections[alias]
        params = list(params)
        params[position] = value
        with prepared_cursor(connection) as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        if not rows:
            raise queryset.model.DoesNotExist(
                f"{queryset.model._meta.object_name} matching query does not exist."
            )
        (row,) = rows  # the field is unique
        row = list(row)
        for index, functions, expression in converters:
            for function in functions:
                row[index] = function(row[index], expression, connection)
        return queryset.model.from_db(alias, names, row)

    def _template(self, queryset, key, field):
        alias = queryset.db
        if connections[alias].vendor != "postgresql" or not preparing():
            return None
        cache_key = (key, field, alias)
        if cache_key in self._templates:
            return self._templates[cache_key]
        self._templates[cache_key] = template = self._compile(queryset, field)
        return template

    @staticmethod
    def _compile(queryset, field):
        model = queryset.model
        query = queryset.query
        model_field = model._meta.get_field(field)
        if (
            not model_field.unique
            or model_field.get_internal_type() not in ("CharField", "SlugField", "TextField")
            or query.select_related
            or query.annotations
            or query.deferred_loading != (frozenset(), True)
            or query.combinator
            or query.distinct
            or query.is_sliced
            or query.extra
        ):
            return None
        # As QuerySet.get: the filter, no ordering (a unique field has one row).
        compiled = queryset.filter(**{field: _PLACEHOLDER}).order_by()
        compiler = compiled.query.get_compiler(queryset.db)
        sql, params = compiler.as_sql()
        positions = [i for i, param in enumerate(params) if param == _PLACEHOLDER]
        columns = [expression for expression, _, _ in compiler.select]
        if len(positions) != 1 or compiler.klass_info is None:
            return None
        names = [model_field.attname for model_field in model._meta.concrete_fields]
        selected = [getattr(column, "target", None) for column in columns]
        if [getattr(target, "attname", None) for target in selected] != names:
            return None  # not every concrete column in model order: Django's path
        converters = [
            (index, functions, expression)
            for index, (functions, expression) in compiler.get_converters(columns).items()
        ]
        return sql, tuple(params), positions[0], names, converters


prepared_get = PreparedGet().get


def load_timestamps_in_c(cursor, connection):
    """Read this cursor's timestamptz columns with psycopg's own (compiled) loader rather
    than Django's, a Python subclass that parses each value in Python (three a row of
    commitments) to give it the connection's time zone. Only where the two agree: with
    time zone support on and the connection in UTC (Django's default), psycopg's loader
    gives the same aware datetime, datetime.timezone.utc included."""
    if connection.vendor != "postgresql" or connection.timezone is not datetime.UTC:
        return
    if connection.timezone_name != "UTC":
        return
    raw = getattr(cursor, "cursor", None)
    if raw is not None and hasattr(raw, "adapters"):
        raw.adapters.register_loader("timestamptz", _psycopg_timestamptz_loader())


@functools.cache
def _psycopg_timestamptz_loader():
    from psycopg import adapters
    from psycopg.pq import Format

    return adapters.get_loader(adapters.types["timestamptz"].oid, Format.TEXT)

"""Caches keyed by a fingerprint of the record's data, so any write anywhere invalidates
every cached count and aggregate at once, in every process."""

import functools
import hashlib

from django.apps import apps
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import EmptyResultSet
from django.db import connections, router
from django.db import models as db_models
from django.utils import timezone

from igr.lib.dbstate import database_identity, database_state

# --- caching --------------------------------------------------------------------------
#
# Every aggregate below reads most of the big tables, so its result is cached (Django's
# cache: Redis when REDIS_URL is set, per-process memory otherwise). The key carries a
# fingerprint of the data, so any write anywhere invalidates every cached aggregate at
# once, in every process, whoever made the write (admin, API, a command, a shell): no
# signals to forget and no stale figure after an edit. AGGREGATE_CACHE_SECONDS (default
# 300; 0 turns caching off) only bounds how long unused entries stay in the cache.

#: Apps whose tables the derived views read.
_DATA_APPS = ("authorities", "forums")


def _record_model():
    """Any model of the record, for the database router to choose a connection by."""
    return next(iter(apps.get_app_config(_DATA_APPS[-1]).get_models()))


@functools.cache
def _fingerprint_sql(vendor) -> str:
    """One SELECT of scalar subqueries, each answered from an index: per table the
    highest primary key (inserts; on a history table, every save and delete, since
    django-simple-history writes a row for each) and the latest updated_at (edits)."""
    from django.db import connection

    quote = connection.ops.quote_name

    def newest(column, table):
        # MAX(column), spelt as the index walk the planner would turn it into: planning
        # each MAX() subquery as an aggregate, then as an index walk, was most of this
        # query's time on PostgreSQL; this form plans faster and returns the same values.
        column = quote(column)
        return (
            f"(SELECT {column} FROM {table} WHERE {column} IS NOT NULL"
            f" ORDER BY {column} DESC LIMIT 1)"
        )

    parts = []
    for model in apps.get_models(include_auto_created=True):
        if model._meta.app_label not in _DATA_APPS or not model._meta.managed:
            continue
        table = quote(model._meta.db_table)
        parts.append(newest(model._meta.pk.column, table))
        is_history = model._meta.pk.name == "history_id"
        if not is_history and any(f.name == "updated_at" for f in model._meta.concrete_fields):
            parts.append(newest("updated_at", table))
    return "SELECT " + ", ".join(parts)


def data_fingerprint() -> str:
    """A short hash that changes whenever a row of the record is added, edited or deleted
    through the ORM (saves touch updated_at; deletes leave a history row).

    The query behind it (one subquery per table) was a fifth of an API list request
    (docs/benchmarks.md). On PostgreSQL outside a transaction the fingerprint is
    remembered per database state (igr.lib.dbstate, one cheap query): it cannot
    change while no transaction commits, and any commit moves the state, so it is worked
    out again once per committed write rather than on every request. A write outside
    the record (a session, a sign-in) moves the state but not the fingerprint, so the
    aggregates cached under it stay cached."""
    # The same database the aggregate's own queries will read (the replica, if routed).
    connection = connections[router.db_for_read(_record_model())]
    state = database_state(connection.alias)
    if state is None:
        return _query_fingerprint(connection)
    key = (
        "fingerprint:"
        + hashlib.blake2b(
            f"{database_identity(connection.alias)}|{state}".encode(), digest_size=16
        ).hexdigest()
    )
    # Worked out after reading the state, so of that state or a later one; a later one
    # is never asked for under this key by a request that began after the commit.
    timeout = getattr(settings, "AGGREGATE_CACHE_SECONDS", 300) or 300
    return cache.get_or_set(key, lambda: _query_fingerprint(connection), timeout)


def _query_fingerprint(connection) -> str:
    with connection.cursor() as cursor:
        cursor.execute(_fingerprint_sql(connection.vendor))
        row = cursor.fetchone()
    return hashlib.blake2b(repr(row).encode(), digest_size=12).hexdigest()


def _key_part(value) -> str:
    if isinstance(value, db_models.Model):
        return f"{value._meta.label}:{value.pk}"
    if isinstance(value, db_models.QuerySet):
        try:
            return str(value.query)
        except EmptyResultSet:  # .none(), e.g. a list page whose filters are invalid
            return f"{value.model._meta.label}:none"
    return repr(value)


def cached_aggregate(function):
    """Cache an aggregate per arguments, today's date and the data fingerprint."""

    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        timeout = getattr(settings, "AGGREGATE_CACHE_SECONDS", 300)
        if not timeout:
            return function(*args, **kwargs)
        parts = [function.__name__, timezone.localdate().isoformat(), data_fingerprint()]
        parts += [_key_part(a) for a in args]
        parts += [f"{k}={_key_part(v)}" for k, v in sorted(kwargs.items())]
        key = "aggregate:" + hashlib.blake2b("|".join(parts).encode(), digest_size=16).hexdigest()
        result = cache.get(key)
        if result is None:
            result = function(*args, **kwargs)
            cache.set(key, result, timeout)
        return result

    return wrapper

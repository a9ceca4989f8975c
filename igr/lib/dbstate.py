"""The database's present state as a value that moves on with every committed write."""

from django.db import connections


def database_state(alias):
    """A value that changes whenever any transaction that wrote anything commits, or None
    where there is no such value.

    PostgreSQL's current snapshot (`xmin:xmax:in-progress ids`) moves on when a
    transaction is given an id (its first write of any kind: save(), QuerySet.update(),
    raw SQL, another program) and again when that transaction ends, and never comes
    back to an earlier value. So an answer computed in one state is still the answer in
    that state, whatever wrote. Inside a transaction (tests, a view in atomic()) this
    connection's own uncommitted writes do not move it: no value then. One cheap query."""
    connection = connections[alias]
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_current_snapshot()::text")
        return cursor.fetchone()[0]


def database_identity(alias) -> str:
    """Which database an alias reaches, for cache keys shared between processes (two
    databases on one server have unrelated snapshots)."""
    settings = connections[alias].settings_dict
    return f"{settings.get('HOST') or ''}:{settings.get('PORT') or ''}/{settings.get('NAME')}"

"""Migration operations for the search's PostgreSQL-only indexes (igr.fulltext).

Each is plain SQL run on PostgreSQL and skipped elsewhere: SQLite (local runs) has no GIN
index, no tsvector and no pg_trgm, and its search is the substring fallback. They change
no model state, so `makemigrations` sees nothing and SQLite's table rebuilds never try to
recreate them.
"""

from django.db import migrations


class PostgreSQLOnly(migrations.RunSQL):
    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)


def vector_sql(spec) -> str:
    """The SQL of igr.fulltext.vector(spec): the two must mean the same, or PostgreSQL
    cannot use the index (tests/perf/test_explain.py checks it is used)."""
    return " || ".join(
        f"setweight(to_tsvector('english'::regconfig, COALESCE({column}, '')), '{weight}')"
        for column, weight in spec
    )


def search_index(table, spec):
    """An expression GIN index on the table's weighted tsvector: `<table>_search_idx`."""
    name = f"{table}_search_idx"
    return PostgreSQLOnly(
        f"CREATE INDEX {name} ON {table} USING gin (({vector_sql(spec)}))",
        f"DROP INDEX IF EXISTS {name}",
        elidable=False,
    )


def trigram_index(table, column):
    """A pg_trgm GIN index on a name, for "did you mean" (the `%` operator reads it)."""
    name = f"{table}_{column}_trgm_idx"
    return PostgreSQLOnly(
        f"CREATE INDEX {name} ON {table} USING gin ({column} gin_trgm_ops)",
        f"DROP INDEX IF EXISTS {name}",
        elidable=False,
    )

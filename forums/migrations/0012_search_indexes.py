"""Expression GIN indexes for the full-text search (igr.fulltext), PostgreSQL only.

Nothing is stored per row: the index holds each row's weighted tsvector and PostgreSQL
keeps it current on every write, so no write path has an extra step.
"""

from django.db import migrations


# The expression must be the one igr.fulltext.vector() builds from the FilterSet's
# `search_vector`, character for character in meaning, or PostgreSQL cannot use the
# index for the search (tests/perf/test_explain.py checks it is used). Written out
# here, not imported, so the migration stays what it was when it ran.
def _vector_sql(spec):
    return " || ".join(
        f"setweight(to_tsvector('english'::regconfig, COALESCE({column}, '')), '{weight}')"
        for column, weight in spec
    )


def _create(table, spec):
    def forwards(apps, schema_editor):
        # SQLite (local runs) has no GIN index; its search is a plain substring match.
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(
                f"CREATE INDEX {table}_search_idx ON {table} USING gin (({_vector_sql(spec)}))"
            )

    def backwards(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(f"DROP INDEX IF EXISTS {table}_search_idx")

    return migrations.RunPython(forwards, backwards, elidable=False)


def _create_trigram(table, column):
    """A pg_trgm index on a name, for "did you mean" (the `%` operator reads it)."""
    name = f"{table}_{column}_trgm_idx"

    def forwards(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(
                f"CREATE INDEX {name} ON {table} USING gin ({column} gin_trgm_ops)"
            )

    def backwards(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(f"DROP INDEX IF EXISTS {name}")

    return migrations.RunPython(forwards, backwards, elidable=False)


class Migration(migrations.Migration):
    dependencies = [("forums", "0011_status_change_void"), ("authorities", "0006_search_indexes")]

    operations = [
        _create("forums_forum", (("name", "A"), ("short_name", "A"), ("purpose", "B"))),
        _create("forums_meeting", (("summary", "B"), ("location", "C"))),
        _create("forums_agendaitem", (("title", "A"), ("description", "B"), ("outcome", "B"))),
        _create("forums_document", (("title", "A"), ("text", "C"))),
        _create("forums_commitment", (("title", "A"), ("text", "B"))),
        _create("forums_recommendation", (("title", "A"), ("summary", "B"))),
        _create_trigram("forums_forum", "name"),
        _create("forums_source", (("title", "A"), ("publisher", "B"), ("quote", "C"))),
    ]

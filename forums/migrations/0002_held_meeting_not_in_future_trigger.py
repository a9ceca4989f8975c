"""Guard in the database: a meeting marked held cannot be dated in the future.

A CHECK constraint cannot do this (SQLite forbids the current date in CHECK
expressions), so each backend gets a trigger. The database compares against
tomorrow's UTC date so that a meeting held just after midnight in London during
British Summer Time is not refused; Meeting.clean() applies the exact rule in
Europe/London with a friendly message.
"""

from django.db import migrations

SQLITE_FORWARD = [
    f"""
    CREATE TRIGGER forums_meeting_held_not_future_{op}
    BEFORE {op.upper()} ON forums_meeting
    FOR EACH ROW WHEN NEW.status = 'held' AND NEW.date > date('now', '+1 day')
    BEGIN
        SELECT RAISE(ABORT, 'CHECK constraint failed: meeting_held_not_in_future');
    END;
    """
    for op in ("insert", "update")
]
SQLITE_REVERSE = [
    f"DROP TRIGGER IF EXISTS forums_meeting_held_not_future_{op};" for op in ("insert", "update")
]

POSTGRES_FORWARD = [
    """
    CREATE OR REPLACE FUNCTION forums_meeting_held_not_future() RETURNS trigger AS $$
    BEGIN
        IF NEW.status = 'held' AND NEW.date > (now() AT TIME ZONE 'UTC')::date + 1 THEN
            RAISE EXCEPTION 'meeting_held_not_in_future: a held meeting cannot be dated in the future'
                USING ERRCODE = 'check_violation';
        END IF;
        RETURN NEW;
    END;
    $$ LANGUAGE plpgsql;
    """,
    """
    CREATE TRIGGER forums_meeting_held_not_future
    BEFORE INSERT OR UPDATE ON forums_meeting
    FOR EACH ROW EXECUTE FUNCTION forums_meeting_held_not_future();
    """,
]
POSTGRES_REVERSE = [
    "DROP TRIGGER IF EXISTS forums_meeting_held_not_future ON forums_meeting;",
    "DROP FUNCTION IF EXISTS forums_meeting_held_not_future();",
]


def forward(apps, schema_editor):
    statements = {"sqlite": SQLITE_FORWARD, "postgresql": POSTGRES_FORWARD}.get(
        schema_editor.connection.vendor, []
    )
    for statement in statements:
        schema_editor.execute(statement)


def reverse(apps, schema_editor):
    statements = {"sqlite": SQLITE_REVERSE, "postgresql": POSTGRES_REVERSE}.get(
        schema_editor.connection.vendor, []
    )
    for statement in statements:
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("forums", "0001_forums_meetings_commitments_sources")]

    operations = [migrations.RunPython(forward, reverse)]

"""Backups restore every record: pg_dump/pg_restore on PostgreSQL, dumpdata/loaddata on
SQLite (the commands in docs/operations.md), compared table by table."""

import json
import os
import subprocess
import uuid

import psycopg
import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import connection

from authorities.roles import sync_roles
from tests.production.conftest import manage, on_postgresql, production_env
from tests.worlds import build_page_world


def every_table():
    """Each model's table, with the many-to-many tables and the history tables."""
    tables = set()
    for model in apps.get_models(include_auto_created=True):
        tables.add(model._meta.db_table)
    return sorted(tables)


def counts(cursor, tables):
    result = {}
    for table in tables:
        cursor.execute(f'SELECT count(*) FROM "{table}"')
        result[table] = cursor.fetchone()[0]
    return result


@pytest.fixture
def world(transactional_db, django_user_model):
    # Earlier transactional tests flush the database, taking the staff groups the
    # migrations made; a real database has them, and `migrate` on the restore target
    # makes them again, so they must be in the "before" counts too.
    sync_roles()
    django_user_model.objects.create_user("backup-clerk", password="a-long-passphrase-1")
    return build_page_world()


@on_postgresql
def test_pg_dump_and_pg_restore_keep_every_record(world, tmp_path):
    settings = connection.settings_dict
    env = {**os.environ, "PGPASSWORD": settings["PASSWORD"] or ""}
    target = ["-h", settings["HOST"] or "127.0.0.1", "-p", str(settings["PORT"] or 5432)]
    target += ["-U", settings["USER"] or "postgres"]
    dump = tmp_path / "igr.dump"
    restored = f"igr_restore_{uuid.uuid4().hex[:12]}"

    tables = every_table()
    with connection.cursor() as cursor:
        before = counts(cursor, tables)
    assert before["forums_meeting"] >= 2 and before["forums_historicalmeeting"] >= 2

    subprocess.run(
        ["pg_dump", *target, "--format=custom", f"--file={dump}", settings["NAME"]],
        check=True,
        env=env,
    )
    subprocess.run(["createdb", *target, restored], check=True, env=env)
    try:
        subprocess.run(
            ["pg_restore", *target, "--no-owner", "--exit-on-error", f"--dbname={restored}", dump],
            check=True,
            env=env,
        )
        with psycopg.connect(
            host=settings["HOST"] or "127.0.0.1",
            port=settings["PORT"] or 5432,
            user=settings["USER"] or "postgres",
            password=settings["PASSWORD"] or None,
            dbname=restored,
        ) as restored_db:
            after = counts(restored_db.cursor(), tables)
    finally:
        subprocess.run(["dropdb", *target, "--if-exists", restored], check=True, env=env)
    assert after == before
    print("pg_restore counts:", {t: n for t, n in after.items() if n})


COUNT_SCRIPT = """
import json
from django.apps import apps
from django.db import connection
with connection.cursor() as cursor:
    out = {}
    for model in apps.get_models(include_auto_created=True):
        cursor.execute(f'SELECT count(*) FROM "{model._meta.db_table}"')
        out[model._meta.db_table] = cursor.fetchone()[0]
print(json.dumps(out))
"""


@pytest.mark.skipif(
    connection.vendor != "sqlite", reason="the SQLite backup procedure; PostgreSQL has its own"
)
def test_dumpdata_and_loaddata_keep_every_record(world, tmp_path):
    tables = every_table()
    with connection.cursor() as cursor:
        before = counts(cursor, tables)
    assert before["forums_meeting"] >= 2 and before["forums_historicalmeeting"] >= 2

    dump = tmp_path / "igr.json"
    # The command in docs/operations.md: natural keys, and without the content types and
    # permissions that `migrate` recreates on the new database.
    call_command(
        "dumpdata",
        "--natural-foreign",
        "--natural-primary",
        "--exclude=contenttypes",
        "--exclude=auth.permission",
        f"--output={dump}",
        verbosity=0,
    )
    env = production_env(DATABASE_URL=f"sqlite:///{tmp_path / 'restored.sqlite3'}")
    for step in (("migrate", "--noinput"), ("loaddata", str(dump))):
        result = manage(*step, env=env)
        assert result.returncode == 0, result.stderr
    result = manage("shell", "--verbosity=0", "-c", COUNT_SCRIPT, env=env)
    assert result.returncode == 0, result.stderr
    after = json.loads(result.stdout)
    assert after == before
    print("loaddata counts:", {t: n for t, n in after.items() if n})

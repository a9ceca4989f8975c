"""The database going away: 503s (page and JSON), never a stack trace, and service again
when it returns; a failed multi-row write leaves nothing behind."""

import contextlib
import json
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

import psycopg
import pytest
from django.db import DatabaseError, OperationalError, connection
from django.db.models.signals import post_save

from forums.models import Commitment, CommitmentStatus, CommitmentStatusChange
from forums.services import record_status_change
from tests.factories import CommitmentFactory, MeetingFactory, SourceFactory
from tests.production.conftest import ROOT, on_postgresql, production_env

# --- the whole app, on both databases -----------------------------------------------------


@pytest.fixture
def unraised_client(client):
    # Answer as the server would, instead of re-raising the view's exception in the test.
    client.raise_request_exception = False
    return client


@pytest.fixture
def database_refuses(monkeypatch):
    from django.db.backends.base.base import BaseDatabaseWrapper

    def refuse(self, *args, **kwargs):
        raise OperationalError("could not connect to server")

    # Every query goes through a cursor; refusing it is the database going away.
    monkeypatch.setattr(BaseDatabaseWrapper, "cursor", refuse)


@pytest.mark.django_db
@pytest.mark.stale_figures  # the database refuses until the fixtures are torn down
def test_a_page_answers_a_503_page_when_the_database_is_gone(unraised_client, database_refuses):
    response = unraised_client.get("/meetings/")
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    html = response.content.decode()
    assert "<h1" in html and "Try again later" in html
    assert "Traceback" not in html and "OperationalError" not in html


@pytest.mark.django_db
@pytest.mark.stale_figures  # the database refuses until the fixtures are torn down
def test_the_api_answers_a_503_in_its_error_shape_when_the_database_is_gone(
    unraised_client, database_refuses
):
    response = unraised_client.get("/api/v1/meetings/")
    assert response.status_code == 503
    assert response.json() == {
        "status": 503,
        "detail": "The service cannot reach its database. Try again shortly.",
        "errors": [],
    }


@pytest.mark.django_db
def test_other_server_errors_stay_500_without_a_trace(unraised_client, monkeypatch):
    from igr import views

    def broken(*args, **kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr(views.aggregates, "coverage", broken)
    response = unraised_client.get("/coverage/")
    assert response.status_code == 500
    assert "a bug" not in response.content.decode()


# --- a failed multi-row write ------------------------------------------------------------


def _status_change_args(commitment, today):
    return {
        "commitment": commitment,
        "new_status": CommitmentStatus.IN_PROGRESS,
        "effective_on": today,
        "note": "Work has begun.",
        "evidence_source": SourceFactory(),
    }


@pytest.fixture
def commitment(transactional_db, today):
    meeting = MeetingFactory(date=today)
    return CommitmentFactory(meeting=meeting)


def _nothing_written(commitment):
    fresh = Commitment.objects.get(pk=commitment.pk)
    assert fresh.status == commitment.status
    assert not CommitmentStatusChange.objects.filter(commitment=commitment).exists()
    assert not CommitmentStatusChange.history.filter(commitment_id=commitment.pk).exists()


def test_status_change_failing_at_its_second_row_writes_neither(commitment, today):
    """record_status_change writes the change, its history row, then the commitment.
    The commitment's update fails: the change and its history must go too."""
    before = commitment.status

    def fail_on_commitment(sender, instance, **kwargs):
        if sender is Commitment:
            raise DatabaseError("disk full")

    post_save.connect(fail_on_commitment, weak=False)
    try:
        with pytest.raises(DatabaseError):
            record_status_change(**_status_change_args(commitment, today))
    finally:
        post_save.disconnect(fail_on_commitment)
    assert commitment.status == before
    _nothing_written(commitment)


@on_postgresql
def test_connection_killed_mid_write_leaves_nothing_half_written(commitment, today):
    """The server kills our connection (pg_terminate_backend) between the first and second
    row of the write: PostgreSQL discards the open transaction."""
    admin = _admin_connection()

    def kill_own_backend(sender, instance, **kwargs):
        if sender is CommitmentStatusChange:
            pid = connection.connection.info.backend_pid
            admin.execute("SELECT pg_terminate_backend(%s)", [pid])

    post_save.connect(kill_own_backend, weak=False)
    try:
        with pytest.raises(DatabaseError):
            record_status_change(**_status_change_args(commitment, today))
    finally:
        post_save.disconnect(kill_own_backend)
        admin.close()
        connection.close()
    _nothing_written(commitment)


# --- a real server, a real outage (PostgreSQL) -----------------------------------------


def _admin_connection():
    settings = connection.settings_dict
    return psycopg.connect(
        host=settings["HOST"] or None,
        port=settings["PORT"] or None,
        user=settings["USER"] or None,
        password=settings["PASSWORD"] or None,
        dbname="postgres",
        autocommit=True,
    )


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _get(url, accept="text/html"):
    """(status, content type, body) — an HTTP error is an answer too; a refused or
    dropped connection raises, and fails the test."""
    request = urllib.request.Request(url, headers={"Accept": accept})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.headers["Content-Type"], response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.headers["Content-Type"], error.read().decode()


@contextlib.contextmanager
def gunicorn(database_name, static_root, log_path):
    """gunicorn with production settings on the test database, keeping its connections
    open between requests (DB_CONN_MAX_AGE), as a busy deployment would."""
    settings = connection.settings_dict
    url = (
        f"postgres://{settings['USER']}:{settings['PASSWORD'] or ''}@"
        f"{settings['HOST'] or '127.0.0.1'}:{settings['PORT'] or 5432}/{database_name}"
    )
    port = _free_port()
    env = production_env(
        DATABASE_URL=url,
        DB_CONN_MAX_AGE="600",
        SECURE_SSL_REDIRECT="false",
        ALLOWED_HOSTS="127.0.0.1",
        GUNICORN_BIND=f"127.0.0.1:{port}",
        WEB_CONCURRENCY="2",
        LOG_LEVEL="ERROR",
        STATIC_ROOT=str(static_root),
    )
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "igr.wsgi"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=log_path.open("w"),
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                _get(f"{base}/healthz")
                break
            except OSError:
                time.sleep(0.2)
        else:
            raise AssertionError(log_path.read_text())
        yield base
    finally:
        process.terminate()
        process.wait(timeout=30)


@on_postgresql
def test_gunicorn_survives_killed_connections_and_an_outage(
    transactional_db, today, collected_static, tmp_path
):
    MeetingFactory.create_batch(2, date=today)
    name = connection.settings_dict["NAME"]
    admin = _admin_connection()
    kill = (
        "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
        "WHERE datname = %s AND pid <> pg_backend_pid()"
    )
    pages = ["/healthz", "/meetings/", "/api/v1/meetings/", "/"]
    log = tmp_path / "gunicorn.log"

    def expect(status, path):
        # On a surprise, show the server's own account of it.
        got = _get(base + path)[0]
        errors = [line for line in log.read_text().splitlines() if "Internal Server" in line]
        assert got == status, f"{path}: {got}\n" + "\n".join(errors)[-3000:]

    try:
        with gunicorn(name, collected_static, log) as base:
            for path in pages * 2:  # warm: each worker holds an open connection
                expect(200, path)

            # 1. Every open connection is killed between requests: the app notices the
            # dead connection, opens a fresh one and answers as if nothing happened.
            assert admin.execute(kill, [name]).fetchone()[0] >= 1
            for path in pages * 3:
                expect(200, path)

            # 2. The database refuses new connections and every open one is killed.
            admin.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false')
            admin.execute(kill, [name])
            status, kind, body = _get(base + "/meetings/")
            assert (status, kind) == (503, "text/html; charset=utf-8")
            assert "Traceback" not in body and "Try again later" in body
            status, kind, body = _get(base + "/api/v1/meetings/", accept="application/json")
            assert (status, kind) == (503, "application/json")
            assert json.loads(body)["status"] == 503
            status, kind, body = _get(base + "/healthz")
            assert status == 503
            assert json.loads(body) == {"status": "error", "database": "unreachable"}
            for path in pages * 3:
                expect(503, path)

            # 3. It comes back: so does the app, with no restart.
            admin.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true')
            for path in pages * 3:
                expect(200, path)
    finally:
        admin.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true')
        admin.close()
        connection.close()

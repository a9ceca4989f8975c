"""A commitment status change and an admin save of the same meeting's page, on two
connections at the same moment, both finish on PostgreSQL: every write takes the figures
lock first in its transaction (igr.policy.writing()), so the two never wait on each other
in opposite orders. A third connection holds the evidence source's row so that the status
change stops mid-transaction, holding its commitment's row, while the admin save runs:
the interleaving in which the signal receivers, which took the figures lock after row
locks, deadlocked and the editor got a 503."""

import datetime
import threading
import time

import psycopg
import pytest
from django.conf import settings
from django.db import connection, connections
from django.test import Client

from forums.models import Commitment, Meeting
from forums.services import record_status_change
from tests.admin.conftest import flat, form_data
from tests.conftest import assert_figures_current
from tests.factories import CommitmentFactory, ForumFactory, MeetingFactory, SourceFactory

pytestmark = pytest.mark.skipif(
    "postgresql" not in settings.DATABASES["default"]["ENGINE"],
    reason="needs PostgreSQL (CI runs the suite on PostgreSQL too): SQLite lets one writer "
    "in at a time, so its writes cannot deadlock",
)

STALE_ROW = "This row was changed by"


def _raw_connection():
    params = connection.settings_dict
    return psycopg.connect(
        host=params["HOST"] or "127.0.0.1",
        port=params["PORT"] or 5432,
        user=params["USER"] or "postgres",
        password=params["PASSWORD"] or None,
        dbname=params["NAME"],
    )


def _wait_for_waiters(cursor, n, timeout=20):
    """Until `n` backends of this database wait on a lock (a row, a tuple or advisory)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity "
            "WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        if cursor.fetchone()[0] >= n:
            return
        time.sleep(0.05)
    raise AssertionError(f"fewer than {n} connections ever waited on a lock")


def _in_thread(results, key, work):
    def run():
        try:
            results[key] = work()
        except Exception as exc:  # reported by the test, which names the failure
            results[key] = exc
        finally:
            connections.close_all()  # this thread's own connections

    thread = threading.Thread(target=run, name=key)
    thread.start()
    return thread


@pytest.mark.django_db(transaction=True)
def test_a_status_change_and_a_save_of_its_meetings_page_both_finish(publisher):
    forum, other_forum = ForumFactory(), ForumFactory()
    meeting = MeetingFactory(forum=forum, date=datetime.date(2025, 1, 23))
    commitment = CommitmentFactory(meeting=meeting, due_on=datetime.date(2025, 9, 1))
    evidence = SourceFactory()

    client = Client(raise_request_exception=False)  # a 503 answers, as it would in production
    client.force_login(publisher)
    url = f"/admin/forums/meeting/{meeting.pk}/change/"
    # The Publisher moves the meeting to the forum it belongs to; its commitment's
    # figures (the forum responsible) change with it.
    data = flat(form_data(client.get(url)))
    data.update({"forum": str(other_forum.pk), "change_reason": "Filed under the wrong forum."})

    blocker = _raw_connection()
    watcher = _raw_connection()
    watcher.autocommit = True
    results = {}
    try:
        with blocker.cursor() as cursor:
            cursor.execute("SELECT id FROM forums_source WHERE id = %s FOR UPDATE", [evidence.pk])
        status_change = _in_thread(
            results,
            "status change",
            lambda: record_status_change(
                commitment=Commitment.objects.get(pk=commitment.pk),
                new_status="delivered",
                effective_on=datetime.date(2025, 10, 1),
                note="Delivered on time.",
                evidence_source=evidence,
            ),
        )
        # The status change holds its commitment's row and waits for the source's.
        _wait_for_waiters(watcher.cursor(), 1)
        save = _in_thread(results, "admin save", lambda: client.post(url, data))
        _wait_for_waiters(watcher.cursor(), 2)
        blocker.commit()  # the status change goes on
        status_change.join(timeout=60)
        save.join(timeout=60)
    finally:
        blocker.close()
        watcher.close()

    change = results["status change"]
    assert not isinstance(change, Exception), change
    assert change.new_status == "delivered"
    response = results["admin save"]
    assert not isinstance(response, Exception), response
    assert response.status_code != 503
    # The status change committed first, so the page's commitment row is out of date: the
    # editor is told, with their input kept, and saving again goes through.
    assert response.status_code == 200
    assert STALE_ROW in response.content.decode()
    again = client.post(url, flat(form_data(response)))
    assert again.status_code == 302, again.content.decode()[:2000]

    assert Meeting.objects.get(pk=meeting.pk).forum == other_forum
    assert Commitment.objects.get(pk=commitment.pk).status == "delivered"
    assert_figures_current()

"""Two send_alerts runs at once (an overlapping cron job) still send each change once:
the first to lock the address's subscriptions claims the changes; the other then finds
them claimed. PostgreSQL only: SQLite lets one writer in at a time, so there is no race."""

import datetime
import threading

import pytest
from django.core import mail
from django.db import connection
from django.utils import timezone

from alerts.models import Delivery, Subscription
from alerts.sending import run_alerts
from forums.services import record_status_change
from tests.factories import CommitmentFactory, SourceFactory

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="needs PostgreSQL (CI runs the suite on PostgreSQL too): SQLite serialises writers",
)


def test_two_runs_at_once_send_each_change_once(transactional_db):
    commitments = CommitmentFactory.create_batch(3)
    for n, commitment in enumerate(commitments):
        Subscription.objects.create(
            email=f"reader{n % 2}@example.org",
            topic="commitment",
            object_id=commitment.pk,
            confirmed_at=timezone.now(),
        )
    for commitment in commitments:
        record_status_change(
            commitment=commitment,
            new_status="in_progress",
            effective_on=datetime.date(2026, 1, 15),
            note="Work has begun.",
            evidence_source=SourceFactory(),
        )
    start = threading.Barrier(2)
    errors = []

    def run():
        try:
            start.wait()
            run_alerts("immediate")
        except Exception as exc:  # pragma: no cover - reported by the assertion below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    assert sorted(m.to[0] for m in mail.outbox) == ["reader0@example.org", "reader1@example.org"]
    assert Delivery.objects.filter(sent_at__isnull=False).count() == 3

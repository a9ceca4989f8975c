"""Forum health's "last met" and unconfirmed-meeting lookups are served by an index on
the meetings table, not a sequential scan (PostgreSQL only; see test_explain)."""

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from forums.stats import aggregates
from tests.perf.test_explain import big_table_sizes, big_tables, seq_scans

__all__ = ["big_tables"]  # the fixture, shared with test_explain

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="the PostgreSQL planner is under test"
    ),
]


@pytest.mark.stale_figures  # bulk-inserts 12,000 rows per table; reads only
def test_forum_health_reads_no_big_table_sequentially(big_tables, settings):
    settings.AGGREGATE_CACHE_SECONDS = 0
    big = big_table_sizes()
    assert "forums_meeting" in big
    with CaptureQueriesContext(connection) as captured:
        rows = aggregates.forums_health()
    assert rows
    failures = []
    for sql in (q["sql"] for q in captured.captured_queries):
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}")
            plan = cursor.fetchone()[0]
        plan = plan if isinstance(plan, list) else json.loads(plan)
        failures += [f"{table}: {sql}" for table in seq_scans(plan[0]["Plan"], big)]
    assert not failures, "\n".join(failures)

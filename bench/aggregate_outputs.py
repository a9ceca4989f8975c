"""Dump the derived views for many argument combinations to JSON, to prove a change to
forums/aggregates.py leaves every figure as it was.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/igr_bench_small \
        .venv/bin/python bench/aggregate_outputs.py before.json
    # … change the code …
    … bench/aggregate_outputs.py after.json && cmp before.json after.json

Runs with the aggregate cache off, so every figure is computed from the database.
Arguments: no filter, each forum, date ranges (open and closed at either end, one day,
empty), and several `today`s for forum health (the real one and fixed past dates).
"""

import datetime
import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "igr.settings")
os.environ.setdefault("SECRET_KEY", "benchmark-only")

import django  # noqa: E402

django.setup()

from django.db import models  # noqa: E402
from django.test import override_settings  # noqa: E402

from forums.models import Forum, Recommendation  # noqa: E402
from forums.stats import aggregates  # noqa: E402

RANGES = [
    (None, None),
    (datetime.date(2024, 1, 1), None),
    (None, datetime.date(2010, 12, 31)),
    (datetime.date(2015, 4, 1), datetime.date(2019, 3, 31)),
    (datetime.date(2020, 6, 15), datetime.date(2020, 6, 15)),
    (datetime.date(2030, 1, 1), None),
]
TODAYS = [None, datetime.date(2024, 12, 31), datetime.date(2010, 6, 30), datetime.date(1999, 1, 1)]


def plain(value):
    if isinstance(value, models.Model):
        return f"{value._meta.label}:{value.pk}"
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    return value


def dump() -> dict:
    forums = [None, *Forum.objects.order_by("slug")]
    recommendations = list(Recommendation.objects.order_by("slug"))
    out = {"headline_figures": plain(aggregates.headline_figures())}
    for forum in forums:
        for start, end in RANGES:
            key = f"{forum.slug if forum else '-'}|{start}|{end}"
            out[f"scorecard_summary|{key}"] = plain(
                aggregates.scorecard_summary(forum=forum, start=start, end=end)
            )
            for rec in recommendations:
                out[f"scorecard|{rec.slug}|{key}"] = plain(
                    aggregates.scorecard(rec, forum=forum, start=start, end=end)
                )
    for today in TODAYS:
        out[f"forums_health|published|{today}"] = plain(aggregates.forums_health(today=today))
        out[f"forums_health|all|{today}"] = plain(
            aggregates.forums_health(Forum.objects.all(), today=today)
        )
        for forum in forums[1:]:
            out[f"forum_health|{forum.slug}|{today}"] = plain(
                aggregates.forum_health(forum, today=today)
            )
    return out


if __name__ == "__main__":
    with override_settings(AGGREGATE_CACHE_SECONDS=0):
        result = dump()
    Path(sys.argv[1]).write_text(json.dumps(result, indent=1, sort_keys=True))
    print(f"{len(result)} outputs written to {sys.argv[1]}")

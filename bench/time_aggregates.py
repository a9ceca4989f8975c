"""Time the derived views in-process with the aggregate cache off: median and p95.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/igr_bench \
        .venv/bin/python bench/time_aggregates.py --runs 25

Each figure is the function called directly, and the API endpoint through Django's test
client (middleware, view, serializer, JSON), after one warm-up call. In-process, so it
runs at concurrency 1 without gunicorn or wrk (docs/benchmarks.md).
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(os.environ.get("IGR_ROOT", Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "igr.settings")
os.environ.setdefault("SECRET_KEY", "benchmark-only")
os.environ.setdefault("SECURE_SSL_REDIRECT", "false")
os.environ.setdefault("ALLOWED_HOSTS", "testserver")
os.environ.setdefault("API_ANON_THROTTLE_RATE", "100000/second")

import django  # noqa: E402

django.setup()

from django.test import Client, override_settings  # noqa: E402

from forums.models import Forum, Recommendation  # noqa: E402
from forums.stats import aggregates  # noqa: E402


def measure(call, runs):
    call()
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        call()
        times.append((time.perf_counter() - started) * 1000)
    times.sort()
    p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
    return statistics.median(times), p95


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=25)
    args = parser.parse_args()
    rec = Recommendation.objects.order_by("number").first()
    forum = Forum.objects.published().order_by("name").first()
    client = Client()

    def get(url):
        def call():
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)

        return call

    cases = [
        ("scorecard_summary()", aggregates.scorecard_summary),
        ("forums_health()", aggregates.forums_health),
        ("scorecard(rec)", lambda: aggregates.scorecard(rec)),
        ("forum_health(forum)", lambda: aggregates.forum_health(forum)),
        ("headline_figures()", aggregates.headline_figures),
        ("GET /api/v1/scorecards/", get("/api/v1/scorecards/")),
        ("GET /api/v1/forum-health/", get("/api/v1/forum-health/")),
        (
            f"GET /api/v1/recommendations/{rec.slug}/scorecard/",
            get(f"/api/v1/recommendations/{rec.slug}/scorecard/"),
        ),
        (f"GET /api/v1/forums/{forum.slug}/health/", get(f"/api/v1/forums/{forum.slug}/health/")),
    ]
    with override_settings(AGGREGATE_CACHE_SECONDS=0):
        for name, call in cases:
            median, p95 = measure(call, args.runs)
            print(f"{name:70} median {median:8.1f} ms  p95 {p95:8.1f} ms", flush=True)


if __name__ == "__main__":
    main()

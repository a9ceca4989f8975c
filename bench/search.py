"""Search latency at one connection on the large dataset (issue 18's target: p95 ≤ 50 ms
for a one-word and a three-word query).

    BENCH_DB_LARGE=igr_bench .venv/bin/python bench/search.py --requests 200

Starts gunicorn with production settings as bench/run.py does (its `Server`), on a port
of its own, against a database bench/generate.py filled (`--size large`), and sends each
query one request at a time: a warm-up, then `--requests` timed requests. Prints the
p50, p95 and maximum of each and writes them to bench/results/search.json; the figures
in docs/benchmarks.md are copied from there by hand.

The synthetic meetings all say "devolution, skills, housing and transport", and a fifth
of the agenda items and commitments are tagged with each recommendation, so these
queries match every meeting and tens of thousands of tagged records: the worst case for
counting and ranking, which the search caps (igr.search.COUNT_CAP).
"""

import argparse
import json
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent))

import run  # bench/run.py: Server, fetch, DATABASES, RESULTS

QUERIES = {
    "one word": "devolution",
    "three words": "devolution housing transport",
    "one rare word": "12345",
}
PATHS = {
    "site search": "/search/?{}",
    "API meetings q": "/api/v1/meetings/?page_size=25&{}",
}


def percentile(values, share):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def measure(base, path, requests, warmup):
    for _ in range(warmup):
        status, _headers, body = run.fetch(base + path)
        if status != 200:
            sys.exit(f"GET {path} answered {status}: {body[:300]!r}")
    timings = []
    for _ in range(requests):
        start = time.perf_counter()
        status, _headers, _body = run.fetch(base + path)
        timings.append((time.perf_counter() - start) * 1000)
        if status != 200:
            sys.exit(f"GET {path} answered {status}")
    return {
        "p50_ms": round(statistics.median(timings), 1),
        "p95_ms": round(percentile(timings, 0.95), 1),
        "max_ms": round(max(timings), 1),
        "requests": requests,
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--port", type=int, default=8793)
    args = parser.parse_args()
    database = run.DATABASES["large"]
    results = {}
    with run.Server(database, args.port) as server:
        for where, template in PATHS.items():
            for label, text in QUERIES.items():
                path = template.format(urlencode({"q": text}))
                figures = measure(server.base, path, args.requests, args.warmup)
                results[f"{where}, {label}"] = {"path": path, **figures}
                print(
                    f"{where:15} {label:13} p50 {figures['p50_ms']:7.1f} ms  "
                    f"p95 {figures['p95_ms']:7.1f} ms  max {figures['max_ms']:7.1f} ms  {path}",
                    flush=True,
                )
    run.RESULTS.mkdir(parents=True, exist_ok=True)
    (run.RESULTS / "search.json").write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()

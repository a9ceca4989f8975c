"""The benchmark: gunicorn with production settings on a synthetic PostgreSQL dataset,
driven by wrk from a second process, with two floors measured on the same server.

    make bench                                   # both sizes, writes docs/benchmarks.md
    .venv/bin/python bench/run.py --sizes small --duration 3   # a quick look

For each size it makes sure the dataset exists (creates the database, migrates and runs
bench/generate.py when the meetings are missing: about 20 s small, 5 to 6 minutes large),
starts gunicorn (DEBUG off, HTTPS redirect off because this is plain HTTP on loopback,
the anonymous API throttle raised so it never answers 429, the floor views switched on by
IGR_BENCH_FLOORS=1) and runs wrk against each endpoint in turn: a short warm-up, then
`--duration` seconds at `--concurrency` connections, then the pages and aggregates again
at one connection for their latency. Every endpoint is fetched once first and must give
its expected status (200, or 304 for the conditional GET); any other status or a
connection error during a run is reported as a failure and fails the command.

The figures go to stdout, to bench/results/<size>.json and into docs/benchmarks.md
between the `bench:results` markers (the rest of that file is written by hand).
wrk comes from Debian (`apt-get install wrk`); the script says so when it is missing.
"""

import argparse
import datetime
import json
import os
import platform
import secrets
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent
RESULTS = ROOT / "bench" / "results"
DOC = ROOT / "docs" / "benchmarks.md"
START, END = "<!-- bench:results:start -->", "<!-- bench:results:end -->"
LOAD_START, LOAD_END = "<!-- bench:load:start -->", "<!-- bench:load:end -->"

PG = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
DATABASES = {
    "small": os.environ.get("BENCH_DB_SMALL", "igr_bench_small"),
    "large": os.environ.get("BENCH_DB_LARGE", "igr_bench"),
}
#: Synthetic meetings each size must hold (bench/generate.py's counts).
EXPECTED_MEETINGS = {"small": 1_000, "large": 100_000}
BENCH_USER = os.environ.get("IGR_BENCH_USER", "bench")

# Issue 7's targets, checked on the large dataset.
TARGETS = {
    "list": 0.5,  # × the .values() floor
    "detail": 0.6,
    "conditional": 1.5,  # × its own 200
    "aggregate_p95_ms": 150,
    "page_p95_ms": 100,
    "deep_page": 1.5,  # an offset (numbered) deep page vs page 1, c=1 p50
    "cursor_deep_page": 1.2,  # a keyset (cursor) deep page vs page 1, c=1 p50
    "growth": 1.3,
}


def log(message):
    print(message, flush=True)


# --- dataset --------------------------------------------------------------------------


def pg_scalar(database, sql, params=()):
    with psycopg.connect(f"{PG}/{database}", autocommit=True) as conn:
        row = conn.execute(sql, params).fetchone()
        return row[0] if row else None


def manage(database, *args, env_extra=None):
    env = dict(os.environ, DATABASE_URL=f"{PG}/{database}", SECRET_KEY="benchmark-only")
    env.update(env_extra or {})
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True)


def ensure_dataset(size):
    """Create, migrate and fill the size's database unless its meetings are already there."""
    database = DATABASES[size]
    if "bench" not in database:
        sys.exit(f"Refusing {database!r}: benchmark databases have 'bench' in their name.")
    exists = pg_scalar("postgres", "SELECT 1 FROM pg_database WHERE datname = %s", (database,))
    if not exists:
        log(f"creating database {database}")
        with psycopg.connect(f"{PG}/postgres", autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{database}"')
    try:
        meetings = pg_scalar(
            database, "SELECT count(*) FROM forums_meeting WHERE slug LIKE '%%-b%%'"
        )
    except psycopg.errors.UndefinedTable:
        meetings = 0
    if meetings < EXPECTED_MEETINGS[size]:
        log(f"generating the {size} dataset in {database} (bench/generate.py)")
        env = dict(os.environ, DATABASE_URL=f"{PG}/{database}")
        subprocess.run(
            [sys.executable, "bench/generate.py", "--size", size], cwd=ROOT, env=env, check=True
        )
    # New migrations (indexes) reach an existing dataset without regenerating it.
    manage(database, "migrate", "--noinput", "-v", "0")
    counts = {}
    for table in (
        "forums_meeting",
        "forums_commitment",
        "forums_attendance",
        "forums_agendaitem",
        "authorities_person",
        "authorities_office",
    ):
        counts[table] = pg_scalar(database, f"SELECT count(*) FROM {table}")
    return counts


def ensure_bench_user(database, password):
    """A staff superuser for the load run's admin visitors (bench/locustfile.py)."""
    script = (
        "from django.contrib.auth import get_user_model\n"
        "User = get_user_model()\n"
        f"user, _ = User.objects.get_or_create(username={BENCH_USER!r})\n"
        "user.is_staff = user.is_superuser = user.is_active = True\n"
        f"user.set_password({password!r})\n"
        "user.save()\n"
    )
    manage(database, "shell", "-c", script)


def ensure_static():
    if not (ROOT / "staticfiles" / "staticfiles.json").exists():
        log("collecting static files (the manifest storage needs them with DEBUG off)")
        manage(DATABASES["small"], "collectstatic", "--noinput", "-v", "0")


# --- server ---------------------------------------------------------------------------


class Server:
    """gunicorn with production settings on 127.0.0.1:<port>, stopped on exit."""

    def __init__(self, database, port, settings_module=None, log_path=None):
        self.base = f"http://127.0.0.1:{port}"
        self.env = dict(
            os.environ,
            DEBUG="false",
            SECRET_KEY=secrets.token_urlsafe(40),
            ALLOWED_HOSTS="127.0.0.1,localhost",
            DATABASE_URL=f"{PG}/{database}",
            # Plain HTTP on loopback: no TLS to redirect to (README, SECURE_SSL_REDIRECT).
            SECURE_SSL_REDIRECT="false",
            # Persistent connections, as a production deployment sets them.
            DB_CONN_MAX_AGE="600",
            # One client sends thousands of requests a second here; the throttle still
            # runs (its cache reads and writes are part of each request), it never trips.
            API_ANON_THROTTLE_RATE="1000000000/second",
            GUNICORN_BIND=f"127.0.0.1:{port}",
            GUNICORN_MAX_REQUESTS="0",
            IGR_BENCH_FLOORS="1",
            LOG_LEVEL="WARNING",
        )
        if settings_module:
            self.env["DJANGO_SETTINGS_MODULE"] = settings_module
        self.log_path = log_path or Path(tempfile.gettempdir()) / f"igr-bench-gunicorn-{port}.log"
        self.process = None

    def __enter__(self):
        RESULTS.mkdir(parents=True, exist_ok=True)
        self.log_file = open(self.log_path, "w")  # closed in __exit__
        self.process = subprocess.Popen(
            [str(VENV_BIN / "gunicorn"), "igr.wsgi", "-c", "gunicorn.conf.py"],
            cwd=ROOT,
            env=self.env,
            stdout=self.log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                sys.exit(f"gunicorn exited with {self.process.returncode}; see {self.log_path}")
            try:
                if fetch(self.base + "/healthz")[0] == 200:
                    return self
            except (urllib.error.URLError, ConnectionError):
                pass
            time.sleep(0.3)
        self.__exit__()
        sys.exit(f"gunicorn did not answer /healthz within 60 s; see {self.log_path}")

    def __exit__(self, *exc):
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log_file.close()

    @property
    def workers(self):
        return int(self.env.get("WEB_CONCURRENCY") or (os.cpu_count() or 1) * 2 + 1)


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


OPENER = urllib.request.build_opener(NoRedirect)


def fetch(url, headers=None):
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with OPENER.open(request, timeout=60) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


def get_json(base, path):
    status, headers, body = fetch(base + path, {"Accept": "application/json"})
    if status != 200:
        sys.exit(f"GET {path} answered {status}: {body[:300]!r}")
    return headers, json.loads(body)


# --- the request mix ------------------------------------------------------------------


def shell_line(server_env, code):
    """The last line `code` prints, run by `manage.py shell` against the server's
    database with the server's settings (its SECRET_KEY signs cursors)."""
    output = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code],
        cwd=ROOT,
        env=server_env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return output.strip().splitlines()[-1]


def deep_cursor(server_env, rows_before):
    """The API cursor (igr.lib.keyset) of the page that starts after `rows_before` published
    meetings in the list's order, signed with the server's SECRET_KEY. Following `next`
    from `?cursor` would take a thousand requests to get there."""
    code = (
        "from forums.models import Meeting\n"
        "from igr.lib.keyset import Keyset\n"
        "meetings = Meeting.objects.published()\n"
        "keyset = Keyset(meetings)\n"
        f"row = keyset.ordered(meetings)[{max(rows_before - 1, 0)}]\n"
        "print(keyset.encode(keyset.position(row)))\n"
    )
    return shell_line(server_env, code)


def busiest_lead(server_env):
    """The slug of the authority leading the most published commitments in progress, so
    the commitments list fills its 50-row page on both sizes (bench/generate.py gives the
    UK government a third of them): comparing a 12-row page with a 50-row one would
    measure the page, not the data's size."""
    code = (
        "from django.db.models import Count\n"
        "from forums.models import Commitment\n"
        "row = (Commitment.objects.published().filter(status='in_progress')\n"
        "    .values('lead_authority__slug').annotate(n=Count('pk')).order_by('-n')[0])\n"
        "print(row['lead_authority__slug'], row['n'])\n"
    )
    slug, count = shell_line(server_env, code).split()
    if int(count) < 50:
        log(f"  note: {slug} leads only {count} commitments in progress")
    return slug


def endpoints(base, server_env):
    """The fixed mix, with real slugs and ids from the dataset under test."""
    headers, meetings = get_json(base, "/api/v1/meetings/?page_size=1")
    total = int(headers["X-Total-Count"])
    slug = meetings["results"][0]["slug"]
    _, commitments = get_json(base, "/api/v1/commitments/?page_size=1&status=in_progress")
    commitment = commitments["results"][0]
    authority = busiest_lead(server_env)
    # "Deep": nine tenths of the way through the list, at the default page sizes.
    api_deep = max(1, (total * 9 // 10) // 50)
    page_deep = max(1, (total * 9 // 10) // 25)
    # The same position by keyset: a cursor after the last meeting of the page before,
    # so both deep pages list the same 50 meetings.
    cursor_path = f"/api/v1/meetings/?cursor={deep_cursor(server_env, (api_deep - 1) * 50)}"
    etag = fetch(base + "/api/v1/meetings/", {"Accept": "application/json"})[1]["ETag"]
    commitments = f"/api/v1/commitments/?status=in_progress&lead_authority={authority}"
    commitments += "&ordering=-due_on"
    return [
        # (name, group, path, request headers, expected status)
        ("floor: constant JSON", "floor", "/bench/floor/constant/", {}, 200),
        ("floor: meetings .values()", "floor", "/bench/floor/meetings/", {}, 200),
        ("API meetings, page 1", "list", "/api/v1/meetings/", {}, 200),
        (
            "API meetings, deep page by offset",
            "list-deep",
            f"/api/v1/meetings/?page={api_deep}",
            {},
            200,
        ),
        ("API meetings, deep page by cursor", "list-deep", cursor_path, {}, 200),
        ("API commitments, 2 filters + ordering", "list", commitments, {}, 200),
        ("API meeting detail", "detail", f"/api/v1/meetings/{slug}/", {}, 200),
        ("API commitment detail", "detail", f"/api/v1/commitments/{commitment['id']}/", {}, 200),
        ("API meetings, 304", "conditional", "/api/v1/meetings/", {"If-None-Match": etag}, 304),
        ("API scorecards", "aggregate", "/api/v1/scorecards/", {}, 200),
        ("API forum health", "aggregate", "/api/v1/forum-health/", {}, 200),
        ("page: home", "page", "/", {}, 200),
        ("page: meetings list", "page", "/meetings/", {}, 200),
        (
            "page: meetings list, deep page by number",
            "page-deep",
            f"/meetings/?page={page_deep}",
            {},
            200,
        ),
        ("page: meeting detail", "page", f"/meetings/{slug}/", {}, 200),
        ("page: commitments list", "page", "/commitments/", {}, 200),
        ("page: commitment detail", "page", f"/commitments/{commitment['id']}/", {}, 200),
    ]


def wrk(base, path, headers, connections, seconds):
    command = [
        "wrk",
        f"-t{min(connections, 2)}",
        f"-c{connections}",
        f"-d{seconds}s",
        "--timeout",
        "30s",
        "-s",
        str(ROOT / "bench" / "report.lua"),
    ]
    for name, value in {"Accept": "application/json", **headers}.items():
        command += ["-H", f"{name}: {value}"]
    output = subprocess.run(
        [*command, base + path], capture_output=True, text=True, check=True
    ).stdout
    figures = json.loads(output.strip().splitlines()[-1])
    seconds_run = figures["duration_us"] / 1e6
    errors = sum(figures[k] for k in ("connect", "read", "write", "timeout"))
    if not figures["requests"]:
        errors += 1
    return {
        # Requests still running when the run ends are not counted: a run in which none
        # finished shows 0 req/s (and the endpoint as a failure in the report).
        "rps": figures["requests"] / seconds_run,
        "requests": figures["requests"],
        "p50_ms": figures["p50"] / 1000,
        "p95_ms": figures["p95"] / 1000,
        "p99_ms": figures["p99"] / 1000,
        "errors": errors,
        "bad_status": figures["bad"],
    }


def measure(size, args):
    counts = ensure_dataset(size)
    database = DATABASES[size]
    password = os.environ.get("IGR_BENCH_PASSWORD") or secrets.token_urlsafe(18)
    ensure_bench_user(database, password)
    results = {
        "size": size,
        "database": database,
        "counts": counts,
        "concurrency": args.concurrency,
        "duration_s": args.duration,
        "endpoints": [],
    }
    with Server(database, args.port) as server:
        results["workers"] = server.workers
        mix = endpoints(server.base, server.env)
        for name, _group, path, headers, expected in mix:
            status = fetch(server.base + path, {"Accept": "application/json", **headers})[0]
            if status != expected:
                sys.exit(f"{name}: GET {path} answered {status}, expected {expected}")
        for name, group, path, headers, _ in mix:
            wrk(server.base, path, headers, args.concurrency, 1)  # warm-up
            row = {"name": name, "group": group, "path": path}
            row["c"] = wrk(server.base, path, headers, args.concurrency, args.duration)
            if group in ("aggregate", "page", "page-deep", "list", "list-deep"):
                row["c1"] = wrk(server.base, path, headers, 1, args.duration)
            results["endpoints"].append(row)
            log(describe(row, args.concurrency))
        paired_depths(server, results["endpoints"])
    uncached = ROOT / "bench" / "uncached_settings.py"
    if uncached.exists():
        # Aggregates again with their cache switched off, for the uncached budget.
        with Server(database, args.port, settings_module="bench.uncached_settings") as server:
            for row in results["endpoints"]:
                if row["group"] == "aggregate":
                    # The warm-up at full concurrency, as on the cached server, so every
                    # worker of this fresh gunicorn has served its first (slow) request
                    # before the c=1 run; at one connection some workers were still cold
                    # and their first requests (about 0.5 s) made the p95.
                    wrk(server.base, row["path"], {}, args.concurrency, 1)
                    row["c1_uncached"] = wrk(server.base, row["path"], {}, 1, args.duration)
                    log(f"  {row['name']} uncached, c=1: {fmt(row['c1_uncached'])}")
    results["measured_at"] = datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds")
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"{size}.json").write_text(json.dumps(results, indent=2) + "\n")
    return results


#: The depth targets' lists, each page 1 with its deep pages (see paired_depths).
DEPTHS = (
    (
        "API meetings, page 1",
        "API meetings, deep page by offset",
        "API meetings, deep page by cursor",
    ),
    ("page: meetings list", "page: meetings list, deep page by number"),
)
PAIRED_ROUNDS = 4
PAIRED_SECONDS = 2


def paired_depths(server, endpoints):
    """Page 1 and its deep pages at one connection again, taking turns: PAIRED_ROUNDS
    rounds of PAIRED_SECONDS each, the median of each one's p50s kept as
    `c1_paired_p50_ms` for the depth targets. Measured one after the other, 8 s each,
    a passing load (autovacuum, another process) moved one and not the other: the same
    two unchanged lists measured 1.12x apart in one run and 1.29x in the next."""
    rows = {row["name"]: row for row in endpoints}
    for group in DEPTHS:
        names = [name for name in group if name in rows]
        samples = {name: [] for name in names}
        for _round in range(PAIRED_ROUNDS):
            for name in names:
                figures = wrk(server.base, rows[name]["path"], {}, 1, PAIRED_SECONDS)
                samples[name].append(figures["p50_ms"])
        for name in names:
            rows[name]["c1_paired_p50_ms"] = statistics.median(samples[name])
            rows[name]["c1_paired_samples"] = samples[name]
            log(f"  {name}, c=1 taking turns: p50 {samples[name]} ms")


def depth_p50(row):
    """A list's c=1 p50 for the depth targets: the paired median where measured."""
    return row.get("c1_paired_p50_ms", row["c1"]["p50_ms"])


def fmt(f):
    return (
        f"{f['rps']:8.1f} req/s  p50 {f['p50_ms']:7.1f}  p95 {f['p95_ms']:7.1f}  "
        f"p99 {f['p99_ms']:7.1f} ms  errors {f['errors'] + f['bad_status']}"
    )


def describe(row, concurrency):
    text = f"{row['name']:<40} c={concurrency}: {fmt(row['c'])}"
    if "c1" in row:
        text += f"\n{'':<40} c=1: {fmt(row['c1'])}"
    return text


# --- the report -----------------------------------------------------------------------


def machine():
    cpu = "unknown"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    memory = ""
    meminfo = Path("/proc/meminfo")
    if meminfo.exists():
        kib = int(meminfo.read_text().split()[1])
        memory = f"{kib / 1024 / 1024:.0f} GiB"
    postgres = pg_scalar("postgres", "SHOW server_version")
    wrk_version = subprocess.run(["wrk", "-v"], capture_output=True, text=True).stdout.split()
    import django

    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory": memory,
        "os": platform.platform(),
        "python": platform.python_version(),
        "django": django.get_version(),
        "postgresql": postgres,
        "wrk": wrk_version[1] if len(wrk_version) > 1 else "?",
    }


def by_name(results):
    return {row["name"]: row for row in results["endpoints"]}


def table(results):
    rows = by_name(results)
    floor = rows["floor: meetings .values()"]["c"]["rps"]
    lines = [
        f"| endpoint | req/s (c={results['concurrency']}) | p50 ms | p95 ms | p99 ms "
        "| × .values() floor | c=1 p50 ms | c=1 p95 ms | errors |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for row in results["endpoints"]:
        f = row["c"]
        c1 = row.get("c1_uncached") or row.get("c1")
        c1_note = " (uncached)" if "c1_uncached" in row else ""
        errors = f["errors"] + f["bad_status"] + (c1["errors"] + c1["bad_status"] if c1 else 0)
        lines.append(
            f"| {row['name']} | {f['rps']:.1f} | {f['p50_ms']:.1f} | {f['p95_ms']:.1f} "
            f"| {f['p99_ms']:.1f} | {f['rps'] / floor:.2f} | "
            + (f"{c1['p50_ms']:.1f}{c1_note} | {c1['p95_ms']:.1f}{c1_note}" if c1 else "– | –")
            + f" | {errors} |"
        )
    return "\n".join(lines)


def finished(figures):
    return figures["requests"] > 0


def p95(figures, seconds):
    if not finished(figures):
        return f"no request finished in {seconds} s"
    return f"{figures['p95_ms']:.1f} ms"


def verdicts(large, small=None):
    """Each target of issue 7 on the large dataset: (target, figure, met)."""
    rows = by_name(large)
    floor = rows["floor: meetings .values()"]["c"]["rps"]
    out = []
    for row in large["endpoints"]:
        ratio = row["c"]["rps"] / floor
        if row["group"] == "list":
            out.append((f"{row['name']} ≥ 0.5× floor", f"{ratio:.2f}×", ratio >= TARGETS["list"]))
        elif row["group"] == "detail":
            out.append((f"{row['name']} ≥ 0.6× floor", f"{ratio:.2f}×", ratio >= TARGETS["detail"]))
        elif row["group"] == "aggregate":
            c1 = row.get("c1_uncached") or row["c1"]
            label = "uncached" if "c1_uncached" in row else "no cache in this build"
            out.append(
                (
                    f"{row['name']} p95 ≤ 150 ms at c=1 ({label})",
                    p95(c1, large["duration_s"]),
                    finished(c1) and c1["p95_ms"] <= TARGETS["aggregate_p95_ms"],
                )
            )
            if "c1_uncached" in row:
                out.append(
                    (
                        f"{row['name']} p95 at c=1, cached",
                        p95(row["c1"], large["duration_s"]),
                        finished(row["c1"]) and row["c1"]["p95_ms"] <= 150,
                    )
                )
        elif row["group"] == "page":
            out.append(
                (
                    f"{row['name']} p95 ≤ 100 ms at c=1",
                    p95(row["c1"], large["duration_s"]),
                    finished(row["c1"]) and row["c1"]["p95_ms"] <= TARGETS["page_p95_ms"],
                )
            )
    ratio = rows["API meetings, 304"]["c"]["rps"] / max(
        rows["API meetings, page 1"]["c"]["rps"], 1e-9
    )
    out.append(("304 ≥ 1.5× its own 200", f"{ratio:.2f}×", ratio >= TARGETS["conditional"]))
    for first, deep, limit in (
        ("API meetings, page 1", "API meetings, deep page by offset", TARGETS["deep_page"]),
        ("API meetings, page 1", "API meetings, deep page by cursor", TARGETS["cursor_deep_page"]),
        ("page: meetings list", "page: meetings list, deep page by number", TARGETS["deep_page"]),
    ):
        if deep not in rows:
            continue
        slow = depth_p50(rows[first]), depth_p50(rows[deep])
        ratio = max(slow) / min(slow) if min(slow) else float("inf")
        how = (
            f"c=1 p50, median of {PAIRED_ROUNDS} turns of {PAIRED_SECONDS} s"
            if "c1_paired_p50_ms" in rows[deep]
            else "c=1 p50"
        )
        out.append((f"{deep} within {limit}× of page 1 ({how})", f"{ratio:.2f}×", ratio <= limit))
    if small:
        small_rows = by_name(small)
        worst = max(
            (small_rows[name]["c"]["rps"] / max(row["c"]["rps"], 1e-9), name)
            for name, row in rows.items()
            if name in small_rows and not name.startswith("floor")
        )
        out.append(
            (
                f"growth small→large ≤ 1.3× (worst: {worst[1]})",
                f"{worst[0]:.2f}×",
                worst[0] <= TARGETS["growth"],
            )
        )
        floor = "floor: meetings .values()"
        floor_growth = small_rows[floor]["c"]["rps"] / max(rows[floor]["c"]["rps"], 1e-9)
        over = [
            name
            for name, row in rows.items()
            if name in small_rows
            and not name.startswith("floor")
            and small_rows[name]["c"]["rps"] / max(row["c"]["rps"], 1e-9) / floor_growth
            > TARGETS["growth"]
        ]
        out.append(
            (
                "growth ≤ 1.3× after dividing by the floor's own growth (machine load "
                "between the two runs)",
                f"{len(over)} endpoints over: {', '.join(over) or 'none'}",
                not over,
            )
        )
    return out


def growth_table(small, large):
    s, big = by_name(small), by_name(large)
    floor = "floor: meetings .values()"
    floor_growth = s[floor]["c"]["rps"] / big[floor]["c"]["rps"]
    lines = [
        "| endpoint | small req/s | large req/s | time per request, large ÷ small "
        "| the same ÷ the .values() floor's |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    for name, row in big.items():
        if name in s:
            ratio = s[name]["c"]["rps"] / row["c"]["rps"] if row["c"]["rps"] else float("inf")
            lines.append(
                f"| {name} | {s[name]['c']['rps']:.1f} | {row['c']['rps']:.1f} | {ratio:.2f} "
                f"| {ratio / floor_growth:.2f} |"
            )
    return "\n".join(lines)


def report(all_results, facts):
    small, large = all_results.get("small"), all_results.get("large")
    any_result = large or small
    parts = [
        f"Measured {any_result['measured_at']} on {facts['cpu']} ({facts['cores']} cores, "
        f"{facts['memory']}), {facts['os']}; Python {facts['python']}, Django "
        f"{facts['django']}, PostgreSQL {facts['postgresql']}, wrk {facts['wrk']}. "
        f"gunicorn with {any_result['workers']} sync workers, DEBUG off, persistent "
        "database connections; wrk on the same machine. Each endpoint: 1 s warm-up, then "
        f"{any_result['duration_s']} s at {any_result['concurrency']} connections and "
        f"{any_result['duration_s']} s at 1 connection. Latencies in milliseconds.",
    ]
    for size, results in (("small", small), ("large", large)):
        if not results:
            continue
        counts = ", ".join(
            f"{table_name.split('_', 1)[1]} {n:,}" for table_name, n in results["counts"].items()
        )
        parts.append(f"### {size.capitalize()} dataset ({results['database']}: {counts})")
        parts.append(table(results))
    if small and large:
        parts.append("### Growth, small → large")
        parts.append(growth_table(small, large))
    if large:
        parts.append("### Targets (large dataset)")
        lines = ["| target | figure | met |", "| --- | ---: | --- |"]
        for target, figure, met in verdicts(large, small):
            lines.append(f"| {target} | {figure} | {'yes' if met else '**no**'} |")
        parts.append("\n".join(lines))
    return "\n\n".join(parts)


def write_doc(text, start=START, end=END):
    DOC.parent.mkdir(parents=True, exist_ok=True)
    body = DOC.read_text() if DOC.exists() else "# Benchmarks\n"
    if start not in body:
        body += f"\n{start}\n{end}\n"
    head, rest = body.split(start, 1)
    _, tail = rest.split(end, 1)
    DOC.write_text(f"{head}{start}\n{text}\n{end}{tail}")


# --- the load run (issue 8) -------------------------------------------------------------


def load(args):
    """Constant-rate locust run against gunicorn on the large dataset: pages, API, admin."""
    locust = VENV_BIN / "locust"
    if not locust.exists():
        sys.exit('locust is missing: `.venv/bin/pip install -e ".[bench]"` (or `make bench`).')
    database = DATABASES["large"]
    counts = ensure_dataset("large")
    password = os.environ.get("IGR_BENCH_PASSWORD") or secrets.token_urlsafe(18)
    ensure_bench_user(database, password)
    report_path = RESULTS / "load.json"
    with Server(database, args.port) as server:
        env = dict(os.environ, IGR_BENCH_PASSWORD=password, IGR_LOAD_REPORT=str(report_path))
        command = [
            str(locust),
            "-f",
            str(ROOT / "bench" / "locustfile.py"),
            "--headless",
            "-u",
            str(args.users),
            "-r",
            str(args.users),
            "-t",
            f"{args.load_seconds}s",
            "--host",
            server.base,
            "--csv",
            str(Path(tempfile.gettempdir()) / "igr-bench-load"),
            "--only-summary",
        ]
        log(f"locust: {args.users} users at one request a second each, {args.load_seconds} s")
        subprocess.run(command, cwd=ROOT, env=env, check=False)
    groups = json.loads(report_path.read_text())
    total = sum(g["requests"] for g in groups.values())
    bad = {
        kind: sum(g.get(kind, 0) for g in groups.values())
        for kind in ("5xx", "connection errors", "other failures")
    }
    lines = [
        f"Run {datetime.datetime.now(datetime.UTC).isoformat(timespec='seconds')}: locust "
        f"{args.users} users, each at one request a second (constant_throughput), so "
        f"{args.users} requests a second offered for {args.load_seconds} s, against gunicorn "
        f"({Server(database, args.port).workers} sync workers) on the large dataset "
        f"({counts['forums_meeting']:,} meetings, {counts['forums_attendance']:,} attendance "
        "rows); users 6 : 3 : 1 public visitors, API clients and signed-in staff in the "
        f"admin. {total:,} requests: {bad['5xx']} answered 5xx, {bad['connection errors']} "
        f"connection errors, {bad['other failures']} other failures.",
        "",
        "| group | requests | achieved req/s | p50 ms | p95 ms | p99 ms | max ms "
        "| 5xx | connection errors | other failures |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for name in ("pages", "API", "admin"):
        g = groups.get(name)
        if not g:
            continue
        lines.append(
            f"| {name} | {g['requests']:,} | {g['requests'] / args.load_seconds:.1f} "
            f"| {g['p50_ms']:.0f} | {g['p95_ms']:.0f} | {g['p99_ms']:.0f} | {g['max_ms']:.0f} "
            f"| {g.get('5xx', 0)} | {g.get('connection errors', 0)} "
            f"| {g.get('other failures', 0)} |"
        )
    text = "\n".join(lines)
    log("\n" + text)
    if not args.no_doc:
        write_doc(text, LOAD_START, LOAD_END)
    if bad["5xx"] or bad["connection errors"]:
        sys.exit("the load run saw 5xx answers or connection errors")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="small,large", help="comma-separated: small,large")
    parser.add_argument("--duration", type=int, default=8, help="seconds per endpoint and mode")
    parser.add_argument("--concurrency", type=int, default=8, help="wrk connections")
    parser.add_argument("--port", type=int, default=int(os.environ.get("BENCH_PORT", "8070")))
    parser.add_argument("--no-doc", action="store_true", help="do not touch docs/benchmarks.md")
    parser.add_argument(
        "--load", action="store_true", help="run the constant-rate locust load instead (issue 8)"
    )
    parser.add_argument("--users", type=int, default=10, help="load: users (= requests/s)")
    parser.add_argument("--load-seconds", type=int, default=150, help="load: duration")
    args = parser.parse_args()
    if args.load:
        ensure_static()
        return load(args)
    if not shutil.which("wrk"):
        sys.exit(
            "wrk is missing: install it with `sudo apt-get install wrk` (Debian package) "
            "and run again."
        )
    ensure_static()
    sizes = [s.strip() for s in args.sizes.split(",") if s.strip()]
    all_results = {}
    for size in sizes:
        log(f"== {size} dataset ({DATABASES[size]})")
        all_results[size] = measure(size, args)
    # A size not measured this time keeps its last figures, so growth can be reported.
    for size in ("small", "large"):
        saved = RESULTS / f"{size}.json"
        if size not in all_results and saved.exists():
            all_results[size] = json.loads(saved.read_text())
    text = report(all_results, machine())
    log("\n" + text)
    if not args.no_doc:
        write_doc(text)
        log(f"\nwritten to {DOC.relative_to(ROOT)}")
    failures = [
        row["name"]
        for results in all_results.values()
        if results["size"] in sizes
        for row in results["endpoints"]
        for mode in ("c", "c1", "c1_uncached")
        if mode in row and row[mode]["errors"] + row[mode]["bad_status"]
    ]
    if failures:
        sys.exit(f"errors or unexpected statuses during the run: {', '.join(failures)}")


if __name__ == "__main__":
    main()

"""Constant-rate load: the public pages, the API and the admin, mixed (issue 8, "Load").

    .venv/bin/python bench/run.py --load          # the documented way: see docs/benchmarks.md

which starts gunicorn on the large dataset, creates the `bench` staff user and runs

    IGR_BENCH_PASSWORD=… .venv/bin/locust -f bench/locustfile.py --headless \\
        -u 10 -r 10 -t 150s --host http://127.0.0.1:8070

Each simulated user sends one request a second (constant_throughput), so the offered
load is the user count in requests per second whatever the response times: a slow
server shows up as latency and failures, not as a politely lower rate. Loopback only.
With IGR_LOAD_REPORT=<file>, every response's time and status is also collected per
group (pages, API, admin) and written there as JSON when the run ends.
"""

import json
import os
import random
import re
from collections import defaultdict

from locust import HttpUser, constant_throughput, events, task

# Not /attendance/: at the large dataset it draws a person × forum table of 35,000 rows
# and runs past gunicorn's 30 s timeout (docs/benchmarks.md, "Load"); it needs paging.
PAGES = ["/", "/forums/", "/meetings/", "/commitments/", "/recommendations/"]
API = [
    "/api/v1/meetings/?page_size=50",
    "/api/v1/commitments/?page_size=50",
    "/api/v1/forums/",
    "/api/v1/scorecards/",
    "/api/v1/forum-health/",
]
ADMIN = ["/admin/", "/admin/forums/meeting/", "/admin/forums/commitment/"]
MEETING_LINK = re.compile(r'href="(/meetings/(?!feed/)[a-z0-9-]+/)"')


def group_of(name):
    if name.startswith("/admin/"):
        return "admin"
    if name.startswith("/api/"):
        return "API"
    return "pages"


# Per group: response times (ms) and counts by outcome; written at the end of the run.
TIMES = defaultdict(list)
OUTCOMES = defaultdict(lambda: defaultdict(int))


@events.request.add_listener
def _collect(name, response_time, response, exception, **kwargs):
    group = group_of(name)
    TIMES[group].append(response_time)
    status = getattr(response, "status_code", 0) or 0
    if exception is not None and not status:
        OUTCOMES[group]["connection errors"] += 1
    elif status >= 500:
        OUTCOMES[group]["5xx"] += 1
    elif exception is not None or status >= 400:
        OUTCOMES[group]["other failures"] += 1
    else:
        OUTCOMES[group]["ok"] += 1


@events.quitting.add_listener
def _write_report(environment, **kwargs):
    path = os.environ.get("IGR_LOAD_REPORT")
    if not path:
        return
    report = {}
    for group, times in TIMES.items():
        times = sorted(times)

        def pct(p, times=times):
            return times[min(len(times) - 1, round(p / 100 * (len(times) - 1)))]

        report[group] = {
            "requests": len(times),
            "p50_ms": pct(50),
            "p95_ms": pct(95),
            "p99_ms": pct(99),
            "max_ms": times[-1],
            **OUTCOMES[group],
        }
    with open(path, "w") as f:
        json.dump(report, f, indent=2)


class Visitor(HttpUser):
    """Someone reading the public site: lists, then a meeting."""

    weight = 6
    wait_time = constant_throughput(1)

    def on_start(self):
        body = self.client.get("/meetings/", name="/meetings/").text
        self.meetings = MEETING_LINK.findall(body)

    @task(3)
    def page(self):
        path = random.choice(PAGES)
        self.client.get(path, name=path)

    @task(1)
    def meeting(self):
        if self.meetings:
            self.client.get(random.choice(self.meetings), name="/meetings/<slug>/")


class Analyst(HttpUser):
    """An anonymous API client paging through lists and aggregates."""

    weight = 3
    wait_time = constant_throughput(1)

    @task
    def api(self):
        path = random.choice(API)
        self.client.get(path, name=path.split("?")[0], headers={"Accept": "application/json"})


class Editor(HttpUser):
    """A signed-in member of staff moving around the admin."""

    weight = 1
    wait_time = constant_throughput(1)

    def on_start(self):
        # Cookies are Secure, and this loopback run is plain HTTP, so the client's cookie
        # jar would not send them back: carry them by hand.
        self.client.get("/admin/login/", name="/admin/login/")
        csrf = self.client.cookies.get("csrftoken")
        response = self.client.post(
            "/admin/login/?next=/admin/",
            data={
                "username": os.environ.get("IGR_BENCH_USER", "bench"),
                "password": os.environ["IGR_BENCH_PASSWORD"],
                "csrfmiddlewaretoken": csrf,
            },
            headers={"Cookie": f"csrftoken={csrf}"},
            allow_redirects=False,
            name="/admin/login/ (POST)",
        )
        session = response.cookies.get("sessionid")
        if response.status_code != 302 or not session:
            raise RuntimeError(f"admin sign-in failed: {response.status_code}")
        self.cookie = f"csrftoken={csrf}; sessionid={session}"

    @task
    def admin(self):
        path = random.choice(ADMIN)
        self.client.get(path, name=path, headers={"Cookie": self.cookie})

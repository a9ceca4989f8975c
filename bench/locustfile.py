"""Constant-rate load: the public pages, the API and the admin, mixed as in docs/benchmarks.md.

    .venv/bin/pip install "locust>=2.30,<3"
    IGR_BENCH_PASSWORD=… .venv/bin/locust -f bench/locustfile.py --headless \\
        -u 30 -r 10 -t 150s --host http://127.0.0.1:8082

Each simulated user sends one request a second (constant_throughput), so the offered
load is the user count in requests per second whatever the response times: a slow
server shows up as latency and failures, not as a politely lower rate. Loopback only.
"""

import os
import random
import re

from locust import HttpUser, constant_throughput, task

PAGES = ["/", "/forums/", "/meetings/", "/commitments/", "/recommendations/", "/attendance/"]
API = [
    "/api/v1/meetings/?page_size=50",
    "/api/v1/commitments/?page_size=50",
    "/api/v1/forums/",
    "/api/v1/scorecards/",
    "/api/v1/forum-health/",
]
ADMIN = ["/admin/", "/admin/forums/meeting/", "/admin/forums/commitment/"]


class Visitor(HttpUser):
    """Someone reading the public site: lists, then a meeting."""

    weight = 6
    wait_time = constant_throughput(1)

    def on_start(self):
        body = self.client.get("/meetings/", name="/meetings/").text
        self.meetings = re.findall(r'href="(/meetings/[a-z0-9-]+-\d{4}-\d{2}-\d{2}/)"', body)

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

"""gunicorn settings for IGR Tracker: `gunicorn igr.wsgi` picks this file up from the
working directory. Each value can be overridden by an environment variable of the same
meaning (GUNICORN_CMD_ARGS also works), so one file serves every deployment size."""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
# The usual 2 × cores + 1 sync workers: requests are short and mostly database-bound.
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
# A request still running after 30 s is stuck (every page is a few queries): kill it
# rather than let it hold a worker; the load balancer retries elsewhere.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 20
keepalive = 5
# Recycle workers now and then so a slow leak cannot grow without bound; jitter stops
# them all restarting at once.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "2000"))
max_requests_jitter = 200
# Load the app before forking: a broken setting stops the master at once, and workers
# share the imported code's memory.
preload_app = True
# Request lines are written by igr.middleware.RequestLogMiddleware as structured records
# with credentials removed; gunicorn's own access log would repeat them with raw query
# strings, so it stays off. Errors go to stderr with the app's logs.
accesslog = None
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info").lower()
# Headers a proxy may set (X-Forwarded-Proto and friends) are believed only from these
# addresses; gunicorn reads FORWARDED_ALLOW_IPS itself, default the local host.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
# Bounded request lines and headers: anything longer is refused before Django sees it.
limit_request_line = 8190
limit_request_fields = 100

"""Outgoing HTTP for the watchers and the link check (never used while serving a page).

One httpx client per run: timeouts on every request, an identifying User-Agent, retries
with exponential backoff on timeouts, connection errors and 5xx answers, and conditional
requests (If-None-Match / If-Modified-Since) from the validators kept in FetchMemo, so an
unchanged answer costs the other side a 304."""

import json
import time

import httpx
from django.conf import settings

from igr import policy
from leads.models import FetchMemo

RETRY_STATUSES = {429, 500, 502, 503, 504}


class SourceFailed(Exception):
    """One source could not be read; the run records it and goes on with the others."""


def client(**kwargs) -> httpx.Client:
    return httpx.Client(
        timeout=httpx.Timeout(settings.WATCHER_TIMEOUT),
        headers={"User-Agent": settings.WATCHER_USER_AGENT},
        **kwargs,
    )


def request(http: httpx.Client, method: str, url: str, **kwargs) -> httpx.Response:
    """`method url` with retries; raises SourceFailed once the retries are spent."""
    attempts = settings.WATCHER_RETRIES + 1
    for attempt in range(attempts):
        try:
            response = http.request(method, url, **kwargs)
        except httpx.TimeoutException as error:
            failure = f"{method} {url} timed out ({error.__class__.__name__})"
        except httpx.TransportError as error:
            failure = f"{method} {url} failed: {error}"
        else:
            if response.status_code not in RETRY_STATUSES:
                return response
            failure = f"{method} {url} answered {response.status_code}"
        if attempt + 1 < attempts:
            time.sleep(settings.WATCHER_BACKOFF * 2**attempt)
    raise SourceFailed(failure)


def get_json(http: httpx.Client, url: str, params=None):
    """The JSON at `url`, asked for conditionally; the remembered body on a 304."""
    address = str(httpx.URL(url, params=params))
    memo = FetchMemo.objects.filter(url=address[:1000]).first()
    headers = {"Accept": "application/json"}
    if memo is not None:
        if memo.etag:
            headers["If-None-Match"] = memo.etag
        if memo.last_modified:
            headers["If-Modified-Since"] = memo.last_modified
    response = request(http, "GET", address, headers=headers)
    if response.status_code == 304 and memo is not None:
        body = memo.body
    elif response.status_code != 200:
        raise SourceFailed(f"GET {address} answered {response.status_code}")
    else:
        body = response.text
    try:
        data = json.loads(body)
    except ValueError as error:
        raise SourceFailed(f"GET {address} did not answer JSON: {error}") from error
    if response.status_code == 200 and (
        response.headers.get("ETag") or response.headers.get("Last-Modified")
    ):
        with policy.writing():
            FetchMemo.objects.update_or_create(
                url=address[:1000],
                defaults={
                    "etag": response.headers.get("ETag", "")[:300],
                    "last_modified": response.headers.get("Last-Modified", "")[:100],
                    "body": body,
                },
            )
    return data

"""The link check: every source's address asked with HEAD (GET when HEAD is refused),
redirects followed and recorded, one host asked at most once per
LINK_CHECK_HOST_INTERVAL seconds. A dead link is flagged on the source; an official page
that moved or changed files a lead for staff."""

import time

import httpx
from django.conf import settings
from django.utils import timezone

from forums.models import Source, SourceKind
from igr import policy
from leads.http import SourceFailed, request
from leads.models import Kind, Origin
from leads.services import file_lead

#: Answers from servers that refuse HEAD (or refuse it oddly): ask again with GET.
HEAD_REFUSED = {400, 403, 405, 501}
LINK_FIELDS = ["link_checked_at", "link_status", "link_error", "link_moved_to", "link_fingerprint"]


class Pacer:
    """At most one request to a host per `interval` seconds."""

    def __init__(self, interval: float):
        self.interval = interval
        self.last: dict[str, float] = {}

    def wait(self, url: str) -> None:
        host = httpx.URL(url).host
        elapsed = time.monotonic() - self.last.get(host, float("-inf"))
        if elapsed < self.interval:
            time.sleep(self.interval - elapsed)
        self.last[host] = time.monotonic()


def probe(http, url: str, pacer: Pacer) -> httpx.Response:
    pacer.wait(url)
    response = request(http, "HEAD", url)
    if response.status_code in HEAD_REFUSED:
        pacer.wait(url)
        response = request(http, "GET", url)
    return response


def fingerprint(response) -> str:
    return (response.headers.get("ETag") or response.headers.get("Last-Modified") or "")[:300]


def check(http, source: Source, *, pacer: Pacer, run) -> None:
    before = source.link_fingerprint
    try:
        response = probe(http, source.url, pacer)
    except SourceFailed as error:
        status, error_text, moved_to, new_print = None, str(error)[:300], "", before
    else:
        status, error_text = response.status_code, ""
        final = str(response.url)
        moved_to = final if response.history and final != source.url else ""
        new_print = fingerprint(response) or before
    with policy.writing() as write:
        write.changing(source)
        source.link_checked_at = timezone.now()
        source.link_status = status
        source.link_error = error_text
        source.link_moved_to = moved_to[:1000]
        source.link_fingerprint = new_print
        # Not a change to what the source says, so no history row and no new updated_at
        # (API clients syncing by modified_since are not sent every source nightly).
        source.save_without_historical_record(update_fields=LINK_FIELDS)
        write.touched(source)
    run.count("checked")
    if source.link_is_dead:
        run.count("dead")
    if source.kind != SourceKind.OFFICIAL:
        return
    if moved_to:
        _file(source, f"source-moved:{source.pk}:{moved_to}", f"Moved: {source}", run)
    elif before and new_print and new_print != before:
        _file(source, f"source-changed:{source.pk}:{new_print}", f"Changed: {source}", run)


def _file(source, key, title, run):
    _, created = file_lead(
        key=key,
        origin=Origin.SOURCE_CHECK,
        kind=Kind.SOURCE_CHANGED,
        url=source.link_moved_to or source.url,
        title=title[:500],
        text=(
            f"The official page “{source}” at {source.url} "
            + (
                f"now redirects to {source.link_moved_to}."
                if source.link_moved_to
                else "has changed since it was last checked (its ETag or Last-Modified "
                "differs). Check the records citing it."
            )
        ),
        cited_source=source,
        guesses={"source_id": source.pk},
    )
    if created:
        run.count("leads filed")


def check_all(http, run, *, limit: int | None = None) -> None:
    pacer = Pacer(settings.LINK_CHECK_HOST_INTERVAL)
    sources = Source.objects.due_for_link_check()
    for source in sources[:limit] if limit else sources:
        with run.source(f"source {source.pk} ({source.url})"):
            check(http, source, pacer=pacer, run=run)

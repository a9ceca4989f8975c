"""The GOV.UK watcher: each forum's search terms and organisations through the Search API
(/api/search.json), each new document through the Content API (/api/content/<path>), one
lead per document revision."""

import datetime

from django.conf import settings
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from authorities.models import Person
from leads import text
from leads.http import get_json
from leads.models import ForumWatch, Kind, Lead, Origin
from leads.services import file_lead

SEARCH_FIELDS = [
    "title",
    "link",
    "description",
    "public_timestamp",
    "content_id",
    "display_type",
    "organisations",
]
PAGE_SIZE = 20
MAX_PAGES = 5


def lead_key(result: dict) -> str:
    return f"govuk:{result['link']}@{result.get('public_timestamp') or ''}"


def search(http, watch: ForumWatch, term: str, *, since: datetime.date) -> list[dict]:
    """Every result since `since`, newest first, a page of PAGE_SIZE at a time (at most
    MAX_PAGES, far more than a forum publishes in the window)."""
    base = [
        ("q", term),
        ("order", "-public_timestamp"),
        ("count", str(PAGE_SIZE)),
        ("filter_public_timestamp", f"from:{since.isoformat()}"),
        *(("fields", field) for field in SEARCH_FIELDS),
        *(("filter_organisations", slug) for slug in watch.organisation_slugs()),
    ]
    results = []
    for page in range(MAX_PAGES):
        params = [*base, ("start", str(page * PAGE_SIZE))] if page else base
        data = get_json(http, f"{settings.GOVUK_API_BASE}/api/search.json", params=params)
        results += data["results"]
        if len(data["results"]) < PAGE_SIZE or len(results) >= data.get("total", 0):
            return results
    return results


def lead_from_content(content: dict, *, watch: ForumWatch, people) -> dict:
    """The lead's fields from a Content API item (publishing-api's content schema)."""
    details = content.get("details") or {}
    page = text.read_html(details.get("body", ""))
    organisations = [
        {"title": o.get("title", ""), "base_path": o.get("base_path", "")}
        for o in (content.get("links") or {}).get("organisations", [])
    ]
    body = page["text"]
    return {
        "origin": Origin.GOVUK,
        "kind": Kind.COMMUNIQUE,
        "url": f"https://www.gov.uk{content['base_path']}",
        "title": content["title"][:500],
        "published_at": parse_datetime(content.get("first_published_at") or ""),
        "updated_at_source": parse_datetime(content.get("public_updated_at") or ""),
        "text": body,
        "organisations": organisations,
        "guessed_forum": watch.watched_forum,
        "meeting_date": text.meeting_date(content["title"], body),
        "guesses": {
            "content_id": content.get("content_id", ""),
            "document_type": content.get("document_type", ""),
            "description": content.get("description", ""),
            "people": text.people_named(body, people),
            "headings": page["headings"],
            "agreed": text.agreed_points(body, page["items"]),
        },
    }


def watch_forum(http, watch: ForumWatch, run, *, people) -> None:
    since = timezone.localdate() - datetime.timedelta(days=settings.WATCH_GOVUK_DAYS)
    for term in watch.terms():
        for result in search(http, watch, term, since=since):
            run.count("documents seen")
            key = lead_key(result)
            if Lead.objects.filter(key=key).exists():
                continue
            # One document that cannot be read (gone, malformed) is recorded on its own;
            # the forum's other documents are still filed.
            with run.source(f"GOV.UK document {result['link']}"):
                content = get_json(http, f"{settings.GOVUK_API_BASE}/api/content{result['link']}")
                _, created = file_lead(
                    key=key, **lead_from_content(content, watch=watch, people=people)
                )
                if created:
                    run.count("leads filed")


def watch_all(http, run) -> None:
    people = list(Person.objects.values_list("pk", "name"))
    watches = ForumWatch.objects.filter(is_active=True).select_related("watched_forum")
    for watch in watches:
        with run.source(f"GOV.UK search for {watch.watched_forum}"):
            watch_forum(http, watch, run, people=people)

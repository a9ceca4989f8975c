"""Site search across forums, meetings, commitments, authorities and people.

PostgreSQL ranks with its full-text search (English stemming, so "meet" finds
"meeting"); SQLite, used for local runs, falls back to every word appearing somewhere
in the record's text. Both start from the published records only.
"""

from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector
from django.db import connection
from django.db.models import Q

from authorities.models import Authority, Person
from forums.models import Commitment, Forum, Meeting

MAX_WORDS = 10
PER_KIND = 20

# (heading, queryset of published records, fields searched)
TARGETS = (
    ("Forums", lambda: Forum.objects.published(), ("name", "short_name", "purpose")),
    (
        "Meetings",
        lambda: Meeting.objects.published().select_related("forum"),
        ("forum__name", "location", "summary"),
    ),
    (
        "Commitments",
        lambda: Commitment.objects.published().select_related("meeting__forum", "forum"),
        ("title", "text"),
    ),
    ("Authorities", lambda: Authority.objects.published(), ("name", "short_name", "gss_code")),
    ("People", lambda: Person.objects.published(), ("name",)),
)


def search(text: str) -> list[dict]:
    """Matching records grouped by kind, best first: [{"kind", "results", "count"}]."""
    words = text.split()[:MAX_WORDS]
    if not words:
        return []
    groups = []
    for kind, queryset, fields in TARGETS:
        matches = _match(queryset(), fields, words)
        results = list(matches[:PER_KIND])
        groups.append({"kind": kind, "results": results, "count": len(results)})
    return groups


def _match(queryset, fields, words):
    if connection.vendor == "postgresql":
        vector = SearchVector(*fields, config="english")
        query = SearchQuery(" ".join(words), config="english", search_type="plain")
        # Names are matched as typed too: stemming cannot find a GSS code or a surname
        # fragment such as "Burnh".
        prefix = Q()
        for word in words:
            prefix &= Q(**{f"{fields[0]}__icontains": word})
        return (
            queryset.annotate(document=vector, rank=SearchRank(vector, query))
            .filter(Q(document=query) | prefix)
            .order_by("-rank", *queryset.model._meta.ordering)
        )
    for word in words:
        condition = Q()
        for field in fields:
            condition |= Q(**{f"{field}__icontains": word})
        queryset = queryset.filter(condition)
    return queryset

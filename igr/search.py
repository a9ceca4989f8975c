"""Site search across forums, meetings, agenda items, commitments, documents,
recommendations, sources, authorities and people.

Matching is igr.fulltext's, over each list's own `search_vector` (the one its API `q`
uses): on PostgreSQL full-text search through the GIN indexes, ranked, with headline
snippets, and "did you mean" from pg_trgm similarity on names when nothing matches; on
SQLite, for local runs, a plain fallback where every word must appear in the record
(case-insensitive), in the usual order, the snippet being the start of the text and no
suggestions. Both start from the published records only.

A commitment or agenda item tagged with a matching recommendation is a result too:
searching "fiscal" finds recommendation 2 ("…towards fiscal devolution") and what was
agreed and discussed under it, whatever words those records use.
"""

import contextlib
import datetime
import functools
from dataclasses import dataclass
from urllib.parse import urlencode

from django import forms
from django.contrib.postgres.search import TrigramSimilarity
from django.db import connection, connections, router, transaction
from django.db.models import DateField, OuterRef, Q, Subquery, TextField, Value
from django.db.models.functions import Concat
from django.urls import reverse
from django.utils import dateformat
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django_filters.fields import DateRangeField

from authorities.filters import AuthorityFilter, PersonFilter
from authorities.models import Authority, Person
from forums.filters import (
    AgendaItemFilter,
    CommitmentFilter,
    DocumentFilter,
    ForumFilter,
    MeetingFilter,
    RecommendationFilter,
    SourceFilter,
)
from forums.models import (
    AgendaItem,
    Commitment,
    Document,
    Forum,
    Meeting,
    Recommendation,
    Source,
)
from igr import compiled, fulltext
from igr.records import PublicationState

#: Results shown per kind when every kind is shown, and when one kind is chosen.
PER_KIND = 10
ONE_KIND = 50
#: Matches counted per kind; past it a kind says "more than 1,000" and lists its most
#: recently recorded matches instead of ranking them all (igr.fulltext.RANK_CAP: for a
#: word on every one of 100,000 meetings ranking took most of a second).
COUNT_CAP = fulltext.RANK_CAP


@dataclass(frozen=True)
class Target:
    key: str
    label: str
    queryset: object  # a function giving the published queryset
    spec: tuple
    snippet: object = None  # a column or expression the snippet is cut from
    date: str | None = None  # the date the date filter reads
    forum: tuple[str, ...] = ()  # paths to the forum the forum filter reads
    tagged: bool = False  # also the records tagged with a matching recommendation
    # The same records as `queryset` for the read of those matching by their own words,
    # when the plain queryset's join misleads the planner (see _agenda_items_own_words).
    own_words: object = None


def _agenda_items_own_words():
    """The published public agenda items, their meeting's publication checked row by row
    (a correlated subquery, which PostgreSQL never turns into a join). Joined, a word the
    GIN index finds on five items but the planner guesses at thousands ("devolution")
    was read by hashing all 100,000 meetings: 20 ms, against 0.1 ms this way."""
    state = (
        Meeting.objects.filter(pk=OuterRef("meeting_id")).order_by().values("publication_state")[:1]
    )
    return (
        AgendaItem.objects.filter(is_public=True)
        .alias(meeting_state=Subquery(state))
        .filter(meeting_state=PublicationState.PUBLISHED)
    )


def _date(value):
    return value if isinstance(value, datetime.date) else None


TARGETS = (
    Target(
        "recommendations",
        "Recommendations",
        lambda: Recommendation.objects.select_related("report"),
        RecommendationFilter.search_vector,
        snippet="summary",
    ),
    Target(
        "forums",
        "Forums",
        lambda: Forum.objects.published(),
        ForumFilter.search_vector,
        snippet="purpose",
        forum=("pk",),
    ),
    Target(
        "meetings",
        "Meetings",
        lambda: Meeting.objects.published().select_related("forum"),
        MeetingFilter.search_vector,
        snippet="summary",
        date="date",
        forum=("forum",),
    ),
    Target(
        "agenda-items",
        "Agenda items",
        lambda: (
            AgendaItem.objects.published()
            .filter(is_public=True)
            .select_related("meeting__forum")
            .order_by("-meeting__date", "order")
        ),
        AgendaItemFilter.search_vector,
        snippet=Concat("description", Value(" "), "outcome", output_field=TextField()),
        date="meeting__date",
        forum=("meeting__forum",),
        tagged=True,
        own_words=_agenda_items_own_words,
    ),
    Target(
        "commitments",
        "Commitments",
        lambda: Commitment.objects.published().select_related("meeting__forum", "forum"),
        CommitmentFilter.search_vector,
        snippet="text",
        date="made_on",
        forum=("meeting__forum", "forum"),
        tagged=True,
    ),
    Target(
        "documents",
        "Documents",
        lambda: Document.objects.published().select_related("meeting__forum", "forum"),
        DocumentFilter.search_vector,
        snippet="text",
        date="published_on",
        forum=("meeting__forum", "forum"),
    ),
    Target(
        "authorities",
        "Authorities",
        lambda: Authority.objects.published(),
        AuthorityFilter.search_vector,
    ),
    Target("people", "People", lambda: Person.objects.published(), PersonFilter.search_vector),
    Target(
        "sources",
        "Sources",
        lambda: Source.objects.all(),
        SourceFilter.search_vector,
        snippet="quote",
        date="published_on",
    ),
)
KINDS = {target.key: target for target in TARGETS}


class SearchForm(forms.Form):
    q = forms.CharField(
        label="Search the record",
        max_length=200,
        required=False,
        error_messages={"max_length": "Enter at most 200 characters."},
    )
    kind = forms.ChoiceField(
        label="Type",
        required=False,
        choices=[("", "Any")] + [(t.key, t.label) for t in TARGETS],
    )
    forum = forms.ModelChoiceField(
        label="Forum",
        required=False,
        queryset=Forum.objects.published(),
        to_field_name="slug",
        help_text="Meetings, agenda items, commitments and documents of this forum.",
    )
    date = DateRangeField(
        label="Date",
        required=False,
        help_text="Of the meeting, commitment, document or source. For example, 2025-01-31",
    )

    def clean_q(self):
        text = self.cleaned_data["q"].strip()
        if "\x00" in text:
            raise forms.ValidationError("Remove the null character.")
        return text


@dataclass
class Hit:
    title: str
    url: str
    kind: str
    snippet: str
    date: datetime.date | None
    forum: object
    rank: float | None
    external: bool = False
    tags: str | None = None  # numbers of the matching recommendations it is tagged with

    @property
    def meta(self):
        """The line under the title, as safe HTML: "forum · 1 May 2025 · tagged with
        recommendation 2", each part when the hit has it. Built here, not in the
        template: for 60 hits its conditions and date filter were a third of the page's
        rendering."""
        parts = []
        if self.forum:
            parts.append(escape(self.forum.name))
        if self.date:
            parts.append(dateformat.format(self.date, "j F Y"))
        if self.tags:
            parts.append(f"tagged with recommendation {escape(self.tags)}")
        return mark_safe(" · ".join(parts))  # every part escaped or ours


def search(text: str, *, kind: str = "", forum=None, date: slice | None = None) -> dict:
    """Matching published records grouped by kind, best first:
    {"groups": [{"key", "label", "count", "more", "hits"}], "total", "more",
    "suggestions", "skipped"}; `more` means a kind matched more than COUNT_CAP.
    With a forum or a date, only the kinds that have one are searched (`skipped` names
    the others)."""
    text = text.strip()
    if not text.split():
        return {"groups": [], "total": 0, "more": False, "suggestions": [], "skipped": []}
    with _short_reads():
        return _search(text, kind=kind, forum=forum, date=date)


@contextlib.contextmanager
def _short_reads():
    """On PostgreSQL, run the search's reads in one read transaction with parallel
    workers and JIT compilation off: every read is short (a bounded walk or a GIN index
    read), and starting workers for one, or compiling it, took longer than the read
    itself (docs/benchmarks.md, "Search"). The reads go where the router sends them."""
    if not fulltext.is_full_text():
        yield
        return
    alias = router.db_for_read(Meeting)
    with transaction.atomic(using=alias):
        with connections[alias].cursor() as cursor:
            cursor.execute("SET LOCAL max_parallel_workers_per_gather = 0; SET LOCAL jit = off")
        yield


# The values igr.compiled builds each query shape with, in place of a request's: a search
# text (quoted, for texts without the prefix form), a forum, dates, recommendations, the
# ids of a kind's matches (one array) and the ids of the records shown. None is a value
# any record or request has.
_TEXT = "qqsearchsentinelqq"
_FORUM = -1_000_001
_DATES = (datetime.date(1, 1, 2), datetime.date(1, 1, 3))
_RECOMMENDATION = -2_000_000  # minus the position
_IDS = [-3_000_001]
_ROW = -4_000_000  # minus the position


def _search(text, *, kind, forum, date) -> dict:
    using = router.db_for_read(Meeting)
    # Each query's SQL is compiled once per shape and run with this request's values
    # (igr.compiled); on SQLite, whose fallback's SQL varies with the number of words,
    # every query goes through the ORM.
    cache = fulltext.is_full_text()
    words = _text_swaps(text)
    narrowing = {}
    if forum is not None:
        narrowing["forum"] = (_FORUM, forum.pk)
    if date is not None:
        for name, sentinel, value in zip(
            ("start", "stop"), _DATES, (date.start, date.stop), strict=True
        ):
            if value is not None:
                # As the ORM prepares it for the date columns (a datetime's date).
                narrowing[name] = (sentinel, DateField().to_python(value))
    recommendations = dict(
        compiled.rows(
            "recommendations" if cache else None,
            lambda v: (
                fulltext.filtered(
                    Recommendation.objects.all(), RecommendationFilter.search_vector, v["_text"]
                )
                .order_by("number")
                .values_list("pk", "number")
            ),
            words,
            using=using,
        )
    )
    tagged = {
        f"recommendation{n}": (_RECOMMENDATION - n, pk) for n, pk in enumerate(recommendations)
    }
    searched, skipped = [], []
    for target in TARGETS:
        if kind and target.key != kind:
            continue
        if (forum is not None and not target.forum) or (date is not None and not target.date):
            skipped.append(target.label)
            continue
        searched.append((target, 2 if target.tagged and recommendations else 1))
    limit = ONE_KIND if kind else PER_KIND
    found = iter(
        _read_ids(
            searched,
            words | narrowing | (tagged if any(reads > 1 for _, reads in searched) else {}),
            limit=limit,
            key=("ids", kind, COUNT_CAP) if cache else None,
            using=using,
        )
    )
    matched, pages = [], []
    for target, reads in searched:
        ids, past_cap = set(), False
        for _read in range(reads):
            count, read = next(found)
            ids.update(read)
            past_cap = past_cap or count > COUNT_CAP
        if not ids:
            continue
        ranked = not past_cap and len(ids) <= COUNT_CAP
        matched.append((target, ids, ranked))
        if ranked:
            pages.append(
                (
                    ("ranked", target.key, limit) if cache else None,
                    functools.partial(_ranked, target, limit),
                    words | narrowing | {"ids": (_IDS, list(ids))},
                )
            )
        else:
            # The most recently recorded, unranked: the newest ids read, so the page
            # query cuts snippets for the rows shown only.
            latest = sorted(ids, reverse=True)[:limit]
            pages.append(
                (
                    ("latest", target.key) if cache else None,
                    functools.partial(_latest, target, len(latest)),
                    words | narrowing | {f"id{n}": (_ROW - n, pk) for n, pk in enumerate(latest)},
                )
            )
    # Every kind's page in one round trip on PostgreSQL (igr.compiled.instances_many).
    shown = compiled.instances_many(pages, using=using)
    groups = []
    for (target, ids, ranked), rows in zip(matched, shown, strict=True):
        tags = _tags(target, rows, recommendations, tagged, cache=cache, using=using)
        hits = [_hit(target, row, tags.get(row.pk)) for row in rows]
        groups.append(
            {
                "key": target.key,
                "label": target.label,
                "count": len(ids) if ranked else COUNT_CAP,
                "more": not ranked,
                "hits": hits,
            }
        )
    total = sum(group["count"] for group in groups)
    suggestions = suggest(text) if not total else []
    return {
        "groups": groups,
        "total": total,
        "more": any(group["more"] for group in groups),
        "suggestions": suggestions,
        "skipped": skipped,
    }


def _text_swaps(text) -> dict:
    """The search text's parameters for igr.compiled, with a sentinel text of the same
    form (with or without the prefix form; see igr.fulltext.query)."""
    phrase, raw = fulltext.query_parts(text)
    sentinel = _TEXT if raw is not None else f'"{_TEXT}"'
    sentinel_phrase, sentinel_raw = fulltext.query_parts(sentinel)
    swaps = {"_text": (sentinel, text), "phrase": (sentinel_phrase, phrase)}
    if raw is not None:
        swaps["raw"] = (sentinel_raw, raw)
    return swaps


def _narrowed(target, queryset, values):
    """`queryset` narrowed to the forum and dates among `values` (see _search)."""
    if "forum" in values:
        condition = Q()
        for path in target.forum:
            condition |= Q(**{path: values["forum"]})
        queryset = queryset.filter(condition)
    if "start" in values:
        queryset = queryset.filter(**{f"{target.date}__gte": values["start"]})
    if "stop" in values:
        queryset = queryset.filter(**{f"{target.date}__lte": values["stop"]})
    return queryset


def _id_reads(target, values) -> list:
    """What finds a kind's matches: its records matching by their own words and, for a
    tagged kind, those tagged with a matching recommendation (querysets for _read_ids)."""
    queryset = _narrowed(target, target.queryset(), values)
    own_words = (
        queryset if target.own_words is None else _narrowed(target, target.own_words(), values)
    )
    reads = [fulltext.filtered(own_words, target.spec, values["_text"])]
    recommendations = [value for name, value in values.items() if name.startswith("recommendation")]
    if target.tagged and recommendations:
        reads.append(queryset.filter(recommendations__in=recommendations))
    return reads


def _read_ids(searched, swaps, *, limit, key, using) -> list[tuple[int, list]]:
    """For each read, how many records it found, up to COUNT_CAP + 1 (enough to count up
    to the cap), and their ids: all of them when the read found at most COUNT_CAP, else
    its `limit` most recently recorded (all a page past the cap lists, as the newest of
    a kind's reads together are among each read's newest). Each read is a short walk of
    the primary key backwards (filtered by the vector, or joined to the tag table) or a
    read of the GIN index, whichever the planner finds cheaper, so a word on every one
    of 100,000 meetings or a recommendation tagged on 60,000 commitments costs a bounded
    walk, not a sort or a ranking of them all; the page is then read by these ids. On
    PostgreSQL all the reads go as one UNION ALL query, one round trip rather than
    eleven; SQLite cannot limit the parts of a compound query, so there each is its
    own."""
    capped = slice(0, COUNT_CAP + 1)
    values = {name: value for name, (_sentinel, value) in swaps.items()}
    if not connection.features.supports_slicing_ordering_in_compound:
        reads = [read for target, _reads in searched for read in _id_reads(target, values)]
        found = [list(read.order_by("-pk").values_list("pk", flat=True)[capped]) for read in reads]
        return [_counted(ids, limit) for ids in found]

    def union(values):
        reads = [read for target, _reads in searched for read in _id_reads(target, values)]
        parts = [
            read.annotate(search_read=Value(number))
            .values_list("search_read", "pk")
            .order_by("-pk")[capped]
            for number, read in enumerate(reads)
        ]
        return parts[0].union(*parts[1:], all=True)

    def grouped(sql):
        # Each read's ids as one array: eleven rows to send and read rather than one a
        # record (3,039 for a word on every meeting, each a Python call or more).
        return f'SELECT "search_read", ARRAY_AGG("pk") FROM ({sql}) AS "reads" GROUP BY 1'

    found = [[] for _target, reads in searched for _read in range(reads)]
    if found:
        for number, ids in compiled.rows(key, union, swaps, using=using, wrap=grouped):
            found[number] = ids
    return [_counted(ids, limit) for ids in found]


def _counted(ids, limit) -> tuple[int, list]:
    if len(ids) <= COUNT_CAP:
        return len(ids), ids
    return len(ids), sorted(ids, reverse=True)[:limit]


def _ranked(target, limit, values):
    """A kind's page when it has at most COUNT_CAP matches (their ids in `values`): the
    best ranked, with their snippets."""
    queryset = _narrowed(target, target.queryset(), values)
    order = queryset.query.order_by or queryset.model._meta.ordering
    matches = fulltext.annotated(
        fulltext.among(queryset, values["ids"]),
        target.spec,
        values["_text"],
        snippet_from=target.snippet,
    )
    if fulltext.is_full_text():
        matches = matches.order_by("-search_rank", *order)
    return matches[:limit]


def _latest(target, count, values):
    """A kind's page past COUNT_CAP: the records of the `count` ids in `values`, newest
    first, with their snippets and no rank."""
    queryset = _narrowed(target, target.queryset(), values)
    latest = [values[f"id{n}"] for n in range(count)]
    matches = fulltext.annotated(
        queryset.filter(pk__in=latest),
        target.spec,
        values["_text"],
        snippet_from=target.snippet,
        rank=False,
    )
    return matches.order_by("-pk")


def _tags(target, rows, recommendations, tagged, *, cache, using) -> dict:
    """{record pk: "2, 4"}: which matching recommendations each shown record is tagged
    with, so the page can say why it matched. One query for the page."""
    if not (target.tagged and recommendations and rows):
        return {}
    through = target.queryset().model.recommendations.through
    owner = f"{rows[0]._meta.model_name}_id"

    def build(values):
        return (
            through.objects.filter(
                **{f"{owner}__in": [values[f"row{n}"] for n in range(len(rows))]}
            )
            .filter(recommendation_id__in=[values[name] for name in tagged])
            .values_list(owner, "recommendation_id")
        )

    swaps = tagged | {f"row{n}": (_ROW - n, row.pk) for n, row in enumerate(rows)}
    tags = {}
    for pk, recommendation in compiled.rows(
        ("tags", target.key) if cache else None, build, swaps, using=using
    ):
        tags.setdefault(pk, []).append(recommendations[recommendation])
    return {pk: ", ".join(map(str, sorted(numbers))) for pk, numbers in tags.items()}


def _hit(target, row, tags) -> Hit:
    snippet = fulltext.highlight(getattr(row, "search_snippet", None))
    forum = None
    date = _date(getattr(row, "date", None))
    title, url, external = str(row), getattr(row, "get_absolute_url", lambda: "")(), False
    if target.key == "meetings":
        title, forum = f"{row.forum.name}, {row.date:%-d %B %Y}", row.forum
    elif target.key == "agenda-items":
        meeting = row.meeting
        title = row.title
        url = meeting.get_absolute_url() + "#agenda"
        forum, date = meeting.forum, meeting.date
    elif target.key == "commitments":
        forum = row.meeting.forum if row.meeting_id else row.forum
        date = row.made_on
    elif target.key == "documents":
        forum = row.meeting.forum if row.meeting_id else row.forum
        url = (row.meeting or row.forum).get_absolute_url()
        date = row.published_on
    elif target.key == "sources":
        url, external, date = row.url, True, row.published_on
        snippet = snippet or row.publisher
    return Hit(
        title=title,
        url=url,
        kind=target.label,
        snippet=snippet,
        date=date,
        forum=forum,
        rank=getattr(row, "search_rank", None),
        external=external,
        tags=tags,
    )


def suggest(text: str, limit: int = 3) -> list[dict]:
    """What the visitor may have meant, on PostgreSQL (pg_trgm): the text with each word
    respelt as the nearest word of the recommendations and forums ("fiscl" → "fiscal"),
    then names of published people, authorities and forums like the text ("Andy Burnam"
    → "Andy Burnham"). [{"name", "url"}], at most `limit`; none on SQLite."""
    if not fulltext.is_full_text():
        return []
    found = []
    respelt = _respelt(text)
    if respelt:
        found.append((1.0, respelt))
    names = []
    for queryset in (
        Person.objects.published(),
        Authority.objects.published(),
        Forum.objects.published(),
    ):
        # `name % text` (similarity over pg_trgm's threshold, 0.3) reads the name's
        # trigram index; the similarity then orders the few found.
        names += list(
            queryset.filter(name__trigram_similar=text)
            .annotate(similarity=TrigramSimilarity("name", text))
            .order_by("-similarity", "name")[:limit]
        )
    names.sort(key=lambda record: -record.similarity)
    found += [(record.similarity, record.name) for record in names]
    return [
        {"name": name, "url": reverse("search") + "?" + urlencode({"q": name})}
        for _, name in found[:limit]
    ]


# The vocabulary words are respelt into: the recommendations' and the published forums'
# own words (a few hundred, read by ts_stat each time; only an empty search pays for it).
_VOCABULARY = (
    "SELECT to_tsvector('simple', title || ' ' || summary) FROM forums_recommendation "
    "UNION ALL SELECT to_tsvector('simple', name || ' ' || purpose) FROM forums_forum "
    "WHERE publication_state = 'published'"
)


def _respelt(text: str) -> str | None:
    words = [w.lower() for w in text.split()[: fulltext.MAX_WORDS]]
    if not words or any(len(w) < 4 for w in words):
        return None
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT q.word, (SELECT s.word FROM ts_stat(%s) AS s "
            "WHERE length(s.word) > 3 AND similarity(s.word, q.word) >= 0.4 "
            "ORDER BY similarity(s.word, q.word) DESC, s.nentry DESC LIMIT 1) "
            "FROM unnest(%s::text[]) WITH ORDINALITY AS q(word, n) ORDER BY q.n",
            [_VOCABULARY, words],
        )
        pairs = cursor.fetchall()
    respelt = [better or word for word, better in pairs]
    return " ".join(respelt) if respelt != words else None

"""Full-text matching shared by the site search and the API's `q` parameter.

On PostgreSQL a record matches through a weighted tsvector over its own columns
(`vector(spec)`), compared with the words as `websearch_to_tsquery` reads them ("quoted
phrases", `or`, `-excluded`) in the English configuration, OR'd with each word as a
prefix so a surname fragment ("Burnh") or a code still finds its record. Each searched
table has an expression GIN index on exactly that vector (forums and authorities
migrations "search_indexes"), so matching reads the index; the expression written here
and the one indexed must stay identical or the search falls back to reading the whole
table (tests/perf/test_explain.py catches that). Nothing is stored per row, so writes
need no extra step.

SQLite, for local runs, has no full-text index: there every word must appear somewhere
in the record's columns (a case-insensitive substring match), results keep their usual
order, and there is no rank; the snippet is the start of the text.
"""

import re

from django.contrib.postgres.search import (
    SearchHeadline,
    SearchQuery,
    SearchRank,
    SearchVector,
)
from django.db import connection
from django.db.models import F, FloatField, Q, TextField, Value
from django.db.models.expressions import RawSQL
from django.db.models.functions import Concat
from django.utils.html import escape
from django.utils.safestring import mark_safe

CONFIG = "english"
MAX_WORDS = 10
#: Matches ranked at most: ranking recomputes each match's vector (the index holds no
#: weights to rank by), so past this many a search lists in its usual order instead.
RANK_CAP = 1_000
# Marks around matched words in a headline: control characters nobody types, replaced by
# <mark> only after the text is escaped, so a record's own text can never inject markup.
_START, _STOP = "\x02", "\x03"
_WORD = re.compile(r"[^\W_]+")


def is_full_text() -> bool:
    return connection.vendor == "postgresql"


def vector(spec):
    """The weighted tsvector of ((column, weight), ...), as the GIN indexes hold it."""
    parts = [SearchVector(column, weight=weight, config=CONFIG) for column, weight in spec]
    combined = parts[0]
    for part in parts[1:]:
        combined = combined + part
    return combined


def query(text: str):
    """`websearch_to_tsquery` of the text, OR every word as a prefix ("burnh" finds
    "Burnham"); the prefix form is left out when the text uses the web-search operators
    (a quoted phrase, `or`, `-word`), whose meaning it would loosen, or has a one-letter
    word, which would match most of the index."""
    words, raw = query_parts(text)
    phrase = SearchQuery(words, config=CONFIG, search_type="websearch")
    if raw is not None:
        phrase = phrase | SearchQuery(raw, config=CONFIG, search_type="raw")
    return phrase


def query_parts(text: str) -> tuple[str, str | None]:
    """The two texts `query` passes to PostgreSQL: the words for `websearch_to_tsquery`
    and the prefix form for `to_tsquery` (None when left out)."""
    words = text.split()[:MAX_WORDS]
    operators = '"' in text or any(w.startswith("-") or w.lower() == "or" for w in words)
    prefixes = [w.lower() for w in _WORD.findall(" ".join(words))]
    raw = None
    if prefixes and not operators and min(len(w) for w in prefixes) >= 2:
        raw = " & ".join(f"{w}:*" for w in prefixes[:MAX_WORDS])
    return " ".join(words), raw


def matching(queryset, spec, text: str, *, snippet_from=None):
    """The records of `queryset` that match `text` (`filtered`), with their rank and
    snippet (`annotated`)."""
    return annotated(filtered(queryset, spec, text), spec, text, snippet_from=snippet_from)


def filtered(queryset, spec, text: str):
    """The records of `queryset` that match `text`: on PostgreSQL through the GIN index,
    elsewhere every word somewhere in the columns."""
    words = text.split()[:MAX_WORDS]
    if not words:
        return queryset.none()
    if is_full_text():
        document = vector(spec)
        return queryset.alias(search_document=document).filter(search_document=query(text))
    for word in words:
        condition = Q()
        for column, _weight in spec:
            condition |= Q(**{f"{column}__icontains": word})
        queryset = queryset.filter(condition)
    return queryset


def annotated(queryset, spec, text: str, *, snippet_from=None, rank=True):
    """`queryset` with `search_rank` (None on SQLite, or when `rank` is false; 0 for a
    record whose own words do not match) and, given a column or expression
    `snippet_from`, `search_snippet` (headline text with match marks; see `highlight`;
    on SQLite the text itself)."""
    if not is_full_text():
        queryset = queryset.annotate(search_rank=Value(None, output_field=FloatField()))
        if isinstance(snippet_from, str):
            snippet_from = F(snippet_from)
        return queryset.annotate(search_snippet=snippet_from) if snippet_from else queryset
    tsquery = query(text)
    if rank:
        queryset = queryset.annotate(search_rank=SearchRank(vector(spec), tsquery))
    else:
        queryset = queryset.annotate(search_rank=Value(None, output_field=FloatField()))
    if snippet_from:
        queryset = queryset.annotate(
            search_snippet=SearchHeadline(
                snippet_from,
                tsquery,
                config=CONFIG,
                start_sel=_START,
                stop_sel=_STOP,
                max_words=30,
                min_words=12,
                max_fragments=2,
                fragment_delimiter=" … ",
            )
        )
    return queryset


def among(queryset, ids):
    """`queryset` narrowed to the records whose pk is in `ids`. On PostgreSQL the ids go
    as one array parameter rather than a placeholder each: for a thousand ids Django's
    and psycopg's handling of the placeholders took several times what the query did."""
    if not is_full_text():
        return queryset.filter(pk__in=ids)
    return queryset.filter(pk__in=RawSQL("SELECT unnest(%s::bigint[])", [list(ids)]))


def more_than_rank_cap(matches) -> bool:
    """Whether `matches` holds more than RANK_CAP records (one bounded query)."""
    return matches.order_by().values("pk")[: RANK_CAP + 1].count() > RANK_CAP


def joined(spec):
    """All the vector's columns as one text, to cut a snippet from wherever it matched."""
    columns = [column for column, _weight in spec]
    if len(columns) == 1:
        return F(columns[0])
    parts = []
    for column in columns:
        parts += [F(column), Value(" ")]
    return Concat(*parts[:-1], output_field=TextField())


def annotations(record) -> dict:
    """The API's view of a search match: its rank and its snippet as plain text, or {}
    when the record did not come from a full-text search."""
    if not hasattr(record, "search_rank"):
        return {}
    return {
        "search_rank": record.search_rank,
        "search_snippet": plain(getattr(record, "search_snippet", "")),
    }


def highlight(snippet: str | None, limit: int = 240):
    """A headline as safe HTML: the text escaped, the matched words in <mark>. The
    SQLite fallback's snippet (the start of the text) is cut to `limit` characters."""
    if not snippet:
        return ""
    if _START not in snippet and len(snippet) > limit:
        snippet = snippet[:limit].rsplit(" ", 1)[0] + " …"
    html = escape(snippet).replace(_START, "<mark>").replace(_STOP, "</mark>")
    return mark_safe(html)  # escaped above; only our own <mark> tags are added


def plain(snippet: str | None) -> str:
    """A headline as plain text, the match marks dropped (for the API and CSV)."""
    if not snippet:
        return ""
    return snippet.replace(_START, "").replace(_STOP, "")

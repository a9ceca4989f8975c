"""Site search on the reference data (fixtures/*.json): full-text on PostgreSQL, the plain
substring fallback on SQLite (igr.fulltext, igr.search)."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from authorities.models import Person
from forums.models import AgendaItem, Commitment, Recommendation
from tests.factories import AgendaItemFactory, MeetingFactory
from tests.worlds import module_reference_data

reference_data = module_reference_data()
pytestmark = pytest.mark.django_db

on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="full-text search and pg_trgm are PostgreSQL's"
)
on_sqlite = pytest.mark.skipif(connection.vendor != "sqlite", reason="the SQLite fallback")


def _section(body, key):
    """The HTML of one kind's results."""
    match = re.search(rf'<section aria-labelledby="results-{key}">(.*?)</section>', body, re.S)
    assert match, f"no {key} results in the page"
    return match.group(1)


def _tagged_with(model, recommendation):
    rows = model.objects.published().filter(recommendations=recommendation)
    if model is AgendaItem:
        rows = rows.filter(is_public=True)
    return rows


def test_fiscal_finds_recommendation_2_its_commitments_and_agenda_items(client, reference_data):
    fiscal = Recommendation.objects.get(number=2)
    response = client.get("/search/", {"q": "fiscal"})
    assert response.status_code == 200
    body = response.content.decode()
    assert fiscal.get_absolute_url() in _section(body, "recommendations")
    commitments = _tagged_with(Commitment, fiscal)
    items = _tagged_with(AgendaItem, fiscal)
    assert commitments.count() >= 10 and items.count() >= 5
    # Every one is counted; the first ten of each are shown.
    assert f"{commitments.count()} found" in _section(body, "commitments")
    assert f"{items.count()} found" in _section(body, "agenda-items")
    shown = _section(body, "commitments")
    assert "New powers and integrated funding settlements for mayors" in (
        client.get("/search/", {"q": "fiscal", "kind": "commitments"}).content.decode()
    )
    assert shown.count('class="igr-search-result"') == 10
    assert "tagged with recommendation 2" in shown
    one_kind = client.get("/search/", {"q": "fiscal", "kind": "agenda-items"}).content.decode()
    for item in items:
        assert item.title.replace("'", "&#x27;") in one_kind


@on_postgresql
def test_fiscal_results_carry_highlighted_snippets(client, reference_data):
    body = client.get("/search/", {"q": "fiscal"}).content.decode()
    recommendations = _section(body, "recommendations")
    assert re.search(r"<mark>fiscal</mark>", recommendations, re.I)
    # The recommendation, matched on its title (weight A), ranks first.
    assert recommendations.index("/recommendations/experimentation-and-fiscal-devolution/") < (
        recommendations.index("</li>")
    )


@on_sqlite
def test_fiscal_on_sqlite_uses_the_plain_fallback(client, reference_data):
    body = client.get("/search/", {"q": "fiscal"}).content.decode()
    assert "runs on SQLite, which has no full-text index" in body
    assert "<mark>" not in body
    # The snippet is the start of the text.
    assert "Give mayoral combined authorities room to try new approaches" in body


@on_postgresql
def test_a_misspelt_mayor_suggests_the_right_name(client, reference_data):
    body = client.get("/search/", {"q": "Andy Burnam"}).content.decode()
    assert "0 results" in body
    assert "Did you mean" in body
    assert '<a class="govuk-link" href="/search/?q=Andy+Burnham">Andy Burnham</a>' in body


@on_postgresql
def test_web_search_syntax_phrases_and_exclusions(client, reference_data):
    phrase = client.get("/search/", {"q": '"integrated funding settlements"'}).content.decode()
    assert "New powers and integrated funding settlements for mayors" in phrase
    excluded = client.get(
        "/search/", {"q": "integrated funding -settlements", "kind": "commitments"}
    ).content.decode()
    assert "New powers and integrated funding settlements for mayors" not in excluded


def test_a_surname_fragment_finds_the_person(client, reference_data):
    burnham = Person.objects.get(name="Andy Burnham")
    body = client.get("/search/", {"q": "Burnh"}).content.decode()
    assert burnham.get_absolute_url() in _section(body, "people")


def test_filters_by_forum_and_date_leave_out_kinds_without_them(client, reference_data):
    body = client.get(
        "/search/",
        {"q": "devolution", "forum": "mayoral-council", "date_after": "2025-01-01"},
    ).content.decode()
    skipped = "Recommendations, Forums, Authorities, People, Sources"
    assert f"Not searched with these filters: {skipped}." in body
    meetings = _section(body, "agenda-items")
    assert "Mayoral Council" in meetings
    assert "Council of the Nations and Regions ·" not in body


def test_agenda_items_of_a_draft_meeting_are_not_found(client, reference_data):
    # Agenda items matched by their own words check their meeting's publication row by
    # row (igr.search._agenda_items_own_words) rather than through the usual join.
    published = AgendaItemFactory(title="Quokkaville pilot", description="Seen in public")
    draft = AgendaItemFactory(
        title="Quokkaville secret",
        description="Not yet published",
        meeting=MeetingFactory(publication_state="draft", published_at=None),
    )
    private = AgendaItemFactory(title="Quokkaville private", is_public=False)
    body = client.get("/search/", {"q": "Quokkaville"}).content.decode()
    items = _section(body, "agenda-items")
    assert "Quokkaville pilot" in items
    assert "1 found" in items
    assert draft.title not in body and private.title not in body
    assert published.meeting.get_absolute_url() in items


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"q": "x" * 201}, "id_q"),
        ({"q": "fiscal", "kind": "spells"}, "id_kind"),
        ({"q": "fiscal", "forum": "no-such-forum"}, "id_forum"),
        ({"q": "fiscal", "date_after": "yesterday"}, "id_date_0"),
    ],
)
def test_bad_input_is_a_400_naming_the_field(client, reference_data, params, field):
    response = client.get("/search/", params)
    assert response.status_code == 400
    assert f'href="#{field}"' in response.content.decode()


def test_search_page_query_count_is_pinned(client, reference_data, django_assert_num_queries):
    # 1 the recommendations matching (for tags); the ids matching: per kind of the nine,
    # those matching by their own words, and for agenda items and commitments those
    # tagged with a matching recommendation (on PostgreSQL these eleven reads are one
    # UNION ALL query); where anything matched, 1 the page of results and, for agenda
    # items and commitments, 1 the matching recommendations each shown row is tagged
    # with; 1 the forum choices of the filter form. "fiscal" matches recommendations,
    # forums (the Finance ISC's purpose), agenda items and commitments. On PostgreSQL the
    # search's reads share one transaction (here a savepoint and its release) whose
    # first statement turns parallel workers and JIT off: 3 more; and the four kinds'
    # pages go as one statement (igr.compiled.instances_many).
    postgresql = connection.vendor == "postgresql"
    id_reads = 1 if postgresql else 9 + 2
    pages = 1 if postgresql else 4
    transaction = 3 if postgresql else 0
    client.get("/search/", {"q": "fiscal"})  # warm the per-process caches
    with django_assert_num_queries(1 + id_reads + pages + 2 + 1 + transaction):
        client.get("/search/", {"q": "fiscal"})


@on_postgresql
def test_search_reads_run_without_parallel_workers_or_jit(client, reference_data):
    # Starting parallel workers (or JIT-compiling) for one of the search's short reads
    # cost more than the read on a busy server; the settings are local to the search's
    # transaction, so nothing else on the connection is affected.
    with CaptureQueriesContext(connection) as captured:
        client.get("/search/", {"q": "fiscal"})
    statements = [query["sql"] for query in captured.captured_queries]
    settings = "SET LOCAL max_parallel_workers_per_gather = 0; SET LOCAL jit = off"
    assert settings in statements
    # Before every read of the search: only the forum choices of the form come after.
    assert statements.index(settings) < 3


@on_postgresql
def test_api_q_returns_rank_and_snippet_best_first(client, reference_data):
    response = client.get("/api/v1/commitments/", {"q": "integrated funding"})
    assert response.status_code == 200
    rows = response.json()["results"]
    assert rows, "the commitment about integrated funding settlements should match"
    first = rows[0]
    assert first["title"] == "New powers and integrated funding settlements for mayors"
    assert first["search_rank"] > 0
    assert "integrated funding" in first["search_snippet"].lower()
    ranks = [row["search_rank"] for row in rows]
    assert ranks == sorted(ranks, reverse=True)


@on_postgresql
def test_api_q_uses_web_search_syntax(client, reference_data):
    rows = client.get("/api/v1/recommendations/", {"q": "fiscal or statutory"}).json()
    assert {row["number"] for row in rows["results"]} == {1, 2}


@on_sqlite
def test_api_q_on_sqlite_is_the_substring_match_without_rank(client, reference_data):
    rows = client.get("/api/v1/recommendations/", {"q": "fiscal"}).json()["results"]
    assert [row["number"] for row in rows] == [2]
    assert "search_rank" not in rows[0]


@on_postgresql
def test_a_misspelt_word_suggests_the_recorded_spelling(client, reference_data):
    body = client.get("/search/", {"q": "fiscl"}).content.decode()
    assert "0 results" in body
    assert '<a class="govuk-link" href="/search/?q=fiscal">fiscal</a>' in body


def test_past_the_count_cap_a_kind_says_more_and_lists_its_latest(
    client, reference_data, monkeypatch
):
    monkeypatch.setattr("igr.search.COUNT_CAP", 3)
    body = client.get("/search/", {"q": "fiscal"}).content.decode()
    assert "More than " in body
    commitments = _section(body, "commitments")
    assert "more than 3 found" in commitments
    assert "Too many to rank: the most recently recorded are shown." in commitments
    # At most the cap + 1 of each side (own words, tags) were read to list from.
    assert 3 < commitments.count('class="igr-search-result"') <= 2 * (3 + 1)


@on_postgresql
def test_api_q_past_the_rank_cap_keeps_the_list_order(client, reference_data, monkeypatch):
    monkeypatch.setattr("igr.fulltext.RANK_CAP", 1)
    rows = client.get("/api/v1/recommendations/", {"q": "fiscal or statutory"}).json()["results"]
    assert [row["number"] for row in rows] == [1, 2]  # the list's own order, not by rank
    assert all("search_rank" in row for row in rows)


# The lists whose `q` searches a full-text index, and the component their rows follow.
FULL_TEXT_LISTS = {
    "/api/v1/forums/": "Forum",
    "/api/v1/meetings/": "Meeting",
    "/api/v1/agenda-items/": "AgendaItem",
    "/api/v1/commitments/": "Commitment",
    "/api/v1/recommendations/": "Recommendation",
}


@on_postgresql
@pytest.mark.parametrize("fast", [True, False], ids=["values", "drf"])
def test_api_q_rows_carry_exactly_the_fields_the_schema_declares(
    client, reference_data, monkeypatch, fast
):
    # Generated clients read `search_rank` and `search_snippet` from the schema: every
    # field a found row has is declared on its component, and both are optional there.
    if not fast:
        monkeypatch.setattr("igr.api.base.RecordViewSet.values_plan", lambda self: None)
    components = client.get("/api/schema/?format=json").json()["components"]["schemas"]
    for path, name in FULL_TEXT_LISTS.items():
        component = components[name]
        assert {"search_rank", "search_snippet"} <= set(component["properties"]), name
        assert not {"search_rank", "search_snippet"} & set(component["required"]), name
        rows = client.get(path, {"q": "fiscal or mayor or combined or council"}).json()
        assert rows["results"], path
        for row in rows["results"]:
            assert set(row) == set(component["properties"]), path
            assert isinstance(row["search_rank"], float)
            assert isinstance(row["search_snippet"], str)


_SEARCHES = [
    {"q": "fiscal"},
    {"q": "devolution housing transport"},
    {"q": "Fiscal Devolution"},
    {"q": '"fiscal devolution"'},
    {"q": "fiscal or statutory"},
    {"q": "devolution -housing"},
    {"q": "a fiscal"},
    {"q": "burnh"},
    {"q": "fiscl"},
    {"q": "fiscal", "kind": "commitments"},
    {"q": "fiscal", "kind": "people"},
    {"q": "devolution", "forum": "mayoral-council"},
    {"q": "devolution", "date_after": "2025-01-01"},
    {"q": "devolution", "date_before": "2025-06-30"},
    {
        "q": "devolution",
        "forum": "mayoral-council",
        "date_after": "2024-01-01",
        "date_before": "2026-01-01",
    },
]


@pytest.mark.parametrize("count_cap", [1_000, 3])
def test_compiled_shapes_run_the_orms_sql_and_give_the_same_pages(
    client, reference_data, monkeypatch, count_cap
):
    # igr.compiled runs each query's SQL compiled once per shape with the request's
    # values swapped in: every statement must be byte for byte the one the ORM builds for
    # that request, and every page the same; a second pass reads the kept shapes.
    from igr import compiled

    monkeypatch.setattr("igr.search.COUNT_CAP", count_cap)

    def run():
        pages, statements = [], []
        for params in _SEARCHES:
            with CaptureQueriesContext(connection) as captured:
                pages.append(client.get("/search/", params).content.decode())
            # The same statements, but for the savepoints' names (a counter).
            statements.append(
                [re.sub(r'"s\d+_x\d+"', "SP", query["sql"]) for query in captured.captured_queries]
            )
        return pages, statements

    monkeypatch.setattr(compiled, "ENABLED", False)
    orm = run()
    monkeypatch.setattr(compiled, "ENABLED", True)
    monkeypatch.setattr(compiled, "_SHAPES", {})
    assert run() == orm  # compiling the shapes
    kept = len(compiled._SHAPES)
    assert run() == orm  # reading them
    assert len(compiled._SHAPES) == kept
    if connection.vendor == "postgresql":
        assert kept >= 20
        kept_not = [
            key for key, shape in compiled._SHAPES.items() if shape is compiled._UNCACHEABLE
        ]
        assert not kept_not


def test_past_the_count_cap_a_kind_lists_the_newest_of_both_its_reads(
    client, reference_data, monkeypatch
):
    # Past the cap, each read (own words, tags) keeps only its newest page of ids; the
    # page must still be the newest of all the kind's matches, whichever read found them.
    from forums.filters import CommitmentFilter, RecommendationFilter
    from igr import fulltext

    monkeypatch.setattr("igr.search.COUNT_CAP", 3)
    monkeypatch.setattr("igr.search.PER_KIND", 2)
    recommendations = fulltext.filtered(
        Recommendation.objects.all(), RecommendationFilter.search_vector, "fiscal"
    )
    published = Commitment.objects.published()
    own = fulltext.filtered(published, CommitmentFilter.search_vector, "fiscal")
    tagged = published.filter(recommendations__in=recommendations)
    matches = set(own.values_list("pk", flat=True)) | set(tagged.values_list("pk", flat=True))
    assert len(matches) > 3, "the reference data should put commitments past a cap of 3"
    newest = Commitment.objects.filter(pk__in=sorted(matches, reverse=True)[:2])
    commitments = _section(client.get("/search/", {"q": "fiscal"}).content.decode(), "commitments")
    assert "more than 3 found" in commitments
    shown = re.findall(
        r'<a class="govuk-link govuk-!-font-weight-bold" href="([^"]+)"', commitments
    )
    assert shown == [c.get_absolute_url() for c in newest.order_by("-pk")]


@on_postgresql
def test_pages_read_in_one_statement_are_the_pages_read_per_kind(
    client, reference_data, monkeypatch
):
    # On PostgreSQL every kind's page goes in one round trip; each page must be the one
    # its own query gives (filters, past the cap, ranked and listed newest first alike).
    from igr import compiled

    monkeypatch.setattr("igr.search.COUNT_CAP", 3)
    with CaptureQueriesContext(connection) as captured:
        batched = [client.get("/search/", params).content.decode() for params in _SEARCHES]
    assert [q for q in captured.captured_queries if "; SELECT" in q["sql"]]

    def per_kind(reads, *, using):
        return [compiled.instances(key, build, swaps, using=using) for key, build, swaps in reads]

    monkeypatch.setattr(compiled, "instances_many", per_kind)
    with CaptureQueriesContext(connection) as captured:
        alone = [client.get("/search/", params).content.decode() for params in _SEARCHES]
    assert alone == batched
    assert not [q for q in captured.captured_queries if "; SELECT" in q["sql"]]

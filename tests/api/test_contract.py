"""The API's contract with scripts and generated clients (issue 17): strict query
strings, formats, and empty values, on every list and aggregate."""

import pytest

pytestmark = pytest.mark.django_db


def _error(response, status, field):
    assert response.status_code == status, response.content
    body = response.json()
    assert body["status"] == status
    assert field in [e["field"] for e in body["errors"]], body
    return body


# --- unknown parameters ----------------------------------------------------------------


@pytest.mark.parametrize(
    "path,name",
    [
        ("/api/v1/commitments/?is_overdue=true", "is_overdue"),  # the filter is `overdue`
        ("/api/v1/meetings/?date=2025-01-23", "date"),  # it is date_after / date_before
        ("/api/v1/meetings/?foo=bar", "foo"),
        ("/api/v1/offices/?foo=", "foo"),  # unknown even when empty
        ("/api/v1/scorecards/?foo=bar", "foo"),
        ("/api/v1/forum-health/?date_after=2025-01-01", "date_after"),  # takes forum only
        ("/api/v1/attendance-matrix/?person=x", "person"),
        ("/api/v1/cross-party/?foo=1", "foo"),
        ("/api/v1/deletions/?since=2025-01-01", "since"),
        ("/api/v1/releases/?foo=1", "foo"),
    ],
)
def test_an_unknown_parameter_is_a_400_naming_it_and_the_allowed_ones(api, world, path, name):
    body = _error(api.get(path), 400, name)
    error = next(e for e in body["errors"] if e["field"] == name)
    assert error["code"] == "unknown_parameter"
    assert f"“{name}”" in error["message"]
    assert "takes:" in error["message"]


def test_the_unknown_parameter_message_lists_the_real_ones(api, world):
    message = api.get("/api/v1/commitments/?is_overdue=true").json()["detail"]
    for name in ("overdue", "forum", "due_after", "due_before", "page", "page_size", "format"):
        assert name in message


# --- values that do not parse ----------------------------------------------------------


@pytest.mark.parametrize(
    "path,field",
    [
        ("/api/v1/commitments/?overdue=maybe", "overdue"),
        ("/api/v1/meetings/?date_confirmed=-1", "date_confirmed"),
        ("/api/v1/offices/?current=null", "current"),
        ("/api/v1/forums/?is_statutory=perhaps", "is_statutory"),
        ("/api/v1/authorities/?mayoral=2", "mayoral"),
        ("/api/v1/agenda-items/?is_public=unknown", "is_public"),
        ("/api/v1/offices/?held_on=today", "held_on"),
        ("/api/v1/commitment-status-changes/?commitment=abc", "commitment"),
        ("/api/v1/commitments/?status=finished", "status"),
        ("/api/v1/scorecards/?date_after=2025-13-01", "date_after"),
        ("/api/v1/deletions/?model=nothing", "model"),
        ("/api/v1/deletions/?modified_since=yesterday", "modified_since"),
    ],
)
def test_a_value_that_does_not_parse_is_a_400_naming_the_field(api, world, path, field):
    _error(api.get(path), 400, field)


@pytest.mark.parametrize("word,overdue", [("true", True), ("1", True), ("false", False)])
def test_booleans_still_read_true_and_false(api, world, word, overdue):
    response = api.get(f"/api/v1/commitments/?overdue={word}")
    assert response.status_code == 200
    assert {r["is_overdue"] for r in response.json()["results"]} <= {overdue}


# --- empty values ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/commitments/?overdue=&status=&forum=&due_after=&ordering=&q=",
        "/api/v1/meetings/?date_confirmed=&forum=&date_before=&status=&modified_since=",
        "/api/v1/offices/?current=&held_on=&person=",
        "/api/v1/commitment-status-changes/?commitment=",
        "/api/v1/scorecards/?forum=&date_after=&date_before=",
        "/api/v1/forum-health/?forum=",
        "/api/v1/attendance-matrix/?forum=&date_after=",
        "/api/v1/cross-party/?forum=",
        "/api/v1/deletions/?modified_since=&model=",
    ],
)
def test_an_empty_value_means_no_filter(api, world, path):
    unfiltered = api.get(path.split("?")[0])
    response = api.get(path)
    assert response.status_code == 200, response.content
    assert response.json() == unfiltered.json()


# --- the pages share the FilterSets and keep their friendly summaries --------------------


@pytest.mark.parametrize(
    "path,message",
    [
        ("/commitments/?overdue=maybe", "is not true or false"),
        ("/meetings/?date=2025-01-23", "is not a parameter of this list"),
    ],
)
def test_pages_show_the_same_errors_in_their_summary(client, world, path, message):
    response = client.get(path)
    assert response.status_code == 200
    body = response.content.decode()
    assert "There is a problem with the filters" in body
    assert message in body


# --- formats ---------------------------------------------------------------------------

LICENCE = 'rel="license"'


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/meetings/?format=xml",
        "/api/v1/scorecards/?format=xml",
        "/api/v1/recommendations/{rec}/scorecard/?format=yaml",
        "/api/v1/meetings/{meeting}/?format=xlsx",
    ],
)
def test_an_unsupported_format_is_a_400_listing_the_supported_ones(api, world, path):
    path = path.format(rec=world.recs[0].slug, meeting=world.meetings[0].slug)
    body = _error(api.get(path), 400, "format")
    assert "json, " in body["detail"] and "csv" in body["detail"]


def test_an_accept_header_nothing_matches_is_a_406_listing_the_media_types(api, world):
    response = api.get("/api/v1/meetings/", HTTP_ACCEPT="application/xml")
    assert response.status_code == 406
    assert "text/csv" in response.json()["detail"]


def _csv(api, path):
    import csv
    import io

    response = api.get(path)
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("text/csv")
    assert LICENCE in response["Link"]
    return list(csv.reader(io.StringIO(response.content.decode())))


@pytest.mark.parametrize(
    "path,first_columns",
    [
        ("/api/v1/scorecards/", ["number", "slug", "title", "meetings_touched"]),
        ("/api/v1/forum-health/", ["slug", "name", "is_statutory"]),
        ("/api/v1/attendance-matrix/", ["person", "person_name", "meeting", "date"]),
        ("/api/v1/cross-party/", ["table", "forum", "forum_name", "party"]),
        ("/api/v1/deletions/", ["kind", "model", "id", "slug", "at"]),
        ("/api/v1/releases/", ["release", "date", "release_url", "file"]),
        ("/api/v1/recommendations/{rec}/scorecard/", ["number", "slug", "title"]),
        ("/api/v1/forums/{forum}/health/", ["slug", "name", "is_statutory"]),
    ],
)
def test_every_aggregate_answers_flat_csv_with_a_stable_header(api, world, path, first_columns):
    path = path.format(rec=world.recs[0].slug, forum=world.forum.slug)
    rows = _csv(api, f"{path}?format=csv")
    header = rows[0]
    assert header[: len(first_columns)] == first_columns
    assert all(len(row) == len(header) for row in rows)
    assert not any("." in c and c.split(".")[0] not in ("commitments_by_status",) for c in header)


def test_the_scorecards_csv_has_one_column_per_status(api, world):
    header, *rows = _csv(api, "/api/v1/scorecards/?format=csv")
    assert "commitments_by_status.delivered" in header
    assert len(rows) == len(world.recs)


def test_the_attendance_matrix_csv_is_the_long_form_of_its_cells(api, world):
    matrix = api.get("/api/v1/attendance-matrix/").json()
    _header, *rows = _csv(api, "/api/v1/attendance-matrix/?format=csv")
    assert len(rows) == len(matrix["people"]) * len(matrix["meetings"])


def test_a_list_csv_names_the_licence_beside_its_page_links(api, world):
    response = api.get("/api/v1/meetings/?format=csv&page_size=1")
    assert 'rel="next"' in response["Link"] and LICENCE in response["Link"]


# --- the root and the schema -----------------------------------------------------------


def test_the_root_lists_the_aggregates_and_the_licence(api, world):
    root = api.get("/api/v1/").json()
    for name in ("scorecards", "forum-health", "attendance-matrix", "cross-party"):
        assert root[name].endswith(f"/api/v1/{name}/")
    assert root["deletions"].endswith("/api/v1/deletions/")
    assert root["licence"]["name"] == "Open Government Licence v3.0"
    assert root["data_dictionary"].endswith("/data/dictionary/")


@pytest.fixture
def schema(api):
    return api.get("/api/schema/?format=json").json()


def _operations(schema):
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            if method != "parameters":
                yield path, method, operation


def test_reads_declare_anonymous_access_and_writes_token_or_session(schema):
    for path, method, operation in _operations(schema):
        if method == "get":
            assert {} in operation["security"], path
        else:
            assert operation["security"] == [{"tokenAuth": []}, {"cookieAuth": []}], path


def test_every_parameter_and_field_has_a_description(schema):
    for path, method, operation in _operations(schema):
        for parameter in operation.get("parameters", []):
            assert parameter.get("description"), (path, method, parameter["name"])
    for name, component in schema["components"]["schemas"].items():
        for field, spec in component.get("properties", {}).items():
            assert spec.get("description"), (name, field)


def test_slug_filters_say_an_unknown_slug_is_a_400_and_empty_is_no_filter(schema):
    meetings = schema["paths"]["/api/v1/meetings/"]["get"]
    forum = next(p for p in meetings["parameters"] if p["name"] == "forum")
    assert "unknown slug" in forum["description"] and "is a 400" in forum["description"]
    assert "empty value means no filter" in forum["description"]
    assert "400" in meetings["responses"]
    scorecards = schema["paths"]["/api/v1/scorecards/"]["get"]
    assert "text/csv" in scorecards["responses"]["200"]["content"]


def test_the_schema_names_the_licence(schema):
    assert schema["info"]["license"]["name"] == "Open Government Licence v3.0"


@pytest.mark.parametrize("path", ["/api/v1/scorecards/", "/api/v1/deletions/"])
def test_an_error_stays_json_when_csv_was_asked_for(api, world, path):
    response = api.get(f"{path}?format=csv&nope=1")
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"


@pytest.mark.parametrize("path", ["/api/v1/releases/", "/api/v1/cross-party/"])
def test_options_with_format_csv_is_no_server_error(api, world, path):
    # Found by Schemathesis: the aggregate's CSV table was applied to OPTIONS' metadata.
    assert api.options(f"{path}?format=csv").status_code == 200


# --- one commitments table with forum and recommendation numbers -------------------------


def test_the_commitments_table_fills_the_forum_and_numbers_the_recommendations(api, world):
    rows = _csv(api, "/api/v1/commitments/table/?format=csv")
    header, *rows = rows
    assert header[:4] == ["url", "id", "title", "forum"]
    by_id = {int(row[1]): dict(zip(header, row, strict=True)) for row in rows}
    made_at_meeting = by_id[world.commitments[0].pk]
    assert made_at_meeting["forum"] == world.meetings[0].forum.slug  # from its meeting
    numbers = sorted(str(r.number) for r in world.recs)
    assert made_at_meeting["recommendation_numbers"] == "; ".join(numbers)
    assert world.draft_commitment.pk not in by_id


def test_the_commitments_table_takes_the_list_filters_strictly(api, world):
    assert api.get("/api/v1/commitments/table/?overdue=maybe").status_code == 400
    forum = world.forums[1].slug
    assert api.get(f"/api/v1/commitments/table/?forum={forum}").json()["count"] == 0


def test_the_commitments_table_query_count_is_fixed(api, world, django_assert_num_queries):
    api.get("/api/v1/commitments/table/")  # warm the cached count
    # The data fingerprint keying the cached count, the page (commitment, forum, meeting
    # and its forum, lead in one query) and the recommendations; visibility is read from
    # the rows' own publication state.
    with django_assert_num_queries(3):
        api.get("/api/v1/commitments/table/")


def test_modified_since_with_an_offset_postgresql_cannot_store_is_read(api, world):
    # Found by Schemathesis on PostgreSQL: +18:59 is valid ISO 8601, beyond PostgreSQL's
    # ±15:59; the time is compared in UTC.
    response = api.get("/api/v1/forums/?modified_since=0144-06-06T21:19:05%2B18:59")
    assert response.status_code == 200


def test_full_text_lists_declare_the_search_rank_and_snippet_as_optional(schema):
    components = schema["components"]["schemas"]
    declared = {n for n, c in components.items() if "search_rank" in c.get("properties", {})}
    assert declared == {
        "AgendaItem",
        "Authority",
        "Commitment",
        "Document",
        "Forum",
        "Meeting",
        "Person",
        "Recommendation",
        "Source",
    }
    for name in declared:
        component = components[name]
        assert {"search_rank", "search_snippet"} & set(component["required"]) == set()
        assert component["properties"]["search_rank"]["readOnly"]
        assert "only" in component["properties"]["search_snippet"]["description"]
    # Lists without a full-text index do not have them; CSV says it leaves them out.
    assert "search_rank" not in components["Attendance"]["properties"]
    assert "JSON only" in schema["paths"]["/api/v1/meetings/"]["get"]["description"]

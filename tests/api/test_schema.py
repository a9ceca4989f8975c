"""The OpenAPI schema, its docs pages, and Schemathesis fuzzing every operation it
describes against a live server with all of its checks: no request may answer 500, every
answer must match the documented status codes, content types, headers and bodies, a
schema-valid request must be accepted and a schema-violating one refused."""

import pytest
import schemathesis
from django.contrib.auth import get_user_model
from hypothesis import HealthCheck, Phase, given, seed, settings
from rest_framework.authtoken.models import Token
from rest_framework.throttling import AnonRateThrottle
from schemathesis import GenerationMode
from schemathesis.checks import CHECKS, load_all_checks
from schemathesis.specs.openapi.checks import positive_data_acceptance

from tests.worlds import build_api_world


@pytest.mark.django_db
def test_schema_documents_every_list_filter_and_error(api):
    response = api.get("/api/schema/?format=json")
    assert response.status_code == 200
    schema = response.json()
    meetings = schema["paths"]["/api/v1/meetings/"]["get"]
    names = {p["name"] for p in meetings["parameters"]}
    assert {"forum", "status", "date_after", "date_before", "q", "modified_since"} <= names
    assert {"ordering", "page", "page_size", "recommendation", "authority"} <= names
    ordering = next(p for p in meetings["parameters"] if p["name"] == "ordering")
    assert "-date" in str(ordering["schema"])
    assert {"200", "400", "404", "429"} <= set(meetings["responses"])
    assert "text/csv" in meetings["responses"]["200"]["content"]
    assert "one row per record" in meetings["description"]
    assert "Error" in schema["components"]["schemas"]
    post = schema["paths"]["/api/v1/meetings/"]["post"]
    assert {"201", "400", "401", "403"} <= set(post["responses"])
    # Status moves only through the status-change service.
    commitment_request = schema["components"]["schemas"]["CommitmentRequest"]["properties"]
    assert "status" not in commitment_request


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/api/docs/", "/api/redoc/"])
def test_docs_pages_load_their_assets_from_this_site(client, settings, path):
    # Tests run with DEBUG off but without collectstatic, so no manifest to look up.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    response = client.get(path)
    assert response.status_code == 200
    html = response.content.decode()
    assert "/static/drf_spectacular_sidecar/" in html
    assert "https://" not in html  # nothing fetched from a CDN or font service


# --- fuzzing ------------------------------------------------------------------------
#
# Every check Schemathesis has (`--checks all`: server errors, status codes, content
# types, response bodies and headers, schema-valid requests rejected, schema-violating
# requests accepted, authentication ignored, unsupported methods, Allow headers...), over
# every operation, with schema-valid and schema-violating data, as an anonymous client and
# as staff. Fixed seed, bounded examples, so a run takes a couple of minutes.

load_all_checks()
ALL_CHECKS = CHECKS.get_all()
SEED = 17
EXAMPLES = 6
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
    phases=[Phase.explicit, Phase.generate],  # no shrinking: the failure is reported as found
)

# The allowed exceptions, each a 400 the schema cannot rule out, and why that is right:
#
# 1. A read's slug filter given a well-formed slug that names no public record (`?forum=x`)
#    is a 400 naming the parameter ("an unknown slug is a 400", say the schema and the
#    issue): the schema can only say "a string", as the slugs are data, and drafts' slugs
#    must read as unknown to the public.
# 2. An aggregate given `date_before` earlier than `date_after` is a 400 naming
#    `date_before`: OpenAPI cannot relate two parameters.
# 3. A write whose body is schema-valid but breaks a rule the schema cannot state (a slug
#    or id naming no record, a held meeting dated in the future, overlapping offices, a
#    published record changed without `change_reason`, publishing without a source, a
#    commitment made neither at a meeting nor by a forum) is a 400 in the documented error
#    shape, naming the field at fault (null for a rule across fields), as the admin
#    refuses the same form.
# 4. A list given a `cursor` it did not issue (any string is schema-valid: a cursor is
#    opaque and signed), or a cursor together with `page`, is a 400 naming `cursor`:
#    OpenAPI can state neither "a value from an earlier answer" nor "not both".
# Anything else a schema-valid request gets that is not 2xx/401/403/404/409 fails.
SLUG_CODES = {"invalid_choice", "does_not_exist"}
CURSOR_CODES = {"invalid_cursor", "cursor_with_page"}


def _documented_400(case, response) -> bool:
    if response.status_code != 400:
        return False
    body = response.json()
    errors = body.get("errors") or [{}]
    if case.method.upper() not in ("GET", "HEAD"):
        return set(body) == {"status", "detail", "errors"} and bool(body["errors"])  # 3.
    return all(
        (error.get("code") in SLUG_CODES and error.get("field"))  # exception 1
        or (error.get("field"), error.get("message"))
        == ("date_before", "Comes before date_after.")  # exception 2
        or (error.get("field") == "cursor" and error.get("code") in CURSOR_CODES)  # 4.
        for error in errors
    )


def positive_data_acceptance_but_documented_400s(ctx, response, case):
    if _documented_400(case, response):
        return None
    return positive_data_acceptance(ctx, response, case)


CHECKS_RUN = [
    positive_data_acceptance_but_documented_400s if check is positive_data_acceptance else check
    for check in ALL_CHECKS
]


def _fuzz(live_server, *, headers=None):
    """Run every operation of the served schema with schema-valid and schema-violating
    data; gather the failures and report them all at once, each with Schemathesis'
    reproduction (a curl command). Returns the summary line."""
    schema = schemathesis.openapi.from_url(f"{live_server.url}/api/schema/")
    failures, operations, cases = [], 0, 0
    for result in schema.get_all_operations():
        operation = result.ok()
        operations += 1
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):

            @FUZZ
            @seed(SEED)
            @given(case=operation.as_strategy(generation_mode=mode))
            def run(case):
                nonlocal cases
                cases += 1
                case.call_and_validate(headers=headers, checks=CHECKS_RUN)

            try:
                run()
            except Exception as exc:  # gathered and reported together below
                label = f"{operation.method.upper()} {operation.path} ({mode.value})"
                failures.append(f"{label}: {exc}")
    summary = (
        f"Schemathesis {schemathesis.__version__}, {len(ALL_CHECKS)} checks (all), seed "
        f"{SEED}: {operations} operations, {cases} test cases, {len(failures)} failures"
    )
    print(summary)
    assert not failures, "\n\n".join(failures)
    return operations


@pytest.fixture
def world(transactional_db):
    # Committed per test, not the module's rolled-back world: the live server reads
    # through its own connection.
    return build_api_world()


@pytest.fixture
def unthrottled(monkeypatch):
    # The fuzzer sends hundreds of anonymous requests; the throttle is tested elsewhere.
    monkeypatch.setattr(AnonRateThrottle, "rate", "100000/minute", raising=False)


@pytest.mark.django_db(transaction=True)
def test_fuzz_every_operation_anonymously(live_server, world, unthrottled):
    assert _fuzz(live_server) == 78


@pytest.mark.django_db(transaction=True)
def test_fuzz_every_operation_as_staff(live_server, world):
    user = get_user_model().objects.create_superuser("fuzzer", password="x" * 12)
    token = Token.objects.create(user=user).key
    assert _fuzz(live_server, headers={"Authorization": f"Token {token}"}) == 78


@pytest.mark.django_db
def test_schema_lists_only_the_api(api):
    paths = api.get("/api/schema/?format=json").json()["paths"]
    assert all(path.startswith("/api/v1/") for path in paths)


@pytest.mark.django_db
def test_redoc_blocks_the_logo_its_bundle_fetches_from_a_cdn(client, settings):
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    policy = client.get("/api/redoc/")["Content-Security-Policy"]
    assert "img-src 'self' data:" in policy

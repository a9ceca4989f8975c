"""The OpenAPI schema, its docs pages, and Schemathesis fuzzing every operation it
describes against a live server: no request may answer 500, and every answer must match
the documented status codes, content types and bodies."""

import pytest
import schemathesis
from django.contrib.auth import get_user_model
from hypothesis import HealthCheck, given, settings
from rest_framework.authtoken.models import Token
from rest_framework.throttling import AnonRateThrottle
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
)

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

# What Schemathesis checks. Left out: positive_data_acceptance, because the schema can
# only say "a string" for a slug filter, and an unknown slug is a 400 by design.
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    negative_data_rejection,
]
# Small and bounded so the whole run stays within a couple of minutes on either database.
FUZZ = settings(
    max_examples=10,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)


def _fuzz(live_server, *, methods, headers=None):
    """Run every matching operation of the served schema; collect failures, then report
    them all at once with Schemathesis' reproduction (a curl command) for each."""
    schema = schemathesis.openapi.from_url(f"{live_server.url}/api/schema/")
    failures, operations = [], 0
    for result in schema.get_all_operations():
        operation = result.ok()
        if operation.method.upper() not in methods:
            continue
        operations += 1

        @FUZZ
        @given(case=operation.as_strategy())
        def run(case):
            case.call_and_validate(headers=headers, checks=CHECKS)

        try:
            run()
        except Exception as exc:  # gathered and reported together below
            failures.append(f"{operation.method.upper()} {operation.path}: {exc}")
    assert operations > 0
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
def test_fuzz_every_read_anonymously(live_server, world, unthrottled):
    assert _fuzz(live_server, methods={"GET"}) == 36


@pytest.mark.django_db(transaction=True)
def test_fuzz_every_write_as_superuser(live_server, world):
    user = get_user_model().objects.create_superuser("fuzzer", password="x" * 12)
    token = Token.objects.create(user=user).key
    headers = {"Authorization": f"Token {token}"}
    assert _fuzz(live_server, methods={"POST", "PUT", "PATCH"}, headers=headers) == 41


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

"""The permission walk: every URL pattern and every OpenAPI operation, tried with every
write method by an anonymous visitor and by a Viewer (staff with no write rights). No
write may change a single row, and no draft may appear to them.

Drafts: anonymous visitors see none anywhere; a Viewer sees none on the public site.
Staff — Viewers included — do see drafts in the admin and the API, by design (DESIGN.md:
"staff see everything"), so those are not draft-checked for the Viewer.
"""

import re

import pytest
from django.apps import apps
from django.core.cache import cache
from django.test import Client
from django.urls import URLResolver, get_resolver
from rest_framework.authtoken.models import Token
from rest_framework.throttling import AnonRateThrottle

from tests.worlds import build_page_world, module_world

WRITES = ("post", "put", "patch", "delete")
# Every draft in build_page_world() carries these words; no published record does. (Searches
# for "secret" echo the word back in the search box, so the mark is the pair.)
DRAFT_MARK = re.compile(r"secret draft", re.I)
# Rows that reading or signing in may legitimately touch.
VOLATILE = {"django_session", "axes_accessattempt", "axes_accesslog", "axes_accessfailurelog"}


def url_patterns(patterns=None, prefix=""):
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            yield from url_patterns(pattern.url_patterns, prefix + str(pattern.pattern))
        else:
            yield prefix + str(pattern.pattern)


def fill(route, values):
    """Concrete paths for a route: each parameter takes each candidate value in turn."""
    names = re.findall(r"<(?:\w+:)?(\w+)>", route) + re.findall(r"\(\?P<(\w+)>", route)
    route = route.replace("^", "").replace("$", "").replace("\\", "")
    if not names:
        return ["/" + route]
    paths = []
    for index in range(max(len(values(name)) for name in names)):
        path = route
        for name in names:
            options = values(name)
            value = str(options[min(index, len(options) - 1)])
            path = re.sub(rf"<(?:\w+:)?{name}>", value, path)
            path = re.sub(rf"\(\?P<{name}>(?:[^()]|\([^)]*\))*\)", value, path)
        paths.append("/" + path)
    return paths


def snapshot():
    """Every row of every table (links and history included), except session and sign-in
    bookkeeping."""
    state = {}
    for model in apps.get_models(include_auto_created=True):
        if model._meta.db_table not in VOLATILE:
            state[model._meta.db_table] = list(model._base_manager.order_by("pk").values_list())
    return state


_world_built, world = module_world(build_page_world)


@pytest.fixture(autouse=True)
def unthrottled(monkeypatch):
    """The walk sends thousands of anonymous requests; throttling is tested elsewhere
    (tests/api), and a 429 here would hide the answer the walk is looking for."""
    monkeypatch.setattr(AnonRateThrottle, "rate", "1000000/minute", raising=False)
    cache.clear()


@pytest.fixture
def candidates(world):
    w = world
    drafts = {
        "slug": [w.draft_meeting.slug, w.draft_forum.slug, w.draft_authority.slug],
        "pk": [w.draft_commitment.pk, w.draft_change.pk, w.draft_meeting.pk],
    }
    published = {
        "slug": [w.meeting.slug, w.forum.slug, w.recs[0].slug, w.people[0].slug],
        "pk": [w.commitment.pk],
    }

    def values(name, only_drafts=False):
        kind = "slug" if name in {"slug"} else "pk" if name in {"pk", "id", "object_id"} else None
        if name == "app_label":
            return ["forums"]
        if kind is None:
            return ["x"]
        return drafts[kind] if only_drafts else drafts[kind] + published[kind]

    return values


@pytest.fixture
def viewer_session(viewer):
    client = Client()
    client.force_login(viewer)
    return client


def drafts_shown(client, paths, *, previews_allowed=False):
    """The paths whose answer shows a draft; none may answer with a server error. With
    `previews_allowed`, a staff preview of a draft record (issue 15: marked "Draft: not
    public" and kept out of search engines) does not count."""
    shown = []
    for path in paths:
        response = client.get(path)
        assert response.status_code < 500, path
        body = b"".join(response.streaming_content) if response.streaming else response.content
        text = body.decode("utf-8", "replace")
        if not DRAFT_MARK.search(text):
            continue
        marked = "Draft: not public" in text and "noindex" in response.get("X-Robots-Tag", "")
        if not (previews_allowed and marked):
            shown.append(path)
    return shown


def _assert_no_write(response, label):
    assert response.status_code < 500, f"{label}: {response.status_code}"


@pytest.mark.django_db
def test_no_url_pattern_accepts_a_write_from_anonymous_or_viewer(
    world, candidates, viewer, viewer_session
):
    routes = list(url_patterns())
    assert len(routes) > 150  # the admin's, the site's and the API's
    anonymous = Client()
    before = snapshot()
    tried = 0
    for route in routes:
        methods = ("post",) if route.startswith("admin/") else WRITES
        for path in fill(route, candidates):
            for method in methods:
                if path.startswith("/admin/logout"):
                    continue  # signing out is not a write to the record
                for who, client in (("anonymous", anonymous), ("viewer", viewer_session)):
                    response = getattr(client, method)(path, {})
                    _assert_no_write(response, f"{who} {method.upper()} {path}")
                    if path.startswith("/api/v1/"):
                        assert response.status_code in {401, 403, 404, 405}, (
                            f"{who} {method.upper()} {path}: {response.status_code}"
                        )
                    tried += 1
    assert snapshot() == before
    assert tried > 1000


@pytest.mark.django_db
def test_no_openapi_operation_accepts_a_write_from_anonymous_or_viewer(
    world, candidates, viewer, client
):
    schema = client.get("/api/schema/?format=json").json()
    token = Token.objects.create(user=viewer).key
    callers = {
        "anonymous": {},
        "viewer": {"HTTP_AUTHORIZATION": f"Token {token}"},
    }
    before = snapshot()
    operations = 0
    for route, item in schema["paths"].items():
        for method in item:
            if method not in WRITES:
                continue
            operations += 1
            django_route = re.sub(r"\{(\w+)\}", r"<\1>", route.lstrip("/"))
            for path in fill(django_route, candidates):
                for who, headers in callers.items():
                    response = getattr(Client(), method)(
                        path, {}, content_type="application/json", **headers
                    )
                    assert response.status_code in {401, 403, 404, 405}, (
                        f"{who} {method.upper()} {path}: {response.status_code}"
                    )
    assert operations >= 20  # create, update and partial update of each writable list
    assert snapshot() == before


@pytest.mark.django_db
def test_no_draft_appears_to_anonymous_visitors_anywhere(world, candidates, client):
    """Every GET route, filled with draft and published slugs and ids, plus every
    OpenAPI read operation, as CSV too where lists offer it."""
    paths = set()
    for route in url_patterns():
        if not route.startswith("admin/"):
            paths.update(fill(route, candidates))
    schema = client.get("/api/schema/?format=json").json()
    for route, item in schema["paths"].items():
        if "get" in item:
            paths.update(fill(re.sub(r"\{(\w+)\}", r"<\1>", route.lstrip("/")), candidates))
    paths |= {p + "?format=csv" for p in paths if p.startswith(("/api/v1/", "/meetings/"))}
    paths |= {"/search/?q=secret", "/api/v1/meetings/?q=secret", "/commitments/?q=secret"}
    assert drafts_shown(client, sorted(paths)) == []
    assert len(paths) > 100


@pytest.mark.django_db
def test_draft_detail_urls_are_404_for_anonymous_visitors(world, client):
    w = world
    for path in (
        w.draft_meeting.get_absolute_url(),
        w.draft_forum.get_absolute_url(),
        w.draft_authority.get_absolute_url(),
        w.draft_commitment.get_absolute_url(),
        f"/api/v1/meetings/{w.draft_meeting.slug}/",
        f"/api/v1/commitments/{w.draft_commitment.pk}/",
        f"/api/v1/commitment-status-changes/{w.draft_change.pk}/",
    ):
        assert client.get(path).status_code == 404, path


@pytest.mark.django_db
def test_no_draft_appears_to_a_viewer_on_the_public_site(world, candidates, viewer_session):
    """Staff may open a draft's own page as a marked, noindex preview (the admin's "View
    on site"); no list, feed, search or other page shows a draft to them unmarked."""
    paths = [
        path
        for route in url_patterns()
        # Staff tools: staff see drafts there by design.
        if not route.startswith(("admin/", "api/"))
        for path in fill(route, candidates)
    ]
    assert drafts_shown(viewer_session, paths, previews_allowed=True) == []

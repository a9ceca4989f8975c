import json
from pathlib import Path

import pytest

DATA = Path(__file__).parent / "data"


def data(name: str):
    return json.loads((DATA / name).read_text())


@pytest.fixture
def services(settings, httpserver):
    """Every outside service is the one local HTTP server; no retry waits."""
    base = httpserver.url_for("").rstrip("/")
    settings.GOVUK_API_BASE = base
    settings.EVERY_ELECTION_API_BASE = base
    settings.CANDIDATES_API_BASE = base
    settings.WATCHER_BACKOFF = 0
    settings.WATCHER_RETRIES = 1
    settings.WATCHER_TIMEOUT = 1
    settings.LINK_CHECK_HOST_INTERVAL = 0
    return httpserver


#: The communiqué's address on the Content API (tests/leads/data/govuk_content_*.json).
CONTENT_PATH = (
    "/api/content/government/news/council-of-the-nations-and-regions-communique-14-november-2026"
)


def serve_communique(server) -> None:
    """The Content API's answer for the communiqué in govuk_search_cnr.json."""
    server.expect_request(CONTENT_PATH).respond_with_json(data("govuk_content_cnr_communique.json"))

"""One source failing (a 500, a timeout, malformed JSON) is recorded on the run, and the
other sources still run."""

import json
import time

import pytest
from django.core.management import call_command
from werkzeug import Response

from igr import policy
from leads.models import ForumWatch, Lead, Outcome, WatcherRun
from tests.factories import ForumFactory
from tests.leads.conftest import data, serve_communique

pytestmark = pytest.mark.django_db


def _watch(name, term):
    forum = ForumFactory(name=name)
    with policy.writing():
        ForumWatch.objects.create(watched_forum=forum, search_terms=term)


def _slow(request):
    time.sleep(1.5)  # past WATCHER_TIMEOUT (1 s in these tests)
    return Response("{}", content_type="application/json")


def test_a_500_a_timeout_and_malformed_json_are_recorded_and_the_others_still_run(services):
    for name, term in [
        ("Broken forum", "broken"),
        ("Slow forum", "slow"),
        ("Garbled forum", "garbled"),
        ("Council of the Nations and Regions", "Council of the Nations and Regions"),
    ]:
        _watch(name, term)

    def search(request):
        match request.args["q"]:
            case "broken":
                return Response("Internal Server Error", status=500)
            case "slow":
                return _slow(request)
            case "garbled":
                return Response('{"results": [', content_type="application/json")
        return Response(json.dumps(data("govuk_search_cnr.json")), content_type="application/json")

    services.expect_request("/api/search.json").respond_with_handler(search)
    serve_communique(services)

    call_command("watch_govuk", verbosity=0)

    assert Lead.objects.count() == 1
    run = WatcherRun.objects.get()
    assert run.outcome == Outcome.PARTIAL
    assert run.finished_at is not None
    assert run.counts["leads filed"] == 1
    # Watches run in forum-name order: Broken, Council (fine), Garbled, Slow.
    broken, garbled, slow = run.errors.splitlines()
    assert "Broken forum" in broken and "answered 500" in broken
    assert "Garbled forum" in garbled and "did not answer JSON" in garbled
    assert "Slow forum" in slow and "timed out" in slow


def test_every_source_failing_marks_the_run_failed(services):
    _watch("Broken forum", "broken")
    services.expect_request("/api/search.json").respond_with_data("", status=503)
    call_command("watch_govuk", verbosity=0)
    assert WatcherRun.objects.get().outcome == Outcome.FAILED


def test_a_document_that_cannot_be_read_is_recorded_and_its_forum_still_files_the_rest(
    services,
):
    _watch("Council of the Nations and Regions", "Council of the Nations and Regions")
    search = data("govuk_search_cnr.json")
    gone = {**search["results"][0], "link": "/government/news/withdrawn-page"}
    services.expect_request("/api/search.json").respond_with_json(
        {**search, "results": [gone, *search["results"]], "total": 2}
    )
    services.expect_request("/api/content/government/news/withdrawn-page").respond_with_data(
        "Not found", status=404
    )
    serve_communique(services)
    call_command("watch_govuk", verbosity=0)
    assert Lead.objects.count() == 1
    run = WatcherRun.objects.get()
    assert run.outcome == Outcome.PARTIAL
    assert "withdrawn-page" in run.errors and "answered 404" in run.errors

"""Staff see each watcher's last run on /healthz; the public and the load balancer see
only the database check, and a failed watcher never makes the node unhealthy."""

import pytest
from django.core.management import call_command

from leads.models import WatcherRun
from tests.leads.test_watcher_failures import _watch

pytestmark = pytest.mark.django_db


def test_staff_see_the_last_run_of_each_watcher(services, editor_client, client):
    services.expect_request("/api/search.json").respond_with_data("", status=500)
    _watch("Broken forum", "broken")
    call_command("watch_govuk", verbosity=0)
    call_command("watch_govuk", verbosity=0)
    call_command("check_sources", verbosity=0)
    assert WatcherRun.objects.count() == 3

    staff = editor_client.get("/healthz").json()
    assert staff["status"] == "ok"
    assert [(w["command"], w["outcome"]) for w in staff["watchers"]] == [
        ("check_sources", "ok"),
        ("watch_govuk", "failed"),
    ]
    assert "answered 500" in staff["watchers"][1]["errors"][0]
    assert client.get("/healthz").json() == {"status": "ok", "database": "ok"}

"""The inbox's screens: their query counts do not grow with the number of leads, and
each role sees what its name promises."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from leads.models import Kind, Lead, Origin, WatcherRun
from leads.services import file_lead
from tests.factories import ForumFactory

pytestmark = pytest.mark.django_db


def _leads(n, start, forums):
    for i in range(start, start + n):
        file_lead(
            key=f"test:{i}",
            origin=Origin.GOVUK,
            kind=Kind.COMMUNIQUE,
            url=f"https://www.gov.uk/government/news/item-{i}",
            title=f"Communiqué {i}",
            guessed_forum=forums[i % 2],
        )


def _count(client, url):
    connection.queries_log.clear()
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


# session, user, the user's and the groups' permissions, the guessed-forum filter's
# choices, the data fingerprint behind the cached row count, the page of leads (joined
# to their guessed forum), the date drill-down's range and its days, and the session's
# idle-time stamp (savepoint, update, release): the same at any number of leads.
INBOX_QUERIES = 12


def test_the_inbox_costs_the_same_queries_at_2_and_at_12_leads(editor_client):
    forums = [ForumFactory(), ForumFactory()]
    url = reverse("admin:leads_lead_changelist")
    _leads(2, 0, forums)
    _count(editor_client, url)  # warm: content types, cached filter choices
    few = _count(editor_client, url)
    _leads(10, 2, forums)
    many = _count(editor_client, url)
    assert few == many == INBOX_QUERIES


def test_watcher_runs_are_read_only_for_everyone(editor_client, publisher_client):
    run = WatcherRun.objects.create(command="watch_govuk")
    for client in (editor_client, publisher_client):
        assert client.get(reverse("admin:leads_watcherrun_changelist")).status_code == 200
        assert client.get(reverse("admin:leads_watcherrun_add")).status_code == 403
        page = client.get(reverse("admin:leads_watcherrun_change", args=[run.pk]))
        assert page.status_code == 200 and b'name="_save"' not in page.content


def test_a_viewer_reads_the_inbox_but_cannot_decide(viewer_client):
    forums = [ForumFactory(), ForumFactory()]
    _leads(1, 0, forums)
    lead = Lead.objects.get()
    page = viewer_client.get(reverse("admin:leads_lead_change", args=[lead.pk]))
    assert page.status_code == 200
    assert b"Draft a meeting from this lead" not in page.content
    assert viewer_client.post(reverse("admin:leads_lead_accept", args=[lead.pk])).status_code == 403
    assert viewer_client.get(reverse("admin:leads_lead_accept", args=[lead.pk])).status_code == 405

"""The browsable API (what a browser gets at /api/v1/...) stays small however many records
there are: no <select> of every meeting or commitment in its forms."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import CommitmentFactory, MeetingFactory

pytestmark = pytest.mark.django_db


def _browse(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, HTTP_ACCEPT="text/html")
    assert response.status_code == 200
    return response.content.decode(), len(queries)


def test_commitments_in_a_browser_do_not_list_every_record(publisher_client):
    first = CommitmentFactory()
    _, queries_small = _browse(publisher_client, "/api/v1/commitments/?page_size=1")
    for _ in range(12):
        CommitmentFactory(meeting=MeetingFactory())
    html_large, queries_large = _browse(publisher_client, "/api/v1/commitments/?page_size=1")

    # Relation filters and fields are typed, not chosen from a list of every record.
    assert queries_large == queries_small
    assert f'<option value="{first.meeting.slug}"' not in html_large
    assert 'name="meeting"' in html_large and 'placeholder="slug or id"' in html_large
    # Staff can still write: the raw JSON form is there.
    assert 'id="id__content"' in html_large


def test_a_relation_filter_keeps_its_value_in_the_browsable_form(publisher_client):
    commitment = CommitmentFactory()
    html, _ = _browse(publisher_client, f"/api/v1/commitments/?meeting={commitment.meeting.slug}")
    assert f'value="{commitment.meeting.slug}"' in html

"""The public "Report a mistake or suggest a source" form: filed as a lead; a honeypot
and a limit of 5 reports an hour per address keep floods out."""

import pytest
from django.core.cache import cache
from django.urls import reverse

from leads.models import Kind, Lead, LeadState, Origin
from tests.factories import MeetingFactory

pytestmark = pytest.mark.django_db

REPORT = {
    "page": "/meetings/some-meeting/",
    "problem": "The meeting was held on 15 November, not 14 November.",
    "source_url": "https://www.gov.uk/government/news/a-communique",
    "email": "reader@example.org",
}


@pytest.fixture(autouse=True)
def _fresh_limits():
    cache.clear()
    yield
    cache.clear()


def test_every_record_page_links_to_the_form_with_its_address(client):
    meeting = MeetingFactory()
    page = client.get(meeting.get_absolute_url())
    link = f"{reverse('report')}?page={meeting.get_absolute_url()}"
    assert link.encode() in page.content


def test_a_report_is_filed_as_a_public_lead(client):
    response = client.post(reverse("report"), REPORT)
    assert response.status_code == 302
    assert response["Location"] == reverse("report-thanks")
    lead = Lead.objects.get()
    assert (lead.origin, lead.kind, lead.state) == (Origin.PUBLIC, Kind.CORRECTION, LeadState.NEW)
    assert lead.url == "http://testserver/meetings/some-meeting/"
    assert lead.text == REPORT["problem"]
    assert lead.reporter_email == "reader@example.org"
    assert lead.guesses["suggested_source"] == REPORT["source_url"]
    assert client.get(response["Location"]).status_code == 200


def test_the_form_page_has_one_heading_and_a_privacy_notice(client):
    page = client.get(reverse("report"), {"page": "/forums/"})
    assert page.status_code == 200
    assert page.content.count(b"<h1") == 1
    assert b"How we use what you send" in page.content
    assert b'value="/forums/"' in page.content


def test_a_report_naming_no_problem_is_refused_beside_the_field(client):
    response = client.post(reverse("report"), {**REPORT, "problem": ""})
    assert response.status_code == 400
    assert b"Enter what is wrong or missing" in response.content
    assert not Lead.objects.exists()


def test_a_report_pointing_off_the_site_keeps_no_link(client):
    client.post(reverse("report"), {**REPORT, "page": "//evil.example/"})
    assert Lead.objects.get().url == ""


def test_the_honeypot_is_refused(client):
    response = client.post(reverse("report"), {**REPORT, "website": "http://spam.example"})
    assert response.status_code == 400
    assert b"We could not accept this report" in response.content
    assert not Lead.objects.exists()


def test_the_sixth_report_in_an_hour_from_one_address_is_refused(client):
    for _ in range(5):
        assert client.post(reverse("report"), REPORT).status_code == 302
    response = client.post(reverse("report"), REPORT)
    assert response.status_code == 429
    assert b"You have sent 5 reports in the last hour" in response.content
    assert Lead.objects.count() == 5
    # Another address is not held back.
    other = client.post(reverse("report"), REPORT, REMOTE_ADDR="192.0.2.7")
    assert other.status_code == 302


def test_behind_a_proxy_the_limit_is_per_reader_not_per_proxy(client, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    for _ in range(5):
        client.post(reverse("report"), REPORT, HTTP_X_FORWARDED_FOR="198.51.100.1")
    refused = client.post(reverse("report"), REPORT, HTTP_X_FORWARDED_FOR="198.51.100.1")
    other = client.post(reverse("report"), REPORT, HTTP_X_FORWARDED_FOR="198.51.100.2")
    assert (refused.status_code, other.status_code) == (429, 302)


def test_a_report_from_a_meeting_page_is_filed_under_its_forum(client):
    meeting = MeetingFactory()
    client.post(reverse("report"), {**REPORT, "page": meeting.get_absolute_url()})
    assert Lead.objects.get().guessed_forum == meeting.forum

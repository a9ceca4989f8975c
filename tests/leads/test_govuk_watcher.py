"""The GOV.UK watcher against a local server answering in GOV.UK's own shapes (the search
API's results list; a Content API item trimmed from publishing-api's
content_schemas/examples/news_article/frontend/news_article_press_release.json)."""

import datetime
import json

import pytest
from django.core.management import ManagementUtility, call_command
from django.urls import reverse
from werkzeug import Response

from authorities.models import Office
from forums.models import AgendaItem, Attendance, Commitment, Meeting, Source
from igr import policy
from igr.records import PublicationState
from leads import govuk
from leads.models import ForumWatch, Lead, LeadState, Outcome, WatcherRun
from leads.services import accept_communique
from tests.factories import ForumFactory, OfficeFactory, PersonFactory
from tests.leads.conftest import CONTENT_PATH, data, serve_communique

pytestmark = pytest.mark.django_db


def watch(forum, terms="Council of the Nations and Regions", organisations="cabinet-office"):
    with policy.writing():
        return ForumWatch.objects.create(
            watched_forum=forum, search_terms=terms, organisations=organisations
        )


@pytest.fixture
def cnr(services):
    forum = ForumFactory(name="Council of the Nations and Regions", slug="cnr")
    watch(forum)
    services.expect_request("/api/search.json").respond_with_json(data("govuk_search_cnr.json"))
    serve_communique(services)
    return forum


def test_a_new_communique_becomes_one_lead_with_its_guesses(cnr, services):
    starmer = PersonFactory(name="Keir Starmer")
    PersonFactory(name="Andy Burnham")
    call_command("watch_govuk", verbosity=0)
    lead = Lead.objects.get()
    assert (
        lead.url
        == "https://www.gov.uk/government/news/council-of-the-nations-and-regions-communique-14-november-2026"
    )
    assert lead.guessed_forum == cnr
    assert lead.meeting_date == datetime.date(2026, 11, 14)
    assert lead.published_at == datetime.datetime(2026, 11, 14, 17, 30, tzinfo=datetime.UTC)
    assert lead.organisations[0]["title"] == "Cabinet Office"
    assert "joint skills plan" in lead.text and "<p>" not in lead.text
    assert {p["name"] for p in lead.guesses["people"]} == {"Keir Starmer", "Andy Burnham"}
    assert starmer.pk in {p["id"] for p in lead.guesses["people"]}
    assert lead.guesses["headings"] == ["Growth and investment", "Skills"]
    assert lead.guesses["agreed"] == [
        "Officials will report on shared investment priorities before the next meeting.",
        "The Council agreed to publish a joint skills plan by spring 2027.",
    ]
    [(search, _), *_] = services.log
    assert search.args["q"] == "Council of the Nations and Regions"
    assert search.args["order"] == "-public_timestamp"
    assert search.args["filter_organisations"] == "cabinet-office"
    assert search.args["filter_public_timestamp"].startswith("from:")
    assert "public_timestamp" in search.args.getlist("fields")
    assert search.headers["User-Agent"].startswith("IGR Tracker watcher")
    run = WatcherRun.objects.get()
    assert run.outcome == Outcome.OK
    assert run.counts == {"documents seen": 1, "leads filed": 1}


def test_the_same_run_twice_makes_nothing_new_and_says_nothing(cnr, services, capsys):
    call_command("watch_govuk")
    first = capsys.readouterr().out
    call_command("watch_govuk")
    assert Lead.objects.count() == 1
    assert "leads filed: 1" in first
    assert capsys.readouterr().out == ""
    # The second run asked only the search API: the document was known.
    content_calls = [r for r, _ in services.log if r.path == CONTENT_PATH]
    assert len(content_calls) == 1


def test_an_accepted_communique_drafts_one_meeting_with_its_children(cnr, editor):
    starmer = PersonFactory(name="Keir Starmer")
    office = OfficeFactory(person=starmer, title="Prime Minister")
    call_command("watch_govuk", verbosity=0)
    lead = Lead.objects.get()
    meeting = accept_communique(lead, by=editor)
    assert Meeting.objects.count() == 1
    assert meeting.publication_state == PublicationState.DRAFT
    assert meeting.forum == cnr and meeting.date == datetime.date(2026, 11, 14)
    source = Source.objects.get(url=lead.url)
    assert source.kind == "official"
    assert list(meeting.sources.all()) == [source]
    attendance = Attendance.objects.get(meeting=meeting)
    assert attendance.person == starmer and attendance.authority == office.authority
    assert list(AgendaItem.objects.filter(meeting=meeting).values_list("title", flat=True)) == [
        "Growth and investment",
        "Skills",
    ]
    commitments = Commitment.objects.filter(meeting=meeting)
    assert commitments.count() == 2
    assert all(c.publication_state == PublicationState.DRAFT for c in commitments)
    assert all(list(c.sources.all()) == [source] for c in commitments)
    lead.refresh_from_db()
    assert (
        lead.state == LeadState.ACCEPTED
        and lead.drafted_meeting == meeting
        and lead.cited_source == source
    )
    assert lead.decided_by == editor
    # Nothing published: the public meeting page does not exist yet.
    assert Office.objects.count() == 1


def test_the_inbox_drafts_a_meeting_from_the_change_page(cnr, editor_client):
    call_command("watch_govuk", verbosity=0)
    lead = Lead.objects.get()
    page = editor_client.get(reverse("admin:leads_lead_change", args=[lead.pk]))
    assert page.status_code == 200
    assert b"Draft a meeting from this lead" in page.content
    assert b"No meeting of Council of the Nations and Regions" in page.content
    response = editor_client.post(reverse("admin:leads_lead_accept", args=[lead.pk]))
    meeting = Meeting.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:forums_meeting_change", args=[meeting.pk])
    assert meeting.publication_state == PublicationState.DRAFT


def test_a_lead_is_dismissed_only_with_a_reason(cnr, editor_client):
    call_command("watch_govuk", verbosity=0)
    lead = Lead.objects.get()
    url = reverse("admin:leads_lead_dismiss", args=[lead.pk])
    editor_client.post(url, {"dismissal_reason": ""})
    lead.refresh_from_db()
    assert lead.state == LeadState.NEW
    editor_client.post(
        url, {"dismissal_reason": "Already recorded from the Welsh Government page."}
    )
    lead.refresh_from_db()
    assert lead.state == LeadState.DISMISSED
    assert lead.dismissal_reason == "Already recorded from the Welsh Government page."


def test_the_inbox_lists_newest_first_for_editors_and_refuses_outsiders(
    cnr, editor_client, outsider_client, client
):
    call_command("watch_govuk", verbosity=0)
    url = reverse("admin:leads_lead_changelist")
    assert editor_client.get(url + "?origin__exact=govuk&state__exact=new").status_code == 200
    assert outsider_client.get(url).status_code == 302
    assert client.get(url).status_code == 302


def test_requests_are_conditional_so_an_unchanged_search_costs_a_304(services):
    forum = ForumFactory(name="Council of the Nations and Regions", slug="cnr")
    watch(forum)
    body = data("govuk_search_cnr.json")

    def search(request):
        if request.headers.get("If-None-Match") == '"s1"':
            return Response(status=304)
        return Response(json.dumps(body), content_type="application/json", headers={"ETag": '"s1"'})

    services.expect_request("/api/search.json").respond_with_handler(search)
    serve_communique(services)
    call_command("watch_govuk", verbosity=0)
    call_command("watch_govuk", verbosity=0)
    searches = [r for r, response in services.log if r.path == "/api/search.json"]
    assert [r.headers.get("If-None-Match") for r in searches] == [None, '"s1"']
    assert [
        response.status_code for r, response in services.log if r.path == "/api/search.json"
    ] == [200, 304]
    assert Lead.objects.count() == 1
    assert WatcherRun.objects.order_by("id").last().outcome == Outcome.OK


def test_manage_py_lists_the_watchers():
    listed = ManagementUtility(["manage.py", "help"]).main_help_text()
    assert all(name in listed for name in ("watch_govuk", "watch_elections", "check_sources"))


def test_a_publisher_publishes_the_drafted_meeting_and_the_public_sees_it(
    cnr, editor, publisher, client
):
    """From lead to published record: the draft cites the lead's page, so it may be
    published as it stands; until then the public gets a 404."""
    call_command("watch_govuk", verbosity=0)
    meeting = accept_communique(Lead.objects.get(), by=editor)
    assert client.get(meeting.get_absolute_url()).status_code == 404
    published = policy.publish(meeting, by=publisher)
    assert {type(r).__name__ for r in published} == {"Meeting", "Commitment"}
    page = client.get(meeting.get_absolute_url())
    assert page.status_code == 200
    assert b"joint skills plan" in page.content


def test_the_search_is_read_page_by_page(services, monkeypatch):
    monkeypatch.setattr(govuk, "PAGE_SIZE", 1)
    watch(ForumFactory(name="Council of the Nations and Regions"))
    first = data("govuk_search_cnr.json")
    older = {**first["results"][0], "link": "/government/news/older-communique"}

    def search(request):
        page = [older] if request.args.get("start") == "1" else first["results"]
        body = {**first, "results": page, "total": 2, "start": int(request.args.get("start", 0))}
        return Response(json.dumps(body), content_type="application/json")

    services.expect_request("/api/search.json").respond_with_handler(search)
    serve_communique(services)
    services.expect_request("/api/content/government/news/older-communique").respond_with_json(
        {
            **data("govuk_content_cnr_communique.json"),
            "base_path": "/government/news/older-communique",
        }
    )
    call_command("watch_govuk", verbosity=0)
    assert sorted(Lead.objects.values_list("url", flat=True)) == [
        "https://www.gov.uk/government/news/council-of-the-nations-and-regions-communique-14-november-2026",
        "https://www.gov.uk/government/news/older-communique",
    ]

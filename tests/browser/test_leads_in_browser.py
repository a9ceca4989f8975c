"""The review inbox end to end in a real browser: the GOV.UK watcher files a communiqué
(from a local server speaking GOV.UK's formats), an Editor opens the inbox, reviews the
lead beside the record and drafts a meeting from it; a reader reports a mistake from a
record page. The pages pass axe-core's WCAG 2.2 A/AA rules.

With IGR_SCREENSHOTS_DIR set, the inbox, the lead review and the corrections form are
saved there as PNGs (docs/screenshots/leads-*.png were taken so)."""

import os
from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import cache
from django.core.management import call_command
from django.test import Client
from playwright.sync_api import expect

from forums.models import Meeting
from igr import policy
from igr.records import PublicationState
from leads.models import ForumWatch, Lead, LeadState
from tests.browser.test_site_in_browser import axe_violations
from tests.conftest import _member_of
from tests.factories import ForumFactory, MeetingFactory, PersonFactory
from tests.leads.conftest import (
    data,
    serve_communique,
    services,  # noqa: F401  (a fixture this module uses)
)

SHOTS = os.environ.get("IGR_SCREENSHOTS_DIR")


def shoot(page, name):
    if SHOTS:
        page.screenshot(path=str(Path(SHOTS) / name), full_page=True)


@pytest.fixture
def editor_page(browser, live_server, transactional_db, django_user_model):
    editor = _member_of(django_user_model, "Editor", "browser-editor")
    client = Client()
    client.force_login(editor)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": 1280, "height": 900}, bypass_csp=True
    )
    context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def communique_lead(transactional_db, services):  # noqa: F811  (the imported fixture)
    """The GOV.UK watcher's lead for a communiqué naming a person on the record, filed
    from the local server."""
    forum = ForumFactory(name="Council of the Nations and Regions", slug="cnr")
    PersonFactory(name="Keir Starmer")
    with policy.writing():
        ForumWatch.objects.create(
            watched_forum=forum, search_terms="Council of the Nations and Regions"
        )
    services.expect_request("/api/search.json").respond_with_json(data("govuk_search_cnr.json"))
    serve_communique(services)
    call_command("watch_govuk", verbosity=0)
    return Lead.objects.get()


def test_an_editor_drafts_a_meeting_from_a_communique_in_the_inbox(editor_page, communique_lead):
    page = editor_page

    page.goto("/admin/leads/lead/?state__exact=new")
    shoot(page, "leads-inbox.png")
    page.get_by_role("link", name="Council of the Nations and Regions communiqué").click()
    expect(page.get_by_text("No meeting of Council of the Nations and Regions")).to_be_visible()
    expect(
        page.get_by_text("The Council agreed to publish a joint skills plan").first
    ).to_be_visible()
    shoot(page, "leads-lead-review.png")
    page.get_by_role("button", name="Draft a meeting from this lead").click()
    page.wait_for_url("**/admin/forums/meeting/*/change/")
    expect(page.get_by_text("Drafted meeting")).to_be_visible()

    meeting = Meeting.objects.get()
    assert meeting.publication_state == PublicationState.DRAFT
    assert meeting.commitments.count() == 2 and meeting.attendances.count() == 1
    assert Lead.objects.get().state == LeadState.ACCEPTED


@pytest.mark.parametrize("width", [1280, 320])
def test_a_reader_reports_a_mistake_from_a_record_page(axe_page, transactional_db, width):
    cache.clear()
    meeting = MeetingFactory()
    page = axe_page
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(meeting.get_absolute_url())
    page.get_by_role("link", name="Report a mistake or suggest a source").click()
    assert axe_violations(page) == []
    if width == 1280:
        shoot(page, "leads-report-a-mistake.png")
    page.get_by_role("button", name="Send report").click()
    expect(page.get_by_text("Enter what is wrong or missing").first).to_be_visible()
    assert axe_violations(page) == []
    page.get_by_label("What is wrong, or what is missing?").fill("The date is wrong.")
    page.get_by_label("Email address (optional)").fill("reader@example.org")
    page.get_by_role("button", name="Send report").click()
    expect(page.get_by_role("heading", name="Report sent")).to_be_visible()
    lead = Lead.objects.get()
    assert lead.url.endswith(meeting.get_absolute_url())
    assert lead.reporter_email == "reader@example.org"


def test_an_editor_dismisses_a_lead_with_a_reason(editor_page, communique_lead):
    page = editor_page
    page.goto(f"/admin/leads/lead/{communique_lead.pk}/change/")
    page.get_by_label("Or dismiss it, saying why:").fill("Recorded already from the Welsh page.")
    page.get_by_role("button", name="Dismiss this lead").click()
    page.wait_for_url("**/admin/leads/lead/")
    lead = Lead.objects.get()
    assert (lead.state, lead.dismissal_reason) == (
        LeadState.DISMISSED,
        "Recorded already from the Welsh page.",
    )

"""The pages issue 15 changed, in a real browser: a staff draft preview, and a commitment
and the recent changes with a voided status change, pass axe-core's WCAG 2.2 A/AA rules
at 1280 and 320 px."""

import datetime

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.test import Client

from forums.services import record_status_change, void_status_change
from tests.browser.test_site_in_browser import axe_violations
from tests.factories import CommitmentFactory, MeetingFactory, SourceFactory


@pytest.fixture
def staff_axe_page(browser, live_server, transactional_db):
    """An axe page signed in as a superuser, with its session cookie set by the test client."""
    user = get_user_model().objects.create_superuser("auditor", "a@example.org", "x" * 20)
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": 1280, "height": 900}, bypass_csp=True
    )
    context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])
    page = context.new_page()
    yield page, user
    context.close()


@pytest.mark.parametrize("width", [1280, 320])
def test_draft_preview_and_voided_change_have_no_wcag_22_aa_violations(staff_axe_page, width):
    page, user = staff_axe_page
    draft = MeetingFactory(publication_state="draft", published_at=None)
    commitment = CommitmentFactory()
    change = record_status_change(
        commitment=commitment,
        new_status="in_progress",
        effective_on=datetime.date(2026, 1, 15),
        note="Work began.",
        evidence_source=SourceFactory(),
    )
    void_status_change(change=change, reason="Typed the wrong status.", voided_by=user)

    page.set_viewport_size({"width": width, "height": 900})
    problems = {}
    for url, marking in (
        (draft.get_absolute_url(), "Draft: not public"),
        (commitment.get_absolute_url(), "Voided: Typed the wrong status."),
        ("/changes/", "Voided: Typed the wrong status."),
    ):
        page.goto(url, wait_until="networkidle")
        assert page.locator("h1").count() == 1
        assert marking in page.content()
        if found := axe_violations(page):
            problems[url] = found
        if width == 320 and page.evaluate("document.documentElement.scrollWidth") > 320:
            problems[url] = ["wider than 320 px"]
    assert problems == {}

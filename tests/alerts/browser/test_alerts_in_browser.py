"""The alert pages in a real browser: no WCAG 2.2 AA violation (axe-core) at 1280 and
320 px, nothing wider than a 320 px screen, and a reader subscribing by keyboard."""

import pytest
from django.core import mail

from alerts import tokens
from alerts.models import Subscription
from tests.alerts.helpers import confirm_link
from tests.browser.test_site_in_browser import axe_violations
from tests.factories import CommitmentFactory, ForumFactory


@pytest.fixture
def alert_world(transactional_db):
    # Committed per test: the live server reads through its own connection.
    from django.core.cache import cache

    cache.clear()
    forum = ForumFactory(name="Mayoral Council")
    commitment = CommitmentFactory(title="Agree a fiscal framework", meeting__forum=forum)
    email = "reader@example.org"
    confirmed = Subscription.objects.create(
        email=email, topic="forum", object_id=forum.pk, confirmed_at="2026-11-01T10:00Z"
    )
    pending = Subscription.objects.create(
        email=email, topic="commitment", object_id=commitment.pk, frequency="weekly"
    )
    Subscription.objects.create(email=email, topic="search", query="fiscal devolution")
    return {
        "forum": forum,
        "urls": [
            "/alerts/",
            f"/alerts/?forum={forum.slug}",
            "/alerts/?q=fiscal",
            "/alerts/check-your-email/",
            f"/alerts/confirm/{tokens.confirm_token(pending)}/",
            f"/alerts/manage/{tokens.manage_token(email)}/?done=confirmed",
            f"/alerts/unsubscribe/{tokens.unsubscribe_token(email, [confirmed.pk])}/",
            "/alerts/manage/not-a-token/",
        ],
    }


@pytest.mark.parametrize("width", [1280, 320])
def test_alert_pages_have_no_wcag_22_aa_violations(axe_page, alert_world, width):
    axe_page.set_viewport_size({"width": width, "height": 900})
    problems = {}
    for url in alert_world["urls"]:
        axe_page.goto(url, wait_until="networkidle")
        if found := axe_violations(axe_page):
            problems[url] = found
    # The subscribe form's error state, as a reader who left the address out sees it.
    axe_page.goto(f"/alerts/?forum={alert_world['forum'].slug}")
    axe_page.get_by_role("button", name="Send confirmation email").click()
    assert axe_page.locator(".govuk-error-summary").is_visible()
    if found := axe_violations(axe_page):
        problems["subscribe with errors"] = found
    assert problems == {}


def test_alert_pages_fit_320px_without_sideways_scrolling(page, alert_world):
    page.set_viewport_size({"width": 320, "height": 640})
    too_wide = {}
    for url in alert_world["urls"]:
        page.goto(url, wait_until="networkidle")
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > 320:
            too_wide[url] = width
    assert too_wide == {}


def test_reader_subscribes_from_a_forum_page_with_the_keyboard(page, alert_world, live_server):
    forum = alert_world["forum"]
    page.goto(forum.get_absolute_url())
    page.get_by_role("link", name="Get email alerts about Mayoral Council").click()
    page.get_by_label("Email address").fill("new.reader@example.org")
    page.get_by_label("Once a week (a digest)").check()
    page.keyboard.press("Enter")
    page.wait_for_url("**/alerts/check-your-email/")
    assert page.get_by_role("heading", level=1).inner_text() == "Check your email"

    link = confirm_link(mail.outbox[-1])
    page.goto(link.replace("http://127.0.0.1:8000", live_server.url))
    page.get_by_role("button", name="Confirm alert").click()
    assert "Your alert is confirmed" in page.locator(".govuk-notification-banner").inner_text()
    subscription = Subscription.objects.get(email="new.reader@example.org")
    assert subscription.is_confirmed and subscription.frequency == "weekly"

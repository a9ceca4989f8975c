"""The finding pages in a real browser: search (results, nothing found, a bad filter),
the people index and "my area" pass axe-core's WCAG 2.2 A/AA rules at 1280 and 320 px
and fit 320 px without sideways scrolling; a visitor picks their council."""

import pytest

from tests.browser.test_site_in_browser import axe_violations
from tests.factories import CouncilFactory


@pytest.fixture
def council(world):
    return CouncilFactory(authority=world.authorities[0], name="Bury")


def finding_urls():
    return [
        "/search/?q=devolution",
        "/search/?q=devolution&kind=commitments&forum=mayoral-council&date_after=2025-01-01",
        "/search/?q=zzzyx",
        "/search/?q=devolution&kind=spells",
        "/people/",
        "/people/?authority=atlantis",
        "/my-area/",
        "/my-area/?council=atlantis",
        "/my-area/bury/",
    ]


@pytest.mark.parametrize("width", [1280, 320])
def test_finding_pages_have_no_wcag_22_aa_violations(axe_page, world, council, width):
    axe_page.set_viewport_size({"width": width, "height": 900})
    problems = {}
    for url in finding_urls():
        axe_page.goto(url, wait_until="networkidle")
        if found := axe_violations(axe_page):
            problems[url] = found
    assert problems == {}


def test_finding_pages_fit_320px(page, world, council):
    page.set_viewport_size({"width": 320, "height": 640})
    too_wide = {}
    for url in finding_urls():
        page.goto(url, wait_until="networkidle")
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > 320:
            too_wide[url] = width
    assert too_wide == {}


def test_visitor_chooses_their_council_and_follows_a_forum(page, world, council):
    page.goto("/")
    page.get_by_role("link", name="Your area").click()
    page.get_by_label("Your council").select_option(label="Bury")
    page.get_by_role("button", name="Show my area").click()
    page.wait_for_load_state()
    assert page.url.endswith("/my-area/bury/")
    assert page.locator("h1").inner_text() == "Bury"
    assert page.get_by_role("link", name="Andy Burnham").is_visible()
    page.get_by_role("link", name="Mayoral Council").first.click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "Mayoral Council"


def test_home_scorecard_and_chart_are_readable_at_390px(page, world):
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto("/", wait_until="networkidle")
    scores = page.locator("table.igr-stack-table td[data-label='Score']")
    assert scores.count() == len(world.recs)
    for cell in scores.all():
        box = cell.bounding_box()
        assert cell.is_visible() and box["x"] >= 0 and box["x"] + box["width"] <= 390
    # The column headings stay in the table for screen readers.
    assert page.get_by_role("columnheader", name="Score").count() == 1
    chart = page.locator(".igr-chart").first.bounding_box()
    assert chart["width"] <= 390 and chart["height"] >= 200
    assert page.evaluate("document.documentElement.scrollWidth") <= 390

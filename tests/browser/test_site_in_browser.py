"""A visitor in a real browser: the commitments tracker works with and without
JavaScript, every page template passes axe-core's WCAG 2.2 A/AA rules, and every page is
usable 320 px wide. The browser never reaches beyond the live server."""

import io
from urllib.parse import urlparse

import pytest
from django.core.management import call_command

from tests.browser.conftest import AXE

WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]


def template_urls(w):
    """One URL for each page template (and the filter-error state of the list form)."""
    return [
        "/",
        "/forums/",
        w.forum.get_absolute_url(),
        "/meetings/",
        # A page reached by Next (keyset), and a changed Next link's error summary.
        f"/meetings/?before={w.meeting.slug}",
        "/meetings/?after=no-such-meeting",
        w.meeting.get_absolute_url(),
        "/commitments/",
        "/commitments/?status=finished&forum=nowhere",
        w.other_commitment.get_absolute_url(),
        "/authorities/",
        w.authorities[0].get_absolute_url(),
        w.people[0].get_absolute_url(),
        "/recommendations/",
        w.recs[0].get_absolute_url(),
        "/attendance/",
        "/changes/",
        "/coverage/",
        "/search/?q=council",
        "/about/",
        "/data/",
        "/data/dictionary/",
        "/methodology/",
        "/accessibility/",
        "/no-such-page/",
    ]


def axe_violations(page):
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_TAGS
    )
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
        for v in result["violations"]
    ]


@pytest.mark.parametrize("width", [1280, 320])
def test_every_page_template_has_no_wcag_22_aa_violations(axe_page, world, width):
    axe_page.set_viewport_size({"width": width, "height": 900})
    problems = {}
    for url in template_urls(world):
        axe_page.goto(url, wait_until="networkidle")
        if found := axe_violations(axe_page):
            problems[url] = found
    assert problems == {}


def test_every_page_fits_320px_without_sideways_scrolling(page, world):
    page.set_viewport_size({"width": 320, "height": 640})
    too_wide = {}
    for url in template_urls(world):
        page.goto(url, wait_until="networkidle")
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > 320:
            too_wide[url] = width
    assert too_wide == {}


def test_visitor_filters_the_commitments_tracker_and_opens_a_commitment(page, world):
    page.goto("/commitments/")
    page.get_by_label("Delivered", exact=True).check()
    page.get_by_label("Forum").select_option(label=world.other_forum.name)
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_load_state()
    assert "status=delivered" in page.url and f"forum={world.other_forum.slug}" in page.url
    results = page.locator("#commitments h2 a")
    assert results.all_inner_texts() == ["Meet twice a year"]
    assert "match the filters" in page.get_by_role("status").inner_text()
    results.first.click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "Meet twice a year"
    assert page.get_by_text("The council met twice.").is_visible()


def test_the_tracker_works_with_javascript_off(browser, live_server, world):
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto("/commitments/")
        page.get_by_label("Overdue").select_option("true")
        page.get_by_role("button", name="Apply filters").click()
        page.wait_for_load_state()
        assert page.locator("#commitments h2 a").all_inner_texts() == [
            "Publish a devolution framework"
        ]
        page.locator("#commitments h2 a").first.click()
        page.wait_for_load_state()
        assert page.locator("h1").inner_text() == "Publish a devolution framework"
        # The scorecard's numbers are there as a table without the chart.
        page.goto(world.recs[0].get_absolute_url())
        assert page.locator("canvas").count() == 0
        assert page.get_by_role("table", name="Commitments by status").is_visible()
    finally:
        context.close()


def test_charts_draw_from_local_files_only_and_without_errors(page, live_server, world):
    errors, hosts = [], set()
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("request", lambda request: hosts.add(urlparse(request.url).hostname))
    page.goto(world.recs[0].get_absolute_url(), wait_until="networkidle")
    assert page.locator(".igr-chart canvas").count() == 2
    page.goto("/", wait_until="networkidle")
    assert page.locator(".igr-chart canvas").count() == 1
    assert errors == []
    assert hosts == {urlparse(live_server.url).hostname}


def test_the_releases_page_fits_320px_with_a_release_listed(page, world, settings, tmp_path):
    """A release's SHA-256 checksums are 64 unbroken characters; listed, they pushed
    /data/ to 1,099 px at 320 px wide."""
    settings.RELEASES_DIR = tmp_path
    call_command("export_dataset", stdout=io.StringIO())
    page.set_viewport_size({"width": 320, "height": 640})
    page.goto("/data/")
    assert page.locator("code.igr-checksum").count() > 1
    assert page.evaluate("document.documentElement.scrollWidth") <= 320

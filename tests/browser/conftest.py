"""Real-browser tests: Playwright for Python driving Debian's chromium at /usr/bin/chromium
(never a browser Playwright downloads) against pytest-django's live server."""

import os
from pathlib import Path

import pytest

from tests.worlds import build_page_world

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


# Package scope: Playwright's event loop must be gone before the rest of the suite makes
# ORM calls in this thread.
@pytest.fixture(scope="package")
def browser():
    """Debian's chromium, for the tests of one package.

    Playwright's sync API keeps an event loop in this thread; Django refuses ORM calls
    from a thread with a running loop unless told this is deliberate (the test thread is
    synchronous, so nothing is shared across coroutines). The variable is set only while
    the browser runs, so no later test, or a subprocess it starts, inherits it."""
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"No Chromium at {CHROMIUM}: install the Debian package `chromium`.")
    if not (ROOT / "static" / "vendor" / "igr.css").exists() or not AXE.exists():
        pytest.fail("Front-end assets missing: run `make static` (npm ci and npm run build).")
    with pytest.MonkeyPatch.context() as patch, sync_playwright() as playwright:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def world(transactional_db):
    # Committed per test: the live server reads through its own connection.
    return build_page_world()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def axe_page(browser, live_server):
    """A page that lets the test inject axe-core. The site's Content-Security-Policy
    rightly refuses injected inline scripts, so only this audit context bypasses it; the
    other browser tests run under the real policy."""
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": 1280, "height": 900}, bypass_csp=True
    )
    page = context.new_page()
    yield page
    context.close()

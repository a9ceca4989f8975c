"""The policy, in Debian's chromium: the admin and Swagger UI work under it with no
violation reported, and an injected inline script on a public page is refused."""

import pytest

from tests.browser.conftest import CHROMIUM, LAUNCH_ARGS

PASSWORD = "a-long-admin-password-for-csp"

# Every CSP violation the page reports, collected by the page itself.
COLLECT = """
window.__violations = [];
document.addEventListener('securitypolicyviolation',
    e => window.__violations.push(e.violatedDirective + ' ' + e.blockedURI));
"""


@pytest.fixture(scope="module")
def browser():
    """Debian's chromium. Playwright keeps an event loop in this thread, so Django's ORM
    must be told the synchronous calls beside it are deliberate; only while it runs, so no
    later test or subprocess inherits the variable."""
    from playwright.sync_api import sync_playwright

    with pytest.MonkeyPatch.context() as patch, sync_playwright() as playwright:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def staff_page(browser, live_server, transactional_db, django_user_model):
    django_user_model.objects.create_superuser("cspadmin", "csp@example.org", PASSWORD)
    context = browser.new_context(base_url=live_server.url)
    context.add_init_script(COLLECT)
    page = context.new_page()
    page.goto("/admin/login/")
    page.fill("#id_username", "cspadmin")
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url("**/admin/")
    yield page
    context.close()


@pytest.mark.parametrize(
    "path",
    [
        "/admin/",
        "/admin/forums/meeting/",
        "/admin/forums/meeting/add/",
        "/admin/forums/commitment/add/",
    ],
)
def test_admin_screens_run_under_the_policy_without_violations(staff_page, path):
    staff_page.goto(path, wait_until="networkidle")
    assert staff_page.evaluate("window.__violations") == []


def test_swagger_ui_renders_under_the_policy(staff_page):
    staff_page.goto("/api/docs/", wait_until="networkidle")
    staff_page.wait_for_selector(".opblock", timeout=15_000)
    assert staff_page.evaluate("window.__violations") == []


def test_an_injected_inline_script_is_refused_on_a_public_page(staff_page):
    staff_page.goto("/about/", wait_until="networkidle")
    staff_page.evaluate(
        "() => { const s = document.createElement('script');"
        " s.textContent = 'window.__ran = true'; document.body.append(s); }"
    )
    assert staff_page.evaluate("window.__ran") is None
    assert any(v.startswith("script-src") for v in staff_page.evaluate("window.__violations"))

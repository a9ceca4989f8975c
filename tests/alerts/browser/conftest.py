# The browser fixtures of tests/browser (Debian's chromium, the axe-core audit context),
# scoped to this package so Playwright's loop is gone before other tests use the ORM.
from tests.browser.conftest import axe_page, browser, page  # noqa: F401

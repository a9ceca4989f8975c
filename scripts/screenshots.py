"""Take the README's screenshots with headless Chromium.

    make screenshots

loads the reference data into a throwaway SQLite file, serves it on port 8765 and shoots;
or, against a server you already run:

    .venv/bin/python scripts/screenshots.py http://127.0.0.1:8000

Writes docs/screenshots/<page>-desktop.png and <page>-320.png; SCREENSHOTS_ONLY=a,b
shoots only the pages named. Uses Debian's chromium
at /usr/bin/chromium (CHROMIUM_PATH to override), never a downloaded browser.
"""

import os
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "screenshots"
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
WIDTHS = {"desktop": 1280, "320": 320}


def pages(page, base):
    """(name, path) for each page shot; detail pages are found by following links."""
    page.goto(f"{base}/forums/")
    forum = page.locator("main h2 a").first.get_attribute("href")
    page.goto(f"{base}{forum}")
    meeting = page.locator("main ol a[href^='/meetings/']").first.get_attribute("href")
    page.goto(f"{base}/recommendations/")
    scorecard = page.locator("main table tbody a").first.get_attribute("href")
    return [
        ("home", "/"),
        ("forum", forum),
        ("meeting", meeting),
        ("commitments", "/commitments/"),
        ("scorecard", scorecard),
        ("search", "/search/?q=fiscal"),
        ("people", "/people/"),
        ("my-area", "/my-area/manchester/"),
    ]


def main(base, only=()):
    OUT.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        targets = [(n, path) for n, path in pages(page, base) if not only or n in only]
        for label, width in WIDTHS.items():
            page.set_viewport_size({"width": width, "height": 900})
            for name, path in targets:
                page.goto(f"{base}{path}", wait_until="networkidle")
                target = OUT / f"{name}-{label}.png"
                page.screenshot(path=str(target), full_page=True)
                print(target.relative_to(ROOT))
        browser.close()


def serve_reference_data(port=8765):
    """Migrate and load the fixtures into a temporary SQLite file, then run the dev server."""
    folder = tempfile.mkdtemp(prefix="igr-screenshots-")
    env = dict(os.environ, DEBUG="true", DATABASE_URL=f"sqlite:///{folder}/db.sqlite3")
    manage = [sys.executable, str(ROOT / "manage.py")]
    fixtures = sorted(str(p) for p in (ROOT / "fixtures").glob("*.json"))
    subprocess.run([*manage, "migrate", "-v0"], env=env, check=True)
    subprocess.run([*manage, "load_reference_data", *fixtures], env=env, check=True)
    server = subprocess.Popen(
        [*manage, "runserver", f"127.0.0.1:{port}", "--noreload"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    for _ in range(50):
        try:
            urllib.request.urlopen(f"{base}/healthz", timeout=1)
            return server, base
        except OSError:
            time.sleep(0.2)
    server.terminate()
    raise SystemExit(f"The server on port {port} did not start.")


if __name__ == "__main__":
    only = tuple(filter(None, os.environ.get("SCREENSHOTS_ONLY", "").split(",")))
    if len(sys.argv) > 1:
        main(sys.argv[1].rstrip("/"), only)
    else:
        server, base = serve_reference_data()
        try:
            main(base, only)
        finally:
            server.terminate()
            server.wait()

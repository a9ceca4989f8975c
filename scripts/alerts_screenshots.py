"""Shoot the email-alert pages and an alert email's HTML body with headless Chromium.

    .venv/bin/python scripts/alerts_screenshots.py

loads the reference data into a throwaway SQLite file, serves it on port 8737, and writes
docs/screenshots/alerts-subscribe-desktop.png, alerts-subscribe-320.png and
alert-email.png (the HTML body of the alert a follower of the forum with the most
recorded status changes would get, built from the reference data's public log).
"""

import os
import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "scripts")]

from screenshots import CHROMIUM, LAUNCH_ARGS, OUT, serve_reference_data  # noqa: E402

PORT = 8737


def alert_email_html() -> tuple[str, str]:
    """(forum slug, HTML body) of an alert about the forum with the most status changes."""
    import datetime

    import django

    django.setup()
    from django.db.models import Count

    from alerts import changes, sending
    from alerts.models import Subscription, Topic
    from forums.models import Forum

    forum = (
        Forum.objects.published()
        .annotate(n=Count("meetings__commitments__status_changes"))
        .order_by("-n")
        .first()
    )
    subscription = Subscription(
        pk=1,
        email="reader@example.org",
        topic=Topic.FORUM,
        object_id=forum.pk,
        confirmed_at=datetime.datetime(2000, 1, 1, tzinfo=datetime.UTC),
    )
    found = changes.pending_changes(subscription, forum)[-5:]
    groups = [(subscription, changes.describe(subscription, forum), found)]
    message = sending.alert_message(subscription.email, groups, "immediate")
    return forum.slug, message.alternatives[0][0]


def main():
    from playwright.sync_api import sync_playwright

    os.environ["DEBUG"] = "true"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "igr.settings")
    # A private temporary directory, so the one folder serve_reference_data makes in it is
    # this server's database whatever else runs on the machine.
    tempfile.tempdir = tempfile.mkdtemp(prefix="igr-alerts-screenshots-")
    server, base = serve_reference_data(PORT)
    try:
        (folder,) = Path(tempfile.tempdir).glob("igr-screenshots-*")
        os.environ["DATABASE_URL"] = f"sqlite:///{folder}/db.sqlite3"
        slug, html = alert_email_html()
        email_file = Path(folder) / "alert-email.html"
        email_file.write_text(html, encoding="utf-8")
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            for label, width in {"desktop": 1280, "320": 320}.items():
                page.set_viewport_size({"width": width, "height": 900})
                page.goto(f"{base}/alerts/?forum={slug}", wait_until="networkidle")
                target = OUT / f"alerts-subscribe-{label}.png"
                page.screenshot(path=str(target), full_page=True)
                print(target.relative_to(ROOT))
            page.set_viewport_size({"width": 680, "height": 900})
            page.goto(email_file.as_uri())
            target = OUT / "alert-email.png"
            page.screenshot(path=str(target), full_page=True)
            print(target.relative_to(ROOT))
            browser.close()
    finally:
        server.terminate()
        server.wait()
        shutil.rmtree(tempfile.tempdir, ignore_errors=True)


if __name__ == "__main__":
    main()

from django.core.management.base import BaseCommand

from alerts.models import Frequency
from alerts.sending import run_alerts


class Command(BaseCommand):
    help = (
        "Email each confirmed subscriber the public changes to what they follow since their "
        "last alert: immediate alerts, or with --digest weekly the weekly digest. Safe to run "
        "again or after a crash: each change goes to a subscriber at most once."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--digest",
            choices=["weekly"],
            help="Send the weekly digest (to subscriptions last sent a week or more ago).",
        )

    def handle(self, *args, digest=None, **options):
        frequency = Frequency.WEEKLY if digest == "weekly" else Frequency.IMMEDIATE
        run = run_alerts(frequency)
        self.stdout.write(
            f"send_alerts {frequency}: {run.emails_sent} emails, {run.changes_sent} changes, "
            f"{run.failures} refused by the mail server (run {run.pk})."
        )

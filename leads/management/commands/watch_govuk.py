from django.core.management.base import BaseCommand

from leads import govuk
from leads.http import client
from leads.runs import recorded, report


class Command(BaseCommand):
    help = (
        "Ask GOV.UK's Search and Content APIs for new documents about each watched forum "
        "and file one lead per new document for staff to review."
    )

    def handle(self, *args, **options):
        with recorded("watch_govuk") as run, client() as http:
            govuk.watch_all(http, run)
        report(self, run, verbosity=options["verbosity"])

from django.core.management.base import BaseCommand

from leads import linkcheck
from leads.http import client
from leads.runs import recorded, report


class Command(BaseCommand):
    help = (
        "Check every source's address (HEAD, then GET), record its status and any new "
        "address, flag dead links and file a lead when an official page moves or changes."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--limit", type=int, default=None, help="Check at most this many, oldest first."
        )

    def handle(self, *args, **options):
        with recorded("check_sources") as run, client(follow_redirects=True) as http:
            linkcheck.check_all(http, run, limit=options["limit"])
        report(self, run, verbosity=options["verbosity"], quiet_counts=("checked", "dead"))

from django.core.management.base import BaseCommand

from leads import elections
from leads.http import client
from leads.runs import recorded, report


class Command(BaseCommand):
    help = (
        "Ask Democracy Club's EveryElection and candidates APIs about mayoral elections "
        "and by-elections, and file a lead for each one called and each result declared."
    )

    def handle(self, *args, **options):
        with recorded("watch_elections") as run, client() as http:
            elections.watch_all(http, run)
        report(self, run, verbosity=options["verbosity"])

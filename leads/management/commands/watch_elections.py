from leads import elections
from leads.runs import WatcherCommand


class Command(WatcherCommand):
    help = (
        "Ask Democracy Club's EveryElection and candidates APIs about mayoral elections "
        "and by-elections, and file a lead for each one called and each result declared."
    )

    def watch(self, http, run, options):
        elections.watch_all(http, run)

from leads import linkcheck
from leads.runs import WatcherCommand


class Command(WatcherCommand):
    help = (
        "Check every source's address (HEAD, then GET), record its status and any new "
        "address, flag dead links and file a lead when an official page moves or changes."
    )
    client_options = {"follow_redirects": True}

    def add_arguments(self, parser):
        parser.add_argument(
            "--limit", type=int, default=None, help="Check at most this many, oldest first."
        )

    def watch(self, http, run, options):
        linkcheck.check_all(http, run, limit=options["limit"])

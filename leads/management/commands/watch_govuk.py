from leads import govuk
from leads.runs import WatcherCommand


class Command(WatcherCommand):
    help = (
        "Ask GOV.UK's Search and Content APIs for new documents about each watched forum "
        "and file one lead per new document for staff to review."
    )

    def watch(self, http, run, options):
        govuk.watch_all(http, run)

"""A watcher run, recorded: each source is tried on its own, so one that fails (a 500, a
timeout, malformed JSON, an answer of the wrong shape) is written down and the others
still run."""

import contextlib
import logging

from django.core.management.base import BaseCommand
from django.utils import timezone

from igr import policy
from leads.http import SourceFailed, client
from leads.models import Outcome, WatcherRun

log = logging.getLogger("igr.leads")

#: What a source may fail with and the run survives: HTTP trouble, and answers whose
#: shape is not what the service documents.
SOURCE_ERRORS = (SourceFailed, KeyError, TypeError, ValueError, AttributeError)


class Run:
    def __init__(self, command: str):
        self.command = command
        self.counts: dict[str, int] = {}
        self.failures: list[str] = []
        self.sources = 0

    def count(self, name: str, n: int = 1) -> None:
        self.counts[name] = self.counts.get(name, 0) + n

    @contextlib.contextmanager
    def source(self, name: str):
        """Try one source; a failure is recorded against the run, never raised."""
        self.sources += 1
        try:
            yield
        except SOURCE_ERRORS as error:
            message = f"{name}: {error.__class__.__name__}: {error}"
            log.warning("watcher source failed", extra={"command": self.command, "error": message})
            self.failures.append(message)

    @property
    def outcome(self) -> str:
        if not self.failures:
            return Outcome.OK
        return Outcome.FAILED if len(self.failures) >= self.sources else Outcome.PARTIAL


@contextlib.contextmanager
def recorded(command: str):
    """Record a WatcherRun around the body: its counts, failures and outcome."""
    with policy.writing():
        record = WatcherRun.objects.create(command=command)
    run = Run(command)
    try:
        yield run
    except Exception as error:
        run.failures.append(f"{error.__class__.__name__}: {error}")
        _finish(record, run, Outcome.FAILED)
        raise
    _finish(record, run, run.outcome)


def _finish(record, run, outcome):
    with policy.writing():
        record.finished_at = timezone.now()
        record.outcome = outcome
        record.counts = run.counts
        record.errors = "\n".join(run.failures)
        record.save()


def report(command, run, *, verbosity: int, quiet_counts) -> None:
    """Print failures, and the counts only when something is new (cron mails any output,
    so a run that found nothing says nothing)."""
    for failure in run.failures:
        command.stderr.write(f"Failed: {failure}")
    new = any(n for name, n in run.counts.items() if name not in quiet_counts)
    if verbosity and (new or verbosity > 1):
        command.stdout.write(", ".join(f"{name}: {n}" for name, n in sorted(run.counts.items())))


class WatcherCommand(BaseCommand):
    """A watcher as a management command: one recorded run, one HTTP client, failures
    reported, silence when nothing is new."""

    client_options: dict = {}
    quiet_counts = ("documents seen", "checked", "dead")

    def watch(self, http, run, options) -> None:
        raise NotImplementedError

    def handle(self, *args, **options):
        name = self.__module__.rsplit(".", 1)[-1]
        with recorded(name) as run, client(**self.client_options) as http:
            self.watch(http, run, options)
        report(self, run, verbosity=options["verbosity"], quiet_counts=self.quiet_counts)

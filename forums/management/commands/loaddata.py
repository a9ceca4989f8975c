"""Django's loaddata, as a write path: its raw saves bypass igr.policy, so the stored
figures are rebuilt in the same transaction once the fixtures are in (a restore from
dumpdata, which holds no figures, comes back whole)."""

from django.core.management.commands import loaddata
from django.db import DEFAULT_DB_ALIAS

from forums.stats.figures import rebuild_all
from igr import policy


class Command(loaddata.Command):
    help = loaddata.Command.help + " Then rebuilds the stored figures."

    def handle(self, *fixture_labels, **options):
        using = options.get("database") or DEFAULT_DB_ALIAS
        with policy.writing(using=using):
            super().handle(*fixture_labels, **options)
            if self.loaded_object_count:
                rebuild_all(using=using)

from django.core.management.base import BaseCommand

from forums.stats.figures import rebuild_all


class Command(BaseCommand):
    help = (
        "Rebuild every stored figure (forums.stats.figures) from the record: after writes that "
        "bypass the ORM's signals (bulk_create, QuerySet.update, raw SQL, a restore of "
        "part of the database) and whenever a figure is in doubt."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--database", default=None, help="Database alias (default: the router's)."
        )

    def handle(self, *args, database, verbosity, **options):
        written = rebuild_all(using=database)
        if verbosity:
            self.stdout.write(
                "Rebuilt the stored figures: "
                + ", ".join(f"{n:,} {kind}" for kind, n in written.items())
                + "."
            )

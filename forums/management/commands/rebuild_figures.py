from django.core.management.base import BaseCommand, CommandError

from forums.stats.figures import rebuild_all, stale

#: Rows of each kind named in a --check failure; the count says how many more there are.
SHOWN = 5


class Command(BaseCommand):
    help = (
        "Rebuild every stored figure (forums.stats.figures) from the record: after migrate, "
        "after writes outside igr.policy.writing() (bulk_create, QuerySet.update, raw SQL) "
        "and whenever a figure is in doubt. With --check, change nothing and fail when a "
        "stored figure differs from a rebuild."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--database", default=None, help="Database alias (default: the router's)."
        )
        parser.add_argument(
            "--check",
            action="store_true",
            help="Compare the stored figures with a rebuild (rolled back); exit 1 naming "
            "what differs.",
        )

    def handle(self, *args, database, verbosity, check, **options):
        if check:
            self.check_figures(database, verbosity)
            return
        written = rebuild_all(using=database)
        if verbosity:
            self.stdout.write(
                "Rebuilt the stored figures: "
                + ", ".join(f"{n:,} {kind}" for kind, n in written.items())
                + "."
            )

    def check_figures(self, database, verbosity):
        differences = stale(using=database)
        if not differences:
            if verbosity:
                self.stdout.write("The stored figures equal a rebuild.")
            return
        lines = []
        for table, sides in differences.items():
            for side, label in (("stored", "stored, not in a rebuild"), ("rebuilt", "missing")):
                rows = sides[side]
                if rows:
                    lines.append(f"{table}: {len(rows)} row(s) {label}:")
                    lines += [
                        "  "
                        + ", ".join(f"{f}={v}" for f, v in zip(sides["fields"], row, strict=True))
                        for row in rows[:SHOWN]
                    ]
                    if len(rows) > SHOWN:
                        lines.append(f"  … and {len(rows) - SHOWN} more")
        raise CommandError(
            "The stored figures differ from a rebuild; run `manage.py rebuild_figures`.\n"
            + "\n".join(lines)
        )

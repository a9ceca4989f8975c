"""Run the data-quality rules over the whole record and name what breaks them."""

import datetime

from django.core.management.base import BaseCommand, CommandError

from forums.data_quality import RULES, broken_rules


class Command(BaseCommand):
    help = (
        "Check the record against the data-quality rules (sources, offices, founding dates, "
        "commitment timelines…); print each broken rule with the records breaking it and exit "
        "non-zero if any rule fails."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--today",
            type=datetime.date.fromisoformat,
            help="Judge 'current' and 'in the future' as of this date (YYYY-MM-DD); default today.",
        )

    def handle(self, *args, today, verbosity, **options):
        broken = broken_rules(today)
        for rule, records in broken:
            self.stderr.write(f"FAILED {rule.name}: {rule.description}")
            for record in records:
                self.stderr.write(f"  - {record}")
        if broken:
            raise CommandError(f"{len(broken)} of {len(RULES)} data-quality rules failed.")
        self.stdout.write(f"All {len(RULES)} data-quality rules pass.")

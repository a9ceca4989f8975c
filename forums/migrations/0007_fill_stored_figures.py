"""Formerly filled the stored figures here; now a no-op, because a migration must not run
live code (forums.stats.figures changes after this file is frozen).

Run `manage.py rebuild_figures` after `migrate` (the Makefile's `migrate` target does; see
docs/operations.md for production deploys). Kept under its name, so databases that applied
it are unaffected.
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("forums", "0006_stored_meeting_and_commitment_figures"),
    ]

    operations = [
        migrations.RunPython(migrations.RunPython.noop, migrations.RunPython.noop, elidable=True)
    ]

"""Fill the stored figures (forums.stats.figures) for the records already in the database.

Guards against aggregates reading empty figure tables right after the upgrade: from here
on forums.signals keeps them current. Runs forums.stats.figures with this migration's
historical models, so it reads only the columns that exist at this point.
"""

from django.db import migrations


def fill(apps, schema_editor):
    from forums.stats.figures import rebuild_all

    rebuild_all(using=schema_editor.connection.alias, apps=apps)


class Migration(migrations.Migration):
    dependencies = [
        ("forums", "0006_stored_meeting_and_commitment_figures"),
    ]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]

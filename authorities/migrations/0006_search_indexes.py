"""Expression GIN indexes for the full-text search (igr.fulltext), and pg_trgm for its
"did you mean" on names; PostgreSQL only (CreateExtension does nothing elsewhere).

Nothing is stored per row: the index holds each row's weighted tsvector and PostgreSQL
keeps it current on every write, so no write path has an extra step.
"""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

from igr.pgindexes import search_index, trigram_index


class Migration(migrations.Migration):
    dependencies = [("authorities", "0005_person_and_office_order_break_ties_by_id")]

    operations = [
        TrigramExtension(),
        search_index(
            "authorities_authority", (("name", "A"), ("short_name", "A"), ("gss_code", "A"))
        ),
        search_index("authorities_person", (("name", "A"),)),
        trigram_index("authorities_authority", "name"),
        trigram_index("authorities_person", "name"),
    ]

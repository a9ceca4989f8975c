"""Expression GIN indexes for the full-text search (igr.fulltext), PostgreSQL only.

Nothing is stored per row: the index holds each row's weighted tsvector and PostgreSQL
keeps it current on every write, so no write path has an extra step.
"""

from django.db import migrations

from igr.pgindexes import search_index, trigram_index


class Migration(migrations.Migration):
    dependencies = [
        ("forums", "0013_source_link_health_and_archived_copy"),
        ("authorities", "0006_search_indexes"),
    ]

    operations = [
        search_index("forums_forum", (("name", "A"), ("short_name", "A"), ("purpose", "B"))),
        search_index("forums_meeting", (("summary", "B"), ("location", "C"))),
        search_index("forums_agendaitem", (("title", "A"), ("description", "B"), ("outcome", "B"))),
        search_index("forums_document", (("title", "A"), ("text", "C"))),
        search_index("forums_commitment", (("title", "A"), ("text", "B"))),
        search_index("forums_recommendation", (("title", "A"), ("summary", "B"))),
        trigram_index("forums_forum", "name"),
        search_index("forums_source", (("title", "A"), ("publisher", "B"), ("quote", "C"))),
    ]

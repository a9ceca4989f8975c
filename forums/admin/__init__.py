"""The forums admin: a whole meeting on one page, commitments whose status moves only
through the status-change service, and every other record searchable and filterable.

Query budget: every changelist states list_select_related (or a get_queryset with its
select_related) for whatever its columns cross, so its query count does not grow with
rows; tests/admin/test_pages.py pins them at 10 and 100 rows.
"""

from forums.admin import commitments, forums, meetings, sources  # noqa: F401 (registers)

"""The admin's date hierarchy (the year, month and day links above a changelist) without
Django's `SELECT DISTINCT date_trunc('year', ...)` over the whole filtered table.

With no date chosen, Django's tag asks `cl.queryset.dates(field, "year")` for the years
that have rows: one query that reads every row, 300,000 commitments in the benchmark.
Where the field leads a B-tree index the same list is found by probes instead: "the first
date on or after this year" is an index lookup, and the next probe starts at the following
year, so it costs one lookup per year that has rows and one more that finds none. A
filter the index does not serve makes each probe read on from its year until a row
matches; the probes' ranges never overlap, so together they read each row at most once,
as the DISTINCT did. Once a year or month is chosen, Django's own query reads only that
range of the index, and is left alone. The links, their order and the template are
Django's.

Used by templates/admin/change_list.html for every changelist; a date-time hierarchy, or a
field no index leads, keeps Django's query.
"""

import copy
import datetime

from django import template
from django.contrib.admin.templatetags.admin_list import date_hierarchy
from django.contrib.admin.templatetags.base import InclusionAdminNode
from django.contrib.admin.utils import get_fields_from_path
from django.db import models

register = template.Library()


@register.tag(name="date_hierarchy_by_probes")
def date_hierarchy_by_probes_tag(parser, token):
    """{% date_hierarchy_by_probes cl %}: Django's {% date_hierarchy cl %}, same template
    lookup (admin/<app>/<model>/date_hierarchy.html first), with the buckets probed."""
    return InclusionAdminNode(
        parser,
        token,
        func=date_hierarchy_by_probes,
        template_name="date_hierarchy.html",
        takes_context=False,
    )


def date_hierarchy_by_probes(cl):
    field = get_fields_from_path(cl.model, cl.date_hierarchy)[-1] if cl.date_hierarchy else None
    if field is None or not probes_serve(field):
        return date_hierarchy(cl)
    probed = copy.copy(cl)
    probed.queryset = _ProbedDates(cl.queryset)
    return date_hierarchy(probed)


def probes_serve(field) -> bool:
    """Whether probing `field` is index lookups: a date (not date-time: those buckets
    depend on the time zone) column that leads a B-tree index."""
    if not isinstance(field, models.DateField) or isinstance(field, models.DateTimeField):
        return False
    if field.primary_key or field.unique or field.db_index:
        return True
    return any(
        isinstance(index, models.Index)
        and type(index) is models.Index  # a plain B-tree, not GIN or another kind
        and index.fields
        and index.fields[0].lstrip("-") == field.name
        for index in field.model._meta.indexes
    )


class _ProbedDates:
    """What Django's date_hierarchy tag asks of `cl.queryset`, with the years probed."""

    def __init__(self, queryset):
        self._queryset = queryset

    def aggregate(self, *args, **kwargs):
        return self._queryset.aggregate(*args, **kwargs)

    def dates(self, field_name, kind, order="ASC"):
        if kind != "year":  # a chosen year or month: a range of the index, read as Django does
            return self._queryset.dates(field_name, kind, order)
        found = distinct_dates(self._queryset, field_name, kind)
        return found if order == "ASC" else found[::-1]


def distinct_dates(queryset, field_name, kind) -> list[datetime.date]:
    """`queryset.dates(field_name, kind)` for kind "year", "month" or "day", as a list,
    by one Min() probe per bucket that has rows plus one that finds none."""
    queryset = queryset.order_by()
    found = []
    rows = queryset
    while (first := rows.aggregate(first=models.Min(field_name))["first"]) is not None:
        bucket = _bucket(first, kind)
        found.append(bucket)
        after = _following(bucket, kind)
        if after is None:
            break
        rows = queryset.filter(**{f"{field_name}__gte": after})
    return found


def _bucket(day: datetime.date, kind: str) -> datetime.date:
    if kind == "year":
        return day.replace(month=1, day=1)
    if kind == "month":
        return day.replace(day=1)
    if kind == "day":
        return day
    raise ValueError(f"date hierarchy kind {kind!r} is not probed")


def _following(bucket: datetime.date, kind: str) -> datetime.date | None:
    """The first day of the bucket after `bucket`, or None past the last date there is."""
    try:
        if kind == "year":
            return bucket.replace(year=bucket.year + 1)
        if kind == "month":
            if bucket.month == 12:
                return bucket.replace(year=bucket.year + 1, month=1)
            return bucket.replace(month=bucket.month + 1)
        return bucket + datetime.timedelta(days=1)
    except (ValueError, OverflowError):  # year 9999 has no following year
        return None

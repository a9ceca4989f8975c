"""The changelists' date hierarchies (igr.admin_dates): the same year, month and day links
as Django's own tag, the years found by one index probe per year instead of a DISTINCT
over every row of the filtered table."""

import datetime
import re

import pytest
from django.contrib import admin
from django.contrib.admin.utils import get_fields_from_path
from django.db import connection
from django.test.utils import CaptureQueriesContext

from forums.models import Commitment, Source
from igr.admin_dates import distinct_dates, probes_serve
from tests import factories as f

pytestmark = pytest.mark.django_db

DAYS = [
    datetime.date(2019, 3, 4),
    datetime.date(2019, 3, 4),
    datetime.date(2019, 3, 31),
    datetime.date(2019, 12, 31),
    datetime.date(2021, 1, 1),
    datetime.date(2024, 2, 29),
]


@pytest.fixture
def commitments(db):
    meeting = f.MeetingFactory()
    made = [f.CommitmentFactory(meeting=meeting, made_on=day) for day in DAYS]
    # A draft on a year of its own: a filter on publication_state drops that year.
    f.CommitmentFactory(
        meeting=meeting, made_on=datetime.date(2010, 6, 1), publication_state="draft"
    )
    return made


@pytest.mark.parametrize(
    ("kind", "filters"),
    [
        ("year", {}),
        ("year", {"publication_state": "published"}),
        ("month", {"made_on__year": 2019}),
        ("day", {"made_on__year": 2019, "made_on__month": 3}),
        ("day", {"made_on__year": 2030}),  # nothing there
    ],
)
def test_probes_find_what_dates_finds(commitments, kind, filters):
    rows = Commitment.objects.filter(**filters)
    assert distinct_dates(rows, "made_on", kind) == list(rows.dates("made_on", kind))


def test_probes_cost_one_query_per_bucket_and_one_more(commitments):
    with CaptureQueriesContext(connection) as queries:
        years = distinct_dates(Commitment.objects.all(), "made_on", "year")
    assert [y.year for y in years] == [2010, 2019, 2021, 2024]
    assert len(queries) == len(years) + 1
    assert not any("DISTINCT" in q["sql"].upper() for q in queries)


def test_commitment_changelist_draws_its_years_without_a_distinct(superuser_client, commitments):
    with CaptureQueriesContext(connection) as queries:
        response = superuser_client.get("/admin/forums/commitment/")
    assert response.status_code == 200
    body = response.content.decode()
    for year in (2010, 2019, 2021, 2024):
        assert f'href="?made_on__year={year}"' in body
    assert 'href="?made_on__year=2011"' not in body
    # Django's tag reads every row: SELECT DISTINCT date_trunc('year', made_on) (or
    # django_date_trunc on SQLite).
    assert not [q for q in queries if re.search(r"DISTINCT .*date_trunc", q["sql"], re.I)]


def test_month_and_day_levels_link_the_months_and_days_that_have_rows(
    superuser_client, commitments
):
    months = superuser_client.get("/admin/forums/commitment/", {"made_on__year": 2019})
    body = months.content.decode()
    assert re.findall(r"made_on__month=(\d+)", body) == ["3", "12"]
    days = superuser_client.get(
        "/admin/forums/commitment/", {"made_on__year": 2019, "made_on__month": 3}
    )
    assert re.findall(r"made_on__day=(\d+)", days.content.decode()) == ["4", "31"]


def test_the_links_follow_the_changelist_filters(superuser_client, commitments):
    body = superuser_client.get(
        "/admin/forums/commitment/", {"publication_state__exact": "draft"}
    ).content.decode()
    # One draft only, made in June 2010: Django zooms to that month's days.
    assert re.findall(r"made_on__day=(\d+)", body) == ["1"]


def test_every_big_date_hierarchy_is_probed():
    """Probes are index lookups only where the field leads an index; the two big tables'
    hierarchies must be probed, a small unindexed one keeps Django's query."""
    probed = {
        (model._meta.model_name, model_admin.date_hierarchy)
        for model, model_admin in admin.site._registry.items()
        if model_admin.date_hierarchy
        and probes_serve(get_fields_from_path(model, model_admin.date_hierarchy)[-1])
    }
    assert {
        ("commitment", "made_on"),
        ("meeting", "date"),
        ("commitmentstatuschange", "effective_on"),
    } <= probed
    assert not probes_serve(Source._meta.get_field("published_on"))  # 173 rows, no index
    assert not probes_serve(Source._meta.get_field("created_at"))  # a date-time

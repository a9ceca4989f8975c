"""Data-quality checks on the reference data in fixtures/.

The fixtures are loaded once for the module (through load_reference_data, as `make run`
does) inside a transaction that is rolled back afterwards, so other test modules still
start from an empty database. Each check names the offending records, so a failure says
what to fix in which fixture.
"""

import datetime
from io import StringIO

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from authorities.models import Authority, AuthorityKind, Office
from forums.data_quality import RULES, names
from forums.models import (
    Forum,
    Meeting,
    Recommendation,
    Report,
    Source,
    SourceKind,
)


@pytest.fixture(scope="module")
def reference_data(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        out = StringIO()
        call_command("load_reference_data", stdout=out, stderr=out)
        yield out.getvalue()
        transaction.set_rollback(True)


pytestmark = pytest.mark.django_db


def row_counts():
    return {
        model._meta.label: model._default_manager.count()
        for model in apps.get_models()
        if model._meta.app_label in {"authorities", "forums"}
    }


def test_fixtures_load_and_report_what_was_created(reference_data):
    assert "skipped" in reference_data and " 0 skipped" in reference_data
    assert Authority.objects.count() > 20
    assert Meeting.objects.count() >= 10


def test_loading_again_changes_nothing_and_duplicates_nothing(reference_data):
    before = row_counts()  # includes the history tables: no new history rows either
    out = StringIO()
    call_command("load_reference_data", stdout=out, stderr=out)
    assert row_counts() == before
    assert "0 created, 0 updated" in out.getvalue()
    assert " 0 skipped" in out.getvalue()


@pytest.mark.parametrize("rule", RULES, ids=lambda rule: rule.name)
def test_the_reference_data_keeps_every_data_quality_rule(reference_data, rule):
    assert rule.find(today=timezone.localdate()) == []


def test_check_data_passes_on_the_reference_data(reference_data):
    out = StringIO()
    call_command("check_data", stdout=out, stderr=out)
    assert f"All {len(RULES)} data-quality rules pass." in out.getvalue()


def test_records_resting_on_secondary_sources_alone_are_flagged_in_their_notes(reference_data):
    # A user comparing sources must be told when only Wikipedia-type pages support a record.
    secondary_only = (
        Authority.objects.published()
        .exclude(sources__kind__in=[SourceKind.OFFICIAL, SourceKind.NEWS])
        .filter(notes="")
    )
    assert names(secondary_only) == []


def test_the_report_has_its_five_recommendations(reference_data):
    report = Report.objects.get(slug="state-of-igr-in-england-2025")
    assert report.published_on == datetime.date(2025, 6, 19)
    assert list(Recommendation.objects.filter(report=report).values_list("number", flat=True)) == [
        1,
        2,
        3,
        4,
        5,
    ]


def test_every_current_mayoral_authority_and_government_is_recorded(reference_data):
    kinds = Authority.objects.values_list("kind", flat=True)
    assert list(kinds).count(AuthorityKind.GLA) == 1
    assert list(kinds).count(AuthorityKind.UK_GOVERNMENT) == 1
    assert list(kinds).count(AuthorityKind.DEVOLVED_GOVERNMENT) == 3
    today = timezone.localdate()
    with_mayor = Authority.objects.mayoral().filter(
        Exists(Office.objects.mayors().current(today).filter(authority=OuterRef("pk")))
    )
    # 13 combined and combined county authority mayors plus the Mayor of London.
    assert with_mayor.count() == 14


def test_every_forum_names_its_chair_and_members(reference_data):
    assert names(Forum.objects.filter(chair_description="")) == []
    assert names(Forum.objects.filter(memberships__isnull=True)) == []


def test_no_two_sources_share_a_title(reference_data):
    # Sources are listed by title; a tie leaves their order to the database, and the API's
    # two read paths then disagree on PostgreSQL (tests/api/test_values_read.py).
    titles = list(Source.objects.values_list("title", flat=True))
    assert sorted(t for t in set(titles) if titles.count(t) > 1) == []

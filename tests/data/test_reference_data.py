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
from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone

from authorities.models import Authority, AuthorityKind, Office
from forums.models import (
    Commitment,
    Document,
    Forum,
    Meeting,
    Recommendation,
    Report,
    SourceKind,
)
from igr.records import PublicationState
from tests.data import checks
from tests.data.checks import names
from tests.worlds import module_reference_data

PUBLISHABLE_WITH_SOURCES = [Authority, Office, Forum, Meeting, Commitment]


reference_data = module_reference_data()


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


@pytest.mark.parametrize("model", PUBLISHABLE_WITH_SOURCES, ids=lambda m: m.__name__)
def test_every_published_record_cites_a_source(reference_data, model):
    assert checks.unsourced(model) == []


def test_every_status_change_of_a_published_commitment_cites_a_source(reference_data):
    assert checks.unsourced_status_changes() == []


def test_every_published_office_belongs_to_a_published_authority(reference_data):
    orphans = Office.objects.filter(publication_state=PublicationState.PUBLISHED).exclude(
        authority__publication_state=PublicationState.PUBLISHED
    )
    assert names(orphans) == []


def test_no_held_meeting_is_in_the_future(reference_data):
    assert checks.held_meetings_in_the_future() == []


def test_no_two_offices_of_the_same_post_at_the_same_authority_overlap(reference_data):
    assert checks.overlapping_offices() == []


def test_every_mayoral_authority_that_has_had_a_mayor_has_a_current_one(reference_data):
    assert checks.mayoral_authorities_without_a_current_mayor() == []


def test_every_existing_mayoral_authority_with_a_mayor_has_exactly_one(reference_data):
    today = timezone.localdate()
    crowded = (
        Authority.objects.mayoral()
        .annotate(
            current=Count(
                "offices",
                filter=Q(offices__title__iexact="Mayor", offices__started_on__lte=today)
                & (Q(offices__ended_on__isnull=True) | Q(offices__ended_on__gte=today)),
            )
        )
        .filter(current__gt=1)
    )
    assert names(crowded) == []


def test_commitment_status_is_its_latest_change(reference_data):
    assert checks.commitments_whose_status_is_not_their_latest_change() == []


def test_each_status_change_starts_where_the_previous_one_ended(reference_data):
    assert checks.broken_status_chains() == []


def test_uncertain_dates_say_why(reference_data):
    # An unticked "date confirmed" or a ticked "dates uncertain" must name the competing
    # values or say what the sources give, or the public cannot judge the record.
    assert names(Meeting.objects.filter(date_confirmed=False, date_note="")) == []
    assert names(Office.objects.filter(dates_uncertain=True, notes="")) == []


def test_unconfirmed_documents_have_no_publication_date(reference_data):
    assert names(Document.objects.filter(is_confirmed=False, published_on__isnull=False)) == []


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

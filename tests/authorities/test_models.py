import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from authorities.models import Authority, Office
from tests.factories import AuthorityFactory, OfficeFactory, PersonFactory

pytestmark = pytest.mark.django_db


def test_office_ending_before_it_starts_is_refused_by_full_clean_and_database():
    office = OfficeFactory.build(
        person=PersonFactory(),
        authority=AuthorityFactory(),
        party=None,
        started_on=datetime.date(2024, 5, 7),
        ended_on=datetime.date(2024, 5, 6),
    )
    with pytest.raises(ValidationError, match="An office cannot end before it starts"):
        office.full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        office.save()


def test_duplicate_gss_code_is_refused():
    AuthorityFactory(gss_code="E47000001")
    duplicate = AuthorityFactory.build(gss_code="E47000001")
    with pytest.raises(ValidationError, match="ONS GSS code already exists"):
        duplicate.full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        duplicate.save()


def test_authorities_without_gss_code_do_not_clash():
    AuthorityFactory(gss_code=None)
    AuthorityFactory(gss_code=None)
    assert Authority.objects.filter(gss_code__isnull=True).count() == 2


def test_malformed_gss_code_gets_a_readable_message():
    authority = AuthorityFactory.build(gss_code="E4700")
    with pytest.raises(ValidationError, match="followed by eight digits"):
        authority.full_clean()


def test_duplicate_authority_slug_is_refused_at_the_database():
    AuthorityFactory(slug="greater-manchester")
    with pytest.raises(IntegrityError), transaction.atomic():
        AuthorityFactory(slug="greater-manchester")


def test_population_without_its_year_is_refused():
    authority = AuthorityFactory.build(population=2_867_800, population_year=None)
    with pytest.raises(ValidationError, match="Give the year of the population figure"):
        authority.full_clean()


def test_who_was_mayor_of_greater_manchester_on_a_date():
    gm = AuthorityFactory(name="Greater Manchester Combined Authority", slug="gmca")
    lloyd = OfficeFactory(
        authority=gm,
        person=PersonFactory(name="Tony Lloyd"),
        title="Mayor",
        started_on=datetime.date(2015, 5, 29),
        ended_on=datetime.date(2017, 5, 7),
    )
    burnham = OfficeFactory(
        authority=gm,
        person=PersonFactory(name="Andy Burnham"),
        title="Mayor",
        started_on=datetime.date(2017, 5, 8),
    )
    OfficeFactory(authority=AuthorityFactory(), title="Mayor", started_on=datetime.date(2017, 5, 8))

    def mayor_on(day):
        return list(Office.objects.of_post("Mayor", gm).on(day))

    assert mayor_on(datetime.date(2016, 1, 1)) == [lloyd]
    assert mayor_on(datetime.date(2017, 5, 7)) == [lloyd]
    assert mayor_on(datetime.date(2017, 5, 8)) == [burnham]
    assert mayor_on(datetime.date(2014, 1, 1)) == []
    assert list(Office.objects.of_post("mayor", gm).current()) == [burnham]


def test_overlapping_offices_of_one_post_are_refused_with_the_holder_named():
    gm = AuthorityFactory()
    OfficeFactory(
        authority=gm,
        person=PersonFactory(name="Andy Burnham"),
        started_on=datetime.date(2017, 5, 8),
    )
    rival = OfficeFactory.build(
        authority=gm,
        person=PersonFactory(),
        party=None,
        started_on=datetime.date(2020, 1, 1),
    )
    with pytest.raises(ValidationError, match="Andy Burnham held the post of Mayor"):
        rival.full_clean()


def test_handover_on_one_day_is_not_an_overlap():
    uk = AuthorityFactory()
    OfficeFactory(
        authority=uk,
        title="Prime Minister",
        started_on=datetime.date(2022, 10, 25),
        ended_on=datetime.date(2024, 7, 5),
        party=None,
    )
    successor = OfficeFactory.build(
        authority=uk,
        person=PersonFactory(),
        title="Prime Minister",
        started_on=datetime.date(2024, 7, 5),
        party=None,
    )
    successor.full_clean()


def test_published_offices_need_a_published_authority():
    draft_authority = AuthorityFactory(publication_state="draft")
    OfficeFactory(authority=draft_authority)
    shown = OfficeFactory()
    assert list(Office.objects.published()) == [shown]

"""Every public page on the real reference data answers 200 with exactly one <h1>."""

import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import transaction

from authorities.models import Authority, Person
from forums.models import Commitment, Forum, Meeting, Recommendation

from .test_pages import LIST_PAGES


@pytest.fixture(scope="module")
def reference_data(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("load_reference_data", stdout=StringIO(), stderr=StringIO())
        yield
        transaction.set_rollback(True)


def public_urls():
    urls = list(LIST_PAGES)
    for queryset in [
        Forum.objects.published(),
        Meeting.objects.published(),
        Commitment.objects.published(),
        Authority.objects.published(),
        Person.objects.published(),
        Recommendation.objects.all(),
    ]:
        urls += [obj.get_absolute_url() for obj in queryset]
    return urls


@pytest.mark.django_db
def test_every_page_on_the_reference_data_answers_with_one_h1(reference_data, client):
    urls = public_urls()
    assert len(urls) > 50
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        assert len(re.findall(r"<h1[\s>]", response.content.decode())) == 1, url


@pytest.mark.django_db
def test_reference_feeds_and_sitemap_answer(reference_data, client):
    for url in ["/meetings.ics", "/meetings/feed/", "/changes/feed/", "/sitemap.xml"]:
        assert client.get(url).status_code == 200, url
    for forum in Forum.objects.published():
        assert client.get(f"/forums/{forum.slug}/meetings.ics").status_code == 200


@pytest.mark.django_db
def test_coverage_says_when_the_record_was_checked_and_what_was_not_found(reference_data, client):
    page = client.get("/coverage/").content.decode()
    assert "The record is checked to <strong>1 December 2026</strong>" in page
    for forum in Forum.objects.published():
        assert forum.record_checked_to is not None, forum
    # Forum by forum: no meeting found after the latest recorded one.
    assert "No meeting found after 23 May 2025, its latest recorded meeting" in page
    assert "No meeting found after 20 November 2025, its latest recorded meeting" in page
    assert "No meeting found; sources searched to 1 December 2026." in page  # F:ISC: none at all


@pytest.mark.django_db
def test_coverage_lists_planned_bodies_and_facts_left_out(reference_data, client):
    page = client.get("/coverage/").content.decode()
    planned = page.split("Planned bodies not yet created (2)")[1].split("<h2")[0]
    assert "Greater Essex Combined County Authority" in planned
    assert "Norfolk and Suffolk Combined County Authority" in planned
    left_out = page.split("Left out for lack of a readable source")[1].split("<h2")[0]
    assert "Louise Haigh" in left_out
    assert "North East Mayoral Strategic Authority" in left_out
    assert "Searched for and not found (" in page

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

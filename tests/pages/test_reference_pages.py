"""Every public page on the real reference data answers 200 with exactly one <h1>."""

import re

import pytest

from authorities.models import Authority, Person
from forums.models import Commitment, Forum, Meeting, Recommendation
from tests.worlds import module_reference_data

from .test_pages import LIST_PAGES

reference_data = module_reference_data()


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

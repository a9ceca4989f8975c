"""/sitemap.xml: every published page a search engine should find."""

from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from authorities.models import Authority, Person
from forums.models import Commitment, Forum, Meeting, Recommendation
from igr import visibility


class StaticSitemap(Sitemap):
    def items(self):
        return [
            "home",
            "forums:forum-list",
            "forums:meeting-list",
            "forums:commitment-list",
            "forums:recommendation-list",
            "authorities:authority-list",
            "authorities:person-list",
            "authorities:my-area",
            "attendance",
            "changes",
            "coverage",
            "about",
            "methodology",
            "accessibility",
        ]

    def location(self, item):
        return reverse(item)


class PublishedSitemap(Sitemap):
    """A sitemap of the records of `model` the public may see (igr.visibility); `lastmod`
    is the record's last edit."""

    model = None

    def items(self):
        return visibility.visible(self.model).order_by("pk")

    def lastmod(self, obj):
        return obj.updated_at


class ForumSitemap(PublishedSitemap):
    model = Forum


class MeetingSitemap(PublishedSitemap):
    model = Meeting


class CommitmentSitemap(PublishedSitemap):
    model = Commitment


class AuthoritySitemap(PublishedSitemap):
    model = Authority


class PersonSitemap(PublishedSitemap):
    model = Person


class RecommendationSitemap(PublishedSitemap):
    model = Recommendation


SITEMAPS = {
    "pages": StaticSitemap,
    "forums": ForumSitemap,
    "meetings": MeetingSitemap,
    "commitments": CommitmentSitemap,
    "authorities": AuthoritySitemap,
    "people": PersonSitemap,
    "recommendations": RecommendationSitemap,
}

"""/sitemap.xml: every published page a search engine should find."""

from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from authorities.models import Authority, Person
from forums.models import Commitment, Forum, Meeting, Recommendation


class StaticSitemap(Sitemap):
    def items(self):
        return [
            "home",
            "forums:forum-list",
            "forums:meeting-list",
            "forums:commitment-list",
            "forums:recommendation-list",
            "authorities:authority-list",
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
    """A sitemap over a published queryset; `lastmod` is the record's last edit."""

    queryset = None

    def items(self):
        return self.queryset()

    def lastmod(self, obj):
        return obj.updated_at


class ForumSitemap(PublishedSitemap):
    def queryset(self):
        return Forum.objects.published().order_by("pk")


class MeetingSitemap(PublishedSitemap):
    def queryset(self):
        return Meeting.objects.published().order_by("pk")


class CommitmentSitemap(PublishedSitemap):
    def queryset(self):
        return Commitment.objects.published().order_by("pk")


class AuthoritySitemap(PublishedSitemap):
    def queryset(self):
        return Authority.objects.published().order_by("pk")


class PersonSitemap(PublishedSitemap):
    def queryset(self):
        return Person.objects.published().order_by("pk")


class RecommendationSitemap(PublishedSitemap):
    def queryset(self):
        return Recommendation.objects.order_by("pk")


SITEMAPS = {
    "pages": StaticSitemap,
    "forums": ForumSitemap,
    "meetings": MeetingSitemap,
    "commitments": CommitmentSitemap,
    "authorities": AuthoritySitemap,
    "people": PersonSitemap,
    "recommendations": RecommendationSitemap,
}

"""The sources every record cites, and the report and its recommendations."""

from django.db import models
from django.db.models import Q
from django.urls import reverse
from simple_history.models import HistoricalRecords

from igr.records import TimeStampedModel


class SourceKind(models.TextChoices):
    OFFICIAL = "official", "Official (primary)"
    NEWS = "news", "News or professional press"
    SECONDARY = "secondary", "Secondary (e.g. Wikipedia or a mirror)"


class SourceQuerySet(models.QuerySet):
    def dead_links(self):
        """Sources whose address failed its last link check (an error or a 4xx/5xx)."""
        return self.filter(link_checked_at__isnull=False).filter(
            ~Q(link_error="") | Q(link_status__gte=400)
        )

    def due_for_link_check(self):
        """Never checked first, then the longest since their last check."""
        return self.order_by(models.F("link_checked_at").asc(nulls_first=True), "id")


class Source(TimeStampedModel):
    """A cited document. Every published claim on the site rests on at least one."""

    url = models.URLField(max_length=1000, unique=True)
    title = models.CharField(max_length=500)
    publisher = models.CharField(max_length=200, blank=True)
    published_on = models.DateField(null=True, blank=True)
    kind = models.CharField(max_length=10, choices=SourceKind.choices, db_index=True)
    last_verified_on = models.DateField(null=True, blank=True)
    quote = models.TextField("quoted passage", blank=True)
    notes = models.TextField(blank=True)
    archived_url = models.URLField(
        "archived copy",
        max_length=1000,
        blank=True,
        help_text="A copy kept by an archive (e.g. the UK Government Web Archive), shown "
        "beside the link in case the page moves or goes.",
    )
    # Written by `manage.py check_sources` (the link check), never typed.
    link_checked_at = models.DateTimeField("link checked at", null=True, blank=True)
    link_status = models.PositiveSmallIntegerField(
        "HTTP status", null=True, blank=True, help_text="Empty when the address did not answer."
    )
    link_error = models.CharField("link error", max_length=300, blank=True)
    link_moved_to = models.URLField(
        "redirected to", max_length=1000, blank=True, help_text="Where the address now leads."
    )
    link_fingerprint = models.CharField(
        max_length=300, blank=True, help_text="The page's ETag or Last-Modified at the last check."
    )

    objects = SourceQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["title", "id"]

    def __str__(self):
        return self.title

    @property
    def link_is_dead(self) -> bool:
        return self.link_checked_at is not None and bool(
            self.link_error or (self.link_status or 0) >= 400
        )


class Report(TimeStampedModel):
    title = models.CharField(max_length=300)
    slug = models.SlugField(max_length=100, unique=True)
    publisher = models.CharField(max_length=300)
    authors = models.TextField(help_text="One author per line, with their affiliation.")
    published_on = models.DateField()
    url = models.URLField(max_length=1000, blank=True)
    summary = models.TextField(blank=True)
    sources = models.ManyToManyField(Source, blank=True, related_name="reports")

    history = HistoricalRecords()

    class Meta:
        ordering = ["-published_on"]

    def __str__(self):
        return self.title


class Recommendation(TimeStampedModel):
    report = models.ForeignKey(Report, on_delete=models.PROTECT, related_name="recommendations")
    number = models.PositiveSmallIntegerField()
    slug = models.SlugField(max_length=100, unique=True)
    title = models.CharField(max_length=300)
    summary = models.TextField()

    history = HistoricalRecords()

    class Meta:
        ordering = ["report", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["report", "number"],
                name="recommendation_number_unique_per_report",
                violation_error_message=(
                    "This report already has a recommendation with that number."
                ),
            ),
            models.CheckConstraint(
                condition=Q(number__gte=1),
                name="recommendation_number_positive",
                violation_error_message="Recommendations are numbered from 1.",
            ),
        ]

    def __str__(self):
        return f"{self.number}. {self.title}"

    def get_absolute_url(self):
        return reverse("forums:recommendation-detail", kwargs={"slug": self.slug})

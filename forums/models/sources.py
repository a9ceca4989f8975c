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

    history = HistoricalRecords()

    class Meta:
        ordering = ["title", "id"]

    def __str__(self):
        return self.title


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

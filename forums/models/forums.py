"""Forums and the authorities that are members of them."""

import datetime

from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords

from forums.models.sources import Source
from igr.records import PublicationState, PublishableModel, TimeStampedModel


class Forum(PublishableModel):
    name = models.CharField(max_length=200, unique=True)
    short_name = models.CharField(max_length=60, blank=True)
    slug = models.SlugField(max_length=100, unique=True)
    founded_on = models.DateField(null=True, blank=True)
    dissolved_on = models.DateField(null=True, blank=True)
    is_statutory = models.BooleanField(default=False)
    legal_basis = models.TextField(blank=True, help_text="The Act or instrument, if statutory.")
    purpose = models.TextField(blank=True)
    chair_description = models.CharField(
        "who chairs", max_length=300, blank=True, help_text='e.g. "The Prime Minister".'
    )
    promised_meetings_per_year = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="How often the government said it would meet."
    )
    promise_source = models.ForeignKey(
        Source,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="forum_promises",
        help_text="Where the promised frequency was stated.",
    )
    is_informal = models.BooleanField(
        default=False, help_text="A gathering with no standing body behind it."
    )
    notes = models.TextField(blank=True)
    members = models.ManyToManyField(
        "authorities.Authority", through="ForumMembership", related_name="forums"
    )
    sources = models.ManyToManyField(Source, blank=True, related_name="forums")

    history = HistoricalRecords()

    class Meta:
        permissions = [("publish_forum", "Can publish or withdraw forum records")]
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(dissolved_on__isnull=True)
                | Q(founded_on__isnull=True)
                | Q(dissolved_on__gte=models.F("founded_on")),
                name="forum_dissolved_not_before_founded",
                violation_error_message="A forum cannot be dissolved before it was founded.",
            ),
            models.CheckConstraint(
                condition=Q(promised_meetings_per_year__isnull=True)
                | Q(promise_source__isnull=False),
                name="forum_promise_has_source",
                violation_error_message="Cite the source of the promised meeting frequency.",
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("forums:forum-detail", kwargs={"slug": self.slug})


class MembershipRole(models.TextChoices):
    MEMBER = "member", "Member"
    CHAIR = "chair", "Chair"
    OBSERVER = "observer", "Observer"


class ForumMembershipQuerySet(models.QuerySet):
    def published(self):
        return self.filter(forum__publication_state=PublicationState.PUBLISHED)

    def on(self, date: datetime.date):
        return self.filter(
            Q(started_on__isnull=True) | Q(started_on__lte=date),
            Q(ended_on__isnull=True) | Q(ended_on__gte=date),
        )

    def current(self, on: datetime.date | None = None):
        return self.on(on or timezone.localdate())


class ForumMembership(TimeStampedModel):
    forum = models.ForeignKey(Forum, on_delete=models.CASCADE, related_name="memberships")
    authority = models.ForeignKey(
        "authorities.Authority", on_delete=models.PROTECT, related_name="forum_memberships"
    )
    role = models.CharField(max_length=10, choices=MembershipRole.choices, default="member")
    started_on = models.DateField(null=True, blank=True, help_text="Empty if from the start.")
    ended_on = models.DateField(null=True, blank=True, help_text="Empty while a member.")
    notes = models.TextField(blank=True)

    objects = ForumMembershipQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["forum", "authority__name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True)
                | Q(started_on__isnull=True)
                | Q(ended_on__gte=models.F("started_on")),
                name="membership_ends_after_it_starts",
                violation_error_message="A membership cannot end before it starts.",
            ),
            # Two partial constraints rather than nulls_distinct=False, which SQLite lacks.
            models.UniqueConstraint(
                fields=["forum", "authority", "started_on"],
                condition=Q(started_on__isnull=False),
                name="membership_unique_per_start",
                violation_error_message="This authority already has a membership of this forum "
                "starting on that date.",
            ),
            models.UniqueConstraint(
                fields=["forum", "authority"],
                condition=Q(started_on__isnull=True),
                name="membership_unique_from_founding",
                violation_error_message="This authority already has a membership of this forum "
                "from its founding.",
            ),
        ]

    def __str__(self):
        return f"{self.authority} in {self.forum}"

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
    record_checked_to = models.DateField(
        "record checked to",
        null=True,
        blank=True,
        help_text="Sources searched for this forum's meetings up to this date.",
    )
    record_checked_note = models.TextField(
        "how the record was checked", blank=True, help_text="Who checked, and what was searched."
    )
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


class KnownGapKind(models.TextChoices):
    NO_LATER_MEETING = "no_later_meeting", "No meeting found after the last recorded one"
    PLANNED_BODY = "planned_body", "Planned, not created"
    LEFT_OUT = "left_out", "Left out: no source a reader can open"
    NOT_FOUND = "not_found", "Searched for, not found"


class KnownGapQuerySet(models.QuerySet):
    def published(self):
        """Gaps about a published forum, or about no forum: the public sees these."""
        return self.filter(
            Q(forum__isnull=True) | Q(forum__publication_state=PublicationState.PUBLISHED)
        )

    def of_kind(self, kind):
        return self.filter(kind=kind)


class KnownGap(TimeStampedModel):
    """What the record knows it does not know: searched for and not found, planned but
    not created, or left out because no source a reader can open supports it. Stored, so
    a gap is shown as a gap rather than read as absence."""

    kind = models.CharField(max_length=20, choices=KnownGapKind.choices, db_index=True)
    forum = models.ForeignKey(
        Forum,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="known_gaps",
        help_text="The forum the gap is about, if any.",
    )
    text = models.TextField(help_text="What is missing, what was searched, what is known.")
    sources = models.ManyToManyField(Source, blank=True, related_name="known_gaps")

    objects = KnownGapQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["kind", "forum__name", "id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind="no_later_meeting") | Q(forum__isnull=False),
                name="knowngap_no_later_meeting_names_forum",
                violation_error_message="Say which forum no later meeting was found for.",
            ),
        ]

    def __str__(self):
        text = self.text if len(self.text) <= 80 else self.text[:79] + "…"
        return f"{self.get_kind_display()}: {text}"

"""The report and its recommendations, the forums, their meetings and what they agree."""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords

from authorities.models import (
    PublicationState,
    PublishableModel,
    PublishableQuerySet,
    TimeStampedModel,
)


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
        ordering = ["title"]

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


class MeetingStatus(models.TextChoices):
    SCHEDULED = "scheduled", "Scheduled"
    HELD = "held", "Held"
    POSTPONED = "postponed", "Postponed"
    CANCELLED = "cancelled", "Cancelled"


class MeetingQuerySet(PublishableQuerySet):
    def for_forum(self, forum):
        return self.filter(forum=forum)

    def held(self):
        return self.filter(status=MeetingStatus.HELD)

    def held_between(self, start: datetime.date | None, end: datetime.date | None):
        qs = self.held()
        if start is not None:
            qs = qs.filter(date__gte=start)
        if end is not None:
            qs = qs.filter(date__lte=end)
        return qs

    def upcoming(self, today: datetime.date | None = None):
        today = today or timezone.localdate()
        return self.filter(status=MeetingStatus.SCHEDULED, date__gte=today).order_by("date")

    def past_due(self, today: datetime.date | None = None):
        """Scheduled meetings whose date has passed: staff must record what happened."""
        today = today or timezone.localdate()
        return self.filter(status=MeetingStatus.SCHEDULED, date__lt=today)


class Meeting(PublishableModel):
    forum = models.ForeignKey(Forum, on_delete=models.PROTECT, related_name="meetings")
    # Assigned once from the forum and date, then never changed, so links stay stable.
    slug = models.SlugField(max_length=120, unique=True, blank=True)
    date = models.DateField(db_index=True)
    start_time = models.TimeField(null=True, blank=True)
    date_confirmed = models.BooleanField(
        default=True, help_text="Untick when sources disagree on the date or none confirms it."
    )
    date_note = models.CharField(
        max_length=500, blank=True, help_text="Competing dates and who gives them."
    )
    location = models.CharField(max_length=300, blank=True)
    host_authority = models.ForeignKey(
        "authorities.Authority",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="hosted_meetings",
    )
    chair = models.ForeignKey(
        "authorities.Person",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="meetings_chaired",
    )
    summary = models.TextField(blank=True)
    status = models.CharField(
        max_length=10, choices=MeetingStatus.choices, default=MeetingStatus.SCHEDULED, db_index=True
    )
    status_reason = models.TextField(
        blank=True, help_text="Required when a meeting is postponed or cancelled."
    )
    notes = models.TextField(blank=True)
    sources = models.ManyToManyField(Source, blank=True, related_name="meetings")

    objects = MeetingQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        permissions = [("publish_meeting", "Can publish or withdraw meeting records")]
        # Newest first, then by slug, which begins with the forum's slug: the order the
        # lists have always shown (by forum within a day), but from one table, so the
        # partial index below serves it and a deep page's OFFSET walks the index instead
        # of sorting every published meeting joined to its forum (docs/benchmarks.md).
        ordering = ["-date", "slug"]
        indexes = [
            models.Index(fields=["forum", "date"]),
            models.Index(
                fields=["-date", "slug"],
                include=["id"],
                condition=Q(publication_state="published"),
                name="meeting_published_order_idx",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status__in=[MeetingStatus.POSTPONED, MeetingStatus.CANCELLED])
                | ~Q(status_reason=""),
                name="meeting_postponed_or_cancelled_has_reason",
                violation_error_message="Give the reason a meeting was postponed or cancelled.",
            ),
            models.CheckConstraint(condition=~Q(slug=""), name="meeting_slug_not_empty"),
            # "A held meeting is not in the future" needs today's date, which SQLite
            # forbids in CHECK constraints; migration 0002 enforces it with a trigger.
        ]

    def __str__(self):
        return f"{self.forum} — {self.date:%-d %B %Y}"

    def get_absolute_url(self):
        return reverse("forums:meeting-detail", kwargs={"slug": self.slug})

    @property
    def is_past_due(self) -> bool:
        return self.status == MeetingStatus.SCHEDULED and self.date < timezone.localdate()

    def assign_slug(self):
        """`<forum-slug>-<yyyy-mm-dd>`, with `-2`, `-3`… when a forum meets twice a day."""
        if self.slug or not (self.forum_id and self.date):
            return
        base = f"{self.forum.slug}-{self.date:%Y-%m-%d}"
        taken = set(
            Meeting.objects.filter(slug__startswith=base)
            .exclude(pk=self.pk)
            .values_list("slug", flat=True)
        )
        slug, n = base, 2
        while slug in taken:
            slug, n = f"{base}-{n}", n + 1
        self.slug = slug

    def clean(self):
        super().clean()
        errors = {}
        if self.status == MeetingStatus.HELD and self.date and self.date > timezone.localdate():
            errors["date"] = (
                "A meeting dated in the future cannot be marked as held. "
                "Mark it scheduled, or correct the date."
            )
        if (
            self.status in (MeetingStatus.POSTPONED, MeetingStatus.CANCELLED)
            and not (self.status_reason or "").strip()
        ):
            errors["status_reason"] = (
                f"Give the reason the meeting was {self.get_status_display().lower()}."
            )
        if errors:
            raise ValidationError(errors)
        self.assign_slug()


class AttendanceMode(models.TextChoices):
    IN_PERSON = "in_person", "In person"
    VIRTUAL = "virtual", "Virtual"
    SUBSTITUTE = "substitute", "Substitute"
    APOLOGIES = "apologies", "Sent apologies"


class AttendanceQuerySet(models.QuerySet):
    def published(self):
        return self.filter(meeting__publication_state=PublicationState.PUBLISHED)

    def present(self):
        return self.exclude(mode=AttendanceMode.APOLOGIES)


class Attendance(TimeStampedModel):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendances")
    person = models.ForeignKey(
        "authorities.Person", on_delete=models.PROTECT, related_name="attendances"
    )
    authority = models.ForeignKey(
        "authorities.Authority",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="attendances",
        help_text="The authority they represented.",
    )
    role = models.CharField(max_length=200, blank=True, help_text='e.g. "Chair", "Mayor".')
    mode = models.CharField(
        max_length=10, choices=AttendanceMode.choices, default=AttendanceMode.IN_PERSON
    )
    substitute_for = models.ForeignKey(
        "authorities.Person",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="substituted_by",
        help_text="Whom a substitute stood in for.",
    )
    notes = models.TextField(blank=True)

    objects = AttendanceQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["meeting", "person__name"]
        verbose_name_plural = "attendance"
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "person"],
                name="attendance_once_per_meeting",
                violation_error_message="This person is already recorded at this meeting.",
            ),
            models.CheckConstraint(
                condition=~Q(mode=AttendanceMode.SUBSTITUTE) | Q(substitute_for__isnull=False),
                name="attendance_substitute_names_whom",
                violation_error_message="Say whom the substitute stood in for.",
            ),
            models.CheckConstraint(
                condition=Q(substitute_for__isnull=True) | Q(mode=AttendanceMode.SUBSTITUTE),
                name="attendance_only_substitutes_stand_in",
                violation_error_message="Only a substitute stands in for someone; "
                "choose the substitute mode or clear “substitute for”.",
            ),
            models.CheckConstraint(
                condition=~Q(substitute_for=models.F("person")),
                name="attendance_not_substitute_for_self",
                violation_error_message="A person cannot stand in for themselves.",
            ),
        ]

    def __str__(self):
        return f"{self.person} at {self.meeting} ({self.get_mode_display()})"


class ChildOfMeetingQuerySet(models.QuerySet):
    def published(self):
        return self.filter(meeting__publication_state=PublicationState.PUBLISHED)


class AgendaItem(TimeStampedModel):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="agenda_items")
    order = models.PositiveSmallIntegerField(default=1)
    title = models.CharField(max_length=300)
    description = models.TextField(blank=True)
    is_public = models.BooleanField(default=True, help_text="Untick for a private item.")
    outcome = models.TextField(blank=True)
    recommendations = models.ManyToManyField(
        Recommendation, blank=True, related_name="agenda_items"
    )

    objects = ChildOfMeetingQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["meeting", "order"]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "order"],
                name="agenda_item_order_unique_per_meeting",
                violation_error_message="Two agenda items of this meeting have the same position.",
            )
        ]

    def __str__(self):
        return f"{self.order}. {self.title}"


class DocumentKind(models.TextChoices):
    AGENDA = "agenda", "Agenda"
    COMMUNIQUE = "communique", "Communiqué"
    MINUTES = "minutes", "Minutes"
    READOUT = "readout", "Readout"
    STATEMENT = "statement", "Written statement"
    TERMS_OF_REFERENCE = "terms_of_reference", "Terms of reference"
    OTHER = "other", "Other"


class DocumentQuerySet(models.QuerySet):
    def published(self):
        return self.filter(
            Q(meeting__publication_state=PublicationState.PUBLISHED)
            | Q(meeting__isnull=True, forum__publication_state=PublicationState.PUBLISHED)
        )

    def communiques(self):
        return self.filter(kind=DocumentKind.COMMUNIQUE)


class Document(TimeStampedModel):
    """A forum's or a meeting's own papers, with the text where it is public."""

    meeting = models.ForeignKey(
        Meeting, on_delete=models.CASCADE, null=True, blank=True, related_name="documents"
    )
    forum = models.ForeignKey(
        Forum,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="documents",
        help_text="For a forum's standing papers (e.g. terms of reference); leave empty "
        "for a meeting's papers.",
    )
    kind = models.CharField(max_length=20, choices=DocumentKind.choices, db_index=True)
    title = models.CharField(max_length=300)
    url = models.URLField("official URL", max_length=1000, blank=True)
    published_on = models.DateField(null=True, blank=True)
    is_confirmed = models.BooleanField(
        default=True, help_text="Untick when publication was announced but not confirmed."
    )
    text = models.TextField(blank=True, help_text="The public text, so it can be read here.")

    objects = DocumentQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["-published_on", "title"]
        constraints = [
            models.CheckConstraint(
                condition=Q(meeting__isnull=False, forum__isnull=True)
                | Q(meeting__isnull=True, forum__isnull=False),
                name="document_belongs_to_meeting_or_forum",
                violation_error_message="A document belongs to a meeting or to a forum, "
                "not both and not neither.",
            )
        ]

    def __str__(self):
        return self.title


class CommitmentStatus(models.TextChoices):
    NOT_ASSESSED = "not_assessed", "Not yet assessed"
    NOT_STARTED = "not_started", "Not started"
    IN_PROGRESS = "in_progress", "In progress"
    PARTLY_DELIVERED = "partly_delivered", "Partly delivered"
    DELIVERED = "delivered", "Delivered"
    MISSED = "missed", "Missed"
    DROPPED = "dropped", "Dropped"


OPEN_STATUSES = (
    CommitmentStatus.NOT_ASSESSED,
    CommitmentStatus.NOT_STARTED,
    CommitmentStatus.IN_PROGRESS,
    CommitmentStatus.PARTLY_DELIVERED,
)


class CommitmentQuerySet(PublishableQuerySet):
    def open(self):
        return self.filter(status__in=OPEN_STATUSES)

    def overdue(self, today: datetime.date | None = None):
        """Due date passed and still open."""
        today = today or timezone.localdate()
        return self.open().filter(due_on__lt=today)

    def for_forum(self, forum):
        return self.filter(Q(forum=forum) | Q(meeting__forum=forum))

    def for_recommendation(self, recommendation):
        return self.filter(recommendations=recommendation)


class Commitment(PublishableModel):
    """Something a forum agreed, at a meeting or in a founding document."""

    meeting = models.ForeignKey(
        Meeting, on_delete=models.PROTECT, null=True, blank=True, related_name="commitments"
    )
    forum = models.ForeignKey(
        Forum,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="commitments",
        help_text="For a commitment made by or about a forum outside a meeting.",
    )
    title = models.CharField(max_length=300)
    text = models.TextField(help_text="What was agreed, as the source puts it.")
    made_on = models.DateField(
        null=True, blank=True, db_index=True, help_text="When it was agreed or announced."
    )
    lead_authority = models.ForeignKey(
        "authorities.Authority",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="commitments_led",
    )
    other_authorities = models.ManyToManyField(
        "authorities.Authority", blank=True, related_name="commitments_shared"
    )
    due_on = models.DateField(null=True, blank=True, db_index=True)
    due_note = models.CharField(max_length=300, blank=True, help_text='e.g. "by spring 2026".')
    recommendations = models.ManyToManyField(Recommendation, blank=True, related_name="commitments")
    restates = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="restated_by",
        help_text="An earlier commitment this one repeats.",
    )
    supersedes = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="superseded_by",
        help_text="An earlier commitment this one replaces.",
    )
    # Written only by forums.services.record_status_change, together with the change row.
    status = models.CharField(
        max_length=20,
        choices=CommitmentStatus.choices,
        default=CommitmentStatus.NOT_ASSESSED,
        db_index=True,
        editable=False,
    )
    status_changed_on = models.DateField(null=True, blank=True, editable=False)
    notes = models.TextField(blank=True)
    sources = models.ManyToManyField(Source, blank=True, related_name="commitments")

    objects = CommitmentQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        permissions = [("publish_commitment", "Can publish or withdraw commitment records")]
        ordering = ["-made_on", "id"]
        indexes = [
            # One authority's commitments by due date (the accountability question, and
            # the API's `lead_authority` filter with `ordering=due_on`/`-due_on`): read in
            # order from the index instead of walking every commitment by due date and
            # discarding other authorities' (13 ms to 1 ms at 300k commitments).
            models.Index(fields=["lead_authority", "due_on"], name="commitment_lead_due_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(meeting__isnull=False) | Q(forum__isnull=False),
                name="commitment_made_at_meeting_or_by_forum",
                violation_error_message="Say which meeting or forum made this commitment.",
            ),
            models.CheckConstraint(
                condition=~Q(restates=models.F("id")) & ~Q(supersedes=models.F("id")),
                name="commitment_lineage_not_self",
                violation_error_message="A commitment cannot restate or supersede itself.",
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("forums:commitment-detail", kwargs={"pk": self.pk})

    @property
    def is_overdue(self) -> bool:
        return (
            self.status in OPEN_STATUSES
            and self.due_on is not None
            and self.due_on < timezone.localdate()
        )

    @property
    def responsible_forum(self):
        return self.forum if self.forum_id else self.meeting.forum

    def clean(self):
        super().clean()
        if self.meeting_id and self.forum_id and self.meeting.forum_id != self.forum_id:
            raise ValidationError(
                {
                    "forum": "The meeting belongs to another forum; "
                    "leave the forum empty or match it."
                }
            )


class StatusChangeQuerySet(models.QuerySet):
    def published(self):
        return self.filter(commitment__publication_state=PublicationState.PUBLISHED)


class CommitmentStatusChange(TimeStampedModel):
    """One step in a commitment's status timeline. Append-only: corrections are new rows."""

    commitment = models.ForeignKey(
        Commitment, on_delete=models.PROTECT, related_name="status_changes"
    )
    old_status = models.CharField(max_length=20, choices=CommitmentStatus.choices)
    new_status = models.CharField(max_length=20, choices=CommitmentStatus.choices)
    effective_on = models.DateField(db_index=True)
    evidence_source = models.ForeignKey(
        Source, on_delete=models.PROTECT, null=True, blank=True, related_name="status_changes"
    )
    evidence_meeting = models.ForeignKey(
        Meeting,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="status_changes_prompted",
        help_text="The meeting that prompted the change, if any.",
    )
    note = models.TextField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = StatusChangeQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["commitment", "effective_on", "id"]
        get_latest_by = ["effective_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(old_status=models.F("new_status")),
                name="status_change_changes_status",
                violation_error_message="The new status is the same as the old one.",
            ),
            models.CheckConstraint(
                condition=Q(evidence_source__isnull=False) | Q(evidence_meeting__isnull=False),
                name="status_change_has_evidence",
                violation_error_message="Give the evidence: a source or the meeting that "
                "prompted the change.",
            ),
            models.CheckConstraint(
                condition=~Q(note=""),
                name="status_change_has_note",
                violation_error_message="Explain the change in a note.",
            ),
        ]

    def __str__(self):
        return (
            f"{self.commitment}: {self.get_old_status_display()} → "
            f"{self.get_new_status_display()} ({self.effective_on})"
        )


# --- stored figures ---------------------------------------------------------------------
#
# Derived rows, never edited: forums.figures rebuilds a meeting's or a commitment's rows
# from the record whenever something they are computed from is written (forums.signals),
# and `manage.py rebuild_figures` rebuilds them all. forums.aggregates reads these narrow
# tables instead of joining the million attendance rows and the tag tables at read time
# (docs/benchmarks.md). No history, no API, no admin: they are a cache the database keeps.


class _NotSerialized(models.Manager):
    """The stored figures' default manager, which dumpdata reads: empty, so a dump holds
    no figures and loading the record rebuilds them through forums.signals (loading both
    would duplicate them). Code reads them through `objects`."""

    def get_queryset(self):
        return super().get_queryset().none()


class MeetingFigure(models.Model):
    """A meeting's figures: one row with `recommendation` empty (attendance of members,
    communiqué), and one per recommendation the meeting touched (tagged agenda items, or a
    published commitment made there and tagged with it). The meeting's forum, date and
    whether it counts (published and held) are copied in, so the aggregates read this
    table alone."""

    not_serialized = _NotSerialized()
    objects = models.Manager()

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="+")
    recommendation = models.ForeignKey(
        Recommendation, on_delete=models.CASCADE, null=True, related_name="+"
    )
    forum = models.ForeignKey(Forum, on_delete=models.CASCADE, related_name="+", db_index=False)
    date = models.DateField()
    is_counted = models.BooleanField(help_text="Published and held.")
    members_expected = models.PositiveIntegerField(default=0)
    members_present = models.PositiveIntegerField(default=0)
    has_communique = models.BooleanField(default=False)
    agenda_items = models.PositiveIntegerField(default=0)
    via_commitment = models.BooleanField(default=False)

    class Meta:
        indexes = [
            # forums_health: a forum's held, published meetings up to a date, with the
            # figures it sums, read from the index alone.
            models.Index(
                fields=["forum", "date"],
                include=["members_expected", "members_present", "has_communique"],
                condition=Q(recommendation__isnull=True, is_counted=True),
                name="meetingfigure_health_idx",
            ),
            # Scorecards: the meetings that touched each recommendation.
            models.Index(
                fields=["recommendation", "forum", "date"],
                include=["agenda_items", "via_commitment"],
                condition=Q(recommendation__isnull=False, is_counted=True),
                name="meetingfigure_touched_idx",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "recommendation"], name="meetingfigure_unique"
            ),
        ]

    def __str__(self):
        return f"Figures of meeting {self.meeting_id} ({self.recommendation_id or 'all'})"


class CommitmentFigure(models.Model):
    """A commitment's figures: one row with `recommendation` empty and one per
    recommendation it is tagged with, each carrying what the aggregates filter and group
    on: the forum responsible (its own, or its meeting's), the meeting's forum when that
    differs (for_forum() matches either), and the date of its latest status change."""

    not_serialized = _NotSerialized()
    objects = models.Manager()

    commitment = models.ForeignKey(Commitment, on_delete=models.CASCADE, related_name="+")
    recommendation = models.ForeignKey(
        Recommendation, on_delete=models.CASCADE, null=True, related_name="+"
    )
    meeting = models.ForeignKey(
        Meeting, on_delete=models.CASCADE, null=True, related_name="+", db_index=False
    )
    owner = models.ForeignKey(Forum, on_delete=models.CASCADE, related_name="+", db_index=False)
    other_forum = models.ForeignKey(
        Forum, on_delete=models.CASCADE, null=True, related_name="+", db_index=False
    )
    is_published = models.BooleanField()
    status = models.CharField(max_length=20, choices=CommitmentStatus.choices)
    made_on = models.DateField(null=True)
    due_on = models.DateField(null=True)
    latest_change_on = models.DateField(null=True)

    class Meta:
        indexes = [
            # forums_health and the home page: published commitments per forum.
            models.Index(
                fields=["owner", "status", "due_on"],
                condition=Q(recommendation__isnull=True, is_published=True),
                name="commitmentfigure_forum_idx",
            ),
            # Scorecards: published commitments per recommendation.
            models.Index(
                fields=["recommendation", "owner", "made_on"],
                include=["status", "due_on", "latest_change_on"],
                condition=Q(recommendation__isnull=False, is_published=True),
                name="commitmentfigure_rec_idx",
            ),
            models.Index(fields=["meeting"], name="commitmentfigure_meeting_idx"),
            # Overdue on any date: open commitments due on or after it, subtracted from
            # CommitmentTotal's open ones (a few thousand rows, not 160,000 overdue).
            models.Index(
                fields=["owner", "due_on"],
                condition=Q(
                    recommendation__isnull=True,
                    is_published=True,
                    status__in=list(OPEN_STATUSES),
                ),
                name="commitmentfigure_open_due_idx",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["commitment", "recommendation"], name="commitmentfigure_unique"
            ),
        ]

    def __str__(self):
        return f"Figures of commitment {self.commitment_id} ({self.recommendation_id or 'all'})"


class MeetingTotal(models.Model):
    """MeetingFigure's published, held rows summed per forum and recommendation (empty:
    the meetings themselves), so the aggregates without a date range read a few dozen
    rows instead of 100,000 meetings (forums.figures keeps it equal to the sums)."""

    not_serialized = _NotSerialized()
    objects = models.Manager()

    forum = models.ForeignKey(Forum, on_delete=models.CASCADE, related_name="+")
    recommendation = models.ForeignKey(
        Recommendation, on_delete=models.CASCADE, null=True, related_name="+"
    )
    meetings = models.PositiveIntegerField(default=0)
    with_communique = models.PositiveIntegerField(default=0)
    members_expected = models.PositiveIntegerField(default=0)
    members_present = models.PositiveIntegerField(default=0)
    meetings_with_items = models.PositiveIntegerField(default=0)
    agenda_items = models.PositiveIntegerField(default=0)

    def __str__(self):
        return f"Totals of forum {self.forum_id} ({self.recommendation_id or 'all'})"


class CommitmentTotal(models.Model):
    """CommitmentFigure's published rows counted per forum responsible, meeting's other
    forum, recommendation (empty: the commitments themselves) and status; with how many
    have no due date, from which forums.aggregates works out the overdue ones."""

    not_serialized = _NotSerialized()
    objects = models.Manager()

    owner = models.ForeignKey(Forum, on_delete=models.CASCADE, related_name="+")
    other_forum = models.ForeignKey(
        Forum, on_delete=models.CASCADE, null=True, related_name="+", db_index=False
    )
    recommendation = models.ForeignKey(
        Recommendation, on_delete=models.CASCADE, null=True, related_name="+"
    )
    status = models.CharField(max_length=20, choices=CommitmentStatus.choices)
    commitments = models.PositiveIntegerField(default=0)
    without_due_date = models.PositiveIntegerField(default=0)

    def __str__(self):
        return f"Totals of forum {self.owner_id} ({self.recommendation_id or 'all'}, {self.status})"

"""Meetings, who attended them, their agenda items and their documents."""

import datetime

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Case, Exists, OuterRef, Q, Value, When
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords

from forums.models.forums import Forum, ForumMembership, MembershipRole
from forums.models.sources import Recommendation, Source
from igr.records import PublicationState, PublishableModel, PublishableQuerySet, TimeStampedModel


class MeetingStatus(models.TextChoices):
    SCHEDULED = "scheduled", "Scheduled"
    HELD = "held", "Held"
    POSTPONED = "postponed", "Postponed"
    CANCELLED = "cancelled", "Cancelled"


class AttendanceStatus(models.TextChoices):
    """Whether an expected authority or person was at a held meeting, as far as is known."""

    PRESENT = "present", "Present"
    APOLOGIES = "apologies", "Sent apologies"
    REPRESENTED = "represented", "Not there; someone else represented their authority"
    ABSENT = "absent", "Absent"
    UNKNOWN = "unknown", "Unknown: attendance not recorded"


class MeetingQuerySet(PublishableQuerySet):
    def for_forum(self, forum):
        return self.filter(forum=forum)

    def held(self):
        return self.filter(status=MeetingStatus.HELD)

    def unconfirmed(self):
        """Meetings whose day or whose occurrence is not confirmed."""
        return self.filter(Q(date_confirmed=False) | Q(occurrence_confirmed=False))

    def confirmed(self):
        """Meetings whose day and occurrence are both confirmed: the only ones that can be
        a forum's "last met", wherever that is shown (forum health, My area)."""
        return self.filter(date_confirmed=True, occurrence_confirmed=True)

    def held_between(self, start: datetime.date | None, end: datetime.date | None):
        qs = self.held()
        if start is not None:
            qs = qs.filter(date__gte=start)
        if end is not None:
            qs = qs.filter(date__lte=end)
        return qs

    def expected_of(self, *, authority=None, person=None):
        """Held meetings at which `authority` was expected (a member or the chair of the
        forum on the day), or `person` was (holding an office, on the day, at an authority
        that was), each annotated with `attendance_status`: present (someone from the
        authority, or the person, attended in person, virtually or as a substitute), sent
        apologies, represented (a person not there whose authority someone else
        attended for), absent (not listed where the attendance is recorded), or unknown
        (not listed, and the attendance is not recorded)."""
        memberships = ForumMembership.objects.filter(
            forum=OuterRef("forum"), role__in=[MembershipRole.MEMBER, MembershipRole.CHAIR]
        ).on(OuterRef("date"))
        # Nobody else stands for an authority; a person's authority may send someone else.
        represented = Value(False)
        if person is not None:
            in_office = Q(
                Q(authority__offices__ended_on__isnull=True)
                | Q(authority__offices__ended_on__gte=OuterRef("date")),
                authority__offices__person=person,
                authority__offices__started_on__lte=OuterRef("date"),
                authority__offices__publication_state=PublicationState.PUBLISHED,
            )
            memberships = memberships.filter(in_office)
            rows = Attendance.objects.filter(meeting=OuterRef("pk"), person=person)
            represented = Exists(
                Attendance.objects.filter(in_office, meeting=OuterRef("pk"))
                .exclude(person=person)
                .exclude(mode=AttendanceMode.APOLOGIES)
            )
        else:
            memberships = memberships.filter(authority=authority)
            rows = Attendance.objects.filter(meeting=OuterRef("pk"), authority=authority)
        return (
            self.held()
            # Nobody is expected at a meeting that may not have taken place.
            .filter(Exists(memberships), occurrence_confirmed=True)
            .annotate(
                attendance_status=Case(
                    When(
                        Exists(rows.exclude(mode=AttendanceMode.APOLOGIES)),
                        then=Value(AttendanceStatus.PRESENT),
                    ),
                    When(
                        Exists(rows.filter(mode=AttendanceMode.APOLOGIES)),
                        then=Value(AttendanceStatus.APOLOGIES),
                    ),
                    When(represented, then=Value(AttendanceStatus.REPRESENTED)),
                    When(attendance_recorded=True, then=Value(AttendanceStatus.ABSENT)),
                    default=Value(AttendanceStatus.UNKNOWN),
                    output_field=models.CharField(),
                )
            )
        )

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
        default=True,
        help_text="Untick when sources disagree on the day or none gives it (the meeting "
        "itself is confirmed).",
    )
    occurrence_confirmed = models.BooleanField(
        default=True,
        help_text="Untick when no source confirms the meeting took place (for example, "
        "only a photo caption mentions it). It is then listed and flagged, never counted "
        "as held in the figures nor as the forum's last meeting.",
    )
    date_note = models.CharField(
        max_length=500, blank=True, help_text="Competing dates and who gives them."
    )
    attendance_recorded = models.BooleanField(
        "attendance recorded",
        default=False,
        help_text="Tick only when the sources list who attended (and who sent apologies), so "
        "that a member not listed was absent. Left unticked, who was absent is unknown and "
        "the meeting is left out of attendance rates.",
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

    def publication_dependents(self):
        # A meeting's page shows what was agreed there: its commitments move with it.
        return self.commitments.all()

    def get_attendance_status_display(self) -> str:
        """The label of `attendance_status`, annotated by MeetingQuerySet.expected_of()."""
        return AttendanceStatus(self.attendance_status).label

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

    def save(self, *args, **kwargs):
        # The slug is the meeting's address, so a meeting created in code
        # (Meeting.objects.create(forum=…, date=…)) gets one as the admin's gets it in clean().
        self.assign_slug()
        super().save(*args, **kwargs)

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

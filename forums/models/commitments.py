"""What forums agree, and the append-only timeline of each commitment's status."""

import datetime
import time

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords

from forums.models.forums import Forum
from forums.models.meetings import Meeting
from forums.models.sources import Recommendation, Source
from igr.records import PublicationState, PublishableModel, PublishableQuerySet, TimeStampedModel

#: (zone, from, until, date): the date in `zone` over those POSIX seconds (see _today).
_DAY = (None, 0.0, 0.0, None)


def _today() -> datetime.date:
    """Today in the project's time zone (settings.TIME_ZONE, England's), whatever zone a
    request may have activated: a commitment is overdue on the record's calendar.

    An API page asks once a row, and working the date out (the current time, moved to
    the zone) was 8 % of the commitments list under cProfile; it is kept until the next
    midnight in that zone, and worked out again whenever the clock reads outside the
    day it was found for (midnight passed, or the clock was set back) or the project's
    zone changed."""
    global _DAY
    now = time.time()
    zone = timezone.get_default_timezone()
    kept_zone, start, end, today = _DAY
    if kept_zone is not zone or not start <= now < end:
        today = datetime.datetime.fromtimestamp(now, zone).date()
        midnight = datetime.datetime.combine(today, datetime.time(), zone)
        following = datetime.datetime.combine(
            today + datetime.timedelta(days=1), datetime.time(), zone
        )
        _DAY = (zone, midnight.timestamp(), following.timestamp(), today)
    return today


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
            # discarding other authorities'.
            models.Index(fields=["lead_authority", "due_on"], name="commitment_lead_due_idx"),
            # The same question narrowed by status ("what is X still doing, by due
            # date": `lead_authority` + `status` + `ordering=due_on`), over published
            # rows: the page's ids are the index's next fifty entries. Through the index
            # above, PostgreSQL visited every one of the authority's commitments in due
            # order to discard other statuses, then sorted ties by id: 3.1 ms against
            # 0.15 ms on the 300,000-commitment dataset (docs/benchmarks.md).
            models.Index(
                fields=["lead_authority", "status", "due_on", "id"],
                condition=Q(publication_state="published"),
                name="commitment_pub_lead_status_idx",
            ),
            # The public list's default order and its `ordering=status`/`status_changed_on`
            # choices with their id tiebreak, over published rows only (as the meetings'
            # meeting_published_order_idx): a keyset (cursor) page starts its scan at its
            # position, and a deep numbered page's OFFSET walks the index instead of
            # sorting every published commitment (docs/benchmarks.md). `due_on` and
            # `made_on` have their own indexes, which serve `ordering=due_on` with an
            # incremental sort of each day's few rows.
            models.Index(
                fields=["-made_on", "id"],
                condition=Q(publication_state="published"),
                name="commitment_published_order_idx",
            ),
            models.Index(
                fields=["status", "id"],
                condition=Q(publication_state="published"),
                name="commitment_pub_status_idx",
            ),
            models.Index(
                fields=["status_changed_on", "id"],
                condition=Q(publication_state="published"),
                name="commitment_pub_changed_idx",
            ),
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
        return self.status in OPEN_STATUSES and self.due_on is not None and self.due_on < _today()

    @property
    def responsible_forum(self):
        return self.forum if self.forum_id else self.meeting.forum

    def cites_a_source(self) -> bool:
        # A commitment made at a meeting rests on that meeting's sources when it names
        # none of its own.
        if self.sources.exists():
            return True
        return self.meeting_id is not None and self.meeting.sources.exists()

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

    def in_force(self):
        """The changes not voided: the ones the commitment's status follows."""
        return self.filter(voided_by__isnull=True)

    def public_log(self):
        """The public record of changes, latest first, voided ones included (each with its
        `voided_by`): what /changes/ lists and what email alerts (alerts.changes) send."""
        return (
            self.published()
            .select_related("commitment", "evidence_source", "evidence_meeting__forum", "voided_by")
            .order_by("-effective_on", "-id")
        )


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

    @property
    def is_voided(self) -> bool:
        return hasattr(self, "voided_by")

    @property
    def voiding(self) -> dict | None:
        """The reason and time of the entry voiding this change, or None while in force.
        Also run on a `.values()` row (igr.api.values), which carries the two columns."""
        if hasattr(self, "voided_by__reason"):
            reason, voided_at = self.voided_by__reason, self.voided_by__created_at
        else:
            void = getattr(self, "voided_by", None)
            reason, voided_at = (void.reason, void.created_at) if void else (None, None)
        return None if reason is None else {"reason": reason, "voided_at": voided_at}


class StatusChangeVoid(TimeStampedModel):
    """A Publisher's correction of a mistaken status change: a new, visible entry beside
    the change it voids, which stays in the timeline. The commitment's status follows the
    changes that are not voided."""

    change = models.OneToOneField(
        CommitmentStatusChange, on_delete=models.PROTECT, related_name="voided_by"
    )
    reason = models.TextField(help_text="Why the change was a mistake, for the public to read.")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(reason=""),
                name="status_change_void_has_reason",
                violation_error_message="Say why the status change is being voided.",
            ),
        ]

    def __str__(self):
        return f"Voided: {self.change} ({self.reason})"

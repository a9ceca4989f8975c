"""Writes that span several models. Admin, API and commands call these, nothing else;
publishing and withdrawing are igr.policy's."""

import datetime

from django.core.exceptions import ValidationError
from django.utils import timezone

from forums.models import (
    Commitment,
    CommitmentStatus,
    CommitmentStatusChange,
    Meeting,
    Source,
    StatusChangeVoid,
)
from igr import policy


def record_status_change(
    *,
    commitment: Commitment,
    new_status: str,
    effective_on: datetime.date,
    note: str,
    evidence_source: Source | None = None,
    evidence_meeting: Meeting | None = None,
    recorded_by=None,
) -> CommitmentStatusChange:
    """Append a status change and move the commitment's current status with it.

    Both rows are written in one transaction, so the commitment's status is always its
    latest change's. A change dated before the latest one is refused: the timeline is
    append-only, and a back-dated row would leave the current status disagreeing with it.
    A change dated after today is refused too: it would show as the status before it
    happens. Voided changes are passed over.
    """
    # Accept an ISO string as full_clean() would, so the date checks below compare dates.
    effective_on = CommitmentStatusChange._meta.get_field("effective_on").to_python(effective_on)
    with policy.writing() as write:
        # Lock the commitment so two simultaneous changes cannot both read the same old status.
        locked = Commitment.objects.select_for_update().get(pk=commitment.pk)
        errors = {}
        if new_status not in CommitmentStatus.values:
            errors["new_status"] = f"“{new_status}” is not a commitment status."
        elif new_status == locked.status:
            errors["new_status"] = (
                f"The commitment is already “{locked.get_status_display()}”; choose another status."
            )
        if not (note or "").strip():
            errors["note"] = "Explain the change in a note."
        if evidence_source is None and evidence_meeting is None:
            errors["evidence_source"] = (
                "Give the evidence: a source, or the meeting that prompted the change."
            )
        latest = locked.status_changes.in_force().order_by("-effective_on", "-id").first()
        if effective_on is None:
            errors["effective_on"] = "Give the day the new status took effect."
        elif effective_on > timezone.localdate():
            errors["effective_on"] = (
                f"{effective_on:%-d %B %Y} is in the future; a status change takes effect on "
                "or before today. Check the year."
            )
        elif latest is not None and effective_on < latest.effective_on:
            errors["effective_on"] = (
                f"The latest change is effective from {latest.effective_on:%-d %B %Y}; a new "
                "change cannot take effect before it."
            )
        if errors:
            raise ValidationError(errors)

        change = CommitmentStatusChange(
            commitment=locked,
            old_status=locked.status,
            new_status=new_status,
            effective_on=effective_on,
            note=note.strip(),
            evidence_source=evidence_source,
            evidence_meeting=evidence_meeting,
            recorded_by=recorded_by,
        )
        change.full_clean()
        change.save()
        write.touched(change)
        locked.status = new_status
        locked.status_changed_on = effective_on
        locked.save(update_fields=["status", "status_changed_on", "updated_at"])
        commitment.status = locked.status
        commitment.status_changed_on = locked.status_changed_on
        return change


def void_status_change(
    *, change: CommitmentStatusChange, reason: str, voided_by
) -> StatusChangeVoid:
    """Void a mistaken status change: append a voiding entry and move the commitment's
    status back to what it was before that change.

    Only the latest change in force can be voided, so the changes left in force still
    start where the previous one ended; to void an earlier one, void the later ones
    first. Voiding is a Publisher's act (the commitment's publish permission)."""
    policy.check_publish_permission(Commitment, voided_by)
    with policy.writing() as write:
        locked = Commitment.objects.select_for_update().get(pk=change.commitment_id)
        in_force = list(locked.status_changes.in_force().order_by("-effective_on", "-id")[:2])
        errors = {}
        if not (reason or "").strip():
            errors["reason"] = "Say why the status change is being voided."
        if StatusChangeVoid.objects.filter(change=change).exists():
            errors["change"] = "This status change is already voided."
        elif not in_force or in_force[0].pk != change.pk:
            errors["change"] = (
                "Only the latest status change in force can be voided; void the later ones first."
            )
        if errors:
            raise ValidationError(errors)
        void = StatusChangeVoid(change=change, reason=reason.strip(), recorded_by=voided_by)
        void.full_clean()
        void.save()
        # A syncing client (?modified_since=) sees the change again, now voided.
        CommitmentStatusChange.objects.filter(pk=change.pk).update(updated_at=void.created_at)
        write.touched(change)
        previous = in_force[1] if len(in_force) > 1 else None
        locked.status = change.old_status
        locked.status_changed_on = previous.effective_on if previous else None
        locked.save(update_fields=["status", "status_changed_on", "updated_at"])
        return void

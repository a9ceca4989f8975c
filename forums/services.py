"""Writes that span several models. Admin, API and commands call these, nothing else;
publishing and withdrawing are igr.policy's."""

import datetime

from django.core.exceptions import ValidationError

from forums.models import Commitment, CommitmentStatus, CommitmentStatusChange, Meeting, Source
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
    """
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
        latest = locked.status_changes.order_by("-effective_on", "-id").first()
        if latest is not None and effective_on < latest.effective_on:
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

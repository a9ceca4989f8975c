import datetime

import pytest
from django.core.exceptions import ValidationError

from forums.models import Commitment, CommitmentStatus, CommitmentStatusChange
from forums.services import record_status_change
from tests.factories import CommitmentFactory, MeetingFactory, SourceFactory

pytestmark = pytest.mark.django_db


def test_status_change_moves_the_commitment_status_and_records_the_step():
    commitment = CommitmentFactory()
    source = SourceFactory()
    change = record_status_change(
        commitment=commitment,
        new_status=CommitmentStatus.IN_PROGRESS,
        effective_on=datetime.date(2025, 5, 23),
        note="Second meeting held.",
        evidence_source=source,
    )
    commitment.refresh_from_db()
    assert commitment.status == CommitmentStatus.IN_PROGRESS
    assert commitment.status_changed_on == datetime.date(2025, 5, 23)
    assert change.old_status == CommitmentStatus.NOT_ASSESSED
    assert list(commitment.status_changes.values_list("new_status", flat=True)) == ["in_progress"]


def test_successive_changes_chain_old_and_new_status():
    commitment = CommitmentFactory()
    meeting = MeetingFactory()
    record_status_change(
        commitment=commitment,
        new_status="in_progress",
        effective_on=datetime.date(2025, 1, 1),
        note="Started.",
        evidence_meeting=meeting,
    )
    second = record_status_change(
        commitment=commitment,
        new_status="delivered",
        effective_on=datetime.date(2025, 6, 1),
        note="Done.",
        evidence_meeting=meeting,
    )
    assert (second.old_status, second.new_status) == ("in_progress", "delivered")
    assert Commitment.objects.get(pk=commitment.pk).status == "delivered"


@pytest.mark.parametrize(
    "kwargs,field",
    [
        ({"note": ""}, "note"),
        ({"evidence_source": None}, "evidence_source"),
        ({"new_status": "not_assessed"}, "new_status"),
        ({"new_status": "finished"}, "new_status"),
    ],
)
def test_invalid_change_names_the_field_and_writes_nothing(kwargs, field):
    commitment = CommitmentFactory()
    arguments = {
        "commitment": commitment,
        "new_status": "in_progress",
        "effective_on": datetime.date(2025, 1, 1),
        "note": "Started.",
        "evidence_source": SourceFactory(),
    } | kwargs
    with pytest.raises(ValidationError) as error:
        record_status_change(**arguments)
    assert field in error.value.message_dict
    assert not CommitmentStatusChange.objects.exists()
    assert Commitment.objects.get(pk=commitment.pk).status == "not_assessed"


def test_change_dated_before_the_latest_is_refused():
    commitment = CommitmentFactory()
    source = SourceFactory()
    record_status_change(
        commitment=commitment,
        new_status="in_progress",
        effective_on=datetime.date(2025, 6, 1),
        note="Started.",
        evidence_source=source,
    )
    with pytest.raises(ValidationError) as error:
        record_status_change(
            commitment=commitment,
            new_status="delivered",
            effective_on=datetime.date(2025, 5, 1),
            note="Backdated.",
            evidence_source=source,
        )
    assert "effective_on" in error.value.message_dict
    assert Commitment.objects.get(pk=commitment.pk).status == "in_progress"


def test_failure_after_the_change_row_is_written_rolls_both_back(monkeypatch):
    commitment = CommitmentFactory()

    def failing_save(self, *args, **kwargs):
        raise RuntimeError("disk full")

    # The change row is inserted first; the commitment update then fails.
    monkeypatch.setattr(Commitment, "save", failing_save)
    with pytest.raises(RuntimeError):
        record_status_change(
            commitment=commitment,
            new_status="delivered",
            effective_on=datetime.date(2025, 1, 1),
            note="Delivered.",
            evidence_source=SourceFactory(),
        )
    monkeypatch.undo()
    assert not CommitmentStatusChange.objects.exists()
    assert Commitment.objects.get(pk=commitment.pk).status == "not_assessed"


def test_status_change_is_kept_in_history_with_its_author(django_user_model):
    user = django_user_model.objects.create_user("editor", password="x" * 16)
    commitment = CommitmentFactory()
    change = record_status_change(
        commitment=commitment,
        new_status="in_progress",
        effective_on=datetime.date(2025, 1, 1),
        note="Started.",
        evidence_source=SourceFactory(),
        recorded_by=user,
    )
    assert change.recorded_by == user
    assert commitment.history.first().status == "in_progress"

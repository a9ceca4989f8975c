"""Each data-quality rule catches a deliberately broken record and passes a sound one."""

import datetime

import pytest

from authorities.models import Authority, AuthorityKind
from forums.models import Commitment, CommitmentStatus, Meeting
from forums.services import record_status_change
from tests.data import checks
from tests.factories import (
    AuthorityFactory,
    CommitmentFactory,
    MeetingFactory,
    OfficeFactory,
    SourceFactory,
)

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("model", [Authority, Meeting, Commitment], ids=lambda m: m.__name__)
def test_unsourced_names_published_records_without_a_source(model):
    factory = {Authority: AuthorityFactory, Meeting: MeetingFactory}.get(model, CommitmentFactory)
    bare = factory()
    cited = factory()
    cited.sources.add(SourceFactory())
    draft = factory(publication_state="draft")
    found = checks.unsourced(model)
    assert str(bare) in found
    assert str(cited) not in found
    assert str(draft) not in found


def test_a_status_change_without_a_source_is_reported():
    commitment = CommitmentFactory()
    record_status_change(
        commitment=commitment,
        new_status=CommitmentStatus.IN_PROGRESS,
        effective_on=datetime.date(2025, 1, 23),
        note="Prompted by the next meeting.",
        evidence_meeting=MeetingFactory(),
    )
    assert len(checks.unsourced_status_changes()) == 1


def test_overlapping_offices_are_reported_but_a_same_day_handover_is_not():
    authority = AuthorityFactory()
    OfficeFactory(
        authority=authority,
        started_on=datetime.date(2017, 5, 8),
        ended_on=datetime.date(2024, 5, 7),
    )
    OfficeFactory(authority=authority, started_on=datetime.date(2024, 5, 7))
    assert checks.overlapping_offices() == []
    OfficeFactory(authority=authority, started_on=datetime.date(2024, 1, 1))
    assert len(checks.overlapping_offices()) == 3


def test_a_mayoral_authority_whose_mayor_left_is_reported(today):
    left = AuthorityFactory(kind=AuthorityKind.MCA)
    OfficeFactory(
        authority=left,
        started_on=datetime.date(2021, 5, 10),
        ended_on=today - datetime.timedelta(days=365),
    )
    current = AuthorityFactory(kind=AuthorityKind.MCCA)
    OfficeFactory(authority=current, started_on=datetime.date(2024, 5, 7))
    never = AuthorityFactory(kind=AuthorityKind.MCA)  # created, first mayor not yet elected
    abolished = AuthorityFactory(kind=AuthorityKind.MCA, abolished_on=datetime.date(2024, 5, 7))
    OfficeFactory(
        authority=abolished,
        started_on=datetime.date(2019, 5, 1),
        ended_on=datetime.date(2024, 5, 7),
    )
    found = checks.mayoral_authorities_without_a_current_mayor()
    assert found == [str(left)]
    assert str(never) not in found


@pytest.mark.stale_figures  # makes the drift with QuerySet.update()
def test_a_commitment_whose_status_drifted_from_its_timeline_is_reported():
    commitment = CommitmentFactory()
    record_status_change(
        commitment=commitment,
        new_status=CommitmentStatus.IN_PROGRESS,
        effective_on=datetime.date(2025, 1, 23),
        note="Second meeting held.",
        evidence_source=SourceFactory(),
    )
    assert checks.commitments_whose_status_is_not_their_latest_change() == []
    assert checks.broken_status_chains() == []
    Commitment.objects.filter(pk=commitment.pk).update(status=CommitmentStatus.DELIVERED)
    assert len(checks.commitments_whose_status_is_not_their_latest_change()) == 1
    commitment.status_changes.update(old_status=CommitmentStatus.NOT_STARTED)
    assert len(checks.broken_status_chains()) == 1


def test_a_held_meeting_dated_after_today_is_reported(today):
    MeetingFactory(date=today)
    assert checks.held_meetings_in_the_future() == []
    # The database refuses a held meeting in the future, so judge against an earlier "today".
    assert len(checks.held_meetings_in_the_future(today=today - datetime.timedelta(days=1))) == 1

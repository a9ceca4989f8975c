"""The data-quality rules: each names every record that breaks it.

Run by `manage.py check_data` (for staff, after editing the record or loading the
fixtures) and by the tests on the reference data, which also prove that each rule
catches a deliberately broken record. A rule is a finder that returns the names of the
offending records, sorted, so an empty list means the rule holds.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Prefetch, Q, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from authorities.models import Authority, AuthorityKind, Office, Person
from forums.models import (
    Commitment,
    CommitmentStatus,
    CommitmentStatusChange,
    Document,
    Forum,
    Meeting,
    Source,
)
from igr.records import PublicationState

# Every published record of these models must cite a source (DESIGN: "Source").
SOURCED_MODELS = (Authority, Office, Forum, Meeting, Commitment)
# Combined and combined county authorities only exist by an Order or Regulations, so each
# has a founding day to record; the GLA and the governments were made by Acts or earlier.
CREATED_BY_INSTRUMENT = (AuthorityKind.MCA, AuthorityKind.MCCA, AuthorityKind.CA)
# Posts one person cannot hold at once: the 2026 Act bars members of a legislature (so a
# Prime Minister) from being a mayor.
INCOMPATIBLE_POSTS = (("Prime Minister", "Mayor"),)


def names(queryset) -> list[str]:
    return sorted(str(obj) for obj in queryset)


def _today(today):
    return today or timezone.localdate()


def _published(model):
    return model.objects.filter(publication_state=PublicationState.PUBLISHED)


def unsourced(model) -> list[str]:
    """Published records of a model with a `sources` link that cite nothing."""
    return names(_published(model).filter(sources__isnull=True))


def published_records_without_a_source(today=None) -> list[str]:
    return [
        f"{model._meta.verbose_name}: {name}"
        for model in SOURCED_MODELS
        for name in unsourced(model)
    ]


def published_records_without_a_source_with_an_address(today=None) -> list[str]:
    """Published records that cite sources, none of which a reader can open."""
    found = []
    for model in SOURCED_MODELS:
        addressed = Source.objects.filter(
            **{f"{model._meta.get_field('sources').related_query_name()}": OuterRef("pk")}
        ).exclude(url="")
        records = (
            _published(model).filter(sources__isnull=False).exclude(Exists(addressed)).distinct()
        )
        found += [f"{model._meta.verbose_name}: {name}" for name in names(records)]
    return found


def unsourced_status_changes(today=None) -> list[str]:
    return names(CommitmentStatusChange.objects.published().filter(evidence_source__isnull=True))


def held_meetings_in_the_future(today=None) -> list[str]:
    return names(Meeting.objects.held().filter(date__gt=_today(today)))


def overlapping_offices(today=None) -> list[str]:
    # Same rule as Office.clean(): a handover on one day is not an overlap.
    clash = (
        Office.objects.filter(authority=OuterRef("authority"), title__iexact=OuterRef("title"))
        .exclude(pk=OuterRef("pk"))
        .filter(started_on__lt=Coalesce(OuterRef("ended_on"), Value(datetime.date.max)))
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gt=OuterRef("started_on")))
    )
    return names(Office.objects.filter(Exists(clash)))


def _held_after_today(today):
    # Holders at the end of the day: on a handover day only the incoming holder counts,
    # as in Office.clean().
    return Office.objects.filter(
        Q(ended_on__isnull=True) | Q(ended_on__gt=today), started_on__lte=today
    )


def posts_with_two_current_holders(today=None) -> list[str]:
    current = _held_after_today(_today(today))
    clash = current.filter(
        authority=OuterRef("authority"), title__iexact=OuterRef("title")
    ).exclude(pk=OuterRef("pk"))
    return names(current.filter(Exists(clash)))


def people_holding_incompatible_offices(today=None) -> list[str]:
    current = _held_after_today(_today(today))
    found = []
    for first, second in INCOMPATIBLE_POSTS:
        people = Person.objects.filter(
            Exists(current.filter(person=OuterRef("pk"), title__iexact=first)),
            Exists(current.filter(person=OuterRef("pk"), title__iexact=second)),
        )
        found += [f"{name}: {first} and {second}" for name in names(people)]
    return found


def mayoral_authorities_without_a_current_mayor(today=None) -> list[str]:
    """Existing mayoral authorities that have had a mayor but have none today."""
    today = _today(today)
    mayors = Office.objects.mayors().filter(authority=OuterRef("pk"))
    had_a_mayor = (
        Authority.objects.mayoral()
        .existing(today)
        .filter(Exists(mayors.filter(started_on__lte=today)))
    )
    return names(had_a_mayor.exclude(Exists(mayors.current(today))))


def authorities_created_by_instrument_without_date_or_source(today=None) -> list[str]:
    authorities = _published(Authority).filter(kind__in=CREATED_BY_INSTRUMENT)
    no_date = authorities.filter(established_on__isnull=True)
    no_source = authorities.filter(sources__isnull=True)
    return sorted(
        [f"{name}: no founding date" for name in names(no_date)]
        + [f"{name}: no source" for name in names(no_source)]
    )


def forums_without_a_record_checked_date(today=None) -> list[str]:
    return names(_published(Forum).filter(record_checked_to__isnull=True))


def published_offices_of_unpublished_authorities(today=None) -> list[str]:
    return names(
        _published(Office).exclude(authority__publication_state=PublicationState.PUBLISHED)
    )


def uncertain_dates_without_a_reason(today=None) -> list[str]:
    # An unticked "date confirmed" or a ticked "dates uncertain" must name the competing
    # values or say what the sources give, or the public cannot judge the record.
    return names(Meeting.objects.filter(date_confirmed=False, date_note="")) + names(
        Office.objects.filter(dates_uncertain=True, notes="")
    )


def unconfirmed_documents_with_a_publication_date(today=None) -> list[str]:
    return names(Document.objects.filter(is_confirmed=False, published_on__isnull=False))


def _in_force_changes():
    # A voided change no longer counts: the status follows the changes left in force.
    return Prefetch(
        "status_changes",
        queryset=CommitmentStatusChange.objects.in_force(),
        to_attr="changes_in_force",
    )


def commitments_whose_status_is_not_their_latest_change(today=None) -> list[str]:
    mismatched = []
    for commitment in Commitment.objects.prefetch_related(_in_force_changes()):
        changes = commitment.changes_in_force  # ordered by effective_on, id
        expected = (
            (changes[-1].new_status, changes[-1].effective_on)
            if changes
            else (CommitmentStatus.NOT_ASSESSED, None)
        )
        if (commitment.status, commitment.status_changed_on) != expected:
            mismatched.append(f"{commitment}: {commitment.status}, latest change {expected}")
    return mismatched


def broken_status_chains(today=None) -> list[str]:
    """Status changes whose old status is not the previous change's new status."""
    broken = []
    for commitment in Commitment.objects.prefetch_related(_in_force_changes()):
        status = CommitmentStatus.NOT_ASSESSED
        for change in commitment.changes_in_force:
            if change.old_status != status:
                broken.append(f"{commitment}: {change}")
            status = change.new_status
    return broken


@dataclass(frozen=True)
class Rule:
    name: str
    description: str
    find: Callable[..., list[str]]


RULES = [
    Rule(
        "sources",
        "Every published authority, office, forum, meeting and commitment cites a source.",
        published_records_without_a_source,
    ),
    Rule(
        "source-addresses",
        "Every published record cites at least one source with a web address.",
        published_records_without_a_source_with_an_address,
    ),
    Rule(
        "status-change-evidence",
        "Every status change of a published commitment cites its evidence source.",
        unsourced_status_changes,
    ),
    Rule(
        "held-in-the-future",
        "No meeting marked held is dated after today.",
        held_meetings_in_the_future,
    ),
    Rule(
        "overlapping-offices",
        "No two offices of the same post at the same authority overlap.",
        overlapping_offices,
    ),
    Rule(
        "two-current-holders",
        "No post (authority and title) has two current holders.",
        posts_with_two_current_holders,
    ),
    Rule(
        "incompatible-offices",
        "Nobody currently holds two incompatible offices (Prime Minister and a mayoralty).",
        people_holding_incompatible_offices,
    ),
    Rule(
        "mayor-missing",
        "Every existing mayoral authority that has had a mayor has a current one.",
        mayoral_authorities_without_a_current_mayor,
    ),
    Rule(
        "founding-instrument",
        "Every published combined or combined county authority (created by an instrument) "
        "has a founding date and a source.",
        authorities_created_by_instrument_without_date_or_source,
    ),
    Rule(
        "record-checked",
        "Every published forum says up to when its sources were searched (record checked to).",
        forums_without_a_record_checked_date,
    ),
    Rule(
        "office-authority-published",
        "Every published office belongs to a published authority.",
        published_offices_of_unpublished_authorities,
    ),
    Rule(
        "uncertain-dates-explained",
        "Every unconfirmed meeting date or uncertain office date says why.",
        uncertain_dates_without_a_reason,
    ),
    Rule(
        "unconfirmed-documents-undated",
        "A document whose publication is unconfirmed has no publication date.",
        unconfirmed_documents_with_a_publication_date,
    ),
    Rule(
        "commitment-status",
        "Every commitment's status is its latest status change's.",
        commitments_whose_status_is_not_their_latest_change,
    ),
    Rule(
        "status-chain",
        "Each status change starts where the previous one ended.",
        broken_status_chains,
    ),
]


def broken_rules(today: datetime.date | None = None) -> list[tuple[Rule, list[str]]]:
    """Each rule that fails, with the records breaking it."""
    today = _today(today)
    results = [(rule, rule.find(today=today)) for rule in RULES]
    return [(rule, found) for rule, found in results if found]

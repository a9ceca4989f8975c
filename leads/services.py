"""The writes that span several models: filing a lead, and turning an accepted lead into
draft records (never published: a Publisher publishes them through igr.policy).

Every function runs inside igr.policy.writing(), so the stored figures stay current."""

import datetime

from django.apps import apps
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.text import slugify

from authorities.models import Office, Party, Person
from forums.models import (
    AgendaItem,
    Attendance,
    Commitment,
    Meeting,
    MeetingStatus,
    Source,
    SourceKind,
)
from igr import policy
from leads.models import Kind, Lead, LeadState

TITLE_LENGTH = 300


def file_lead(*, key: str, **fields) -> tuple[Lead, bool]:
    """File a lead once: the same key (the same document at the same revision, the same
    result, the same report) never makes a second one. Returns (lead, created)."""
    with policy.writing() as write:
        lead, created = Lead.objects.get_or_create(key=key[:500], defaults=fields)
        if created:
            write.touched(lead)
        return lead, created


def _check_open(lead):
    if lead.state != LeadState.NEW:
        raise ValidationError(f"This lead is already {lead.get_state_display().lower()}.")


def _check_may_add(by, *models):
    for model in models:
        permission = f"{model._meta.app_label}.add_{model._meta.model_name}"
        if by is not None and not by.has_perm(permission):
            raise PermissionDenied(
                f"You do not have permission to add {model._meta.verbose_name_plural}."
            )


def _decide(lead, *, by, state, reason=""):
    lead.state = state
    lead.dismissal_reason = reason
    lead.decided_by = by
    lead.decided_at = timezone.now()
    lead._change_reason = f"{state.label}: {reason}" if reason else state.label
    lead.save()


def dismiss(lead, *, by, reason: str) -> Lead:
    if not (reason or "").strip():
        raise ValidationError({"dismissal_reason": "Say why the lead is dismissed."})
    with policy.writing() as write:
        _check_open(lead)
        _decide(lead, by=by, state=LeadState.DISMISSED, reason=reason.strip())
        write.touched(lead)
    return lead


def official_source(lead, *, by) -> Source:
    """The lead's page as an official source: the existing one at that address, or new."""
    source = Source.objects.filter(url=lead.url).first()
    if source is not None:
        return source
    _check_may_add(by, Source)
    publisher = ", ".join(o.get("title", "") for o in lead.organisations if o.get("title"))
    source = Source(
        url=lead.url,
        title=lead.title[:500],
        publisher=(publisher or "GOV.UK")[:200],
        published_on=timezone.localdate(lead.published_at) if lead.published_at else None,
        kind=SourceKind.OFFICIAL,
        last_verified_on=timezone.localdate(),
        notes=f"Recorded from lead {lead.pk} ({lead.get_origin_display()}).",
    )
    source._change_reason = f"From lead {lead.pk}"
    if by is not None:
        source._history_user = by
    source.full_clean()
    source.save()
    policy.touched(source)
    return source


def _saved(record, *, by, lead):
    record._change_reason = f"Drafted from lead {lead.pk}"
    if by is not None:
        record._history_user = by
    record.full_clean()
    record.save()
    policy.touched(record)
    return record


def _authority_of(person_id, on):
    office = (
        Office.objects.current(on=on).filter(person_id=person_id).order_by("-started_on").first()
    )
    return office.authority_id if office is not None else None


def accept_communique(lead, *, by) -> Meeting:
    """A draft meeting from a communiqué lead, with attendance (the people named), agenda
    items (the headings) and commitments (the agreed points), citing the lead's page as
    an official source. Nothing is published."""
    with policy.writing() as write:
        _check_open(lead)
        _check_may_add(by, Meeting, Attendance, AgendaItem, Commitment)
        if lead.guessed_forum is None:
            raise ValidationError(
                {"guessed_forum": "Choose the forum this communiqué is from first."}
            )
        guesses = lead.guesses or {}
        published = timezone.localdate(lead.published_at) if lead.published_at else None
        date = lead.meeting_date or published or timezone.localdate()
        source = official_source(lead, by=by)
        meeting = Meeting(
            forum=lead.guessed_forum,
            date=date,
            date_confirmed=lead.meeting_date is not None,
            status=MeetingStatus.HELD if date <= timezone.localdate() else MeetingStatus.SCHEDULED,
            summary=guesses.get("description", ""),
            notes=f"Drafted from lead {lead.pk}: {lead.url}. Check every row against the source.",
        )
        meeting.assign_slug()
        _saved(meeting, by=by, lead=lead)
        meeting.sources.add(source)
        for person in guesses.get("people", []):
            if not Person.objects.filter(pk=person.get("id")).exists():
                continue
            _saved(
                Attendance(
                    meeting=meeting,
                    person_id=person["id"],
                    authority_id=_authority_of(person["id"], date),
                ),
                by=by,
                lead=lead,
            )
        for order, heading in enumerate(guesses.get("headings", []), start=1):
            _saved(
                AgendaItem(meeting=meeting, order=order, title=heading[:TITLE_LENGTH]),
                by=by,
                lead=lead,
            )
        for point in guesses.get("agreed", []):
            commitment = _saved(
                Commitment(
                    meeting=meeting,
                    title=_title(point),
                    text=point,
                    made_on=date,
                ),
                by=by,
                lead=lead,
            )
            commitment.sources.add(source)
        lead.drafted_meeting, lead.cited_source = meeting, source
        _decide(lead, by=by, state=LeadState.ACCEPTED)
        write.touched(lead)
        return meeting


def _title(point: str) -> str:
    point = point.strip()
    return point if len(point) <= TITLE_LENGTH else point[: TITLE_LENGTH - 1].rstrip() + "…"


def _person_named(name: str, *, by, lead) -> Person:
    person = Person.objects.filter(name__iexact=name).first()
    if person is not None:
        return person
    _check_may_add(by, Person)
    base = slugify(name)[:90] or "person"
    slug, n = base, 2
    while Person.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return _saved(Person(name=name, slug=slug), by=by, lead=lead)


def accept_result(lead, *, by) -> Office:
    """A draft office for the person elected, ending the previous holder's office the day
    before the new one starts. Ending a published office changes the public record, so
    it needs the Publisher's permission (igr.policy) and keeps the lead as its reason."""
    Authority = apps.get_model("authorities", "Authority")
    with policy.writing() as write:
        _check_open(lead)
        _check_may_add(by, Office)
        guesses = lead.guesses or {}
        authority = Authority.objects.filter(pk=guesses.get("authority_id")).first()
        if authority is None:
            raise ValidationError("Say which authority this result is for (authority_id).")
        if not guesses.get("elected_name"):
            raise ValidationError("The result names nobody elected (elected_name).")
        started = datetime.date.fromisoformat(guesses["starts_on"])
        title = guesses.get("post") or "Mayor"
        previous = [
            office
            for office in Office.objects.of_post(title, authority).filter(ended_on__isnull=True)
            if office.started_on < started
        ]
        for office in previous:
            if not policy.may_change(by, office):
                raise PermissionDenied(policy.refusal(office))
        source = official_source(lead, by=by)
        for office in previous:
            write.changing(office)
            office.ended_on = started - datetime.timedelta(days=1)
            office.full_clean()
            office._change_reason = f"Ended by the election result in lead {lead.pk}"
            if by is not None:
                office._history_user = by
            office.save()
            write.touched(office)
        person = _person_named(guesses["elected_name"], by=by, lead=lead)
        party = (
            Party.objects.filter(name__iexact=guesses.get("party_name", "")).first()
            if guesses.get("party_name")
            else None
        )
        office = _saved(
            Office(
                person=person,
                authority=authority,
                title=title,
                party=party,
                started_on=started,
                dates_uncertain=True,
                notes=f"Drafted from lead {lead.pk} ({lead.url}); check the start date.",
            ),
            by=by,
            lead=lead,
        )
        office.sources.add(source)
        lead.drafted_office, lead.cited_source = office, source
        _decide(lead, by=by, state=LeadState.ACCEPTED)
        write.touched(lead)
        return office


def accept_note(lead, *, by) -> Lead:
    """Accept a lead that needs no new record (a correction made by hand, a source
    page whose change was checked)."""
    with policy.writing() as write:
        _check_open(lead)
        _decide(lead, by=by, state=LeadState.ACCEPTED)
        write.touched(lead)
        return lead


ACCEPTORS = {
    Kind.COMMUNIQUE: accept_communique,
    Kind.RESULT: accept_result,
}

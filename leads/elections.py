"""The elections watcher: Democracy Club's EveryElection API for mayoral elections and
by-elections (ballot ids such as mayor.greater-manchester-ca.by.2026-07-30) and its
candidates API (YourNextRepresentative's /api/next/results/) for who was elected."""

import datetime

from django.apps import apps
from django.conf import settings
from django.db.models import Q
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from leads.http import get_json
from leads.models import Kind, Lead, Origin
from leads.services import file_lead

#: How far back to ask for mayoral ballots, so a result declared after the last run is seen.
LOOK_BACK = datetime.timedelta(days=120)
MAX_PAGES = 10
#: An elected mayor's term usually begins on the fourth day after the poll; the draft
#: office says its dates are uncertain until staff confirm them.
TERM_STARTS_AFTER_POLL = datetime.timedelta(days=4)


def authority_for(organisation: dict):
    Authority = apps.get_model("authorities", "Authority")
    code = organisation.get("official_identifier") or ""
    names = [n for n in (organisation.get("official_name"), organisation.get("common_name")) if n]
    match = Q(gss_code=code) if code else Q(pk__in=[])
    for name in names:
        match |= Q(name__iexact=name)
    return Authority.objects.filter(match).order_by("pk").first()


def elections(http, *, since: datetime.date):
    url = f"{settings.EVERY_ELECTION_API_BASE}/api/elections/"
    params = {
        "identifier_type": "ballot",
        "election_id_regex": r"^mayor\.",
        "poll_open_date__gte": since.isoformat(),
    }
    for _ in range(MAX_PAGES):
        page = get_json(http, url, params=params)
        yield from page["results"]
        if not page.get("next"):
            return
        url, params = page["next"], None


def file_election(election: dict, authority, run) -> None:
    cancelled = bool(election.get("cancelled"))
    key = f"ee:{election['election_id']}" + (":cancelled" if cancelled else "")
    if Lead.objects.filter(key=key).exists():
        return
    title = election["election_title"] + (" — cancelled" if cancelled else "")
    _, created = file_lead(
        key=key,
        origin=Origin.ELECTIONS,
        kind=Kind.ELECTION,
        url=f"https://elections.democracyclub.org.uk/elections/{election['election_id']}/",
        title=title[:500],
        published_at=parse_datetime(election.get("created") or ""),
        updated_at_source=parse_datetime(election.get("modified") or ""),
        text="\n".join(
            part
            for part in (
                election["election_title"],
                f"Poll: {election['poll_open_date']}",
                election.get("by_election_reason")
                and f"By-election: {election['by_election_reason']}",
                cancelled and f"Cancelled: {election.get('cancellation_reason') or ''}",
            )
            if part
        ),
        guesses={
            "election_id": election["election_id"],
            "poll_date": election["poll_open_date"],
            "authority_id": authority.pk if authority else None,
            "post": "Mayor",
        },
    )
    if created:
        run.count("elections filed")


def file_results(http, election: dict, authority, run) -> None:
    data = get_json(
        http,
        f"{settings.CANDIDATES_API_BASE}/api/next/results/",
        params={"election_id": election["election_id"]},
    )
    poll = datetime.date.fromisoformat(election["poll_open_date"])
    for result in data["results"]:
        ballot = result["ballot"]["ballot_paper_id"]
        for candidate in result["candidate_results"]:
            if not candidate.get("elected"):
                continue
            person, party = candidate["person"], candidate.get("party") or {}
            key = f"ynr:{ballot}:{person['id']}"
            if Lead.objects.filter(key=key).exists():
                continue
            _, created = file_lead(
                key=key,
                origin=Origin.ELECTIONS,
                kind=Kind.RESULT,
                url=result.get("source") or result["ballot"]["url"],
                title=f"{person['name']} elected: {election['election_title']}"[:500],
                text=(
                    f"{person['name']} ({party.get('name', 'no party')}) was elected with "
                    f"{candidate.get('num_ballots')} votes; turnout "
                    f"{result.get('turnout_percentage')}%."
                ),
                guesses={
                    "election_id": election["election_id"],
                    "poll_date": election["poll_open_date"],
                    "authority_id": authority.pk if authority else None,
                    "post": "Mayor",
                    "elected_name": person["name"],
                    "party_name": party.get("name", ""),
                    "candidates_person_id": person["id"],
                    "starts_on": (poll + TERM_STARTS_AFTER_POLL).isoformat(),
                },
            )
            if created:
                run.count("results filed")


def watch_all(http, run) -> None:
    today = timezone.localdate()
    with run.source("EveryElection mayoral ballots"):
        found = list(elections(http, since=today - LOOK_BACK))
    for election in found:
        with run.source(f"election {election.get('election_id')}"):
            authority = authority_for(election.get("organisation") or {})
            file_election(election, authority, run)
            poll = datetime.date.fromisoformat(election["poll_open_date"])
            if poll <= today and not election.get("cancelled"):
                file_results(http, election, authority, run)

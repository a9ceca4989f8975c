"""The elections watcher against a local server answering as EveryElection's
ElectionSerializer and YourNextRepresentative's ResultSerializer do."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command

from authorities.models import Office
from igr import policy
from igr.records import PublicationState
from leads.models import Kind, Lead, LeadState
from leads.services import accept_result
from tests.factories import AuthorityFactory, OfficeFactory, PartyFactory, PersonFactory
from tests.leads.conftest import data

pytestmark = pytest.mark.django_db

BY_ELECTION = "mayor.greater-manchester-ca.by.2026-07-30"


@pytest.fixture
def greater_manchester(services):
    authority = AuthorityFactory(name="Greater Manchester Combined Authority", gss_code="E47000001")
    services.expect_request("/api/elections/").respond_with_json(data("ee_mayoral_elections.json"))
    services.expect_request(
        "/api/next/results/", query_string={"election_id": BY_ELECTION}
    ).respond_with_json(data("ynr_results_gm_by_election.json"))
    return authority


def test_elections_and_results_become_leads_once(greater_manchester, services):
    call_command("watch_elections", verbosity=0)
    call_command("watch_elections", verbosity=0)
    kinds = sorted(Lead.objects.values_list("kind", "key"))
    assert kinds == [
        (Kind.ELECTION, "ee:mayor.greater-manchester-ca.2028-05-04"),
        (Kind.ELECTION, f"ee:{BY_ELECTION}"),
        (Kind.RESULT, f"ynr:{BY_ELECTION}:90001"),
    ]
    result = Lead.objects.get(kind=Kind.RESULT)
    assert result.guesses["elected_name"] == "Alex Example"
    assert result.guesses["authority_id"] == greater_manchester.pk
    assert result.guesses["starts_on"] == "2026-08-03"
    # EveryElection's documented filters (api/filters.py; it has no election_type filter).
    [(ballots, _), *_] = services.log
    assert ballots.args["identifier_type"] == "ballot"
    assert ballots.args["election_id_regex"] == r"^mayor\."
    assert "poll_open_date__gte" in ballots.args
    # The future election's results were never asked for.
    asked = [r.args.get("election_id") for r, _ in services.log if r.path == "/api/next/results/"]
    assert asked == [BY_ELECTION, BY_ELECTION]


def test_a_by_election_result_ends_the_previous_mayors_office_and_drafts_the_new_one(
    greater_manchester, publisher
):
    labour = PartyFactory(name="Labour Party", slug="labour")
    previous = OfficeFactory(
        person=PersonFactory(name="Previous Mayor"),
        authority=greater_manchester,
        title="Mayor",
        party=labour,
        started_on=datetime.date(2024, 5, 7),
    )
    call_command("watch_elections", verbosity=0)
    lead = Lead.objects.get(kind=Kind.RESULT)

    office = accept_result(lead, by=publisher)

    previous.refresh_from_db()
    assert previous.ended_on == datetime.date(2026, 8, 2)
    assert previous.publication_state == PublicationState.PUBLISHED
    assert previous.history.first().history_change_reason == (
        f"Ended by the election result in lead {lead.pk}"
    )
    assert office.publication_state == PublicationState.DRAFT
    assert (office.person.name, office.party, office.authority, office.title) == (
        "Alex Example",
        labour,
        greater_manchester,
        "Mayor",
    )
    assert office.started_on == datetime.date(2026, 8, 3) and office.dates_uncertain
    assert office.sources.get().url == lead.url
    lead.refresh_from_db()
    assert lead.state == LeadState.ACCEPTED and lead.drafted_office == office
    assert Office.objects.current(on=datetime.date(2026, 8, 3)).get() == office


def test_an_editor_cannot_end_a_published_office_from_a_result(greater_manchester, editor):
    OfficeFactory(authority=greater_manchester, title="Mayor", started_on=datetime.date(2024, 5, 7))
    call_command("watch_elections", verbosity=0)
    lead = Lead.objects.get(kind=Kind.RESULT)
    with pytest.raises(PermissionDenied, match="only a Publisher can change it"):
        accept_result(lead, by=editor)
    assert Office.objects.count() == 1
    lead.refresh_from_db()
    assert lead.state == LeadState.NEW


def test_the_drafted_office_is_published_by_a_publisher(greater_manchester, publisher):
    call_command("watch_elections", verbosity=0)
    office = accept_result(Lead.objects.get(kind=Kind.RESULT), by=publisher)
    policy.publish(office, by=publisher)
    office.refresh_from_db()
    assert office.publication_state == PublicationState.PUBLISHED
    assert Office.objects.published().current(on=datetime.date(2026, 8, 3)).get() == office

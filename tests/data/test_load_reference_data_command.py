"""load_reference_data: creates, updates untouched rows, never overwrites a staff edit."""

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from authorities.models import Authority
from forums.models import Commitment, CommitmentStatus, Source
from forums.services import record_status_change

pytestmark = pytest.mark.django_db

TS = "2026-11-28T00:00:00Z"


def fixture_rows(*, authority_name="Tees Valley Combined Authority", website=""):
    return [
        {
            "model": "forums.source",
            "pk": 901,
            "fields": {
                "url": "https://teesvalley-ca.gov.uk/about/faqs/",
                "title": "Frequently asked questions",
                "kind": "official",
                "created_at": TS,
                "updated_at": TS,
            },
        },
        {
            "model": "authorities.authority",
            "pk": 901,
            "fields": {
                "name": authority_name,
                "slug": "tees-valley",
                "kind": "mca",
                "website": website,
                "publication_state": "published",
                "sources": [901],
                "created_at": TS,
                "updated_at": TS,
            },
        },
        {
            "model": "forums.forum",
            "pk": 901,
            "fields": {
                "name": "Mayoral Council",
                "slug": "mayoral-council",
                "created_at": TS,
                "updated_at": TS,
            },
        },
        {
            "model": "forums.commitment",
            "pk": 901,
            "fields": {
                "forum": 901,
                "title": "Meet every quarter",
                "text": "The Council is to meet every quarter.",
                "created_at": TS,
                "updated_at": TS,
            },
        },
    ]


@pytest.fixture
def write_fixture(tmp_path):
    path = tmp_path / "01_test.json"

    def write(rows):
        path.write_text(json.dumps(rows), encoding="utf-8")
        return str(path)

    return write


def load(path):
    out, err = StringIO(), StringIO()
    call_command("load_reference_data", path, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_command_has_a_help_line():
    from forums.management.commands.load_reference_data import Command

    assert "admin" in Command.help


def test_first_load_creates_every_row_with_its_links(write_fixture):
    out, _ = load(write_fixture(fixture_rows()))
    assert "4 created" in out
    authority = Authority.objects.get(pk=901)
    assert list(authority.sources.values_list("pk", flat=True)) == [901]
    assert authority.history.count() == 1


def test_loading_twice_changes_nothing(write_fixture):
    path = write_fixture(fixture_rows())
    load(path)
    authority = Authority.objects.get(pk=901)
    out, _ = load(path)
    assert "0 created, 0 updated, 4 unchanged, 0 skipped" in out
    assert Authority.objects.count() == 1
    assert Authority.objects.get(pk=901).updated_at == authority.updated_at
    assert authority.history.count() == 1  # no new history entry either


def test_a_changed_fixture_updates_a_row_nobody_edited(write_fixture):
    load(write_fixture(fixture_rows()))
    out, _ = load(write_fixture(fixture_rows(website="https://teesvalley-ca.gov.uk")))
    assert "1 updated" in out
    assert Authority.objects.get(pk=901).website == "https://teesvalley-ca.gov.uk"


def test_the_report_names_every_row_created_and_counts_them_per_model(write_fixture):
    out, _ = load(write_fixture(fixture_rows()))
    assert "created: authorities.Authority pk=901 “Tees Valley Combined Authority”" in out
    assert "created: forums.Commitment pk=901 “Meet every quarter”" in out
    assert "authorities.Authority: 1 created, 0 updated, 0 unchanged, 0 skipped" in out


def test_the_report_names_an_updated_row_with_the_fields_that_changed(write_fixture):
    load(write_fixture(fixture_rows()))
    out, _ = load(write_fixture(fixture_rows(website="https://teesvalley-ca.gov.uk")))
    assert "updated: authorities.Authority pk=901 “Tees Valley Combined Authority” (website)" in out
    assert "created:" not in out


def test_a_second_load_names_no_row(write_fixture):
    path = write_fixture(fixture_rows())
    load(path)
    out, err = load(path)
    assert out.splitlines() == [
        "Reference data: 0 created, 0 updated, 4 unchanged, 0 skipped "
        "(changed by staff since the last load)."
    ]
    assert err == ""


def test_an_admin_edit_survives_a_reload_and_is_named(write_fixture, django_user_model):
    load(write_fixture(fixture_rows()))
    editor = django_user_model.objects.create_user("editor", is_staff=True)
    authority = Authority.objects.get(pk=901)
    authority.website = "https://example.org/corrected"
    authority._history_user = editor  # what the admin records through the history middleware
    authority.save()

    out, err = load(write_fixture(fixture_rows(website="https://teesvalley-ca.gov.uk")))

    assert Authority.objects.get(pk=901).website == "https://example.org/corrected"
    assert "1 skipped" in out
    assert "Tees Valley Combined Authority" in err
    assert "differs from the fixture in: website" in err


def test_an_edit_without_a_user_is_still_protected(write_fixture):
    # A shell or service edit has no history user; it is still not the loader's.
    load(write_fixture(fixture_rows()))
    source = Source.objects.get(pk=901)
    source.title = "FAQs (corrected)"
    source.save()
    rows = fixture_rows()
    rows[0]["fields"]["title"] = "Frequently asked questions, revised"
    out, _ = load(write_fixture(rows))
    assert Source.objects.get(pk=901).title == "FAQs (corrected)"
    assert "1 skipped" in out


def test_a_status_change_recorded_by_staff_is_not_undone(write_fixture):
    load(write_fixture(fixture_rows()))
    record_status_change(
        commitment=Commitment.objects.get(pk=901),
        new_status=CommitmentStatus.IN_PROGRESS,
        effective_on="2025-01-23",
        note="Second meeting held.",
        evidence_source=Source.objects.get(pk=901),
    )
    out, _ = load(write_fixture(fixture_rows()))
    assert Commitment.objects.get(pk=901).status == CommitmentStatus.IN_PROGRESS
    assert "1 skipped" in out


def test_a_row_deleted_in_the_admin_is_not_recreated(write_fixture):
    path = write_fixture(fixture_rows())
    load(path)
    Commitment.objects.get(pk=901).delete()
    _, err = load(path)
    assert not Commitment.objects.filter(pk=901).exists()
    assert "deleted since it was loaded" in err


def test_rows_loaded_by_plain_loaddata_are_adopted_and_then_protected(write_fixture):
    path = write_fixture(fixture_rows())
    call_command("loaddata", path, verbosity=0)
    out, _ = load(path)
    assert "4 unchanged" in out
    authority = Authority.objects.get(pk=901)
    authority.website = "https://example.org/corrected"
    authority.save()
    load(write_fixture(fixture_rows(website="https://teesvalley-ca.gov.uk")))
    assert Authority.objects.get(pk=901).website == "https://example.org/corrected"


def test_an_invalid_fixture_saves_nothing_and_names_the_row(write_fixture):
    rows = fixture_rows()
    rows[0]["fields"]["kind"] = "rumour"
    with pytest.raises(CommandError, match=r"forums\.Source pk=901.*rumour"):
        load(write_fixture(rows))
    assert not Source.objects.exists()
    assert not Authority.objects.exists()


def test_an_admin_can_add_a_row_after_a_load(write_fixture):
    # The fixtures carry explicit primary keys; PostgreSQL's sequence must move past them.
    load(write_fixture(fixture_rows()))
    added = Source.objects.create(url="https://example.org/new", title="New", kind="news")
    assert added.pk > 901


def test_a_link_dropped_from_the_fixture_is_dropped_from_an_untouched_row(write_fixture):
    load(write_fixture(fixture_rows()))
    rows = fixture_rows()
    del rows[1]["fields"]["sources"]
    path = write_fixture(rows)
    out, _ = load(path)
    assert "1 updated" in out
    assert not Authority.objects.get(pk=901).sources.exists()
    out, _ = load(path)
    assert "0 updated" in out

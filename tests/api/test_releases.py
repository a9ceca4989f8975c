"""Dataset releases: export, then check counts and checksums; list and download them."""

import csv
import hashlib
import io
import json

import pytest
from django.core.management import call_command
from django.utils import timezone

from igr.lib import releases
from tests.factories import MeetingFactory

pytestmark = pytest.mark.django_db

LISTS = [
    "authorities",
    "councils",
    "parties",
    "people",
    "offices",
    "forums",
    "meetings",
    "attendance",
    "agenda-items",
    "documents",
    "commitments",
    "commitment-status-changes",
    "recommendations",
    "sources",
]


@pytest.fixture
def releases_dir(settings, tmp_path):
    settings.RELEASES_DIR = tmp_path
    return tmp_path


def _export():
    out = io.StringIO()
    call_command("export_dataset", stdout=out)
    return out.getvalue()


def test_export_round_trip_counts_and_checksums(api, world, releases_dir):
    assert "Wrote release" in _export()
    (release,) = releases.list_releases(releases_dir)
    assert release.name == timezone.localdate().isoformat()
    folder = releases_dir / release.name

    sums = releases.read_checksums(folder)
    assert set(sums) == {
        *(f"{name}.{ext}" for name in LISTS for ext in ("csv", "json")),
        "data-dictionary.csv",
        "CHANGELOG.md",
        "LICENCE.md",
        "release.json",
    }
    for name, digest in sums.items():
        assert hashlib.sha256((folder / name).read_bytes()).hexdigest() == digest

    manifest = json.loads((folder / "release.json").read_text())
    for name in LISTS:
        published = api.get(f"/api/v1/{name}/?page_size=200").json()
        rows = json.loads((folder / f"{name}.json").read_text())
        csv_rows = list(csv.DictReader(io.StringIO((folder / f"{name}.csv").read_text())))
        assert len(rows) == len(csv_rows) == published["count"] == manifest["records"][name]
        assert list(csv_rows[0]) == list(published["results"][0])
    slugs = {m["slug"] for m in json.loads((folder / "meetings.json").read_text())}
    assert world.draft_meeting.slug not in slugs

    dictionary = list(csv.DictReader(io.StringIO((folder / "data-dictionary.csv").read_text())))
    meeting_columns = [r for r in dictionary if r["file"].startswith("meetings.csv")]
    assert [r["column"] for r in meeting_columns] == list(published_meeting_columns(api))
    status = next(r for r in meeting_columns if r["column"] == "status")
    assert "held" in status["type"]
    assert "First release" in (folder / "CHANGELOG.md").read_text()
    # The one licence, stated in settings, travels with the data.
    assert "Open Government Licence v3.0" in (folder / "LICENCE.md").read_text()
    assert manifest["licence"]["spdx"] == "OGL-UK-3.0"
    assert all(row["description"] for row in dictionary)


def published_meeting_columns(api):
    return api.get("/api/v1/meetings/").json()["results"][0].keys()


def test_a_second_release_the_same_day_records_what_changed(world, releases_dir):
    _export()
    added = MeetingFactory(forum=world.forum)
    world.meetings[0].summary = "Revised."
    world.meetings[0].save()
    _export()
    newest, first = releases.list_releases(releases_dir)
    assert newest.name == f"{first.name}.2"
    changelog = (newest.path / "CHANGELOG.md").read_text()
    assert f"Changes since release {first.name}" in changelog
    assert "| meetings | 3 | 1 | 1 | 0 |" in changelog
    assert added.slug in changelog


def test_tampering_is_caught_by_the_checksums(world, releases_dir):
    _export()
    (release,) = releases.list_releases(releases_dir)
    (release.path / "meetings.csv").write_text("forged\n")
    assert releases.verify(release.path) == ["meetings.csv"]


def test_releases_are_listed_and_downloadable(api, client, world, releases_dir):
    _export()
    (row,) = api.get("/api/v1/releases/").json()
    file = next(f for f in row["files"] if f["name"] == "meetings.csv")
    download = client.get(file["url"])
    assert download.status_code == 200
    assert download["Content-Type"].startswith("text/csv")
    body = b"".join(download.streaming_content)
    assert hashlib.sha256(body).hexdigest() == file["sha256"]
    assert any(f["name"] == "SHA256SUMS" for f in row["files"])


@pytest.mark.parametrize(
    "path",
    [
        "/data/2026-01-01/meetings.csv",
        "/data/{release}/not-listed.csv",
        "/data/{release}/..%2F..%2Fsettings.py",
        "/data/../{release}/meetings.csv",
        "/data/{release}/.partial",
    ],
)
def test_only_files_named_in_a_release_are_served(client, world, releases_dir, path):
    _export()
    (releases_dir / releases.list_releases(releases_dir)[0].name / "not-listed.csv").write_text("x")
    name = releases.list_releases(releases_dir)[0].name
    assert client.get(path.format(release=name)).status_code == 404


def test_data_page_lists_releases_with_one_h1(client, world, releases_dir):
    empty = client.get("/data/")
    assert empty.status_code == 200
    assert "No release has been published yet" in empty.content.decode()
    _export()
    html = client.get("/data/").content.decode()
    assert html.count("<h1") == 1
    name = releases.list_releases(releases_dir)[0].name
    assert f'href="/data/{name}/meetings.csv"' in html


def test_export_dataset_has_help():
    from forums.management.commands.export_dataset import Command

    assert "dated dataset release" in Command.help


def test_if_none_writes_the_first_release_only(api, world, releases_dir):
    # `make run` calls it so /data/ is never empty, and never piles up releases.
    out = io.StringIO()
    call_command("export_dataset", "--if-none", stdout=out)
    call_command("export_dataset", "--if-none", stdout=out)
    assert len(releases.list_releases(releases_dir)) == 1
    assert "none written" in out.getvalue()


def test_the_data_page_and_dictionary_state_the_licence(client, world):
    for path in ("/data/", "/data/dictionary/"):
        body = client.get(path).content.decode()
        assert 'rel="license"' in body and "Open Government Licence v3.0" in body


def test_the_data_dictionary_describes_every_column_of_every_list(client, api, world):
    body = client.get("/data/dictionary/").content.decode()
    for name in LISTS:
        assert f'id="list-{name}"' in body
    for column in published_meeting_columns(api):
        assert f"<code>{column}</code>" in body


def test_release_files_and_page_csvs_name_the_licence(client, world, releases_dir):
    _export()
    (release,) = releases.list_releases(releases_dir)
    download = client.get(f"/data/{release.name}/meetings.csv")
    assert 'rel="license"' in download["Link"]
    page_csv = client.get("/meetings/?format=csv")
    assert 'rel="license"' in page_csv["Link"]

"""Write a dated dataset release: what an anonymous API client sees, as files to cite."""

import json
import shutil
from pathlib import Path

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from rest_framework.utils.encoders import JSONEncoder

from authorities.api.urls import ROUTES as AUTHORITY_ROUTES
from forums.api.urls import ROUTES as FORUM_ROUTES
from igr.api.base import FlatCSVRenderer, csv_header
from igr.api.fields import dictionary
from igr.lib import releases

DICTIONARY = "data-dictionary.csv"
CHANGELOG = "CHANGELOG.md"
MANIFEST = "release.json"
LICENCE = "LICENCE.md"


def licence_text() -> str:
    """The release's terms: the one licence in settings.DATA_LICENCE."""
    licence = settings.DATA_LICENCE
    return (
        f"# Licence\n\nThis data is published under the {licence['name']} "
        f"({licence['spdx']}): {licence['url']}\n\nAttribution: {licence['attribution']}\n"
    )


class _Anonymous:
    """Stands in for a request from an anonymous client: the viewsets' own get_queryset
    then picks the published records, exactly as the API serves them."""

    user = AnonymousUser()


def public_lists():
    """(list name, queryset, serializer class) for every public list of the API."""
    for prefix, viewset_class, _ in AUTHORITY_ROUTES + FORUM_ROUTES:
        view = viewset_class(request=_Anonymous(), format_kwarg=None, action="list")
        yield prefix, view.get_queryset().order_by("pk"), view.get_serializer_class()


def _key(row):
    return row.get("slug") or row.get("id")


def changelog(previous: Path | None, current: dict[str, list[dict]], name: str) -> str:
    lines = [f"# Release {name}", ""]
    if previous is None:
        total = sum(len(rows) for rows in current.values())
        lines += [f"First release: {total} records in {len(current)} lists.", ""]
        return "\n".join(lines)
    lines += [
        f"Changes since release {previous.name}.",
        "",
        "| list | records | added | changed | removed |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    details = []
    for list_name, rows in current.items():
        before_file = previous / f"{list_name}.json"
        before = (
            {_key(r): r for r in json.loads(before_file.read_text(encoding="utf-8"))}
            if before_file.is_file()
            else {}
        )
        after = {_key(r): r for r in rows}
        added = [k for k in after if k not in before]
        removed = [k for k in before if k not in after]
        changed = [k for k in after if k in before and before[k] != after[k]]
        lines.append(
            f"| {list_name} | {len(rows)} | {len(added)} | {len(changed)} | {len(removed)} |"
        )
        for label, keys in (("added", added), ("changed", changed), ("removed", removed)):
            if keys:
                shown = ", ".join(str(k) for k in keys[:50])
                more = f" and {len(keys) - 50} more" if len(keys) > 50 else ""
                details.append(f"- {list_name} {label}: {shown}{more}")
    return "\n".join([*lines, "", *details, ""])


class Command(BaseCommand):
    help = (
        "Write a dated dataset release of the published record: one CSV and one JSON file "
        "per public list (the API's columns), a data dictionary, a changelog since the "
        "previous release and SHA-256 checksums. Releases appear at /data/ and "
        "/api/v1/releases/."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--output-dir",
            type=Path,
            default=None,
            help="Directory holding the releases (default: the RELEASES_DIR setting).",
        )
        parser.add_argument(
            "--if-none",
            action="store_true",
            help="Write a release only if there is none yet (`make run` does, so /data/ "
            "is never empty).",
        )

    def handle(self, *args, output_dir=None, if_none=False, **options):
        root = Path(output_dir or settings.RELEASES_DIR)
        root.mkdir(parents=True, exist_ok=True)
        existing = releases.list_releases(root)
        if if_none and existing:
            self.stdout.write(f"Release {existing[0].name} exists; none written.")
            return
        previous = existing[0].path if existing else None
        name = releases.next_release_name(root, timezone.localdate().isoformat())
        staging = root / f".partial-{name}"
        if staging.exists():
            shutil.rmtree(staging)
        staging.mkdir()
        try:
            data = self._write_lists(staging)
            (staging / CHANGELOG).write_text(changelog(previous, data, name), encoding="utf-8")
            (staging / LICENCE).write_text(licence_text(), encoding="utf-8")
            manifest = {
                "name": name,
                "created_at": timezone.now().isoformat(),
                "previous": previous.name if previous else None,
                "records": {list_name: len(rows) for list_name, rows in data.items()},
                "api": "/api/v1/",
                "licence": settings.DATA_LICENCE,
            }
            (staging / MANIFEST).write_text(json.dumps(manifest, indent=2), encoding="utf-8")
            releases.write_checksums(staging)
            # The release appears complete or not at all.
            staging.rename(root / name)
        except Exception:
            shutil.rmtree(staging, ignore_errors=True)
            raise
        if releases.verify(root / name):
            raise CommandError(f"Release {name} failed its own checksum verification.")
        total = sum(len(rows) for rows in data.values())
        self.stdout.write(f"Wrote release {name} to {root / name}: {total} records.")

    def _write_lists(self, directory: Path) -> dict[str, list[dict]]:
        data = {}
        dictionary_rows = []
        for list_name, queryset, serializer_class in public_lists():
            # No request: hyperlinks are written as API paths, not tied to one host, and
            # every relation shows what igr.visibility lets the public see.
            serializer = serializer_class(queryset, many=True, context={"request": None})
            rows = json.loads(json.dumps(serializer.data, cls=JSONEncoder))
            data[list_name] = rows
            (directory / f"{list_name}.json").write_text(
                json.dumps(rows, indent=1, ensure_ascii=False), encoding="utf-8"
            )
            header = csv_header(serializer.child)
            (directory / f"{list_name}.csv").write_bytes(
                FlatCSVRenderer().render(rows, renderer_context={"header": header})
            )
            dictionary_rows += [
                {"file": f"{list_name}.csv / {list_name}.json", **row}
                for row in dictionary(serializer.child)
            ]
        (directory / DICTIONARY).write_bytes(
            FlatCSVRenderer().render(
                dictionary_rows,
                renderer_context={"header": ["file", "column", "type", "description"]},
            )
        )
        return data

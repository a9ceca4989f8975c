"""Dated dataset releases on disk: naming, checksums and listing. No Django here.

A release is a directory named after its date (`2026-11-28`, then `2026-11-28.2` for a
second one that day) holding data files and a `SHA256SUMS` file in the format
`sha256sum --check` reads. Only files named in SHA256SUMS are ever served, so a release
directory can never be used to reach another file.
"""

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path

CHECKSUMS = "SHA256SUMS"
RELEASE_NAME = re.compile(r"^\d{4}-\d{2}-\d{2}(\.\d{1,3})?$")
FILE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")


@dataclass(frozen=True)
class ReleaseFile:
    name: str
    size: int
    sha256: str


@dataclass(frozen=True)
class Release:
    name: str
    path: Path
    files: list[ReleaseFile] = field(default_factory=list)

    @property
    def date(self) -> str:
        return self.name[:10]


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 16), b""):
            digest.update(chunk)
    return digest.hexdigest()


def write_checksums(directory: Path) -> Path:
    """Write SHA256SUMS for every other file in `directory`, sorted by name."""
    lines = [
        f"{sha256_of(path)}  {path.name}\n"
        for path in sorted(directory.iterdir())
        if path.is_file() and path.name != CHECKSUMS
    ]
    target = directory / CHECKSUMS
    target.write_text("".join(lines), encoding="utf-8")
    return target


def read_checksums(directory: Path) -> dict[str, str]:
    sums = {}
    path = directory / CHECKSUMS
    if not path.is_file():
        return sums
    for line in path.read_text(encoding="utf-8").splitlines():
        digest, _, name = line.partition("  ")
        if FILE_NAME.match(name) and re.fullmatch(r"[0-9a-f]{64}", digest):
            sums[name] = digest
    return sums


def _sort_key(name: str):
    date, _, n = name.partition(".")
    return (date, int(n or 1))


def list_releases(root: Path) -> list[Release]:
    """Complete releases (those with SHA256SUMS), newest first."""
    if not root.is_dir():
        return []
    releases = []
    for path in root.iterdir():
        if not (path.is_dir() and RELEASE_NAME.match(path.name)):
            continue
        sums = read_checksums(path)
        if not sums:
            continue  # unfinished or foreign directory
        files = [
            ReleaseFile(name=name, size=(path / name).stat().st_size, sha256=digest)
            for name, digest in sorted(sums.items())
            if (path / name).is_file()
        ]
        files.append(
            ReleaseFile(
                name=CHECKSUMS,
                size=(path / CHECKSUMS).stat().st_size,
                sha256=sha256_of(path / CHECKSUMS),
            )
        )
        releases.append(Release(name=path.name, path=path, files=files))
    return sorted(releases, key=lambda r: _sort_key(r.name), reverse=True)


def find_file(root: Path, release: str, name: str) -> Path | None:
    """The path of a file listed in a release's SHA256SUMS (or SHA256SUMS itself)."""
    if not RELEASE_NAME.match(release):
        return None
    directory = root / release
    if name != CHECKSUMS and (not FILE_NAME.match(name) or name not in read_checksums(directory)):
        return None
    path = directory / name
    return path if path.is_file() else None


def next_release_name(root: Path, date: str) -> str:
    taken = {p.name for p in root.iterdir()} if root.is_dir() else set()
    name, n = date, 2
    while name in taken:
        name, n = f"{date}.{n}", n + 1
    return name


def verify(directory: Path) -> list[str]:
    """Names of files whose content no longer matches SHA256SUMS (empty when intact)."""
    return [
        name
        for name, digest in read_checksums(directory).items()
        if not (directory / name).is_file() or sha256_of(directory / name) != digest
    ]

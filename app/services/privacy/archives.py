"""Opening an uploaded ZIP archive (an import) without trusting anything in it.

An archive is refused whole, before anything is read out of it, when its directory
describes something hostile or broken: member names that climb out (``..``, an absolute
path, a drive letter, a backslash), symbolic links, encrypted members, compression other
than stored or deflated, duplicate names, entries that overlap (the "better zip bomb"),
a member larger than the limit, a total larger than the limit, or a member that claims
to expand far more than any photo or JSON file does (a zip bomb). Then every read is
bounded by the member's declared size, so a lying header cannot make one expand further:
zipfile checks the size and the CRC at the end of each member.

Nothing here touches the database or the disk outside the archive itself.
"""

from __future__ import annotations

import stat
import unicodedata
import zipfile
from dataclasses import dataclass, field
from datetime import datetime
from itertools import pairwise
from pathlib import Path, PurePosixPath
from typing import IO

from app.services.errors import FormError

CHUNK = 1024 * 1024


@dataclass(frozen=True)
class Limits:
    members: int = 20_000  # entries in the archive
    member_bytes: int = 100 * 1024 * 1024  # one member, expanded
    total_bytes: int = 20 * 1024 * 1024 * 1024  # all members, expanded
    ratio: int = 200  # expanded ÷ compressed, for members over RATIO_FLOOR
    ratio_floor: int = 1024 * 1024


@dataclass(frozen=True)
class Skipped:
    """Something in an archive that was not imported, and why, for the import's report."""

    what: str  # "post of 12 May 2021", or a file's name
    reason: str


@dataclass
class ArchivePost:
    """A post as an archive's reader found it, before it is imported."""

    caption: str
    created_at: datetime
    photos: list[str]  # member names, in the post's order
    alt_texts: list[str] = field(default_factory=list)  # one per photo, where the archive has them
    sensitive: bool = False
    content_warning: str = ""
    comments_enabled: bool = True
    skipped: list[Skipped] = field(default_factory=list)


class ArchiveRefused(FormError):  # noqa: N818 (a refusal the person reads, like ImageRejected)
    """The archive cannot be imported; the message says why, in plain words."""


def _refuse(why: str) -> ArchiveRefused:
    return ArchiveRefused(f"This archive can't be imported: {why}", "archive")


def clean_name(raw: str) -> str | None:
    """The member's path inside the archive, or None if it could point anywhere else."""
    name = unicodedata.normalize("NFC", raw)
    if not name or len(name) > 1024 or "\\" in name or "\x00" in name:
        return None
    if any(unicodedata.category(char) in {"Cc", "Cf"} for char in name):
        return None  # control and invisible formatting characters: no honest name has them
    path = PurePosixPath(name)
    if path.is_absolute() or ":" in path.parts[0] or ".." in path.parts:
        return None
    return "/".join(part for part in path.parts if part != ".")


class SafeArchive:
    """A ZIP whose directory passed every check; its members are read by clean name."""

    def __init__(self, path: Path, limits: Limits | None = None) -> None:
        self.limits = limits or Limits()
        try:
            self._zip = zipfile.ZipFile(path)
        except (zipfile.BadZipFile, OSError, EOFError) as error:
            raise _refuse("it is not a ZIP file, or it is damaged.") from error
        try:
            self.members = self._check()
        except BaseException:
            self._zip.close()
            raise

    def __enter__(self) -> SafeArchive:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._zip.close()

    def _check(self) -> dict[str, zipfile.ZipInfo]:
        infos = self._zip.infolist()
        limits = self.limits
        if len(infos) > limits.members:
            raise _refuse(f"it has more than {limits.members:,} files in it.")
        members: dict[str, zipfile.ZipInfo] = {}
        total = 0
        for info in infos:
            name = clean_name(info.filename)
            if name is None:
                raise _refuse("a file in it is named to be written outside the archive.")
            if stat.S_ISLNK(info.external_attr >> 16):
                raise _refuse("it holds a symbolic link.")
            if info.flag_bits & 0x1:
                raise _refuse("it is encrypted.")
            if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
                raise _refuse("it uses a kind of compression Sapling does not read.")
            if name in members:
                raise _refuse("two files in it have the same name.")
            if info.file_size > limits.member_bytes:
                raise _refuse(f"a file in it is larger than {limits.member_bytes // 2**20:,} MB.")
            expanded_enough = info.file_size > limits.ratio_floor
            if expanded_enough and info.file_size > limits.ratio * max(info.compress_size, 1):
                raise _refuse("a file in it expands far more than any photo (a zip bomb).")
            total += info.file_size
            if total > limits.total_bytes:
                raise _refuse(f"it expands to more than {limits.total_bytes // 2**30:,} GB.")
            if not info.is_dir():
                members[name] = info
        _check_no_overlap(infos)
        return members

    def open(self, name: str) -> IO[bytes]:
        """A member by its clean name (KeyError if there is none). zipfile stops it at its
        declared size and checks its CRC at the end, so it cannot expand further."""
        return self._zip.open(self.members[name])

    def read(self, name: str, limit: int) -> bytes:
        """A whole member, refused if it declares more than ``limit`` bytes."""
        info = self.members[name]
        if info.file_size > limit:
            raise _refuse(f"{PurePosixPath(name).name} is larger than {limit // 2**20:,} MB.")
        try:
            with self._zip.open(info) as member:
                return member.read()  # at most the declared size: zipfile stops there
        except (zipfile.BadZipFile, EOFError, OSError) as error:
            raise _refuse(f"{PurePosixPath(name).name} is damaged.") from error


def _check_no_overlap(infos: list[zipfile.ZipInfo]) -> None:
    """Each member's data ends before the next member's header starts: entries that share
    bytes are how a small archive expands without end."""
    # A local header is 30 bytes and the name; its extra field is not counted (it may
    # differ from the directory's), so the check errs towards letting an archive through.
    spans = sorted(
        (info.header_offset, info.header_offset + 30 + _name_bytes(info) + info.compress_size)
        for info in infos
    )
    for (_, end), (next_start, _) in pairwise(spans):
        if end > next_start:
            raise _refuse("its entries overlap (a zip bomb).")


def _name_bytes(info: zipfile.ZipInfo) -> int:
    encoding = "utf-8" if info.flag_bits & 0x800 else "cp437"
    return len(info.orig_filename.encode(encoding, errors="replace"))

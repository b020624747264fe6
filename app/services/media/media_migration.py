"""Copying an instance's media from this host's disk into its bucket (`flask media migrate
--to s3`), before MEDIA_STORAGE switches to s3 and once more just after.

What to copy is decided from one listing of each side up front (``plan``), never a request
per file. A file the bucket holds in the same area with the same size is skipped, so a
second run copies nothing and a run cut short is finished by the next: an upload appears
in the bucket only once it is complete, so a half-copied file is never taken for a copy.

Areas: while the disk is still the app's storage it is the truth, so a key that moved
since an earlier run lands in its new area and its objects in the old one are removed.
Once the app writes to the bucket (the run just after the switch), the bucket may hold
newer moves than the disk, so where the two disagree the key ends private: nothing one of
them holds private is made public, as with a move cut short by a crash.

The disk is only read: its files stay until the operator removes them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from app.services.media.local_storage import LocalMediaStorage
from app.services.media.s3_storage import S3MediaStorage
from app.services.media.storage_base import Located, MediaStorageError, file_name


@dataclass(frozen=True)
class Plan:
    """What a run will do, from one listing of the disk and one of the bucket."""

    copy: list[tuple[Located, int]]  # files to upload, with their sizes
    skipped: int  # files the bucket already holds
    clear: list[tuple[str, bool]]  # (key, public): the key's objects to remove from an area
    held_private: int = 0  # public files not copied: the bucket in use holds the key privately

    @property
    def size(self) -> int:
        return sum(size for _, size in self.copy)


@dataclass
class Outcome:
    copied: int = 0
    copied_bytes: int = 0
    cleared: int = 0  # areas emptied of a key that lives in the other
    failures: list[str] = field(default_factory=list)


def plan(source: LocalMediaStorage, target: S3MediaStorage, *, bucket_in_use: bool) -> Plan:
    """What to copy; ``bucket_in_use`` when the app already keeps its media in ``target``.
    Raises MediaStorageError when the bucket cannot be listed."""
    local = sorted(source.stored_files(), key=lambda item: describe(item[0]))
    in_bucket = dict(target.stored_files())
    local_areas = _areas(located for located, _ in local)
    bucket_areas = _areas(in_bucket)
    # The areas each key ends in: the disk's, but private where the bucket in use disagrees.
    ends_in = {
        key: {False} if bucket_in_use and bucket_areas.get(key, areas) != areas else areas
        for key, areas in local_areas.items()
    }
    copy: list[tuple[Located, int]] = []
    skipped = held_private = 0
    for located, size in local:
        if located.public not in ends_in[located.key]:
            held_private += 1
        elif in_bucket.get(located) == size:
            skipped += 1
        else:
            copy.append((located, size))
    clear = [
        (key, public)
        for key, areas in ends_in.items()
        for public in sorted(bucket_areas.get(key, set()) - areas)
    ]
    return Plan(copy, skipped, clear, held_private)


def migrate(
    source: LocalMediaStorage,
    target: S3MediaStorage,
    planned: Plan,
    *,
    progress: Callable[[Located, int], None] = lambda located, size: None,
) -> Outcome:
    """Upload what ``planned`` names, one file at a time and streamed from disk, then empty
    the areas it names. A file that fails is reported and the rest go on; the next run
    copies it again (its key, absent from the bucket by then, keeps its area on disk)."""
    outcome = Outcome()
    for located, size in planned.copy:
        try:
            target.copy_in(located, source.path_of(located))
        except (MediaStorageError, OSError) as error:  # OSError: gone from disk since
            outcome.failures.append(f"{describe(located)}: {error}")
        else:
            outcome.copied += 1
            outcome.copied_bytes += size
        progress(located, size)
    for key, public in planned.clear:
        try:
            target.clear_area(key, public=public)
        except MediaStorageError as error:
            outcome.failures.append(f"{area_name(public)}/{key}/: {error}")
        else:
            outcome.cleared += 1
    return outcome


def describe(located: Located) -> str:
    """``public/<key>/display.webp``: a file as the command lists it."""
    return f"{area_name(located.public)}/{located.key}/{file_name(located.variant)}"


def area_name(public: bool) -> str:
    return "public" if public else "private"


def _areas(files: Iterable[Located]) -> dict[str, set[bool]]:
    """The areas each key has files in."""
    areas: dict[str, set[bool]] = {}
    for located in files:
        areas.setdefault(located.key, set()).add(located.public)
    return areas

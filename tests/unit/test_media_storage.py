"""The local backend on a real filesystem: layout, permissions, moves between areas,
atomicity and path safety (tests/integration/test_media_backends.py holds what both
backends must do)."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from app.services.media.local_storage import LocalMediaStorage
from app.services.media.media_storage import media_storage, new_key

VARIANTS = {"display": b"display bytes", "medium": b"medium bytes", "thumb": b"thumb bytes"}


@pytest.fixture
def storage(tmp_path: Path) -> LocalMediaStorage:
    return LocalMediaStorage(tmp_path / "media")


@pytest.fixture
def strict_umask() -> Iterator[None]:
    previous = os.umask(0o077)
    yield
    os.umask(previous)


def files_under(root: Path) -> list[str]:
    return sorted(str(path.relative_to(root)) for path in root.rglob("*") if path.is_file())


def test_new_keys_are_random_hex_that_fits_the_column() -> None:
    keys = {new_key() for _ in range(100)}
    assert len(keys) == 100
    assert all(len(key) == 32 and int(key, 16) >= 0 and key == key.lower() for key in keys)


def test_save_locate_move_and_delete(storage: LocalMediaStorage, strict_umask: None) -> None:
    key = new_key()
    storage.save(key, VARIANTS, public=True)
    found = storage.locate(key, "display")
    assert found is not None
    assert found.public
    assert storage.path_of(found) == storage.root / "public" / key[:2] / key / "display.webp"
    assert storage.internal_uri(found) == f"/media/{key[:2]}/{key}/display.webp"
    assert storage.path_of(found).read_bytes() == b"display bytes"
    assert stat.S_IMODE(storage.path_of(found).stat().st_mode) == 0o644  # nginx must read them
    for folder in (
        storage.path_of(found).parent,
        storage.path_of(found).parent.parent,
        storage.root / "public",
    ):
        assert stat.S_IMODE(folder.stat().st_mode) == 0o755

    storage.set_public(key, False)
    storage.set_public(key, False)  # idempotent
    private = storage.locate(key, "thumb")
    assert private is not None
    assert not private.public
    assert storage.internal_uri(private) == f"/_private_media/{key[:2]}/{key}/thumb.webp"
    assert storage.path_of(private).read_bytes() == b"thumb bytes"
    assert files_under(storage.root / "public") == []
    assert not (storage.root / "public" / key[:2]).exists()  # empty folders go too

    storage.set_public(key, True)
    assert files_under(storage.root) == [
        f"public/{key[:2]}/{key}/{name}.webp" for name in ("display", "medium", "thumb")
    ]
    assert storage.locate(key, "avatar") is None  # a known variant this key does not have

    storage.delete(key)
    storage.delete(key)  # idempotent
    assert all(storage.locate(key, name) is None for name in VARIANTS)
    assert files_under(storage.root) == []


def test_a_video_is_copied_from_its_file_beside_its_posters_sizes(
    storage: LocalMediaStorage, tmp_path: Path, strict_umask: None
) -> None:
    """A rendition is too large to hold in memory: it is copied from the transcode's file,
    named .mp4, and moves between the areas with the rest of its key."""
    rendition = tmp_path / "large.mp4"
    rendition.write_bytes(b"\x00\x00\x00\x18ftypisom" + os.urandom(3 * 1024 * 1024))
    key = new_key()
    storage.save(key, {**VARIANTS, "video": rendition}, public=False)
    found = storage.locate(key, "video")
    assert found is not None
    assert storage.internal_uri(found) == f"/_private_media/{key[:2]}/{key}/video.mp4"
    assert storage.path_of(found).read_bytes() == rendition.read_bytes()
    assert stat.S_IMODE(storage.path_of(found).stat().st_mode) == 0o644
    assert rendition.exists(), "the transcode's own file is left to its workspace"
    storage.set_public(key, True)
    assert sorted(files_under(storage.root)) == sorted(
        f"public/{key[:2]}/{key}/{name}" for name in
        ("display.webp", "medium.webp", "thumb.webp", "video.mp4")
    )  # fmt: skip
    assert storage.locate(key, "video_small") is None


def test_a_private_save_is_private_and_a_resave_keeps_one_area(
    storage: LocalMediaStorage,
) -> None:
    key = new_key()
    storage.save(key, {"avatar": b"a", "avatar_small": b"s"}, public=False)
    found = storage.locate(key, "avatar_small")
    assert found is not None
    assert not found.public
    storage.save(key, {"avatar": b"b", "avatar_small": b"t"}, public=True)
    assert files_under(storage.root) == [
        f"public/{key[:2]}/{key}/avatar.webp",
        f"public/{key[:2]}/{key}/avatar_small.webp",
    ]


def test_moving_or_deleting_a_key_that_was_never_saved_is_fine(
    storage: LocalMediaStorage,
) -> None:
    key = new_key()
    storage.set_public(key, True)
    storage.delete(key)
    assert storage.locate(key, "display") is None
    assert list(storage.stored_keys()) == []


def test_moving_many_keys_moves_each_folder_whole_and_says_which_moved(
    storage: LocalMediaStorage,
) -> None:
    public, private, never_saved = new_key(), new_key(), new_key()
    storage.save(public, VARIANTS, public=True)
    storage.save(private, VARIANTS, public=False)

    assert storage.move([public, private, never_saved], public=False) == [public]
    assert storage.move([public, private], public=False) == []  # all there already
    assert files_under(storage.root / "public") == []
    assert list((storage.root / "public").iterdir()) == []  # no empty fan-out folder left
    assert storage.move([private, public], public=True) == [private, public]
    assert files_under(storage.root) == sorted(
        f"public/{key[:2]}/{key}/{name}.webp" for key in (public, private) for name in VARIANTS
    )
    assert (storage.root / "public" / public[:2] / public / "thumb.webp").read_bytes() == (
        b"thumb bytes"
    )


def test_a_move_cut_short_by_a_crash_is_completed_file_by_file(
    storage: LocalMediaStorage,
) -> None:
    key = new_key()
    storage.save(key, VARIANTS, public=True)
    half = storage.root / "private" / key[:2] / key  # one file had already moved
    half.mkdir(parents=True)
    (storage.root / "public" / key[:2] / key / "thumb.webp").replace(half / "thumb.webp")

    assert storage.move([key], public=False) == [key]
    assert files_under(storage.root) == [f"private/{key[:2]}/{key}/{n}.webp" for n in VARIANTS]


TRAVERSALS = ["../../etc/passwd", "..", "", "0" * 30 + "/.", "%2e%2e" + "0" * 26]
NOT_HEX_32 = ["0" * 31, "0" * 33, "A" * 32, "g" * 32, "0" * 31 + "\n"]


@pytest.mark.parametrize("key", TRAVERSALS + NOT_HEX_32)
def test_keys_that_are_not_32_hex_characters_are_refused(
    storage: LocalMediaStorage, key: str
) -> None:
    calls: list[Any] = [
        lambda: storage.save(key, VARIANTS, public=True),
        lambda: storage.locate(key, "display"),
        lambda: storage.set_public(key, False),
        lambda: storage.move([key], public=True),
        lambda: storage.delete(key),
    ]
    for call in calls:
        with pytest.raises(ValueError, match="32 lowercase hex"):
            call()
    assert not storage.root.exists()


@pytest.mark.parametrize(
    "variant", ["../display", "display/../../x", "Display", "original", "", "thumb.webp"]
)
def test_unknown_variant_names_are_refused(storage: LocalMediaStorage, variant: str) -> None:
    key = new_key()
    with pytest.raises(ValueError, match="Unknown media variant"):
        storage.locate(key, variant)
    with pytest.raises(ValueError, match="Unknown media variant"):
        storage.save(key, {"display": b"ok", variant: b"evil"}, public=True)
    assert not storage.root.exists()


def test_a_value_that_is_not_bytes_leaves_nothing_behind(storage: LocalMediaStorage) -> None:
    key = new_key()
    broken: dict[str, Any] = {"display": b"written first", "medium": "not bytes", "thumb": b"x"}
    with pytest.raises(TypeError, match=r"medium\.webp: expected bytes"):
        storage.save(key, broken, public=True)
    assert storage.locate(key, "display") is None
    assert files_under(storage.root) == []
    assert list(storage.root.rglob(key)) == []


def test_a_write_failing_half_way_removes_what_it_wrote(storage: LocalMediaStorage) -> None:
    key = new_key()
    folder = storage.root / "private" / key[:2] / key
    (folder / "thumb.webp").mkdir(parents=True)  # the last rename will hit a folder
    with pytest.raises(IsADirectoryError):
        storage.save(key, VARIANTS, public=False)
    assert files_under(storage.root) == []  # display and medium were removed, no temp files
    assert sorted(path.name for path in folder.iterdir()) == ["thumb.webp"]


def test_keys_lists_every_stored_key_once_with_its_newest_time(
    storage: LocalMediaStorage,
) -> None:
    public, private, moving = new_key(), new_key(), new_key()
    storage.save(public, VARIANTS, public=True)
    storage.save(private, VARIANTS, public=False)
    storage.save(moving, VARIANTS, public=True)
    for path in storage.root.rglob("*.webp"):
        os.utime(path, (1_000_000, 1_000_000))
    # A move caught half way: one file still public, two already private.
    stray = storage.root / "private" / moving[:2] / moving
    stray.mkdir(parents=True)
    (storage.root / "public" / moving[:2] / moving / "thumb.webp").replace(stray / "thumb.webp")
    os.utime(stray / "thumb.webp", (2_000_000, 2_000_000))
    (storage.root / "public" / "zz").mkdir()  # not a key: ignored
    (storage.root / "public" / "ab" / "not-a-key").mkdir(parents=True)
    (storage.root / ".readyz-probe").write_bytes(b"")

    assert sorted(storage.stored_keys()) == sorted(
        [(public, 1_000_000.0), (private, 1_000_000.0), (moving, 2_000_000.0)]
    )


def test_the_app_has_one_storage_at_its_media_root(tmp_path: Path) -> None:
    app = Flask(__name__)
    app.config["MEDIA_ROOT"] = str(tmp_path / "configured")
    with app.app_context():
        storage = media_storage()
        assert storage is media_storage()
        assert isinstance(storage, LocalMediaStorage)
        assert storage.root == tmp_path / "configured"


def test_the_app_refuses_a_storage_it_does_not_know() -> None:
    from app.config import ConfigError, TestingConfig

    with pytest.raises(ConfigError, match="MEDIA_STORAGE must be local or s3"):
        TestingConfig({"MEDIA_STORAGE": "ftp"})
    with pytest.raises(ConfigError, match="needs MEDIA_S3_BUCKET"):
        TestingConfig({"MEDIA_STORAGE": "s3"})
    with pytest.raises(ConfigError, match="MEDIA_S3_PREFIX may hold"):
        TestingConfig({"MEDIA_STORAGE": "s3", "MEDIA_S3_BUCKET": "b", "MEDIA_S3_PREFIX": "../x"})
    with pytest.raises(ConfigError, match="MEDIA_S3_ENDPOINT must be"):
        TestingConfig({"MEDIA_STORAGE": "s3", "MEDIA_S3_BUCKET": "b", "MEDIA_S3_ENDPOINT": "x"})
    settings = TestingConfig(
        {"MEDIA_STORAGE": "S3", "MEDIA_S3_BUCKET": "b", "MEDIA_S3_PREFIX": "/one//two"}
    )
    assert settings.MEDIA_STORAGE == "s3" and settings.MEDIA_S3_PREFIX == "one/two/"

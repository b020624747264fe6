"""`flask media migrate --to s3`: an instance on local disk copies its media into a real
bucket (SeaweedFS, tests/support/s3_server.py) before it switches MEDIA_STORAGE to s3."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Any

import pytest
import requests
from click.testing import Result
from flask import Flask

from app.services.media import media_migration
from app.services.media.local_storage import LocalMediaStorage
from app.services.media.s3_storage import S3MediaStorage
from app.services.media.storage_base import PUBLIC_CACHE, Located, new_key
from scripts.loopback import free_port
from tests.support.apps import build_app
from tests.support.s3_server import S3Server, shared_server

pytestmark = pytest.mark.media

PHOTO = {"display": b"display " * 500, "medium": b"medium " * 200, "thumb": b"thumb"}
VIDEO_SIZE = 17 * 1024 * 1024  # above the multipart threshold: it goes up in parts


@pytest.fixture(scope="module")
def s3() -> S3Server:
    return shared_server()


@pytest.fixture
def settings(s3: S3Server) -> dict[str, Any]:
    """The bucket's settings (a folder of its own), on an instance still on local disk."""
    return {**s3.settings(), "MEDIA_STORAGE": "local"}


@pytest.fixture
def app(database_url: str, tmp_path: Path, settings: dict[str, Any]) -> Flask:
    return build_app(database_url, tmp_path / "media", settings)


@pytest.fixture
def disk(app: Flask) -> LocalMediaStorage:
    return LocalMediaStorage(app.config["MEDIA_ROOT"])


def migrate(app: Flask, *options: str) -> Result:
    with app.app_context():
        return app.test_cli_runner().invoke(args=["media", "migrate", "--to", "s3", *options])


def bucket(app: Flask) -> S3MediaStorage:
    return S3MediaStorage.from_config(app.config)


def in_bucket(app: Flask) -> dict[str, int]:
    """Every object of the instance's folder, as ``<area>/<key>/<file>``, with its size."""
    storage = bucket(app)
    pages = storage.client.get_paginator("list_objects_v2")
    found = {}
    for page in pages.paginate(Bucket=storage.bucket, Prefix=storage.prefix):
        for entry in page.get("Contents", []):
            area, key, name = entry["Key"].removeprefix(storage.prefix).split("/")
            found[f"{'public' if area == 'media' else area}/{key}/{name}"] = entry["Size"]
    return found


def on_disk(disk: LocalMediaStorage) -> dict[str, int]:
    """Every file under MEDIA_ROOT, named as ``in_bucket`` names objects."""
    files = [path.relative_to(disk.root) for path in disk.root.rglob("*") if path.is_file()]
    return {f"{p.parts[0]}/{p.parts[2]}/{p.name}": (disk.root / p).stat().st_size for p in files}


def digest(stream: Any) -> str:
    sha = hashlib.sha256()
    while block := stream.read(1024 * 1024):
        sha.update(block)
    return sha.hexdigest()


def test_every_file_lands_in_its_area_with_its_bytes_and_type(
    app: Flask, disk: LocalMediaStorage, tmp_path: Path
) -> None:
    shown, hidden, avatar, video = new_key(), new_key(), new_key(), new_key()
    disk.save(shown, PHOTO, public=True)
    disk.save(hidden, PHOTO, public=False)
    disk.save(avatar, {"avatar": b"a" * 900, "avatar_small": b"s" * 90}, public=True)
    rendition = tmp_path / "rendition.mp4"
    rendition.write_bytes(os.urandom(VIDEO_SIZE))
    disk.save(video, {"video": rendition, "thumb": b"poster"}, public=False)

    result = migrate(app)
    assert result.exit_code == 0, result.output
    assert "Copied 10 files (17.8 MB), skipped 0 already in the bucket, 0 failed." in result.output
    assert "left in place" in result.output
    assert in_bucket(app) == on_disk(disk)  # every file, in its area, at its size

    storage = bucket(app)
    for name in on_disk(disk):
        area, key, file = name.split("/")
        object_key = f"{storage.areas[area == 'public']}/{key}/{file}"
        head = storage.client.head_object(Bucket=storage.bucket, Key=object_key)
        assert head["ContentType"] == ("video/mp4" if file.endswith(".mp4") else "image/webp")
        assert head["CacheControl"] == (PUBLIC_CACHE if area == "public" else "private, no-store")
        body = storage.client.get_object(Bucket=storage.bucket, Key=object_key)["Body"]
        with (disk.root / area / key[:2] / key / file).open("rb") as local:
            assert digest(body) == digest(local)

    # Public files are served by the bucket to anyone; private ones never are.
    public = requests.get(f"{storage.public_url}/media/{shown}/display.webp", timeout=30)
    assert public.status_code == 200 and public.content == PHOTO["display"]
    private = requests.get(f"{storage.public_url}/private/{hidden}/display.webp", timeout=30)
    assert private.status_code in (403, 404)

    again = migrate(app)
    assert again.exit_code == 0, again.output
    assert "Copied 0 files (0 bytes), skipped 10 already in the bucket, 0 failed." in again.output
    assert len(on_disk(disk)) == 10  # the disk is only read


def test_a_run_cut_short_is_finished_by_the_next(app: Flask, disk: LocalMediaStorage) -> None:
    keys = [new_key() for _ in range(4)]
    for number, key in enumerate(keys):
        disk.save(key, PHOTO, public=number % 2 == 0)

    def stop_after_five(located: object, size: int) -> None:
        calls.append(size)
        if len(calls) == 5:
            raise KeyboardInterrupt  # the operator's Ctrl-C

    calls: list[int] = []
    with app.app_context():
        source, target = LocalMediaStorage(app.config["MEDIA_ROOT"]), bucket(app)
        planned = media_migration.plan(source, target, bucket_in_use=False)
        with pytest.raises(KeyboardInterrupt):
            media_migration.migrate(source, target, planned, progress=stop_after_five)
    assert len(in_bucket(app)) == 5

    result = migrate(app)
    assert "Copied 7 files" in result.output and "skipped 5 already" in result.output
    assert in_bucket(app) == on_disk(disk)

    # Objects lost from the bucket since (or never finished) are copied again.
    storage = bucket(app)
    lost = storage.object_key(keys[1], "medium", public=False)
    storage.client.delete_object(Bucket=storage.bucket, Key=lost)
    assert "Copied 1 file " in migrate(app).output
    assert in_bucket(app) == on_disk(disk)


def test_a_key_that_moved_since_an_earlier_run_ends_in_its_new_area_only(
    app: Flask, disk: LocalMediaStorage
) -> None:
    made_private, made_public = new_key(), new_key()
    disk.save(made_private, PHOTO, public=True)
    disk.save(made_public, PHOTO, public=False)
    assert migrate(app).exit_code == 0

    disk.set_public(made_private, False)
    disk.set_public(made_public, True)
    result = migrate(app)
    assert result.exit_code == 0, result.output
    assert "Copied 6 files" in result.output
    assert "Removed 2 keys' files from the bucket's other area" in result.output
    assert in_bucket(app) == on_disk(disk)
    url = f"{bucket(app).public_url}/media/{made_private}/display.webp"
    assert requests.get(url, timeout=30).status_code in (403, 404)


def test_the_run_after_the_switch_never_makes_public_what_either_side_holds_private(
    database_url: str, app: Flask, disk: LocalMediaStorage, settings: dict[str, Any]
) -> None:
    hidden_since, hidden_before, uploaded_before = new_key(), new_key(), new_key()
    disk.save(hidden_since, PHOTO, public=True)
    disk.save(hidden_before, PHOTO, public=True)
    assert migrate(app).exit_code == 0
    # Before the restart, on disk: one photo made private, one uploaded.
    disk.set_public(hidden_before, False)
    disk.save(uploaded_before, PHOTO, public=True)

    switched = build_app(database_url, disk.root, {**settings, "MEDIA_STORAGE": "s3"})
    bucket(switched).set_public(hidden_since, False)  # after the restart, in the bucket
    result = migrate(switched)
    assert result.exit_code == 0, result.output
    assert "Copied 6 files" in result.output
    assert "Left out 3 files public on disk: the bucket, in use, holds them privately" in (
        result.output
    )
    assert "remove its public/ and private/ folders" in result.output
    assert set(in_bucket(switched)) == {
        f"{area}/{key}/{name}.webp"
        for area, key in (
            ("private", hidden_since),
            ("private", hidden_before),
            ("public", uploaded_before),
        )
        for name in PHOTO
    }


def test_missing_bucket_settings_or_a_bucket_that_does_not_answer_is_a_clear_error(
    database_url: str, tmp_path: Path, settings: dict[str, Any], disk: LocalMediaStorage
) -> None:
    disk.save(new_key(), PHOTO, public=True)
    unset = build_app(
        database_url, tmp_path / "media", {"MEDIA_STORAGE": "local", "MEDIA_S3_BUCKET": ""}
    )
    result = migrate(unset)
    assert result.exit_code == 1
    assert "MEDIA_S3_BUCKET is not set" in result.output
    assert "Traceback" not in result.output

    closed = {**settings, "MEDIA_S3_ENDPOINT": f"http://127.0.0.1:{free_port()}"}
    for broken in (closed, {**settings, "MEDIA_S3_BUCKET": "no-such-bucket"}):
        result = migrate(build_app(database_url, tmp_path / "media", broken))
        assert result.exit_code == 1
        assert "Could not read the bucket" in result.output
        assert "Traceback" not in result.output


def test_a_dry_run_lists_what_it_would_copy_and_copies_nothing(
    app: Flask, disk: LocalMediaStorage
) -> None:
    key = new_key()
    disk.save(key, PHOTO, public=False)
    result = migrate(app, "--dry-run")
    assert result.exit_code == 0, result.output
    assert f"Would copy private/{key}/display.webp (4.0 kB)" in result.output
    assert "Would copy 3 files (5.4 kB), skip 0 already in the bucket." in result.output
    assert in_bucket(app) == {}


def test_a_file_that_fails_is_reported_and_the_rest_are_copied(
    app: Flask, disk: LocalMediaStorage
) -> None:
    """A file gone from the disk between the plan and its copy (a real failure, no fake):
    reported by name, the other files copied, and the next run copies it once it is back."""
    refused, fine = new_key(), new_key()
    disk.save(refused, PHOTO, public=True)
    disk.save(fine, PHOTO, public=True)
    with app.app_context():
        source, target = LocalMediaStorage(app.config["MEDIA_ROOT"]), bucket(app)
        planned = media_migration.plan(source, target, bucket_in_use=False)
        lost = source.path_of(Located(refused, "medium", True))
        kept = lost.read_bytes()
        lost.unlink()
        outcome = media_migration.migrate(source, target, planned)
    assert outcome.copied == 5
    [failure] = outcome.failures
    assert failure.startswith(f"public/{refused}/medium.webp: ")

    lost.write_bytes(kept)
    result = migrate(app)
    assert result.exit_code == 0, result.output
    assert "Copied 1 file " in result.output
    assert in_bucket(app) == on_disk(disk)

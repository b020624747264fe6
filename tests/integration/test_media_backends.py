"""What both media backends must do, run on each: the local disk, and a real S3 server
(SeaweedFS, tests/support/s3_server.py).

The interface is narrow (save, move, locate, open, send, delete, list) so that what a real
bucket does differently, such as listings, multipart uploads and ranges, is all exercised
here. tests/unit/test_media_storage.py holds what only the disk has (modes, fsync, fan-out
folders).
"""

from __future__ import annotations

import io
import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from flask import Flask

from app.services.media.local_storage import LocalMediaStorage
from app.services.media.media_storage import MediaStorage, MediaStorageError, new_key, read
from app.services.media.s3_storage import S3MediaStorage
from app.services.media.storage_base import Located
from tests.support.s3_server import S3Server, shared_server

pytestmark = pytest.mark.media

VARIANTS = {"display": b"display bytes", "medium": b"medium bytes", "thumb": b"thumb bytes"}


@pytest.fixture(scope="module")
def s3() -> S3Server:
    return shared_server()


def s3_storage(server: S3Server, **options: Any) -> S3MediaStorage:
    """An S3 storage in a folder of its own in the shared bucket."""
    settings = server.settings()
    return S3MediaStorage(
        server.client(),
        settings["MEDIA_S3_BUCKET"],
        public_url=f"{server.endpoint}/{settings['MEDIA_S3_BUCKET']}/{settings['MEDIA_S3_PREFIX']}",
        prefix=settings["MEDIA_S3_PREFIX"],
        **options,
    )


@pytest.fixture(params=["local", "s3"])
def storage(request: pytest.FixtureRequest, tmp_path: Path) -> MediaStorage:
    if request.param == "local":
        return LocalMediaStorage(tmp_path / "media")
    return s3_storage(request.getfixturevalue("s3"))


def stored(storage: MediaStorage) -> list[str]:
    """Every stored file, as ``<area>/<key>/<file>``, whatever the backend's own layout."""
    if isinstance(storage, LocalMediaStorage):
        return sorted(
            f"{path.relative_to(storage.root).parts[0]}/{path.parent.name}/{path.name}"
            for path in storage.root.rglob("*")
            if path.is_file() and not path.name.startswith(".")
        )
    assert isinstance(storage, S3MediaStorage)
    pages = storage.client.get_paginator("list_objects_v2")
    names = []
    for page in pages.paginate(Bucket=storage.bucket, Prefix=storage.prefix):
        for entry in page.get("Contents", []):
            area, key, name = entry["Key"].removeprefix(storage.prefix).split("/")
            names.append(f"{'public' if area == 'media' else area}/{key}/{name}")
    return sorted(names)


def files(key: str, area: str, names: Any = VARIANTS) -> list[str]:
    return sorted(f"{area}/{key}/{name}.webp" for name in names)


def copy_to_other_area(storage: MediaStorage, key: str, variant: str) -> None:
    """What a move cut short by a crash leaves: one file in both areas."""
    if isinstance(storage, LocalMediaStorage):
        source = storage.path_of(Located(key, variant, True))
        target = storage.path_of(Located(key, variant, False))
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(source.read_bytes())
        return
    assert isinstance(storage, S3MediaStorage)
    storage.client.copy_object(
        Bucket=storage.bucket,
        Key=storage.object_key(key, variant, public=False),
        CopySource={"Bucket": storage.bucket, "Key": storage.object_key(key, variant, public=True)},
    )


def test_a_saved_key_is_found_read_moved_and_deleted(storage: MediaStorage) -> None:
    key = new_key()
    storage.save(key, VARIANTS, public=True)
    assert storage.locate(key, "display") == Located(key, "display", True)
    assert read(storage, key, "medium") == b"medium bytes"
    assert stored(storage) == files(key, "public")

    storage.set_public(key, False)
    storage.set_public(key, False)  # idempotent
    assert storage.locate(key, "thumb") == Located(key, "thumb", False)
    assert read(storage, key, "thumb") == b"thumb bytes"
    assert stored(storage) == files(key, "private")

    assert storage.locate(key, "avatar") is None  # a variant this key does not have
    storage.delete(key)
    storage.delete(key)  # idempotent
    assert stored(storage) == []
    assert read(storage, key, "display") is None


def test_a_save_keeps_one_area_and_a_never_saved_key_is_no_error(storage: MediaStorage) -> None:
    key, never = new_key(), new_key()
    storage.save(key, {"avatar": b"a", "avatar_small": b"s"}, public=False)
    storage.save(key, {"avatar": b"b", "avatar_small": b"t"}, public=True)
    assert stored(storage) == files(key, "public", ["avatar", "avatar_small"])
    assert read(storage, key, "avatar") == b"b"
    storage.set_public(never, True)
    storage.delete(never)
    assert storage.move([never], public=False) == []


def test_a_failed_save_leaves_nothing_behind(storage: MediaStorage) -> None:
    key = new_key()
    broken: dict[str, Any] = {"display": b"written first", "medium": "not bytes", "thumb": b"x"}
    with pytest.raises(TypeError, match=r"medium\.webp: expected bytes"):
        storage.save(key, broken, public=True)
    assert stored(storage) == []


def test_moving_many_keys_says_which_moved(storage: MediaStorage) -> None:
    public, private, never = new_key(), new_key(), new_key()
    storage.save(public, VARIANTS, public=True)
    storage.save(private, VARIANTS, public=False)
    assert storage.move([public, private, never], public=False) == [public]
    assert storage.move([public, private], public=False) == []
    assert stored(storage) == sorted(files(public, "private") + files(private, "private"))
    assert sorted(storage.move([private, public], public=True)) == sorted([private, public])
    assert stored(storage) == sorted(files(public, "public") + files(private, "public"))
    assert read(storage, private, "thumb") == b"thumb bytes"


def test_a_move_cut_short_by_a_crash_is_listed_once_and_finished_by_the_next(
    storage: MediaStorage,
) -> None:
    key = new_key()
    storage.save(key, VARIANTS, public=True)
    copy_to_other_area(storage, key, "thumb")  # copied, the crash came before the delete
    assert [listed for listed, _ in storage.stored_keys()] == [key]
    assert storage.move([key], public=False) == [key]
    assert stored(storage) == files(key, "private")
    assert read(storage, key, "thumb") == b"thumb bytes"


def test_listing_and_usage_cover_both_areas(storage: MediaStorage) -> None:
    keys = sorted(new_key() for _ in range(5))
    before = time.time()
    for index, key in enumerate(keys):
        storage.save(key, VARIANTS, public=index % 2 == 0)
    listed = dict(storage.stored_keys())
    assert sorted(listed) == keys
    assert all(when >= before - 5 for when in listed.values())  # a clock of its own
    assert storage.usage() == (15, 5 * sum(len(data) for data in VARIANTS.values()))


def test_each_stored_file_is_listed_with_its_area_and_size(storage: MediaStorage) -> None:
    """What a migration from the disk to a bucket compares: names no save writes (a
    write's temporary file, a stranger's object) are passed over."""
    shown, hidden = new_key(), new_key()
    storage.save(shown, {"display": b"12345"}, public=True)
    storage.save(hidden, {"thumb": b"123", "video": b"1234567"}, public=False)
    if isinstance(storage, LocalMediaStorage):
        (storage.path_of(Located(shown, "display", True)).parent / ".x.part").write_bytes(b"0")
    else:
        assert isinstance(storage, S3MediaStorage)
        stray = f"{storage.areas[True]}/{shown}/notes.txt"
        storage.client.put_object(Bucket=storage.bucket, Key=stray, Body=b"0")
    assert isinstance(storage, LocalMediaStorage | S3MediaStorage)
    assert sorted(storage.stored_files(), key=lambda item: item[1]) == [
        (Located(hidden, "thumb", False), 3),
        (Located(shown, "display", True), 5),
        (Located(hidden, "video", False), 7),
    ]


def test_open_streams_the_file_and_says_when_it_went(storage: MediaStorage) -> None:
    key = new_key()
    storage.save(key, VARIANTS, public=False)
    located = storage.locate(key, "display")
    assert located is not None
    with storage.open(located) as (stream, size):
        assert (stream.read(7), size) == (b"display", len(b"display bytes"))
    storage.delete(key)
    with pytest.raises(FileNotFoundError), storage.open(located):
        pass


def test_a_large_file_is_stored_from_its_path_and_read_back_a_block_at_a_time(
    storage: MediaStorage, tmp_path: Path
) -> None:
    """A video rendition: copied from the transcode's file (in parts, on S3), never held."""
    rendition = tmp_path / "rendition.mp4"
    rendition.write_bytes(os.urandom(17 * 1024 * 1024))  # above the multipart threshold
    key = new_key()
    storage.save(key, {"display": b"poster", "video": rendition}, public=True)
    located = storage.locate(key, "video")
    assert located is not None
    with storage.open(located) as (stream, size):
        assert size == rendition.stat().st_size
        copied = io.BytesIO()
        while block := stream.read(1024 * 1024):
            copied.write(block)
    assert copied.getvalue() == rendition.read_bytes()
    assert rendition.exists(), "the transcode's own file is left to its workspace"
    if isinstance(storage, S3MediaStorage):
        head = storage.client.head_object(
            Bucket=storage.bucket, Key=storage.object_key(key, "video", public=True), PartNumber=1
        )
        assert head.get("PartsCount", 1) > 1, "uploaded in parts"
    storage.set_public(key, False)
    assert read(storage, key, "display") == b"poster"
    assert storage.locate(key, "video") == Located(key, "video", False)


@pytest.mark.parametrize("key", ["../../etc/passwd", "..", "0" * 31, "A" * 32, "0" * 31 + "\n"])
def test_keys_and_variants_that_could_escape_are_refused(storage: MediaStorage, key: str) -> None:
    with pytest.raises(ValueError, match="32 lowercase hex"):
        storage.save(key, VARIANTS, public=True)
    with pytest.raises(ValueError, match="32 lowercase hex"):
        storage.move([key], public=True)
    with pytest.raises(ValueError, match="Unknown media variant"):
        storage.save(new_key(), {"display": b"ok", "../x": b"evil"}, public=True)
    assert stored(storage) == []


def test_the_readiness_check_passes_on_a_working_storage(storage: MediaStorage) -> None:
    storage.check()
    assert stored(storage) == []


# What only the bucket does: its policy, its signatures and the ways files leave it.


def test_anyone_reads_a_public_object_and_nobody_a_private_one(s3: S3Server) -> None:
    storage = s3_storage(s3)
    shown, hidden = new_key(), new_key()
    storage.save(shown, VARIANTS, public=True)
    storage.save(hidden, VARIANTS, public=False)
    answer = requests.get(f"{storage.public_url}/media/{shown}/display.webp", timeout=30)
    assert answer.status_code == 200 and answer.content == b"display bytes"
    assert answer.headers["Content-Type"] == "image/webp"
    assert "max-age=31536000" in answer.headers["Cache-Control"]
    base = f"{s3.endpoint}/{storage.bucket}/{storage.prefix}"
    for path in (f"private/{hidden}/display.webp", f"media/{hidden}/display.webp"):
        assert requests.get(base + path, timeout=30).status_code in (403, 404)

    storage.set_public(shown, False)  # a URL someone kept stops working
    kept = requests.get(f"{storage.public_url}/media/{shown}/display.webp", timeout=30)
    assert kept.status_code in (403, 404)


def test_a_wrong_secret_is_refused_and_reported_as_unavailable(
    s3: S3Server, tmp_path: Path
) -> None:
    settings = s3.settings()
    storage = S3MediaStorage(
        s3.client(secret_key="not-the-secret"),
        settings["MEDIA_S3_BUCKET"],
        public_url=s3.endpoint,
        prefix=settings["MEDIA_S3_PREFIX"],
    )
    with pytest.raises(MediaStorageError, match=r"SignatureDoesNotMatch|AccessDenied"):
        storage.check()
    with pytest.raises(MediaStorageError):
        storage.save(new_key(), VARIANTS, public=True)
    video = tmp_path / "video.mp4"  # a file goes up through boto3's transfer manager
    video.write_bytes(b"not really a video")
    with pytest.raises(MediaStorageError):
        storage.save(new_key(), {"video": video}, public=False)


def test_a_bucket_out_of_reach_is_unavailable_not_a_crash(s3: S3Server) -> None:
    from app.services.media.s3_storage import make_client
    from scripts.loopback import free_port

    closed = f"http://127.0.0.1:{free_port()}"
    config = {**s3.settings(), "MEDIA_S3_ENDPOINT": closed, "MEDIA_PUBLIC_URL": ""}
    client = make_client(config)
    storage = S3MediaStorage(client, config["MEDIA_S3_BUCKET"], public_url=closed)
    for call in (
        storage.check,
        lambda: storage.locate(new_key(), "display"),
        lambda: storage.save(new_key(), VARIANTS, public=True),
        lambda: storage.delete(new_key()),
        lambda: list(storage.stored_keys()),
    ):
        with pytest.raises(MediaStorageError):
            call()


@pytest.fixture
def request_app() -> Iterator[Flask]:
    app = Flask(__name__)
    with app.test_request_context():
        yield app


def test_a_public_object_is_sent_as_a_redirect_to_its_url(s3: S3Server, request_app: Flask) -> None:
    storage = s3_storage(s3)
    key = new_key()
    storage.save(key, VARIANTS, public=True)
    response = storage.send(Located(key, "display", True), cache_control="ignored")
    assert response.status_code == 302
    assert response.headers["Location"] == f"{storage.public_url}/media/{key}/display.webp"


def test_without_nginx_a_private_object_is_streamed_by_the_app_with_ranges(
    s3: S3Server, tmp_path: Path
) -> None:
    storage = s3_storage(s3)
    key = new_key()
    body = os.urandom(300_000)
    storage.save(key, {"display": body}, public=False)
    located = Located(key, "display", False)
    app = Flask(__name__)
    with app.test_request_context():
        whole = storage.send(located, cache_control="private, max-age=600")
        assert whole.status_code == 200
        assert b"".join(whole.response) == body
        assert whole.headers["Cache-Control"] == "private, max-age=600"
        assert whole.headers["Content-Length"] == str(len(body))
        etag = whole.headers["ETag"]
        whole.close()
    with app.test_request_context(headers={"Range": "bytes=100-199"}):
        part = storage.send(located, cache_control="private, max-age=600")
        assert part.status_code == 206
        assert part.headers["Content-Range"] == f"bytes 100-199/{len(body)}"
        assert b"".join(part.response) == body[100:200]
        part.close()
    with app.test_request_context(headers={"If-None-Match": etag}):
        assert storage.send(located, cache_control="private").status_code == 304
    with app.test_request_context(headers={"Range": f"bytes={len(body) + 10}-"}):
        assert storage.send(located, cache_control="private").status_code == 416
    storage.delete(key)
    with app.test_request_context():
        assert storage.send(located, cache_control="private").status_code == 404


def test_behind_nginx_a_private_object_goes_by_a_presigned_url_that_expires(
    s3: S3Server,
) -> None:
    """The app hands nginx a signed path (good for MEDIA_S3_URL_SECONDS); the bucket answers
    it with the Cache-Control signed into it, and refuses it once it has expired."""
    storage = s3_storage(s3, x_accel=True, url_seconds=2)
    key = new_key()
    storage.save(key, VARIANTS, public=False)
    app = Flask(__name__)
    with app.test_request_context():
        response = storage.send(Located(key, "thumb", False), cache_control="private, max-age=600")
    accel = response.headers["X-Accel-Redirect"]
    assert accel.startswith(f"/_s3_media/{storage.bucket}/{storage.prefix}private/{key}/")
    assert "X-Amz-Signature=" in accel and "X-Amz-Expires=2" in accel
    assert response.get_data() == b""
    signed = s3.endpoint + accel.removeprefix("/_s3_media")
    answer = requests.get(signed, timeout=30)
    assert answer.status_code == 200 and answer.content == b"thumb bytes"
    assert answer.headers["Cache-Control"] == "private, max-age=600"
    assert requests.get(signed.replace("thumb.webp", "display.webp"), timeout=30).status_code == 403

    deadline = time.monotonic() + 60
    while requests.get(signed, timeout=30).status_code == 200:  # wait for the state
        assert time.monotonic() < deadline, "a presigned URL must expire"
        time.sleep(0.5)
    assert requests.get(signed, timeout=30).status_code == 403

"""Video posts through the real form and the real worker (issue #20), on Debian's ffmpeg.

A phone's MOV, carrying a location, make, model and a creation date, is uploaded; the
page says "processing"; the worker's job transcodes it and makes the post; every stored
rendition is read back with ffprobe and searched byte by byte. Each hostile upload is
refused in the request with the reason, and leaves nothing on disk or in the database.
"""

from __future__ import annotations

import io
import os
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest
import requests
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import selectinload
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.test import encode_multipart

from app.extensions import db
from app.models import MediaKind, PendingPost, PendingStatus, Photo, Post, User, utcnow
from app.services.content import pending_posts
from app.services.operations.queues import queues
from app.services.privacy import export_archive
from app.worker import jobs
from tests.factories import create_user
from tests.support import images
from tests.support.auth import AuthActions
from tests.support.instagram import TIMES, media, write_archive
from tests.support.pages import csrf_token_for
from tests.support.stored_media import StoredFile, media_files
from tests.support.uploads import rows
from tests.support.videos import assert_nothing_personal, ffmpeg, ffprobe, needs_ffmpeg, phone_mov

pytestmark = [needs_ffmpeg, pytest.mark.media]

FRAGMENT = {"X-Sapling-Fragment": "1"}


@pytest.fixture(scope="module")
def phone(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    return phone_mov(tmp_path_factory.mktemp("phone")).read_bytes()


def share(
    client: FlaskClient, *files: tuple[bytes, str, str], **fields: str
) -> tuple[int, str, str]:
    """The new-post form sent with these files. The body is encoded here, in memory: the
    test client spools a large one to a temporary file that it never closes (when it is
    not following redirects)."""
    form = MultiDict(
        [
            ("csrf_token", csrf_token_for(client)),
            ("visibility", "public"),
            ("caption", "Bells at noon #paris"),
            *fields.items(),
            *[
                ("photos", FileStorage(io.BytesIO(content), name, content_type=kind))
                for content, name, kind in files
            ],
        ]
    )
    boundary, body = encode_multipart(form)
    kind = f'multipart/form-data; boundary="{boundary}"'
    with client.post("/p/new", data=body, content_type=kind) as response:
        return response.status_code, response.headers.get("Location", ""), response.get_data(True)


def run_worker(app: Flask) -> str:
    with app.app_context():
        return jobs.process_videos(lambda: False) or ""


def incoming(app: Flask) -> list[Path]:
    root = Path(app.config["MEDIA_ROOT"]) / "incoming"
    return sorted(path for path in root.rglob("*") if path.is_file()) if root.exists() else []


def stored(app: Flask) -> list[StoredFile]:
    return media_files(app)


def pending_rows(app: Flask) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(PendingPost)) or 0


def the_post(app: Flask) -> Post:
    with app.app_context():
        post = db.session.scalars(sa.select(Post).options(selectinload(Post.photos))).one()
        db.session.expunge_all()
        return post


def test_a_phone_video_is_processed_by_the_worker_and_keeps_nothing_personal(
    app: Flask, client: FlaskClient, auth: AuthActions, user: User, phone: bytes
) -> None:
    auth.login("juniper")
    status, location, _ = share(
        client, (phone, "IMG_0042.MOV", "video/quicktime"), **{"alt_texts-0": "Bells ringing"}
    )
    assert status == 303 and location.startswith("/p/pending/")
    assert rows(app) == (0, 0), "no post until its video is ready"
    with app.app_context():
        assert queues().videos.waiting == 1, "the operators see it waiting"
    page = client.get(location).get_data(as_text=True)
    assert "Waiting for its turn" in page and "Check again" in page
    assert client.get(location, headers=FRAGMENT).get_json() == {"status": "waiting"}

    assert run_worker(app) == "Posted 1, failed 0."
    done = client.get(location)
    assert done.status_code == 303
    post = the_post(app)
    assert done.headers["Location"] == f"/p/{post.id}"
    (video,) = post.photos
    assert video.kind == MediaKind.VIDEO and video.alt_text == "Bells ringing"
    assert (video.width, video.height) == (360, 640), "the rotation is in the pixels"
    assert 1900 <= (video.duration_ms or 0) <= 2100
    assert incoming(app) == [], "the upload itself is gone"

    files = stored(app)
    assert sorted(p.name for p in files) == sorted(
        ["display.webp", "medium.webp", "thumb.webp", "video.mp4"]
    )
    for path in files:
        if path.suffix == ".mp4":
            with path.as_path() as copy:
                assert_nothing_personal(copy)
        for secret in (b"48.8584", b"iPhone", b"Apple", b"2024-05-01"):
            assert secret not in path.read_bytes(), (path.name, secret)
    (rendition,) = [p for p in files if p.suffix == ".mp4"]
    with rendition.as_path() as path:
        streams = ffprobe(path)["streams"]
    assert [s["codec_name"] for s in streams] == ["h264", "aac"]

    shown = client.get(f"/p/{post.id}").get_data(as_text=True)
    assert 'controls preload="none"' in shown and "autoplay" not in shown
    assert 'aria-label="Bells ringing"' in shown
    base = app.config["MEDIA_PUBLIC_URL"]  # "" on disk; the bucket on S3
    assert f'<source src="{base}/media/{video.storage_key}/video.mp4" type="video/mp4">' in shown
    assert f'poster="{base}/media/{video.storage_key}/display.webp"' in shown
    assert "js/video.js" in shown
    seek = {"Range": "bytes=0-99"}
    with client.get(f"/media/{video.storage_key}/video.mp4", headers=seek) as ranged:
        if ranged.status_code == 302:  # on S3, the bucket answers the seek
            answer = requests.get(ranged.headers["Location"], headers=seek, timeout=30)
            status, data, mimetype = (
                answer.status_code,
                answer.content,
                answer.headers["Content-Type"],
            )
        else:
            status, data, mimetype = ranged.status_code, ranged.data, ranged.mimetype
    assert status == 206 and len(data) == 100
    assert mimetype == "video/mp4"


def test_a_full_hd_phone_video_gets_both_renditions_each_clean(
    app: Flask, client: FlaskClient, auth: AuthActions, user: User, tmp_path: Path
) -> None:
    """1920 x 1080 turned upright: 1080 and 720 on the shorter side, both read back."""
    auth.login("juniper")
    clip = phone_mov(tmp_path, seconds=1, size="1920x1080").read_bytes()
    share(client, (clip, "IMG_0043.MOV", "video/quicktime"))
    assert run_worker(app) == "Posted 1, failed 0."
    (video,) = the_post(app).photos
    assert video.has_small
    renditions = {p.name: p for p in stored(app) if p.suffix == ".mp4"}
    assert set(renditions) == {"video.mp4", "video_small.mp4"}
    sizes = {}
    for name, stored_file in renditions.items():
        with stored_file.as_path() as path:
            assert_nothing_personal(path)
            streams = ffprobe(path)["streams"]
        (picture,) = [s for s in streams if s["codec_type"] == "video"]
        sizes[name] = (picture["width"], picture["height"])
    assert sizes == {"video.mp4": (1080, 1920), "video_small.mp4": (720, 1280)}
    shown = client.get(f"/p/{the_post(app).id}").get_data(as_text=True)
    base = app.config["MEDIA_PUBLIC_URL"]  # "" on disk; the bucket on S3
    small = (
        f'<source src="{base}/media/{video.storage_key}/video_small.mp4" type="video/mp4" media='
    )
    assert small in shown, "narrow screens play the smaller one"


def test_photos_and_a_video_in_one_post_keep_their_order(
    app: Flask, client: FlaskClient, auth: AuthActions, user: User, phone: bytes
) -> None:
    auth.login("juniper")
    status, location, _ = share(
        client,
        (images.jpeg(), "one.jpg", "image/jpeg"),
        (phone, "two.mov", "video/quicktime"),
        (images.png(), "three.png", "image/png"),
    )
    assert status == 303
    run_worker(app)
    kinds = [photo.kind for photo in the_post(app).photos]
    assert kinds == [MediaKind.PHOTO, MediaKind.VIDEO, MediaKind.PHOTO]
    assert client.get(location).status_code == 303


def test_compose_js_gets_the_pending_page_to_go_to(
    app: Flask, client: FlaskClient, auth: AuthActions, user: User, phone: bytes
) -> None:
    auth.login("juniper")
    data = {
        "csrf_token": csrf_token_for(client),
        "visibility": "followers",
        "caption": "",
        "photos": [(io.BytesIO(phone), "clip.mov", "video/quicktime")],
    }
    with client.post("/p/new", data=data, headers=FRAGMENT) as response:
        assert response.status_code == 201
        assert response.get_json()["location"].startswith("/p/pending/")


def _cut_after_index(tmp_path: Path) -> bytes:
    whole = tmp_path / "whole.mp4"
    ffmpeg(
        "-f", "lavfi", "-i", "testsrc2=size=320x240:rate=30:duration=4",
        "-c:v", "libx264", "-preset", "ultrafast", "-movflags", "+faststart", str(whole),
    )  # fmt: skip
    data = whole.read_bytes()
    return data[: data.find(b"mdat") + len(data) // 8]


HOSTILE: dict[str, tuple[Callable[[bytes, Path], bytes], str]] = {
    "zero length, named .mp4": (lambda p, t: b"", "The file is empty"),
    "truncated index": (lambda p, t: p[: len(p) // 2], "damaged or incomplete"),
    "hls playlist named .mp4": (
        lambda p, t: b"#EXTM3U\n#EXTINF:1,\nhttp://127.0.0.1:9/a.ts\n",
        "not a photo Sapling can read",
    ),
    "concat list named .mp4": (
        lambda p, t: b"ffconcat version 1.0\nfile '/etc/passwd'\n",
        "not a photo Sapling can read",
    ),
    "playlist behind a forged ftyp": (
        lambda p, t: b"\x00\x00\x00\x18ftypisom\x00\x00\x00\x00isom#EXTM3U\nfile:/etc/passwd\n",
        "damaged or incomplete",
    ),
    "audio only": (
        lambda p, t: _generated(t, "-f", "lavfi", "-i", "sine=duration=1", "-c:a", "aac"),
        "no video in it",
    ),
    "one still frame": (
        lambda p, t: _generated(
            t, "-f", "lavfi", "-i", "testsrc2=size=320x240:rate=1:duration=1", "-frames:v", "1"
        ),
        "no video in it",
    ),
}


def _generated(tmp_path: Path, *args: str) -> bytes:
    target = tmp_path / "generated.mp4"
    ffmpeg(*args, "-f", "mp4", str(target))
    return target.read_bytes()


@pytest.mark.parametrize("case", list(HOSTILE))
def test_a_hostile_video_is_refused_with_the_reason_and_nothing_kept(
    app: Flask,
    client: FlaskClient,
    auth: AuthActions,
    user: User,
    phone: bytes,
    tmp_path: Path,
    case: str,
) -> None:
    make, words = HOSTILE[case]
    auth.login("juniper")
    status, _, page = share(client, (make(phone, tmp_path), "clip.mp4", "video/mp4"))
    assert status == 422, case
    assert 'class="flash flash--error" role="alert"' in page
    assert words in page, page[page.find('role="alert"') :][:400]
    assert rows(app) == (0, 0) and pending_rows(app) == 0
    assert incoming(app) == [] and stored(app) == []


@pytest.mark.config(VIDEO_MAX_SECONDS=1)
def test_a_video_longer_than_the_limit_is_refused_before_transcoding(
    app: Flask, client: FlaskClient, auth: AuthActions, user: User, phone: bytes
) -> None:
    auth.login("juniper")
    status, _, page = share(client, (phone, "long.mov", "video/quicktime"))
    assert status == 422 and "Videos can be up to 1 s long" in page
    assert pending_rows(app) == 0 and incoming(app) == []


@pytest.mark.config(VIDEO_MAX_BYTES=64 * 1024, MAX_CONTENT_LENGTH=10 * 1024 * 1024)
def test_a_video_larger_than_the_limit_is_refused_in_words(
    app: Flask, client: FlaskClient, auth: AuthActions, user: User, phone: bytes
) -> None:
    auth.login("juniper")
    assert len(phone) > 64 * 1024
    status, _, page = share(client, (phone, "big.mov", "video/quicktime"))
    assert status == 422 and "Videos can be up to 64 KB" in page
    assert pending_rows(app) == 0 and incoming(app) == []


def test_a_video_that_fails_after_probing_fails_the_post_with_the_reason(
    app: Flask, client: FlaskClient, auth: AuthActions, user: User, tmp_path: Path
) -> None:
    """Its index says four seconds; the frames stop after a fraction: only the transcode
    can tell. Nothing is posted, the upload goes, and the page says why."""
    auth.login("juniper")
    status, location, _ = share(client, (_cut_after_index(tmp_path), "cut.mp4", "video/mp4"))
    assert status == 303
    assert run_worker(app) == "Posted 0, failed 1."
    page = client.get(location).get_data(as_text=True)
    assert "Your post was not shared" in page and "damaged or incomplete" in page
    assert "Try again" in page
    assert rows(app) == (0, 0) and incoming(app) == [] and stored(app) == []


def test_only_the_author_sees_a_pending_post(
    app: Flask, client: FlaskClient, auth: AuthActions, user: User, phone: bytes
) -> None:
    auth.login("juniper")
    _, location, _ = share(client, (phone, "clip.mov", "video/quicktime"))
    create_user(app, "rowan")
    auth.logout()
    assert client.get(location).status_code == 302, "a login first"
    auth.login("rowan")
    assert client.get(location).status_code == 404
    assert client.get(location, headers=FRAGMENT).status_code == 404
    assert client.get("/p/pending/999999").status_code == 404


def test_a_claim_whose_worker_died_is_taken_up_again_and_given_up_after_three(
    app: Flask, client: FlaskClient, auth: AuthActions, user: User, phone: bytes
) -> None:
    auth.login("juniper")
    _, location, _ = share(client, (phone, "clip.mov", "video/quicktime"))
    with app.app_context():
        now = utcnow()
        for attempt in range(pending_posts.MAX_ATTEMPTS):
            at = now + attempt * (pending_posts.STALE_AFTER + timedelta(seconds=1))
            assert pending_posts.claim_next(at) is not None, attempt  # and the worker "dies"
            db.session.commit()
        later = now + pending_posts.MAX_ATTEMPTS * (
            pending_posts.STALE_AFTER + timedelta(seconds=1)
        )
        assert pending_posts.claim_next(later) is None
        db.session.commit()
        found = db.session.scalars(sa.select(PendingPost)).one()
        assert found.status == PendingStatus.FAILED and found.folder is None
    assert "Something went wrong" in client.get(location).get_data(as_text=True)
    assert incoming(app) == []


def test_the_maintenance_forgets_finished_uploads_and_removes_strays(
    app: Flask, client: FlaskClient, auth: AuthActions, user: User, phone: bytes
) -> None:
    auth.login("juniper")
    share(client, (phone, "clip.mov", "video/quicktime"))
    run_worker(app)
    stray = Path(app.config["MEDIA_ROOT"]) / "incoming" / ("ab" * 16)
    stray.mkdir()
    (stray / "0.video").write_bytes(b"left by a crash")
    old = (utcnow() - timedelta(hours=2)).timestamp()
    os.utime(stray, (old, old))
    with app.app_context():
        assert pending_posts.purge_finished(utcnow()) == 1  # the stray; the post is recent
        assert pending_posts.purge_finished(utcnow() + timedelta(days=2)) == 1  # the row
        db.session.commit()
    assert pending_rows(app) == 0 and not stray.exists()
    assert rows(app) == (1, 1), "the post itself stays"


def test_a_video_in_a_grid_is_marked_as_one(
    app: Flask, client: FlaskClient, auth: AuthActions, user: User, phone: bytes
) -> None:
    auth.login("juniper")
    share(client, (phone, "clip.mov", "video/quicktime"))
    run_worker(app)
    profile = client.get("/@juniper").get_data(as_text=True)
    assert 'aria-label="Video, 0:02"' in profile


def test_the_bytes_decide_what_a_file_is_never_its_name(
    app: Flask, client: FlaskClient, auth: AuthActions, user: User, phone: bytes
) -> None:
    """A video named .jpg is a video; a photo named .mov is a photo."""
    auth.login("juniper")
    status, location, _ = share(client, (phone, "holiday.jpg", "image/jpeg"))
    assert status == 303 and location.startswith("/p/pending/")
    run_worker(app)
    status, location, _ = share(client, (images.jpeg(), "clip.mov", "video/quicktime"))
    assert status == 303 and not location.startswith("/p/pending/")
    with app.app_context():
        kinds = db.session.scalars(sa.select(Photo.kind).order_by(Photo.id)).all()
    assert kinds == [MediaKind.VIDEO, MediaKind.PHOTO]


def test_a_post_of_photos_alone_is_still_made_in_the_request(
    app: Flask, client: FlaskClient, auth: AuthActions, user: User
) -> None:
    auth.login("juniper")
    status, location, _ = share(client, (images.jpeg(), "a.jpg", "image/jpeg"))
    assert status == 303 and location.startswith("/p/") and "pending" not in location
    assert pending_rows(app) == 0
    with app.app_context():
        assert db.session.scalars(sa.select(Photo.kind)).all() == [MediaKind.PHOTO]


# Imports: the worker's import job transcodes an archive's videos the same way.


def import_archive(app: Flask, client: FlaskClient, archive: bytes) -> None:
    data = {
        "csrf_token": csrf_token_for(client),
        "visibility": "public",
        "archive": (io.BytesIO(archive), "archive.zip", "application/zip"),
    }
    with client.post("/settings/import", data=data) as response:
        assert response.status_code == 303
    with app.app_context():
        assert jobs.run_imports(lambda: False) == "Imported 1, failed 0."


def test_an_instagram_video_is_imported_without_what_the_phone_wrote(
    app: Flask, client: FlaskClient, auth: AuthActions, user: User, phone: bytes, tmp_path: Path
) -> None:
    clip = "media/posts/202307/1789.mp4"
    posts_json = [
        {"media": [media(clip, TIMES[2])], "title": "Bells", "creation_timestamp": TIMES[2]}
    ]
    archive = write_archive(tmp_path / "ig.zip", posts_json, {clip: phone}).read_bytes()
    auth.login("juniper")
    import_archive(app, client, archive)
    (video,) = the_post(app).photos
    assert video.kind == MediaKind.VIDEO and (video.width, video.height) == (360, 640)
    for path in stored(app):
        if path.suffix == ".mp4":
            with path.as_path() as copy:
                assert_nothing_personal(copy)
        assert b"48.8584" not in path.read_bytes()


def test_a_sapling_export_brings_its_videos_to_another_instance(
    app: Flask, client: FlaskClient, auth: AuthActions, user: User, phone: bytes, tmp_path: Path
) -> None:
    auth.login("juniper")
    share(client, (phone, "clip.mov", "video/quicktime"), **{"alt_texts-0": "Bells ringing"})
    run_worker(app)
    with app.test_request_context():
        owner = db.session.get(User, user.id)
        assert owner is not None
        now = utcnow()
        export_archive.write(owner, tmp_path / "export.zip", now, now + timedelta(days=7))
    create_user(app, "rowan")
    auth.logout()
    auth.login("rowan")
    import_archive(app, client, (tmp_path / "export.zip").read_bytes())
    with app.app_context():
        query = sa.select(Photo).join(Post).join(User).where(User.username == "rowan")
        (video,) = db.session.scalars(query).all()
        assert video.kind == MediaKind.VIDEO and video.alt_text == "Bells ringing"
        assert 1900 <= (video.duration_ms or 0) <= 2100

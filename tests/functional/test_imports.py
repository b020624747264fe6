"""Bring your photos (issue #19 item 2): an Instagram archive or a Sapling export, uploaded
on /settings/import and turned into posts by the real worker (`flask worker --once`).

Hostile archives are refused with a clear message and leave nothing behind, whether the
upload check sees it (the ZIP's directory) or the worker does (the JSON, what the files
really are). Every stored variant is free of metadata. An import interrupted part-way
resumes after its last finished post. A Sapling export imported into another account
gives back the same posts: the round trip.
"""

from __future__ import annotations

import io
import json
import os
import stat
import threading
import zipfile
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from PIL import Image
from sqlalchemy.orm import selectinload
from werkzeug.test import TestResponse

from app.core.requests import FORM_ROOM
from app.extensions import db
from app.models import (
    DataImport,
    Hashtag,
    ImportStatus,
    OutboxMessage,
    Photo,
    Post,
    PostHashtag,
    User,
    Visibility,
)
from app.services.content import posts
from app.services.errors import FormError
from app.services.privacy import export_archive, imports
from app.worker import jobs
from tests.factories import create_user
from tests.support import images
from tests.support.apps import build_app, migrated_database
from tests.support.auth import AuthActions
from tests.support.instagram import (
    CLIP_REASON,
    POSTS,
    ROOT,
    TIMES,
    realistic_posts,
    write_archive,
)
from tests.support.pages import csrf_token_for
from tests.support.smtp import Mailbox
from tests.support.stored_media import media_files

pytestmark = pytest.mark.media

PAGE = "/settings/import"
DAMAGED = "This image is damaged or incomplete. Try exporting it again."
METADATA = (b"Exif", b"GPS", b"XMP", b"xmp", b"<x:xmpmeta", b"ftyp", b"Test Phone")


def send(
    client: FlaskClient, archive: bytes | None, visibility: str = "only_me", **extra: Any
) -> TestResponse:
    data: dict[str, Any] = {"csrf_token": csrf_token_for(client), "visibility": visibility}
    if archive is not None:
        data["archive"] = (io.BytesIO(archive), "instagram.zip", "application/zip")
    data.update(extra)
    return client.post(PAGE, data=data, content_type="multipart/form-data")


def run_worker(app: Flask, _runner: FlaskCliRunner) -> str:
    """The worker's import job, then its mail job, as one round of `flask worker` runs
    them (that command itself runs in the test on a committing database, below: at its
    end it disposes of the engine, which the rolled-back test transaction is using)."""
    with app.app_context():
        summary = jobs.run_imports(lambda: False) or ""
        jobs.deliver_mail(lambda: False)
    return summary


def the_import(app: Flask) -> DataImport | None:
    with app.app_context():
        found = db.session.scalar(sa.select(DataImport).order_by(DataImport.id.desc()))
        if found is not None:
            db.session.expunge(found)
        return found


def posts_of(app: Flask, username: str) -> list[Post]:
    with app.app_context():
        query = (
            sa.select(Post)
            .join(User, User.id == Post.author_id)
            .where(User.username == username)
            .order_by(Post.id)
            .options(selectinload(Post.photos))
        )
        found = list(db.session.scalars(query))
        db.session.expunge_all()
        return found


def waiting_archives(app: Flask) -> list[Path]:
    folder = Path(app.config["MEDIA_ROOT"]) / "imports"
    return sorted(folder.iterdir()) if folder.is_dir() else []


def archive_bytes(tmp_path: Path, **options: Any) -> bytes:
    return write_archive(tmp_path / "archive.zip", **options).read_bytes()


# The whole way through.


@pytest.fixture
def committing_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    """A database that really commits, for `flask worker` itself (it disposes of the
    engine at its end, which a rolled-back test transaction could not survive)."""
    with migrated_database(tmp_path_factory, "imports-db") as url:
        app = build_app(url, tmp_path_factory.mktemp("imports-media") / "media")
        yield app
        with app.app_context():
            db.engine.dispose()


def test_flask_worker_imports_the_archive(committing_app: Flask, tmp_path: Path) -> None:
    app = committing_app
    create_user(app, "juniper", "juniper@example.org")
    client = app.test_client()
    AuthActions(client).login("juniper")
    assert send(client, archive_bytes(tmp_path), "public").status_code == 303
    with app.app_context():
        result = app.test_cli_runner().invoke(args=["worker", "--once", "--no-maintenance"])
    assert result.exit_code == 0, result.output
    assert [len(post.photos) for post in posts_of(app, "juniper")] == [1, 3, 1]
    files = media_files(app)
    assert len(files) == 15 and all("/public/" in str(path) for path in files)
    for path in files:
        assert not any(marker in path.read_bytes() for marker in METADATA), path.name
    assert waiting_archives(app) == []


def test_an_instagram_archive_becomes_posts_through_the_worker(
    app: Flask,
    client: FlaskClient,
    runner: FlaskCliRunner,
    auth: AuthActions,
    user: User,
    mailbox: Mailbox,
    tmp_path: Path,
) -> None:
    auth.login("juniper")
    response = send(client, archive_bytes(tmp_path))
    assert response.status_code == 303
    page = client.get(PAGE).get_data(as_text=True)
    assert "Waiting to start" in page and "Instagram archive" in page
    assert 'data-progress-url="/settings/import/progress"' in page
    assert client.get(PAGE + "/progress").get_json()["state"] == "waiting"

    assert "Imported 1, failed 0." in run_worker(app, runner)

    made = posts_of(app, "juniper")
    # Oldest first, so the posts' order follows their dates; each keeps its own date.
    assert [post.created_at for post in made] == [
        datetime.fromtimestamp(when, UTC) for when in TIMES
    ]
    assert [post.caption for post in made] == [
        "Ferns unrolling 🌿 in the rain",
        "Three views of the ridge ⛰️ #hills",
        "Summer, with a clip",
    ]
    assert [len(post.photos) for post in made] == [1, 3, 1]  # the video is left out
    assert {post.visibility for post in made} == {Visibility.ONLY_ME}
    with app.app_context():
        tagged = db.session.scalar(
            sa.select(sa.func.count())
            .select_from(PostHashtag)
            .join(Hashtag)
            .where(Hashtag.name == "hills")
        )
    assert tagged == 1

    # Every stored variant went through the upload pipeline: WebP, no metadata at all.
    files = media_files(app)
    assert len(files) == 5 * 3
    for path in files:
        content = path.read_bytes()
        for marker in METADATA:
            assert marker not in content, (path.name, marker)
        with Image.open(io.BytesIO(path.read_bytes())) as stored:
            assert stored.format == "WEBP" and not stored.getexif()
            assert "xmp" not in stored.info and "icc_profile" not in stored.info
    # Only me: the photos are in the private area.
    assert all("/private/" in str(path) for path in files)

    finished = the_import(app)
    assert finished is not None and finished.status == ImportStatus.DONE
    assert (finished.posts_imported, finished.photos_imported) == (3, 5)
    assert finished.skipped == [{"what": "1789.mp4", "reason": CLIP_REASON}]
    assert waiting_archives(app) == []  # the upload is deleted once the import ends

    page = client.get(PAGE).get_data(as_text=True)
    assert "Imported" in page and "3 posts with 5 photos, for only you" in page
    assert "Left out (1)" in page and CLIP_REASON in page
    assert client.get(PAGE + "/progress").get_json()["state"] == "done"
    (message,) = mailbox.wait_for_mail("juniper@example.org")
    assert "Your import into Sapling is done" in str(message["Subject"])
    text = message.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert "3 posts with 5 photos" in text and "http://" in text


@pytest.mark.parametrize(
    ("choice", "visibility", "area"),
    [("followers", Visibility.FOLLOWERS, "private"), ("public", Visibility.PUBLIC, "public")],
)
def test_the_imported_posts_are_for_whom_the_person_chose(
    app: Flask,
    client: FlaskClient,
    runner: FlaskCliRunner,
    auth: AuthActions,
    user: User,
    tmp_path: Path,
    choice: str,
    visibility: Visibility,
    area: str,
) -> None:
    auth.login("juniper")
    assert send(client, archive_bytes(tmp_path), choice).status_code == 303
    run_worker(app, runner)
    made = posts_of(app, "juniper")
    assert len(made) == 3 and {post.visibility for post in made} == {visibility}
    assert all(f"/{area}/" in str(path) for path in media_files(app))
    with app.app_context():
        juniper = db.session.get(User, user.id)
        assert juniper is not None and juniper.post_count == 3


def test_the_page_needs_a_login_and_offers_only_me_first(
    client: FlaskClient, auth: AuthActions, user: User
) -> None:
    assert client.get(PAGE).status_code == 302
    assert client.get(PAGE + "/progress").status_code == 302
    auth.login("juniper")
    page = client.get(PAGE).get_data(as_text=True)
    assert (
        'checked id="visibility-0" name="visibility" required type="radio" value="only_me"' in page
    )
    assert "Import posts" in client.get("/settings/").get_data(as_text=True)


# Refused at the upload: the ZIP's directory tells.


def _zip(members: list[tuple[zipfile.ZipInfo | str, bytes]], **options: Any) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, **options) as archive:
        for info, data in members:
            archive.writestr(info, data)
    return buffer.getvalue()


def _symlink() -> bytes:
    info = zipfile.ZipInfo(ROOT + "media/posts/202105/link.jpg")
    info.external_attr = (stat.S_IFLNK | 0o777) << 16
    return _zip([(POSTS, "[]"), (info, b"/etc/passwd")])


HOSTILE_UPLOADS: dict[str, tuple[Callable[[Path], bytes], str]] = {
    "not a zip": (lambda _: images.jpeg(), "it is not a ZIP file, or it is damaged"),
    "a name that climbs out": (
        lambda _: _zip([(POSTS, "[]"), ("../../etc/cron.d/evil", b"* * * * * root sh")]),
        "named to be written outside the archive",
    ),
    "an absolute name": (
        lambda _: _zip([(POSTS, "[]"), ("/var/evil.jpg", images.jpeg())]),
        "named to be written outside the archive",
    ),
    "a symbolic link": (lambda _: _symlink(), "it holds a symbolic link"),
    "a zip bomb": (
        lambda _: _zip([(POSTS, "[]"), (ROOT + "media/posts/bomb.jpg", bytes(8 * 2**20))]),
        "a zip bomb",
    ),
    "not an Instagram archive": (
        lambda _: _zip([("holiday/IMG_0001.jpg", images.jpeg())]),
        "neither an Instagram archive nor a Sapling export",
    ),
    "an empty file": (lambda _: b"", "The file is empty"),
}


@pytest.mark.parametrize("case", HOSTILE_UPLOADS)
def test_a_hostile_upload_is_refused_with_the_reason_and_nothing_kept(
    app: Flask, client: FlaskClient, auth: AuthActions, user: User, tmp_path: Path, case: str
) -> None:
    make, reason = HOSTILE_UPLOADS[case]
    auth.login("juniper")
    response = send(client, make(tmp_path))
    assert response.status_code == 422
    assert reason in response.get_data(as_text=True)
    assert the_import(app) is None and waiting_archives(app) == []


def test_no_archive_chosen_is_asked_for(
    app: Flask, client: FlaskClient, auth: AuthActions, user: User
) -> None:
    auth.login("juniper")
    response = send(client, None)
    assert response.status_code == 422
    assert "Choose the ZIP archive to import." in response.get_data(as_text=True)


@pytest.mark.parametrize("visibility", ["", "everyone", "only_me\u200b"])
def test_a_forged_audience_is_refused(
    app: Flask, client: FlaskClient, auth: AuthActions, user: User, tmp_path: Path, visibility: str
) -> None:
    auth.login("juniper")
    assert send(client, archive_bytes(tmp_path), visibility).status_code == 422
    assert the_import(app) is None and waiting_archives(app) == []


def test_without_the_csrf_token_nothing_is_taken(
    app: Flask, client: FlaskClient, auth: AuthActions, user: User, tmp_path: Path
) -> None:
    auth.login("juniper")
    data = {
        "visibility": "only_me",
        "archive": (io.BytesIO(archive_bytes(tmp_path)), "a.zip", "application/zip"),
    }
    response = client.post(PAGE, data=data, content_type="multipart/form-data")
    assert response.status_code == 400
    assert the_import(app) is None and waiting_archives(app) == []


@pytest.mark.config(IMPORT_MAX_BYTES=64 * 1024)
def test_an_archive_over_the_limit_is_refused_in_words(
    app: Flask, client: FlaskClient, auth: AuthActions, user: User, tmp_path: Path
) -> None:
    auth.login("juniper")
    response = send(client, archive_bytes(tmp_path) + bytes(64 * 1024))
    assert response.status_code == 422
    assert "the most Sapling imports at once" in response.get_data(as_text=True)
    assert the_import(app) is None and waiting_archives(app) == []


@pytest.mark.config(IMPORT_MAX_BYTES=64 * 1024)
def test_a_body_far_over_the_limit_is_cut_off(
    app: Flask, client: FlaskClient, auth: AuthActions, user: User
) -> None:
    auth.login("juniper")
    # Past the archive's limit and the room for the form around it (a body this size
    # stays in memory, in the test client and in the server's parser alike).
    response = send(client, bytes(300 * 1024))
    assert response.status_code == 413
    assert the_import(app) is None and waiting_archives(app) == []


def test_the_archive_page_takes_more_than_a_post_does(
    app: Flask, client: FlaskClient, auth: AuthActions, user: User, tmp_path: Path
) -> None:
    """The import page's body limit is IMPORT_MAX_BYTES, not the post form's."""
    archive = archive_bytes(tmp_path, extra=[("padding.bin", os.urandom(2 * FORM_ROOM))])
    app.config["MAX_CONTENT_LENGTH"] = app.config["VIDEO_MAX_BYTES"] = 1024
    assert len(archive) > 1024 + FORM_ROOM, "the post form's limit, with room for its fields"
    auth.login("juniper")
    assert send(client, archive).status_code == 303
    photo = (io.BytesIO(archive), "big.jpg", "image/jpeg")
    data = {"csrf_token": csrf_token_for(client), "caption": "", "photos": [photo]}
    assert client.post("/p/new", data=data).status_code == 413


def test_one_import_at_a_time(
    app: Flask, client: FlaskClient, auth: AuthActions, user: User, tmp_path: Path
) -> None:
    auth.login("juniper")
    assert send(client, archive_bytes(tmp_path)).status_code == 303
    page = client.get(PAGE).get_data(as_text=True)
    assert 'name="archive"' not in page  # no second form while one is under way
    again = send(client, archive_bytes(tmp_path))
    assert again.status_code == 422
    assert "An import is already under way" in again.get_data(as_text=True)
    assert len(waiting_archives(app)) == 1


# Refused by the worker: what the files say, before a single post is made.


WORKER_REFUSALS: dict[str, tuple[Callable[[Path], bytes], str]] = {
    "malformed JSON": (
        lambda _: _zip([(POSTS, '[{"media": [{"uri": "media/posts/1.jpg"'), ("x.txt", b"x")]),
        "posts_1.json in this archive is not valid JSON.",
    ),
    "JSON that is not a list": (
        lambda _: _zip([(POSTS, '{"posts": []}')]),
        "posts_1.json is not a list of posts.",
    ),
    "a non-image named .jpg": (
        lambda tmp_path: archive_bytes(
            tmp_path,
            files={
                **realistic_posts()[1],
                "media/posts/202201/17890000000000011.jpg": b"<html><script>alert(1)</script>",
            },
        ),
        "17890000000000011.jpg in this archive is named as a photo but is not one. "
        "Nothing was imported.",
    ),
}


@pytest.mark.parametrize("case", WORKER_REFUSALS)
def test_an_archive_the_worker_refuses_leaves_no_post(
    app: Flask,
    client: FlaskClient,
    runner: FlaskCliRunner,
    auth: AuthActions,
    user: User,
    tmp_path: Path,
    case: str,
) -> None:
    make, reason = WORKER_REFUSALS[case]
    auth.login("juniper")
    assert send(client, make(tmp_path)).status_code == 303
    assert "Imported 0, failed 1." in run_worker(app, runner)
    stopped = the_import(app)
    assert stopped is not None and stopped.status == ImportStatus.FAILED
    assert stopped.error == reason and stopped.posts_imported == 0
    assert posts_of(app, "juniper") == [] and media_files(app) == []
    assert waiting_archives(app) == []
    page = client.get(PAGE).get_data(as_text=True)
    assert "Not imported" in page and reason.split(" Nothing")[0] in page
    assert 'name="archive"' in page  # and a new upload may be tried


def test_a_damaged_photo_is_left_out_and_the_rest_of_its_post_kept(
    app: Flask,
    client: FlaskClient,
    runner: FlaskCliRunner,
    auth: AuthActions,
    user: User,
    tmp_path: Path,
) -> None:
    files = realistic_posts()[1]
    album_photo = "media/posts/202201/17890000000000012.jpg"
    whole = files[album_photo]
    files[album_photo] = whole[: len(whole) * 2 // 3]  # its headers whole, its pixels cut
    auth.login("juniper")
    assert send(client, archive_bytes(tmp_path, files=files)).status_code == 303
    run_worker(app, runner)
    assert [len(post.photos) for post in posts_of(app, "juniper")] == [1, 2, 1]
    finished = the_import(app)
    assert finished is not None and finished.status == ImportStatus.DONE
    assert {"what": "17890000000000012.jpg", "reason": DAMAGED} in finished.skipped


# Interrupted, and taken up again.


def test_an_interrupted_import_resumes_after_its_last_post(
    app: Flask,
    client: FlaskClient,
    runner: FlaskCliRunner,
    auth: AuthActions,
    user: User,
    tmp_path: Path,
) -> None:
    auth.login("juniper")
    assert send(client, archive_bytes(tmp_path)).status_code == 303
    with app.app_context():
        import_id = imports.claim_next(datetime.now(UTC))
        assert import_id is not None
        db.session.commit()
        with imports.prepare(import_id) as plan:
            assert plan is not None
            db.session.commit()
            assert imports.import_one(import_id, plan)
            db.session.commit()
        # ...and the worker dies here. Its heartbeat goes stale.
        stalled = db.session.get(DataImport, import_id)
        assert stalled is not None and stalled.posts_done == 1
        assert stalled.heartbeat_at is not None
        stalled.heartbeat_at -= imports.STALE_AFTER + timedelta(seconds=1)
        db.session.commit()
    progress = client.get(PAGE + "/progress").get_json()
    assert progress == {
        "state": "importing",
        "posts_done": 1,
        "posts_total": 3,
        "posts_imported": 1,
        "percent": 33,
    }
    run_worker(app, runner)
    made = posts_of(app, "juniper")
    assert [len(post.photos) for post in made] == [1, 3, 1]  # each post once
    finished = the_import(app)
    assert finished is not None and finished.status == ImportStatus.DONE
    assert finished.posts_imported == 3


def test_a_live_import_is_not_taken_by_a_second_worker(
    app: Flask, client: FlaskClient, auth: AuthActions, user: User, tmp_path: Path
) -> None:
    auth.login("juniper")
    assert send(client, archive_bytes(tmp_path)).status_code == 303
    with app.app_context():
        assert imports.claim_next(datetime.now(UTC)) is not None
        db.session.commit()
        assert imports.claim_next(datetime.now(UTC)) is None  # its heartbeat is fresh
        db.session.rollback()


def test_maintenance_removes_archives_nothing_waits_for(
    app: Flask, runner: FlaskCliRunner, user: User, tmp_path: Path
) -> None:
    folder = Path(app.config["MEDIA_ROOT"]) / "imports"
    folder.mkdir(parents=True)
    stray = folder / "0123456789abcdef0123456789abcdef.zip"
    stray.write_bytes(b"left by an account purged mid-import")
    fresh = folder / "fedcba9876543210fedcba9876543210.zip.part"
    fresh.write_bytes(b"an upload being saved right now")
    hours_ago = (datetime.now(UTC) - timedelta(hours=2)).timestamp()
    os.utime(stray, (hours_ago, hours_ago))
    with app.app_context():
        result = runner.invoke(args=["maintenance", "run"])
    assert result.exit_code == 0, result.output
    assert "1 left-over import archives;" in result.output
    assert not stray.exists() and fresh.exists()


# Moving between instances: a Sapling export, imported.


def _export_of(app: Flask, username: str, tmp_path: Path) -> bytes:
    with app.test_request_context():
        owner = db.session.scalar(sa.select(User).where(User.username == username))
        assert owner is not None
        now = datetime.now(UTC)
        target = tmp_path / f"{username}-export.zip"
        export_archive.write(owner, target, now, now + timedelta(days=7))
        return target.read_bytes()


def _posts_json(archive: bytes) -> list[dict[str, Any]]:
    with zipfile.ZipFile(io.BytesIO(archive)) as opened:
        return list(json.loads(opened.read("posts.json")))


def _comparable(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A post as the export lists it, without what is the instance's own (ids, file names)."""
    return sorted(
        (
            {
                **{key: value for key, value in row.items() if key not in ("id", "edited_at")},
                "photos": [
                    {key: value for key, value in photo.items() if key != "file"}
                    for photo in row["photos"]
                ],
            }
            for row in rows
        ),
        key=lambda row: row["created_at"],
    )


def test_a_sapling_export_moves_to_another_account_whole(
    app: Flask,
    client: FlaskClient,
    runner: FlaskCliRunner,
    auth: AuthActions,
    user: User,
    tmp_path: Path,
) -> None:
    with app.test_request_context():
        juniper = db.session.get(User, user.id)
        assert juniper is not None
        upload = posts.Upload
        posts.create(
            juniper,
            [upload(io.BytesIO(images.jpeg((600, 400))), "A fern, close")],
            "First fern #ferns",
            visibility=Visibility.PUBLIC,
        )
        posts.create(
            juniper,
            [
                upload(io.BytesIO(images.jpeg((400, 500), (20, 90, 30))), "The path up"),
                upload(io.BytesIO(images.png((500, 500))), ""),
            ],
            "Two from the ridge",
            visibility=Visibility.FOLLOWERS,
            comments_enabled=False,
            sensitive=True,
            content_warning="heights",
        )
        db.session.commit()
    exported = _export_of(app, "juniper", tmp_path)
    # The first post was made a moment earlier; dates must survive the move exactly.
    create_user(app, "fern", "fern@example.org")
    auth.login("fern")
    response = send(client, exported, "followers")
    assert response.status_code == 303
    assert "Sapling export" in client.get(PAGE).get_data(as_text=True)
    run_worker(app, runner)

    moved = _posts_json(_export_of(app, "fern", tmp_path))
    original = _posts_json(exported)
    # Everything but who sees the posts (chosen on the import page) comes back the same.
    for row in original:
        row["visibility"] = "followers"
    assert _comparable(moved) == _comparable(original)
    finished = the_import(app)
    assert finished is not None and (finished.posts_imported, finished.photos_imported) == (2, 3)
    assert finished.skipped == []


def test_a_sapling_export_with_a_photo_missing_says_so(
    app: Flask,
    client: FlaskClient,
    runner: FlaskCliRunner,
    auth: AuthActions,
    user: User,
    tmp_path: Path,
) -> None:
    rows = [
        {
            "created_at": "2025-06-01T10:00:00+00:00",
            "caption": "Two, one gone",
            "photos": [{"file": "photos/1-1.webp", "alt_text": "kept"}, {"file": None}],
        },
        {"created_at": "2025-06-02T10:00:00+00:00", "caption": "", "photos": "not a list"},
        {"created_at": "2025-06-03T10:00:00+00:00", "photos": [{"file": "../../etc/passwd"}]},
    ]
    archive = _zip(
        [
            ("posts.json", json.dumps(rows)),
            ("profile.json", "{}"),
            ("photos/1-1.webp", images.webp_with_private_metadata()),
        ]
    )
    auth.login("juniper")
    assert send(client, archive).status_code == 303
    run_worker(app, runner)
    made = posts_of(app, "juniper")
    assert [(post.caption, len(post.photos)) for post in made] == [("Two, one gone", 1)]
    assert made[0].photos[0].alt_text == "kept"
    finished = the_import(app)
    assert finished is not None
    reasons = [item["reason"] for item in finished.skipped]
    assert reasons == [
        "a photo's file was missing from the export",
        "it has no photos listed",
        "a photo's name points outside the archive",
    ]
    for path in media_files(app):
        assert not any(marker in path.read_bytes() for marker in METADATA)


def test_the_export_lists_the_imports(
    app: Flask,
    runner: FlaskCliRunner,
    client: FlaskClient,
    auth: AuthActions,
    user: User,
    tmp_path: Path,
) -> None:
    auth.login("juniper")
    assert send(client, archive_bytes(tmp_path)).status_code == 303
    run_worker(app, runner)
    with zipfile.ZipFile(io.BytesIO(_export_of(app, "juniper", tmp_path))) as opened:
        listed = json.loads(opened.read("imports.json"))
    assert len(listed) == 1
    assert listed[0]["source"] == "instagram" and listed[0]["posts_imported"] == 3
    assert listed[0]["imported_posts_for"] == "only_me"
    assert listed[0]["left_out"] == [{"what": "1789.mp4", "reason": CLIP_REASON}]


def test_an_account_purged_mid_import_leaves_no_post_behind(
    app: Flask,
    client: FlaskClient,
    runner: FlaskCliRunner,
    auth: AuthActions,
    user: User,
    tmp_path: Path,
) -> None:
    auth.login("juniper")
    assert send(client, archive_bytes(tmp_path)).status_code == 303
    with app.app_context():
        db.session.execute(sa.delete(User).where(User.id == user.id))
        db.session.commit()
    assert "Imported" not in run_worker(app, runner)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Post)) == 0
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Photo)) == 0
        assert db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage)) == 0


@pytest.mark.postgres  # SQLite has no row locks: it serialises whole writes instead
def test_two_uploads_sent_at_once_make_one_import(committing_app: Flask, tmp_path: Path) -> None:
    """Both pass the first look; the account's row lock lets one in, and the other's
    archive goes."""
    app = committing_app
    owner = create_user(app, "juniper.twice", "twice@example.org")
    archive = archive_bytes(tmp_path)
    both_saved = threading.Barrier(2, timeout=60)
    outcomes: list[str] = []

    def upload() -> None:
        with app.test_request_context():
            user = db.session.get(User, owner.id)
            assert user is not None
            stream = io.BytesIO(archive)
            original_read = stream.read

            def read(size: int = -1) -> bytes:
                block = original_read(size)
                if not block:  # the whole archive is saved: wait for the other one
                    both_saved.wait()
                return block

            stream.read = read  # type: ignore[method-assign]
            try:
                imports.start(user, stream, Visibility.ONLY_ME)
                db.session.commit()
                outcomes.append("started")
            except FormError as refusal:
                db.session.rollback()
                outcomes.append(refusal.message)

    threads = [threading.Thread(target=upload) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert sorted(outcomes) == [imports.UNDER_WAY, "started"]
    with app.app_context():
        count = db.session.scalar(sa.select(sa.func.count()).where(DataImport.user_id == owner.id))
    assert count == 1 and len(waiting_archives(app)) == 1

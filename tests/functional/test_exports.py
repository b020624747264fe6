"""Download your data: asking, building with `flask exports build`, the archive, the download."""

from __future__ import annotations

import io
import json
import os
import time
import zipfile
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from PIL import Image
from werkzeug.test import TestResponse

from app.extensions import db
from app.models import (
    Comment,
    DataExport,
    ExportStatus,
    Follow,
    Like,
    Photo,
    Post,
    SecurityEvent,
    User,
    UserSession,
    Visibility,
    utcnow,
)
from app.services.accounts import profiles
from app.services.content import interactions, posts, social
from app.services.media.media_storage import media_storage, read
from app.services.privacy import export_archive, exports
from tests.factories import create_post, create_user, follow, link_from, make_private
from tests.support import images
from tests.support.auth import AuthActions
from tests.support.pages import csrf_token_for
from tests.support.smtp import Mailbox

pytestmark = pytest.mark.media

EXPORT_PAGE = "/settings/export"


def invoke(app: Flask, runner: FlaskCliRunner, *args: str) -> Any:
    with app.app_context():
        return runner.invoke(args=list(args))


def ask(auth: AuthActions) -> TestResponse:
    return auth.post(EXPORT_PAGE)


def rows(app: Flask) -> list[DataExport]:
    with app.app_context():
        found = list(db.session.scalars(sa.select(DataExport).order_by(DataExport.id)))
        db.session.expunge_all()
        return found


def as_user(app: Flask, username: str, action: Callable[[User], object]) -> None:
    """Run a service as ``username`` in a request context, and commit."""
    with app.test_request_context():
        user = db.session.scalar(sa.select(User).where(User.username == username))
        assert user is not None
        action(user)
        db.session.commit()


def visible_post(user: User, post_id: int) -> Post:
    post = posts.visible(user, post_id)
    assert post is not None
    return post


def download(client: FlaskClient, path: str) -> TestResponse:
    """GET a download, read in full and closed (as a browser would)."""
    with client.get(path) as response:
        response.get_data()
    return response


def archive_of(response: TestResponse) -> zipfile.ZipFile:
    return zipfile.ZipFile(io.BytesIO(response.get_data()))


def entry(archive: zipfile.ZipFile, name: str) -> Any:
    return json.loads(archive.read(name))


def iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def test_asking_needs_a_fresh_login(app: Flask, auth: AuthActions, user: User) -> None:
    auth.login("juniper")
    token = csrf_token_for(auth.client)
    with app.app_context():
        db.session.execute(
            sa.update(UserSession).values(authenticated_at=utcnow() - timedelta(minutes=6))
        )
        db.session.commit()
    response = auth.client.post(
        EXPORT_PAGE,
        data={"csrf_token": token},
        headers={"Referer": f"http://localhost{EXPORT_PAGE}"},
    )
    assert response.status_code == 303
    assert response.headers["Location"] == f"/reauth?next={EXPORT_PAGE}"
    assert rows(app) == []


def test_asking_twice_while_one_is_waiting_shows_the_same_one(
    app: Flask, auth: AuthActions, user: User
) -> None:
    auth.login("juniper")
    page = auth.client.get(EXPORT_PAGE).get_data(as_text=True)
    assert "No copy yet" in page and "Request my data" in page
    assert ask(auth).status_code == 303
    [waiting] = rows(app)
    assert waiting.status == ExportStatus.PENDING and waiting.user_id == user.id
    again = ask(auth)
    assert again.status_code == 303
    assert [row.id for row in rows(app)] == [waiting.id]
    page = auth.client.get(EXPORT_PAGE).get_data(as_text=True)
    assert "already being gathered" in page and "Being prepared" in page
    assert "Request a new copy" not in page


@pytest.mark.config(RATELIMIT_EXPORT="2 per day")
def test_asking_is_rate_limited(app: Flask, auth: AuthActions, user: User) -> None:
    auth.login("juniper")
    assert ask(auth).status_code == 303
    assert ask(auth).status_code == 303
    assert ask(auth).status_code == 429


def make_account(app: Flask, owner: User) -> dict[str, int]:
    """Posts with photos, an avatar, follows both ways, likes and comments."""
    fern, hazel = create_user(app, "fern"), create_user(app, "hazel")
    make_private(app, hazel)
    follow(app, fern, owner)
    follow(app, owner, fern)
    follow(app, owner, hazel)
    ids: dict[str, int] = {}

    def publish(user: User) -> None:
        uploads = [
            posts.Upload(io.BytesIO(images.jpeg_with_private_metadata()), "A wet stone wall"),
            posts.Upload(io.BytesIO(images.webp_with_private_metadata()), "Lichen, close up"),
        ]
        ids["own"] = posts.create(user, uploads, "Walls after rain #moss").id
        ids["quiet"] = posts.create(
            user,
            [posts.Upload(io.BytesIO(images.jpeg()), "")],
            "Only for friends",
            visibility=Visibility.FOLLOWERS,
            comments_enabled=False,
            sensitive=True,
            content_warning="Spiders",
        ).id
        profiles.update_preferences(user, remind_alt_text=False, show_sensitive_media=True)
        profiles.set_avatar(user, io.BytesIO(images.jpeg(size=(400, 400))))
        profiles.update(user, "Juniper Ash", "Stones and moss.", "https://juniper.example.org")

    as_user(app, "juniper", publish)
    ids["fern"] = create_post(app, fern, "Fern's hills").id
    ids["hazel"] = create_post(app, hazel, "Hazel's corner").id

    def react(user: User) -> None:
        for name in ("fern", "own"):
            interactions.like(user, visible_post(user, ids[name]))
        interactions.add_comment(user, visible_post(user, ids["fern"]), "Lovely light ✨")
        interactions.add_comment(user, visible_post(user, ids["hazel"]), "Cosy!")

    as_user(app, "juniper", react)

    # Hazel stops sharing with Juniper: the comment stays Juniper's, the post's author unnamed.
    def stop_sharing(hazel_user: User) -> None:
        juniper = db.session.get(User, owner.id)
        assert juniper is not None
        assert social.remove_follower(hazel_user, juniper)

    as_user(app, "hazel", stop_sharing)
    return ids


def test_the_archive_holds_exactly_the_account(
    app: Flask, auth: AuthActions, runner: FlaskCliRunner, user: User, mailbox: Mailbox
) -> None:
    ids = make_account(app, user)
    auth.login("juniper")
    assert ask(auth).status_code == 303
    result = invoke(app, runner, "exports", "build")
    assert result.exit_code == 0, result.output
    assert "Built 1, failed 0." in result.output

    [message] = mailbox.to("juniper@example.org")
    assert message["Subject"] == "Your Sapling data is ready to download"
    path = link_from(message, "/settings/export/")
    response = download(auth.client, path)
    assert response.status_code == 200
    assert response.mimetype == "application/zip"
    assert response.headers["Cache-Control"] == "private, no-store"
    today = utcnow().strftime("%Y-%m-%d")
    assert response.headers["Content-Disposition"] == (
        f"attachment; filename=sapling-export-juniper-{today}.zip"
    )
    archive = archive_of(response)
    assert archive.testzip() is None
    names = set(archive.namelist())

    with app.app_context():
        owner = db.session.get(User, user.id)
        assert owner is not None
        own_posts = db.session.scalars(
            sa.select(Post).where(Post.author_id == user.id).order_by(Post.id)
        ).all()
        photos = {
            post.id: db.session.scalars(
                sa.select(Photo).where(Photo.post_id == post.id).order_by(Photo.position)
            ).all()
            for post in own_posts
        }
        assert entry(archive, "posts.json") == [
            {
                "id": post.id,
                "created_at": iso(post.created_at),
                "edited_at": None,
                "caption": post.caption,
                "visibility": post.visibility.value,
                "comments_enabled": post.comments_enabled,
                "sensitive": post.sensitive,
                "content_warning": post.content_warning,
                "photos": [
                    {
                        "file": f"photos/{post.id}-{photo.position + 1}.webp",
                        "alt_text": photo.alt_text,
                        "width": photo.width,
                        "height": photo.height,
                    }
                    for photo in photos[post.id]
                ],
            }
            for post in own_posts
        ]
        assert [post.caption for post in own_posts] == [
            "Walls after rain #moss",
            "Only for friends",
        ]
        assert [(post.sensitive, post.content_warning) for post in own_posts] == [
            (False, ""),
            (True, "Spiders"),
        ]
        storage = media_storage()
        for post in own_posts:
            for photo in photos[post.id]:
                name = f"photos/{post.id}-{photo.position + 1}.webp"
                assert archive.read(name) == read(storage, photo.storage_key, "display")
                assert archive.getinfo(name).compress_type == zipfile.ZIP_STORED
                check_clean_webp(archive.read(name))
        assert {name for name in names if name.startswith("photos/")} == {
            f"photos/{post.id}-{photo.position + 1}.webp"
            for post in own_posts
            for photo in photos[post.id]
        }

        comments = db.session.scalars(
            sa.select(Comment).where(Comment.author_id == user.id).order_by(Comment.id)
        ).all()
        assert entry(archive, "comments.json") == [
            {
                "id": comment.id,
                "created_at": iso(comment.created_at),
                "text": comment.body,
                "post_id": comment.post_id,
                "post_author": "fern" if comment.post_id == ids["fern"] else None,
            }
            for comment in comments
        ]
        assert [c["post_id"] for c in entry(archive, "comments.json")] == [
            ids["fern"],
            ids["hazel"],
        ]

        likes = db.session.scalars(
            sa.select(Like).where(Like.user_id == user.id).order_by(Like.post_id)
        ).all()
        assert entry(archive, "likes.json") == [
            {"post_id": like.post_id, "created_at": iso(like.created_at)} for like in likes
        ]
        assert len(likes) == 2

        def people(mine: Any, other: Any) -> list[dict[str, Any]]:
            found = db.session.execute(
                sa.select(User.username, Follow.created_at)
                .join(User, User.id == other)
                .where(mine == user.id)
                .order_by(other)
            ).all()
            return [{"username": name, "since": iso(since)} for name, since in found]

        assert entry(archive, "followers.json") == people(Follow.followee_id, Follow.follower_id)
        assert [p["username"] for p in entry(archive, "followers.json")] == ["fern"]
        assert entry(archive, "following.json") == people(Follow.follower_id, Follow.followee_id)
        assert [p["username"] for p in entry(archive, "following.json")] == ["fern"]

        profile = entry(archive, "profile.json")
        assert profile == {
            "username": "juniper",
            "display_name": "Juniper Ash",
            "email": "juniper@example.org",
            "bio": "Stones and moss.",
            "website": "https://juniper.example.org",
            "privacy": {
                "private_account": False,
                "hide_follow_lists": False,
                "who_may_comment": "everyone",
                "who_may_mention": "everyone",
            },
            "preferences": {
                "remind_to_describe_photos": False,
                "always_show_sensitive_media": True,
            },
            "created_at": iso(owner.created_at),
            "updated_at": iso(owner.updated_at),
            "email_verified_at": iso(owner.email_verified_at),
            "pending_email": None,
            "username_changed_at": None,
            "former_usernames": [],
            "last_login_at": iso(owner.last_login_at),
            "moderator": False,
            "deletion_requested_at": None,
            "deletion_reason": None,
            "blocked": None,
            "avatar": "avatar.webp",
        }
        assert owner.avatar_key is not None
        assert archive.read("avatar.webp") == read(storage, owner.avatar_key, "avatar")

        events = db.session.scalars(
            sa.select(SecurityEvent)
            .where(SecurityEvent.user_id == user.id)
            .order_by(SecurityEvent.id)
        ).all()
        assert entry(archive, "security_events.json") == [
            {
                "kind": event.kind.value,
                "created_at": iso(event.created_at),
                "ip": event.ip,
                "device": event.device_label,
                "detail": event.detail,
            }
            for event in events
        ]
        assert events[-1].kind == "login_succeeded" and events[-1].ip

    readme = archive.read("README.txt").decode()
    for name in ("profile.json", "posts.json", "comments.json", "likes.json", "followers.json"):
        assert name in readme
    assert "following.json" in readme and "security_events.json" in readme
    assert "Missing" not in readme
    for counted in ("posts.json (2 posts)", "photos/ (3 photos)", "comments.json (2 comments)"):
        assert counted in readme
    assert "likes.json (2 likes)" in readme and "followers.json (1 account)" in readme
    for name in names - {"README.txt", "avatar.webp"}:
        assert name.startswith("photos/") or name in readme
    assert archive.getinfo("posts.json").compress_type == zipfile.ZIP_DEFLATED


def check_clean_webp(data: bytes) -> None:
    for marker in (b"Exif", b"GPS", b"XMP", b"<x:xmpmeta"):
        assert marker not in data
    with Image.open(io.BytesIO(data)) as photo:
        assert photo.format == "WEBP"
        assert not photo.getexif()
        assert "exif" not in photo.info and "xmp" not in photo.info


def build_one(app: Flask, auth: AuthActions, runner: FlaskCliRunner) -> DataExport:
    auth.login("juniper")
    assert ask(auth).status_code == 303
    assert invoke(app, runner, "exports", "build").exit_code == 0
    [built] = rows(app)
    return built


def test_the_archive_ends_every_read_the_way_its_caller_says(
    app: Flask, user: User, tmp_path: Path
) -> None:
    """The archive reads in pages and hands back after each one, so the worker (which
    passes its rollback) holds no snapshot or SQLite lock while files are copied."""
    make_account(app, user)
    reads: list[str] = []
    ended: list[int] = []

    def count_select(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if statement.lstrip().upper().startswith("SELECT"):
            reads.append(statement)

    with app.test_request_context():
        owner = db.session.get(User, user.id)
        assert owner is not None
        engine = db.engine
        sa.event.listen(engine, "before_cursor_execute", count_select)
        try:
            now = utcnow()
            export_archive.write(
                owner, tmp_path / "a.zip", now, now, end_read=lambda: ended.append(len(reads))
            )
        finally:
            sa.event.remove(engine, "before_cursor_execute", count_select)
    # Every page read is followed by the caller's end, before anything else is read.
    assert ended == list(range(1, len(reads) + 1))
    assert len(reads) >= 7  # photos, posts, comments, likes, followers, following, events


def test_only_the_owner_may_download(
    app: Flask, auth: AuthActions, runner: FlaskCliRunner, user: User
) -> None:
    create_post(app, user)
    built = build_one(app, auth, runner)
    assert built.status == ExportStatus.READY and built.size_bytes
    path = f"{EXPORT_PAGE}/{built.id}/download"
    page = auth.client.get(EXPORT_PAGE).get_data(as_text=True)
    assert "Ready to download" in page and path in page

    create_user(app, "bramble")
    stranger = AuthActions(app.test_client())
    stranger.login("bramble")
    assert stranger.client.get(path).status_code == 404
    assert stranger.client.get(f"{EXPORT_PAGE}/{built.id + 1}/download").status_code == 404
    visitor = app.test_client().get(path)
    assert visitor.status_code == 302 and visitor.headers["Location"].startswith("/login")
    assert auth.client.get(f"{EXPORT_PAGE}/{built.id + 1}/download").status_code == 404


@pytest.mark.config(MEDIA_X_ACCEL=True)
def test_behind_nginx_the_file_is_handed_over_with_x_accel_redirect(
    app: Flask, auth: AuthActions, runner: FlaskCliRunner, user: User
) -> None:
    built = build_one(app, auth, runner)
    response = auth.client.get(f"{EXPORT_PAGE}/{built.id}/download")
    assert response.status_code == 200 and response.get_data() == b""
    assert response.headers["X-Accel-Redirect"] == f"/_private_exports/{built.file_name}"
    assert response.headers["Content-Disposition"].startswith(
        "attachment; filename=sapling-export-"
    )
    assert response.headers["Cache-Control"] == "private, no-store"


def test_the_download_needs_a_fresh_login_too(
    app: Flask, auth: AuthActions, runner: FlaskCliRunner, user: User
) -> None:
    built = build_one(app, auth, runner)
    with app.app_context():
        db.session.execute(
            sa.update(UserSession).values(authenticated_at=utcnow() - timedelta(minutes=6))
        )
        db.session.commit()
    path = f"{EXPORT_PAGE}/{built.id}/download"
    response = auth.client.get(path)
    assert response.status_code == 303 and response.headers["Location"] == f"/reauth?next={path}"


def test_an_expired_export_is_gone_and_maintenance_deletes_it(
    app: Flask, auth: AuthActions, runner: FlaskCliRunner, user: User
) -> None:
    built = build_one(app, auth, runner)
    assert built.file_name is not None
    file = Path(app.config["MEDIA_ROOT"]) / "exports" / built.file_name
    assert file.is_file()
    with app.app_context():
        db.session.execute(sa.update(DataExport).values(expires_at=utcnow() - timedelta(seconds=1)))
        db.session.commit()
    path = f"{EXPORT_PAGE}/{built.id}/download"
    expired = auth.client.get(path)
    assert expired.status_code == 410
    assert "This download has expired" in expired.get_data(as_text=True)
    assert "Expired" in auth.client.get(EXPORT_PAGE).get_data(as_text=True)

    result = invoke(app, runner, "maintenance", "run")
    assert result.exit_code == 0, result.output
    assert "1 expired exports;" in result.output
    assert not file.exists() and rows(app) == []
    assert auth.client.get(path).status_code == 404


def test_a_new_copy_replaces_the_old_one(
    app: Flask, auth: AuthActions, runner: FlaskCliRunner, user: User
) -> None:
    first = build_one(app, auth, runner)
    assert "Request a new copy" in auth.client.get(EXPORT_PAGE).get_data(as_text=True)
    assert ask(auth).status_code == 303
    assert "Built 1, failed 0." in invoke(app, runner, "exports", "build").output
    old, new = rows(app)
    assert old.id == first.id and new.status == ExportStatus.READY
    assert old.expires_at == new.ready_at
    assert download(auth.client, f"{EXPORT_PAGE}/{old.id}/download").status_code == 410
    assert download(auth.client, f"{EXPORT_PAGE}/{new.id}/download").status_code == 200
    assert "1 expired exports;" in invoke(app, runner, "maintenance", "run").output
    assert [row.id for row in rows(app)] == [new.id]
    assert old.file_name is not None and new.file_name is not None
    assert [path.name for path in (Path(app.config["MEDIA_ROOT"]) / "exports").iterdir()] == [
        new.file_name
    ]


def test_a_ready_export_survives_the_media_sweep(
    app: Flask, auth: AuthActions, runner: FlaskCliRunner, user: User
) -> None:
    built = build_one(app, auth, runner)
    assert built.file_name is not None
    file = Path(app.config["MEDIA_ROOT"]) / "exports" / built.file_name
    day_old = time.time() - 86400
    os.utime(file, (day_old, day_old))
    result = invoke(app, runner, "maintenance", "run")
    assert "0 orphaned media files, 0 expired exports;" in result.output
    assert file.is_file()
    assert download(auth.client, f"{EXPORT_PAGE}/{built.id}/download").status_code == 200


def test_a_ready_export_whose_file_is_gone_is_not_found(
    app: Flask, auth: AuthActions, runner: FlaskCliRunner, user: User
) -> None:
    built = build_one(app, auth, runner)
    assert built.file_name is not None
    (Path(app.config["MEDIA_ROOT"]) / "exports" / built.file_name).unlink()
    assert auth.client.get(f"{EXPORT_PAGE}/{built.id}/download").status_code == 404


def test_missing_photo_files_are_left_out_and_noted(
    app: Flask, auth: AuthActions, runner: FlaskCliRunner, user: User
) -> None:
    kept, lost = create_post(app, user, "kept"), create_post(app, user, "lost", photos=2)
    with app.app_context():
        for photo in lost.photos:
            media_storage().delete(photo.storage_key)  # really gone from disk
    built = build_one(app, auth, runner)
    assert built.status == ExportStatus.READY
    archive = archive_of(download(auth.client, f"{EXPORT_PAGE}/{built.id}/download"))
    assert [n for n in archive.namelist() if n.startswith("photos/")] == [
        f"photos/{kept.id}-1.webp"
    ]
    by_id = {post["id"]: post for post in entry(archive, "posts.json")}
    assert [photo["file"] for photo in by_id[lost.id]["photos"]] == [None, None]
    assert by_id[lost.id]["photos"][0]["alt_text"] == "Photo 1"
    assert by_id[kept.id]["photos"][0]["file"] == f"photos/{kept.id}-1.webp"
    readme = archive.read("README.txt").decode()
    assert "Missing: 2 photos could not be found" in readme


def test_a_failed_build_ends_failed_and_leaves_no_file(
    app: Flask, auth: AuthActions, runner: FlaskCliRunner, user: User, mailbox: Mailbox
) -> None:
    post = create_post(app, user)
    with app.app_context():  # a damaged row: the build stops half-way through the photos
        db.session.add(Photo(post_id=post.id, position=1, storage_key="damaged", width=1, height=1))
        db.session.commit()
    auth.login("juniper")
    ask(auth)
    result = invoke(app, runner, "exports", "build")
    assert "Built 0, failed 1." in result.output
    [failed] = rows(app)
    assert failed.status == ExportStatus.FAILED
    assert failed.error.startswith("ValueError: A media key is")
    assert list((Path(app.config["MEDIA_ROOT"]) / "exports").iterdir()) == []
    assert mailbox.to("juniper@example.org") == []
    page = auth.client.get(EXPORT_PAGE).get_data(as_text=True)
    assert "Could not be prepared" in page and "Request a new copy" in page
    assert ask(auth).status_code == 303
    assert len(rows(app)) == 2


def test_an_unusable_exports_folder_fails_the_build(
    app: Flask, auth: AuthActions, runner: FlaskCliRunner, user: User
) -> None:
    media = Path(app.config["MEDIA_ROOT"])
    media.mkdir(parents=True, exist_ok=True)
    (media / "exports").write_text("not a folder")
    auth.login("juniper")
    ask(auth)
    assert "Built 0, failed 1." in invoke(app, runner, "exports", "build").output
    [failed] = rows(app)
    assert failed.status == ExportStatus.FAILED and failed.error.startswith("FileExistsError")


def test_building_with_nothing_waiting_says_so(app: Flask, runner: FlaskCliRunner) -> None:
    result = invoke(app, runner, "exports", "build")
    assert result.exit_code == 0 and "Built 0, failed 0." in result.output


def test_a_one_off_build_builds_everything_waiting(
    app: Flask, auth: AuthActions, runner: FlaskCliRunner, user: User
) -> None:
    auth.login("juniper")
    ask(auth)
    other = create_user(app)
    with app.app_context():
        exports.request_export(other)
        db.session.commit()

    result = invoke(app, runner, "exports", "build")

    assert "Built 2, failed 0." in result.output
    assert [row.status for row in rows(app)] == [ExportStatus.READY, ExportStatus.READY]


def test_maintenance_fails_abandoned_builds_and_removes_stray_files(
    app: Flask, runner: FlaskCliRunner, user: User
) -> None:
    folder = Path(app.config["MEDIA_ROOT"]) / "exports"
    folder.mkdir(parents=True)
    stale = utcnow() - timedelta(days=2)
    with app.app_context():
        db.session.add_all(
            [
                DataExport(
                    user_id=user.id,
                    status=ExportStatus.BUILDING,
                    started_at=stale,
                    requested_at=stale,
                    file_name="a" * 32 + ".zip",
                ),
                DataExport(
                    user_id=user.id,
                    status=ExportStatus.FAILED,
                    requested_at=utcnow() - timedelta(days=8),
                ),
            ]
        )
        db.session.commit()
    partial = folder / ("a" * 32 + ".zip.part")
    stray, young = folder / ("b" * 32 + ".zip"), folder / ("c" * 32 + ".zip.part")
    for path in (partial, stray, young):
        path.write_bytes(b"PK")
    hour_ago = time.time() - 2 * 3600
    for path in (partial, stray):
        os.utime(path, (hour_ago, hour_ago))

    result = invoke(app, runner, "maintenance", "run")
    assert "2 expired exports;" in result.output  # the old failure and the stray file
    [abandoned] = rows(app)
    assert abandoned.status == ExportStatus.FAILED and abandoned.error
    assert sorted(folder.iterdir()) == [young]  # a build may still be writing that one

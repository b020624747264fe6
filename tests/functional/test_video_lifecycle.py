"""A video's files through the rest of its life (issue #20): hidden with its account and
shown again, in the data export beside its poster, and gone with the deletion purge.

The video here is stored as the worker stores a transcoded one (tests/factories.py), so
these run without ffmpeg; the transcode itself is test_video_posts.py's.
"""

from __future__ import annotations

import io
import json
import zipfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner

from app.extensions import db
from app.models import Photo, User, Visibility, utcnow
from app.services.privacy import export_archive
from tests.factories import RENDITION, create_post, create_user
from tests.support.auth import AuthActions
from tests.support.pages import csrf_token_for
from tests.support.stored_media import StoredFile, media_files

pytestmark = pytest.mark.media


def videos_on_disk(app: Flask) -> list[StoredFile]:
    """Every stored video rendition (on the disk or in the bucket)."""
    return [file for file in media_files(app) if file.suffix == ".mp4"]


def export_of(app: Flask, user: User, tmp_path: Path) -> zipfile.ZipFile:
    with app.test_request_context():
        owner = db.session.get(User, user.id)
        assert owner is not None
        now = datetime.now(UTC)
        export_archive.write(owner, tmp_path / "export.zip", now, now + timedelta(days=7))
    return zipfile.ZipFile(io.BytesIO((tmp_path / "export.zip").read_bytes()))


def test_the_export_holds_each_video_beside_its_poster(app: Flask, tmp_path: Path) -> None:
    juniper = create_user(app, "juniper")
    post = create_post(app, juniper, "Bells", photos=1, video=RENDITION)
    with export_of(app, juniper, tmp_path) as archive:
        assert archive.read(f"photos/{post.id}-2.mp4") == RENDITION
        assert archive.read(f"photos/{post.id}-2.webp").startswith(b"RIFF")
        [listed] = json.loads(archive.read("posts.json"))
        photo, video = listed["photos"]
        assert "kind" not in photo and photo["file"] == f"photos/{post.id}-1.webp"
        assert video["kind"] == "video" and video["duration_ms"] == 2000
        assert video["video"] == f"photos/{post.id}-2.mp4"
        assert video["file"] == f"photos/{post.id}-2.webp"
        readme = archive.read("README.txt").decode()
    assert "Videos (1 video)" in readme and "photos/1234-2.mp4" in readme


def test_a_video_missing_from_storage_is_null_in_the_export(app: Flask, tmp_path: Path) -> None:
    juniper = create_user(app, "juniper")
    create_post(app, juniper, "Bells", photos=0, video=RENDITION)
    for path in videos_on_disk(app):
        path.unlink()
    with export_of(app, juniper, tmp_path) as archive:
        [listed] = json.loads(archive.read("posts.json"))
        assert listed["photos"][0]["video"] is None
        assert "could not be found" in archive.read("README.txt").decode()


def test_a_video_moves_with_its_post_and_goes_with_it(
    app: Flask, client: FlaskClient, auth: AuthActions
) -> None:
    juniper = create_user(app, "juniper")
    post = create_post(app, juniper, "Bells", photos=0, video=RENDITION)
    [path] = videos_on_disk(app)
    assert "/public/" in str(path)
    auth.login("juniper")
    edit = {"csrf_token": csrf_token_for(client), "caption": "Bells", "alt_texts-0": "A video"}
    client.post(f"/p/{post.id}/edit", data={**edit, "visibility": "followers"})
    [path] = videos_on_disk(app)
    assert "/private/" in str(path), "followers-only: out of nginx's public area"
    client.post(f"/p/{post.id}/delete", data={"csrf_token": csrf_token_for(client)})
    assert videos_on_disk(app) == []


def test_the_deletion_purge_leaves_no_video_behind(
    app: Flask, client: FlaskClient, auth: AuthActions, runner: FlaskCliRunner
) -> None:
    juniper = create_user(app, "juniper")
    create_post(app, juniper, "Bells", photos=0, video=RENDITION, visibility=Visibility.PUBLIC)
    auth.login("juniper")
    data = {"csrf_token": csrf_token_for(client), "username": "juniper"}
    assert client.post("/settings/delete", data=data).status_code in (302, 303)
    [hidden] = videos_on_disk(app)
    assert "/private/" in str(hidden), "hidden with the account at once"
    later = (utcnow() + timedelta(days=31)).isoformat()
    with app.app_context():
        result = runner.invoke(args=["maintenance", "run", "--now", later])
    assert result.exit_code == 0, result.output
    assert videos_on_disk(app) == []
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Photo)) == 0


def test_a_server_without_ffmpeg_takes_photos_only_and_says_so(
    app: Flask, client: FlaskClient, auth: AuthActions, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No ffmpeg on the PATH (a machine set up without it): the form offers photos only,
    and a video sent anyway is refused in words, with nothing kept."""
    monkeypatch.setenv("PATH", "/nonexistent")
    create_user(app, "juniper")
    auth.login("juniper")
    form = client.get("/p/new").get_data(as_text=True)
    assert "video/mp4" not in form and "MP4, MOV or WebM" not in form
    data = {
        "csrf_token": csrf_token_for(client),
        "visibility": "public",
        "caption": "",
        "photos": [(io.BytesIO(RENDITION), "clip.mp4", "video/mp4")],
    }
    with client.post("/p/new", data=data) as response:
        assert response.status_code == 422
        assert "This server does not take videos yet" in response.get_data(as_text=True)
    assert videos_on_disk(app) == []
    incoming = Path(app.config["MEDIA_ROOT"]) / "incoming"
    assert not incoming.exists() or not any(incoming.iterdir())

"""Uploads through the real form: hostile files are refused cleanly, and photos lose their secrets.

Every refusal is a 422 with a message a person can act on, and leaves no file
in media storage and no row in the database.
"""

from __future__ import annotations

import io
from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient
from PIL import Image

from app.extensions import db
from app.models import User
from tests.support import images
from tests.support.auth import AuthActions
from tests.support.pages import csrf_token_for
from tests.support.stored_media import fetch_media
from tests.support.uploads import rows, stored_files, upload

pytestmark = pytest.mark.media

HOSTILE: dict[str, tuple[Callable[[], bytes], str]] = {
    "html renamed .jpg": (images.html_named_jpg, "not a photo Sapling can read"),
    "svg renamed .jpg": (images.svg_named_jpg, "not a photo Sapling can read"),
    "truncated jpeg": (images.truncated_jpeg, ""),
    "zero-byte file": (images.empty_file, "empty"),
    "decompression bomb": (images.decompression_bomb_png, "too large"),
    "50,000 x 50,000 declared": (images.huge_dimensions_png, "too large"),
    "50,000 x 50,000 jpeg": (images.huge_dimensions_jpeg, "too large"),
    "random bytes sent as image/jpeg": (images.random_bytes, "not a photo Sapling can read"),
    "gif": (images.gif, "JPEG, PNG, WebP or HEIC"),
    "animated webp": (images.animated_webp, ""),
}


@pytest.mark.parametrize("case", list(HOSTILE))
def test_hostile_uploads_are_refused_leaving_nothing_behind(
    app: Flask, client: FlaskClient, auth: AuthActions, user: User, case: str
) -> None:
    make, words = HOSTILE[case]
    auth.login("juniper")
    status, html = upload(client, (make(), "photo.jpg", "image/jpeg"))
    assert status == 422, case
    assert 'class="flash flash--error" role="alert"' in html
    assert words.lower() in html.lower()
    assert stored_files(app) == []
    assert rows(app) == (0, 0)


def test_one_bad_photo_among_good_ones_stores_none_of_them(
    app: Flask, client: FlaskClient, auth: AuthActions, user: User
) -> None:
    auth.login("juniper")
    status, _ = upload(
        client,
        (images.jpeg(), "a.jpg", "image/jpeg"),
        (images.png(), "b.png", "image/png"),
        (images.truncated_jpeg(), "c.jpg", "image/jpeg"),
    )
    assert status == 422
    assert stored_files(app) == []
    assert rows(app) == (0, 0)


@pytest.mark.config(MAX_PHOTO_BYTES=10_000)
def test_a_photo_over_the_size_limit_is_refused(
    app: Flask, client: FlaskClient, auth: AuthActions, user: User
) -> None:
    auth.login("juniper")
    status, html = upload(client, (images.large_jpeg(800, 600), "big.jpg", "image/jpeg"))
    assert status == 422
    assert "too big" in html
    assert stored_files(app) == []


@pytest.mark.config(MAX_CONTENT_LENGTH=50_000, VIDEO_MAX_BYTES=40_000)
def test_a_request_over_the_upload_limit_is_a_413(
    app: Flask, client: FlaskClient, auth: AuthActions, user: User
) -> None:
    """The post form's limit is the larger of MAX_CONTENT_LENGTH and VIDEO_MAX_BYTES."""
    auth.login("juniper")
    status, _ = upload(client, (images.random_bytes(200_000), "big.jpg", "image/jpeg"))
    assert status == 413
    assert rows(app) == (0, 0)


@pytest.mark.config(MAX_CONTENT_LENGTH=50_000, VIDEO_MAX_BYTES=100_000)
def test_the_post_form_takes_a_body_as_large_as_a_video(
    app: Flask, client: FlaskClient, auth: AuthActions, user: User
) -> None:
    """Past MAX_CONTENT_LENGTH but within VIDEO_MAX_BYTES: the form reads it, and the photo
    pipeline refuses the photo in words, not with a bare 413."""
    auth.login("juniper")
    status, html = upload(client, (images.random_bytes(80_000), "big.jpg", "image/jpeg"))
    assert status == 422
    assert "not a photo Sapling can read" in html
    assert rows(app) == (0, 0)


@pytest.mark.parametrize(
    "make",
    [
        images.jpeg_with_private_metadata,
        images.webp_with_private_metadata,
        images.motion_photo_jpeg,
        images.jpeg_with_vendor_trailer,
    ],
)
def test_every_stored_variant_is_free_of_metadata(
    app: Flask, client: FlaskClient, auth: AuthActions, user: User, make: Callable[[], bytes]
) -> None:
    original = make()
    assert b"GPS" in original or b"Exif" in original  # the fixture does carry location data
    auth.login("juniper")
    status, _ = upload(client, (original, "holiday.jpg", "image/jpeg"))
    assert status == 303
    files = stored_files(app)
    assert len(files) == 3
    for path in files:
        content = path.read_bytes()
        for marker in (b"Exif", b"GPS", b"XMP", b"xmp", b"<x:xmpmeta", b"ftyp", b"SEF"):
            assert marker not in content, (path.name, marker)
        with Image.open(io.BytesIO(path.read_bytes())) as stored:
            assert stored.format == "WEBP"
            assert not stored.getexif()
            assert "xmp" not in stored.info and "exif" not in stored.info
            assert "icc_profile" not in stored.info


@pytest.mark.parametrize("make", [images.jpeg_with_html_appended, images.jpeg_with_script_comment])
def test_a_polyglot_is_stored_as_pixels_only(
    app: Flask, client: FlaskClient, auth: AuthActions, user: User, make: Callable[[], bytes]
) -> None:
    auth.login("juniper")
    status, _ = upload(client, (make(), "photo.jpg", "image/jpeg"))
    assert status == 303
    files = stored_files(app)
    assert len(files) == 3
    for path in files:
        assert b"<script" not in path.read_bytes() and b"<html" not in path.read_bytes()


def test_a_heic_photo_is_accepted(
    app: Flask, client: FlaskClient, auth: AuthActions, user: User
) -> None:
    auth.login("juniper")
    status, _ = upload(client, (images.heic(), "IMG_0001.HEIC", "image/heic"))
    assert status == 303
    assert rows(app) == (1, 1)


def test_avatars_go_through_the_same_pipeline(
    app: Flask, client: FlaskClient, auth: AuthActions, user: User
) -> None:
    auth.login("juniper")
    token = csrf_token_for(client)

    def send(content: bytes, **extra: str) -> int:
        data: dict[str, object] = {
            "csrf_token": token,
            "display_name": "Juniper",
            "bio": "Small green things",
            "website": "",
            "avatar": (io.BytesIO(content), "me.jpg", "image/jpeg"),
            **extra,
        }
        return client.post(
            "/profile/edit", data=data, content_type="multipart/form-data"
        ).status_code

    assert send(images.html_named_jpg()) == 422
    assert stored_files(app) == []
    assert send(images.jpeg_with_private_metadata()) == 303
    files = stored_files(app)
    assert {p.name for p in files} == {"avatar.webp", "avatar_small.webp"}
    assert all(b"GPS" not in p.read_bytes() for p in files)
    # Replacing the avatar removes the old files once the change has committed.
    assert send(images.png()) == 303
    assert len(stored_files(app)) == 2 and stored_files(app) != files
    with app.app_context():
        key = db.session.get(User, user.id).avatar_key  # type: ignore[union-attr]
    status, cache_control = fetch_media(client, f"/media/{key}/avatar.webp")
    assert status == 200 and cache_control.startswith("public")

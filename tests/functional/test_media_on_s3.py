"""The app on the S3 backend (MEDIA_STORAGE=s3), whatever TEST_MEDIA_STORAGE says: against
a real S3 server (SeaweedFS, tests/support/s3_server.py) and against a bucket that does
not answer.

The rest of the media tests run on S3 too when .ci/run sets TEST_MEDIA_STORAGE=s3; these
are the answers only the bucket has: where public files are linked, what the CSP allows,
how a private file reaches a viewer without nginx, and a 503 rather than a 500 when the
bucket is away.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import requests
import sqlalchemy as sa
from flask import Flask

from app.extensions import db
from app.models import Post, User, Visibility
from scripts.loopback import free_port
from tests.factories import create_post, create_user, follow, jpeg_bytes
from tests.support.auth import AuthActions
from tests.support.uploads import rows, upload

pytestmark = [pytest.mark.media, pytest.mark.config(MEDIA_STORAGE="s3")]

CLOSED = f"http://127.0.0.1:{free_port()}"  # nothing listens: a bucket that is down


def image_sources(html: str) -> list[str]:
    import re

    return re.findall(r'<img[^>]+src="([^"]+)"', html)


def test_public_photos_are_linked_from_the_bucket_and_private_ones_from_this_host(
    app: Flask,
) -> None:
    author, follower = create_user(app, "linden"), create_user(app, "alder")
    follow(app, follower, author)
    public = create_post(app, author, "Out in the open")
    private = create_post(app, author, "Friends only", visibility=Visibility.FOLLOWERS)
    bucket_url = app.config["MEDIA_PUBLIC_URL"]
    assert bucket_url.endswith(
        f"/{app.config['MEDIA_S3_BUCKET']}/{app.config['MEDIA_S3_PREFIX']}".rstrip("/")
    )

    viewer = AuthActions(app.test_client())
    viewer.login("alder")
    page = viewer.client.get(f"/p/{public.id}")
    key = public.photos[0].storage_key
    shown = f"{bucket_url}/media/{key}/display.webp"
    assert shown in image_sources(page.get_data(as_text=True))
    answer = requests.get(shown, timeout=30)  # the browser's fetch, straight from the bucket
    assert answer.status_code == 200 and answer.content[:4] == b"RIFF"
    origin = "/".join(bucket_url.split("/")[:3])
    assert f"img-src 'self' {origin} " in page.headers["Content-Security-Policy"]

    private_page = viewer.client.get(f"/p/{private.id}").get_data(as_text=True)
    hidden = private.photos[0].storage_key
    assert f"/media/{hidden}/display.webp" in image_sources(private_page)
    assert not any(src.startswith(bucket_url) for src in image_sources(private_page))
    assert (
        requests.get(f"{bucket_url}/private/{hidden}/display.webp", timeout=30).status_code == 403
    )

    # Without nginx (MEDIA_X_ACCEL off) the app streams the private file itself.
    with viewer.client.get(f"/media/{hidden}/display.webp") as streamed:
        assert streamed.status_code == 200
        assert streamed.headers["Cache-Control"] == "private, max-age=600"
        assert streamed.get_data()[:4] == b"RIFF"
    with app.test_client().get(f"/media/{hidden}/display.webp") as stranger:
        assert stranger.status_code == 404
    with app.test_client().get(f"/media/{key}/display.webp") as kept_link:
        assert kept_link.status_code == 302 and kept_link.headers["Location"] == shown


@pytest.mark.config(MEDIA_STORAGE="s3", MEDIA_S3_BUCKET="sapling-down", MEDIA_S3_ENDPOINT=CLOSED)
def test_a_bucket_that_does_not_answer_is_a_503_and_nothing_is_half_written(
    app: Flask, auth: AuthActions, user: User
) -> None:
    auth.login(user.username)
    status, text = upload(auth.client, (jpeg_bytes(), "fern.jpg", "image/jpeg"))
    assert status == 503, text[:500]
    assert rows(app) == (0, 0)
    root = Path(app.config["MEDIA_ROOT"])  # the upload's own copy in incoming/ went too
    assert [path for path in root.rglob("*") if path.is_file()] == []
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Post)) == 0


@pytest.mark.config(MEDIA_STORAGE="s3", MEDIA_S3_BUCKET="sapling-down", MEDIA_S3_ENDPOINT=CLOSED)
def test_readyz_says_unavailable_when_the_bucket_does_not_answer(app: Flask) -> None:
    response = app.test_client().get("/readyz")
    assert response.status_code == 503
    assert response.get_json() == {"status": "unavailable"}


@pytest.mark.config(MEDIA_STORAGE="s3", MEDIA_S3_BUCKET="sapling-down", MEDIA_S3_ENDPOINT=CLOSED)
def test_a_photo_asked_for_while_the_bucket_is_away_is_a_503_with_retry_after(
    app: Flask,
) -> None:
    response = app.test_client().get(f"/media/{'a' * 32}/display.webp")
    assert response.status_code == 503
    assert response.headers["Retry-After"].isdigit()
    assert "Traceback" not in response.get_data(as_text=True)


def test_the_readiness_probe_writes_to_the_bucket(app: Flask) -> None:
    assert app.test_client().get("/readyz").status_code == 200

"""The optional media host: public photos and avatars may come from a cookie-less domain."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from flask.testing import FlaskClient

from app.config import ConfigError, ProductionConfig
from app.models import User, Visibility
from tests.factories import create_post, create_user, follow
from tests.support.auth import AuthActions

pytestmark = pytest.mark.media

MEDIA_HOST = "https://media.sapling.example.org"


def image_sources(html: str) -> list[str]:
    return re.findall(r'<img[^>]* src="([^"]+)"', html)


@pytest.mark.config(MEDIA_PUBLIC_URL=MEDIA_HOST)
def test_public_photos_link_to_the_media_host_and_private_ones_never_do(
    app: Flask, client: FlaskClient, auth: AuthActions, user: User
) -> None:
    author = create_user(app, "hazel")
    follow(app, user, author)
    public = create_post(app, author, "for everyone")
    private = create_post(app, author, "for followers", visibility=Visibility.FOLLOWERS)
    auth.login("juniper")

    public_page = client.get(f"/p/{public.id}")
    private_page = client.get(f"/p/{private.id}")

    key = public.photos[0].storage_key
    assert f"{MEDIA_HOST}/media/{key}/display.webp" in image_sources(public_page.text)
    assert all(not src.startswith(MEDIA_HOST) for src in image_sources(private_page.text))
    assert f"/media/{private.photos[0].storage_key}/display.webp" in private_page.text
    policy = public_page.headers["Content-Security-Policy"]
    assert f"img-src 'self' {MEDIA_HOST} " in policy


@pytest.mark.config(MEDIA_STORAGE="local")  # on S3 the bucket is the media host
def test_without_a_media_host_every_photo_comes_from_this_host(
    app: Flask, client: FlaskClient
) -> None:
    author = create_user(app, "hazel")
    post = create_post(app, author, "for everyone")

    page = client.get(f"/p/{post.id}")

    assert f"/media/{post.photos[0].storage_key}/display.webp" in image_sources(page.text)
    assert all(src.startswith("/") for src in image_sources(page.text))


@pytest.mark.parametrize("value", ["media.example.org", "javascript:alert(1)", "//media"])
def test_a_media_host_must_be_an_http_url(value: str) -> None:
    environment = {"SECRET_KEY": "k" * 40, "DATABASE_URL": "postgresql://db/sapling"}
    with pytest.raises(ConfigError, match="MEDIA_PUBLIC_URL"):
        ProductionConfig({**environment, "MEDIA_PUBLIC_URL": value})

"""Videos through nginx as shipped (issue #20): a seek is a range request, answered 206 by
nginx itself, from disk for a public video and by X-Accel-Redirect for a followers-only
one once the app has checked who asks; a stranger gets 404 for the same range."""

from __future__ import annotations

import itertools

import pytest
import requests
import sqlalchemy as sa

from app.extensions import db
from app.models import User, Visibility
from tests.factories import RENDITION, create_post
from tests.support.nginx_site import Site

pytestmark = pytest.mark.nginx

YEARS = "max-age=315360000"  # nginx's `expires max`: the file came from the public folder
SEEK = "bytes=131072-196607"  # 64 KiB from the middle, as a player asks after a seek
_sources = (f"127.0.20.{n}" for n in itertools.count(1))


def video_of(site: Site, visibility: Visibility) -> str:
    with site.app.app_context():
        author = db.session.scalars(sa.select(User).where(User.username == "hazel.edge")).one()
        db.session.expunge(author)
    post = create_post(site.app, author, "Bells", photos=0, visibility=visibility, video=RENDITION)
    return f"/media/{post.photos[0].storage_key}/video.mp4"


def seek(client: requests.Session, site: Site, path: str) -> requests.Response:
    return client.get(site.stack.https + path, headers={"Range": SEEK}, timeout=10)


def test_a_followers_only_video_seeks_for_a_follower_and_is_a_404_to_a_stranger(
    site: Site,
) -> None:
    path = video_of(site, Visibility.FOLLOWERS)
    follower = site.login(site.follower, source=next(_sources))
    answer = seek(follower, site, path)
    assert answer.status_code == 206, answer.text[:200]
    assert answer.headers["Content-Range"] == f"bytes 131072-196607/{len(RENDITION)}"
    assert answer.content == RENDITION[131072:196608]
    assert answer.headers["Content-Type"] == "video/mp4"
    assert answer.headers["Cache-Control"].startswith("private")
    whole = follower.get(site.stack.https + path, timeout=10)
    assert whole.status_code == 200 and whole.content == RENDITION
    assert whole.headers.get("Accept-Ranges") == "bytes"

    stranger = site.login(site.stranger, source=next(_sources))
    for client in (stranger, site.client(next(_sources))):
        refused = seek(client, site, path)
        assert refused.status_code == 404
        assert RENDITION[131072:131200] not in refused.content


def test_a_public_video_seeks_straight_from_disk(site: Site) -> None:
    path = video_of(site, Visibility.PUBLIC)
    answer = seek(site.client(next(_sources)), site, path)
    assert answer.status_code == 206
    assert answer.content == RENDITION[131072:196608]
    assert answer.headers["Content-Type"] == "video/mp4"
    assert YEARS in answer.headers["Cache-Control"]

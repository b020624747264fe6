"""Two app hosts sharing one bucket, behind one nginx upstream (MEDIA_STORAGE=s3).

The stack is the production one (deploy/, tests/support/nginx_stack.py) with a second
page pool on a media folder of its own in the upstream, and the bucket on a real S3
server (SeaweedFS, tests/support/s3_server.py). Nothing of a photo is on either host's
disk: a photo posted through one host is served, made private and deleted through the
other, and private files reach a follower through nginx from a presigned URL that the
browser never sees.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests
import sqlalchemy as sa
from PIL import Image

from app.extensions import db
from app.models import Photo, Post
from tests.factories import PASSWORD, create_user, follow, jpeg_bytes
from tests.support.apps import build_app, migrated_database
from tests.support.nginx_site import production_environment, require_nginx
from tests.support.nginx_stack import SERVER_NAME, Stack
from tests.support.pages import csrf_token_in
from tests.support.s3_server import S3Server, shared_server

pytestmark = [pytest.mark.nginx, pytest.mark.media]


@dataclass(frozen=True)
class Hosts:
    stack: Stack
    s3: S3Server
    settings: dict[str, str]
    app_a: str  # each gunicorn's own address, as nginx reaches it
    app_b: str
    media_a: Path
    media_b: Path
    app: object


@pytest.fixture(scope="module")
def hosts(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Hosts]:
    nginx = require_nginx()
    s3 = shared_server()
    workdir = tmp_path_factory.mktemp("two-hosts")
    media_a, media_b = workdir / "media-a", workdir / "media-b"
    bucket = {key: str(value) for key, value in s3.settings().items()}
    with migrated_database(tmp_path_factory, "two-hosts-db") as url:
        app = build_app(url, media_a, dict(bucket))
        environment = production_environment(url, workdir, media_a, **bucket)
        with Stack(
            nginx, workdir, environment, second_app_env={"MEDIA_ROOT": str(media_b)}
        ) as stack:
            yield Hosts(
                stack,
                s3,
                bucket,
                f"http://127.0.0.1:{stack.ports.app}",
                f"http://127.0.0.1:{stack.ports.second_app}",
                media_a,
                media_b,
                app,
            )
        with app.app_context():  # type: ignore[attr-defined]
            db.engine.dispose()


class Through:
    """Requests to one app host, with the headers nginx gives each request it passes on
    (deploy/nginx/sapling_proxy.conf): the test picks the host that nginx would have."""

    def __init__(self, hosts: Hosts, host: str, cookies: requests.cookies.RequestsCookieJar):
        self.host = host
        self.client = requests.Session()
        self.client.trust_env = False
        self.site = f"{SERVER_NAME}:{hosts.stack.ports.https}"
        cookie = "; ".join(f"{c.name}={c.value}" for c in cookies)
        self.client.headers.update(
            {
                "Host": self.site,
                "X-Forwarded-Proto": "https",
                "X-Forwarded-For": "127.0.0.1",
                "Cookie": cookie,
            }
        )

    def get(self, path: str, **kwargs: object) -> requests.Response:
        return self.client.get(self.host + path, allow_redirects=False, timeout=30, **kwargs)  # type: ignore[arg-type]

    def post(self, path: str, data: dict[str, object], **kwargs: object) -> requests.Response:
        page = self.get(kwargs.pop("form", path))  # type: ignore[arg-type]
        token = csrf_token_in(page.text)
        return self.client.post(
            self.host + path,
            data={"csrf_token": token, **data},
            headers={"Referer": f"https://{self.site}{path}"},
            allow_redirects=False,
            timeout=60,
            **kwargs,  # type: ignore[arg-type]
        )


def login(hosts: Hosts, username: str) -> requests.Session:
    client = hosts.stack.session()
    page = client.get(f"{hosts.stack.https}/login", timeout=30)
    answer = client.post(
        f"{hosts.stack.https}/login",
        data={"csrf_token": csrf_token_in(page.text), "identifier": username, "password": PASSWORD},
        headers={"Referer": page.url},
        allow_redirects=False,
        timeout=30,
    )
    assert answer.status_code == 303, answer.text[:2000]
    return client


def bucket_objects(hosts: Hosts) -> list[str]:
    prefix = hosts.settings["MEDIA_S3_PREFIX"]
    listing = hosts.s3.client().list_objects_v2(
        Bucket=hosts.settings["MEDIA_S3_BUCKET"], Prefix=prefix
    )
    return sorted(entry["Key"].removeprefix(prefix) for entry in listing.get("Contents", []))


def files_on_disk(*folders: Path) -> list[Path]:
    return [path for folder in folders for path in folder.rglob("*.webp")]


def test_a_photo_posted_through_one_host_is_served_hidden_and_deleted_through_the_other(
    hosts: Hosts,
) -> None:
    author, follower = create_user(hosts.app, "maple.two"), create_user(hosts.app, "birch.two")  # type: ignore[arg-type]
    follow(hosts.app, follower, author)  # type: ignore[arg-type]
    author_cookies = login(hosts, author.username).cookies
    through_a = Through(hosts, hosts.app_a, author_cookies)
    through_b = Through(hosts, hosts.app_b, author_cookies)

    photo = jpeg_bytes(640, 480)
    posted = through_a.post(
        "/p/new",
        {"visibility": "public", "caption": "Two hosts, one bucket"},
        files={"photos": ("bark.jpg", photo, "image/jpeg")},
    )
    assert posted.status_code == 303, posted.text[:2000]
    with hosts.app.app_context():  # type: ignore[attr-defined]
        post = db.session.scalars(sa.select(Post).where(Post.author_id == author.id)).one()
        key = db.session.scalars(sa.select(Photo.storage_key).where(Photo.post_id == post.id)).one()
    assert f"media/{key}/display.webp" in bucket_objects(hosts)
    assert files_on_disk(hosts.media_a, hosts.media_b) == [], "nothing of it on a host's disk"

    # Public: the page on the other host links the bucket, which serves it to anyone.
    page = through_b.get(f"/p/{post.id}")
    bucket, prefix = hosts.settings["MEDIA_S3_BUCKET"], hosts.settings["MEDIA_S3_PREFIX"]
    public_url = f"{hosts.s3.endpoint}/{bucket}/{prefix}media/{key}/display.webp"
    assert public_url in page.text
    answer = requests.get(public_url, timeout=30)
    assert answer.status_code == 200 and answer.headers["Content-Type"] == "image/webp"
    assert "max-age=31536000" in answer.headers["Cache-Control"]
    assert Image.open(io.BytesIO(answer.content)).format == "WEBP"
    stranger = hosts.stack.session()
    old_link = stranger.get(
        f"{hosts.stack.https}/media/{key}/display.webp", allow_redirects=False, timeout=30
    )
    assert old_link.status_code == 302 and old_link.headers["Location"] == public_url

    # Private, through the other host: the bucket refuses it, nginx streams it to a follower.
    made_private = through_b.post(
        "/profile/privacy",
        {"is_private": "y", "comment_audience": "everyone", "mention_audience": "everyone"},
    )
    assert made_private.status_code == 303, made_private.text[:2000]
    assert requests.get(public_url, timeout=30).status_code in (403, 404)
    assert f"private/{key}/display.webp" in bucket_objects(hosts)
    path = f"{hosts.stack.https}/media/{key}/display.webp"
    assert stranger.get(path, timeout=30).status_code == 404
    reader = login(hosts, follower.username)
    seen = reader.get(path, timeout=30)
    assert seen.status_code == 200, seen.text[:500]
    assert seen.content == answer.content
    assert seen.headers["Content-Type"] == "image/webp"
    assert seen.headers["Cache-Control"] == "private, max-age=600"
    assert not any(name.lower().startswith("x-amz") for name in seen.headers)
    assert "X-Accel-Redirect" not in seen.headers
    part = reader.get(path, headers={"Range": "bytes=0-99"}, timeout=30)
    assert part.status_code == 206 and part.content == answer.content[:100]
    assert re.fullmatch(rf"bytes 0-99/{len(answer.content)}", part.headers["Content-Range"])

    # Deleted, through the other host: gone from the bucket, and from nginx.
    deleted = through_b.post(f"/p/{post.id}/delete", {}, form=f"/p/{post.id}")
    assert deleted.status_code == 303, deleted.text[:2000]
    assert [name for name in bucket_objects(hosts) if key in name] == []
    assert reader.get(path, timeout=30).status_code == 404
    assert files_on_disk(hosts.media_a, hosts.media_b) == []


def test_each_host_serves_through_the_one_upstream(hosts: Hosts) -> None:
    """nginx spreads requests over both hosts: each one's log shows page requests."""
    client = hosts.stack.session()
    for _ in range(8):
        assert client.get(f"{hosts.stack.https}/", timeout=30).status_code == 200
    first = hosts.stack.page_log_text()
    second = hosts.stack.second_app_log.read_text(errors="replace")
    assert "GET / 200" in first and "GET / 200" in second

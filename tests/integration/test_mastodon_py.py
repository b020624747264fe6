"""Mastodon.py, a real client nobody here wrote, against Sapling served by gunicorn behind
nginx on PostgreSQL (issue #21): it registers an app, signs a person in through the real
consent form with PKCE, posts a photo with its description, reads it in a follower's home
timeline, likes it, and revokes its token.

Mastodon.py 2.3.3 has no PKCE of its own: the test adds the challenge to the URL it builds
and the verifier to the token request it sends (``PkceSession``), and uses it unmodified
for everything else.
"""

from __future__ import annotations

import base64
import hashlib
import itertools
import secrets
from typing import Any
from urllib.parse import urlsplit

import pytest
import requests
from mastodon import Mastodon, MastodonUnauthorizedError

from tests.factories import jpeg_bytes
from tests.support.nginx_site import Site
from tests.support.nginx_stack import LoopbackNames
from tests.support.pages import csrf_token_in

pytestmark = pytest.mark.nginx

REDIRECT = "https://app.example/callback"
SCOPES = ["read", "write", "follow"]
_sources = (f"127.0.21.{n}" for n in itertools.count(1))


class PkceSession(requests.Session):
    """What a PKCE-aware Mastodon client sends: the verifier with the code."""

    verifier: str | None = None

    def request(self, method: str, url: Any, *args: Any, **kwargs: Any) -> Any:  # type: ignore[override]
        if method.upper() == "POST" and str(url).endswith("/oauth/token") and self.verifier:
            kwargs["data"] = {**dict(kwargs.get("data") or {}), "code_verifier": self.verifier}
        return super().request(method, url, *args, **kwargs)


def session(site: Site) -> PkceSession:
    client = PkceSession()
    client.trust_env = False
    client.verify = str(site.stack.certificate)
    adapter = LoopbackNames(next(_sources))
    client.mount("https://", adapter)
    return client


def sign_in(site: Site, username: str) -> Mastodon:
    base = site.stack.https
    http = session(site)
    client_id, client_secret = Mastodon.create_app(
        "Fern Reader", scopes=SCOPES, redirect_uris=REDIRECT, api_base_url=base, session=http
    )
    app = Mastodon(
        client_id=client_id, client_secret=client_secret, api_base_url=base, session=http
    )
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=")
    url = app.auth_request_url(redirect_uris=REDIRECT, scopes=SCOPES, state="fern")
    url += f"&code_challenge={challenge.decode()}&code_challenge_method=S256"

    browser = site.login(username, source=next(_sources))  # the person, in their browser
    page = browser.get(url, timeout=10)
    assert page.status_code == 200 and "Allow Fern Reader?" in page.text, page.text[:300]
    answer = browser.post(
        url,
        data={"csrf_token": csrf_token_in(page.text), "allow": "Allow"},
        headers={"Referer": page.url},
        allow_redirects=False,
        timeout=10,
    )
    assert answer.status_code == 302, answer.text[:300]
    code = requests.utils.urlparse(answer.headers["Location"]).query
    code = dict(part.split("=", 1) for part in code.split("&"))["code"]
    http.verifier = verifier
    app.log_in(code=code, redirect_uri=REDIRECT, scopes=SCOPES)
    return app


def test_mastodon_py_signs_in_posts_reads_likes_and_revokes(site: Site) -> None:
    author = sign_in(site, "hazel.edge")
    follower = sign_in(site, site.follower)  # fern.edge follows hazel.edge
    assert author.account_verify_credentials()["username"] == "hazel.edge"

    media = author.media_post(
        jpeg_bytes(640, 480), mime_type="image/jpeg", file_name="fronds.jpg",
        description="Fern fronds unrolling in the rain",
    )  # fmt: skip
    status = author.status_post("Spring fronds #ferns", media_ids=[media], visibility="private")
    assert status["visibility"] == "private"

    timeline = follower.timeline_home()
    [seen] = [item for item in timeline if item["id"] == status["id"]]
    assert seen["media_attachments"][0]["description"] == "Fern fronds unrolling in the rain"
    assert seen["account"]["username"] == "hazel.edge"
    # (BASE_URL has no port here: the file is asked for at the stack's own address.)
    path = urlsplit(seen["media_attachments"][0]["url"]).path
    with site.client(next(_sources)).get(site.stack.https + path, timeout=10) as stranger:
        assert stranger.status_code == 404, "followers-only: not for a client without the session"

    liked = follower.status_favourite(seen)
    assert liked["favourited"] is True
    assert author.status(status["id"])["favourites_count"] == 1

    author.revoke_access_token()
    with pytest.raises(MastodonUnauthorizedError):
        author.account_verify_credentials()
    assert follower.account_verify_credentials()["username"] == site.follower

"""Mastodon.py, a real client nobody here wrote, against Sapling served by gunicorn behind
nginx on PostgreSQL (issue #21): it registers an app, signs a person in through the real
consent form with PKCE, posts a photo with its description, reads it in a follower's home
timeline, likes it, and revokes its token; then goes through the rest of the API's list
(instance, lookup, lists of people, follow requests, pagination both ways, context,
bookmarks, notifications, search, mutes, blocks, deletion).

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
from mastodon import Mastodon, MastodonNotFoundError, MastodonUnauthorizedError

from tests.factories import create_user, jpeg_bytes, make_private
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


def post_photo(app: Mastodon, caption: str) -> Any:
    media = app.media_post(
        jpeg_bytes(320, 240), mime_type="image/jpeg", file_name="leaf.jpg", description=caption
    )
    return app.status_post(caption, media_ids=[media])


def test_mastodon_py_through_the_rest_of_the_list(site: Site) -> None:
    # Accounts of its own: the site is shared with the other tests behind nginx.
    make_private(site.app, create_user(site.app, "clover.edge"))
    create_user(site.app, "bramble.edge")
    reader, owner = sign_in(site, "bramble.edge"), sign_in(site, "clover.edge")
    assert reader.instance_v1()["uri"] and reader.instance_v2()["domain"]

    hazel = reader.account_lookup("hazel.edge")
    captions = [status["content"] for status in reader.account_statuses(hazel)]
    assert any("For everyone" in text for text in captions)
    assert not any("For my followers" in text for text in captions), "not a follower"
    assert site.follower in [a["username"] for a in reader.account_followers(hazel)]
    fern = reader.account_lookup(site.follower)
    assert "hazel.edge" in [a["username"] for a in reader.account_following(fern)]
    assert reader.account_follow(hazel)["following"] is True

    ivy = reader.account_lookup("clover.edge")
    asked = reader.account_follow(ivy)
    assert asked["requested"] is True and asked["following"] is False, "a private account"
    [request] = owner.follow_requests()
    assert request["username"] == "bramble.edge"
    assert owner.follow_request_authorize(request)["followed_by"] is True

    made = [post_photo(owner, f"Ivy leaf {n} #ivyleaves") for n in range(3)]
    newest_two = reader.timeline_home(limit=2)
    assert [s["id"] for s in newest_two] == [made[2]["id"], made[1]["id"]]
    older = reader.fetch_next(newest_two)
    assert older[0]["id"] == made[0]["id"]
    back = reader.fetch_previous(older)  # min_id: the two just after, not the newest two
    assert [s["id"] for s in back] == [made[2]["id"], made[1]["id"]]
    between = reader.timeline_home(min_id=made[0]["id"], limit=1)
    assert [s["id"] for s in between] == [made[1]["id"]]

    status = made[2]
    assert reader.status_context(status) == {"ancestors": [], "descendants": []}
    assert reader.status_bookmark(status)["bookmarked"] is True
    assert reader.status_unbookmark(status)["bookmarked"] is False
    assert reader.status_favourite(status)["favourited"] is True
    kinds = {note["type"] for note in owner.notifications()}
    assert {"follow", "favourite"} <= kinds, kinds
    assert reader.status_unfavourite(status)["favourited"] is False
    kinds = {note["type"] for note in owner.notifications()}
    assert "favourite" not in kinds, "an undone like is withdrawn, as on the pages"

    found = reader.search_v2("clover")
    assert [a["username"] for a in found["accounts"]] == ["clover.edge"]
    assert [t["name"] for t in reader.search_v2("#ivyleaves")["hashtags"]] == ["ivyleaves"]

    assert reader.account_mute(ivy)["muting"] is True
    assert made[2]["id"] not in [s["id"] for s in reader.timeline_home()]
    assert reader.account_unmute(ivy)["muting"] is False
    assert reader.account_block(hazel)["blocking"] is True
    with pytest.raises(MastodonNotFoundError):
        reader.account_statuses(hazel)
    assert reader.account_unblock(hazel)["blocking"] is False

    owner.status_delete(status)
    with pytest.raises(MastodonNotFoundError):
        reader.status(status["id"])

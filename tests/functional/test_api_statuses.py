"""The API's accounts and statuses (issue #21): Mastodon's shapes and pagination, likes and
saves through the same services as the pages, and hostile ids and tokens."""

from __future__ import annotations

import re

import pytest
from flask import Flask

from app.models import User, Visibility
from tests.factories import create_post, create_user, follow
from tests.support.api import bearer, token_for


@pytest.fixture
def world(app: Flask) -> dict[str, object]:
    fern, rowan = create_user(app, "fern"), create_user(app, "rowan")
    follow(app, rowan, fern)
    made = [create_post(app, fern, f"Fronds {n} #ferns", photos=2) for n in range(5)]
    return {"fern": fern, "rowan": rowan, "posts": made, "token": token_for(app, "rowan")}


def test_a_status_has_mastodons_shape_with_its_media(app: Flask, world: dict) -> None:  # type: ignore[type-arg]
    post = world["posts"][0]
    body = (
        app.test_client()
        .get(f"/api/v1/statuses/{post.id}", headers=bearer(world["token"]))
        .get_json()
    )
    assert body["id"] == str(post.id) and body["visibility"] == "public"
    assert body["account"]["username"] == "fern" and body["favourited"] is False
    assert body["content"].startswith("Fronds 0") and re.match(
        r"\d{4}-\d\d-\d\dT.*\.\d{3}Z", body["created_at"]
    )
    first, _second = body["media_attachments"]
    assert first["type"] == "image" and first["description"] == "Photo 1"
    assert first["url"].startswith("http") and first["url"].endswith("/display.webp")


def test_the_home_timeline_pages_with_link_headers(app: Flask, world: dict) -> None:  # type: ignore[type-arg]
    api, token = app.test_client(), world["token"]
    first = api.get("/api/v1/timelines/home?limit=2", headers=bearer(token))
    ids = [item["id"] for item in first.get_json()]
    newest = [str(post.id) for post in reversed(world["posts"])]
    assert ids == newest[:2]
    link = first.headers["Link"]
    assert f"max_id={ids[-1]}" in link and 'rel="next"' in link and 'rel="prev"' in link
    following = re.search(r"<([^>]+)>; rel=\"next\"", link)
    assert following is not None
    path = following.group(1).split("://", 1)[1].split("/", 1)[1]
    second = api.get("/" + path, headers=bearer(token)).get_json()
    assert [item["id"] for item in second] == newest[2:4]
    since = api.get(f"/api/v1/timelines/home?since_id={newest[1]}", headers=bearer(token))
    assert [item["id"] for item in since.get_json()] == newest[:1]


def ids_of(response: object) -> list[str]:
    return [item["id"] for item in response.get_json()]  # type: ignore[attr-defined]


def test_min_id_reads_forward_from_the_post_an_app_has(app: Flask, world: dict) -> None:  # type: ignore[type-arg]
    api, token = app.test_client(), world["token"]
    oldest_first = [str(post.id) for post in world["posts"]]
    stranger = create_user(app, "bramble")
    create_post(app, stranger, "Not followed, never in the feed")
    home = "/api/v1/timelines/home"
    after_oldest = api.get(f"{home}?min_id={oldest_first[0]}&limit=2", headers=bearer(token))
    assert ids_of(after_oldest) == [oldest_first[2], oldest_first[1]], (
        "the two just after it, newest first; since_id would give the newest two"
    )
    since = api.get(f"{home}?since_id={oldest_first[0]}&limit=2", headers=bearer(token))
    assert ids_of(since) == [oldest_first[4], oldest_first[3]]
    bounded = api.get(
        f"{home}?min_id={oldest_first[0]}&max_id={oldest_first[3]}", headers=bearer(token)
    )
    assert ids_of(bounded) == [oldest_first[2], oldest_first[1]]
    # A client scrolled back, then catches up by its prev link.
    older = api.get(f"{home}?max_id={oldest_first[2]}&limit=2", headers=bearer(token))
    assert ids_of(older) == [oldest_first[1], oldest_first[0]]
    prev = re.search(r"<([^>]+)>; rel=\"prev\"", older.headers["Link"])
    assert prev is not None and f"min_id={oldest_first[1]}" in prev.group(1)
    path = prev.group(1).split("://", 1)[1].split("/", 1)[1]
    caught_up = api.get("/" + path, headers=bearer(token))
    assert ids_of(caught_up) == [oldest_first[3], oldest_first[2]]
    assert 'rel="next"' in caught_up.headers["Link"], "and back the other way"
    nothing_newer = api.get(f"{home}?min_id={oldest_first[4]}", headers=bearer(token))
    assert nothing_newer.get_json() == [] and "Link" not in nothing_newer.headers


def test_min_id_on_an_accounts_statuses_keeps_its_rules(app: Flask, world: dict) -> None:  # type: ignore[type-arg]
    api, fern = app.test_client(), world["fern"]
    oldest_first = [str(post.id) for post in world["posts"]]
    hidden = create_post(app, fern, "Only for me", visibility=Visibility.ONLY_ME)
    outsider = token_for(app, create_user(app, "bramble").username)
    path = f"/api/v1/accounts/{fern.id}/statuses?min_id={oldest_first[3]}"
    assert ids_of(api.get(path, headers=bearer(outsider))) == [oldest_first[4]]
    mine = token_for(app, "fern")
    assert ids_of(api.get(path, headers=bearer(mine))) == [str(hidden.id), oldest_first[4]]


def test_favourite_and_bookmark_go_through_the_likes_and_saves(app: Flask, world: dict) -> None:  # type: ignore[type-arg]
    api, token, post = app.test_client(), world["token"], world["posts"][0]
    liked = api.post(f"/api/v1/statuses/{post.id}/favourite", headers=bearer(token)).get_json()
    assert liked["favourited"] is True and liked["favourites_count"] == 1
    again = api.post(f"/api/v1/statuses/{post.id}/favourite", headers=bearer(token)).get_json()
    assert again["favourites_count"] == 1, "a replay is harmless"
    saved = api.post(f"/api/v1/statuses/{post.id}/bookmark", headers=bearer(token)).get_json()
    assert saved["bookmarked"] is True
    page = app.test_client()
    from tests.support.auth import AuthActions

    AuthActions(page).login("rowan")
    assert f'href="/p/{post.id}"' in page.get("/saved").get_data(as_text=True)
    undone = api.post(f"/api/v1/statuses/{post.id}/unfavourite", headers=bearer(token)).get_json()
    assert undone["favourited"] is False and undone["favourites_count"] == 0


def test_a_read_only_token_cannot_like(app: Flask, world: dict) -> None:  # type: ignore[type-arg]
    token = token_for(app, "rowan", scopes="read")
    response = app.test_client().post(
        f"/api/v1/statuses/{world['posts'][0].id}/favourite", headers=bearer(token)
    )
    assert response.status_code == 403 and "scopes" in response.get_json()["error"]


@pytest.mark.parametrize(
    "path",
    ["/api/v1/statuses/99999999", "/api/v1/statuses/99999999999999999999999",
     "/api/v1/accounts/0", "/api/v1/accounts/abc", "/api/v1/accounts/lookup?acct=" + "x" * 500,
     "/api/v1/timelines/home?max_id=abc&limit=-5", "/api/v1/timelines/home?limit=100000"],
)  # fmt: skip
def test_hostile_ids_and_arguments_are_4xx_or_ignored_never_500(
    app: Flask,
    world: dict,
    path: str,  # type: ignore[type-arg]
) -> None:
    response = app.test_client().get(path, headers=bearer(world["token"]))
    assert response.status_code in (200, 404), response.status_code
    assert response.is_json


@pytest.mark.parametrize(
    "header",
    ["Bearer nope", "Bearer " + "x" * 5000, "Basic Zm9vOmJhcg==", "Bearer", ""],
)
def test_a_bad_token_is_a_401_in_json(app: Flask, world: dict, header: str) -> None:  # type: ignore[type-arg]
    response = app.test_client().get(
        "/api/v1/accounts/verify_credentials", headers={"Authorization": header} if header else {}
    )
    assert response.status_code == 401 and "error" in response.get_json()


def test_only_me_posts_stay_with_their_author(app: Flask, world: dict) -> None:  # type: ignore[type-arg]
    fern: User = world["fern"]  # type: ignore[assignment]
    hidden = create_post(app, fern, "Mine alone", visibility=Visibility.ONLY_ME)
    api = app.test_client()
    assert (
        api.get(f"/api/v1/statuses/{hidden.id}", headers=bearer(world["token"])).status_code == 404
    )
    own = api.get(
        f"/api/v1/statuses/{hidden.id}", headers=bearer(token_for(app, "fern"))
    ).get_json()
    assert own["visibility"] == "direct"


# Posting: media first, then the status naming it.


def upload(app: Flask, token: str, data: bytes, **fields: str) -> tuple[int, dict]:  # type: ignore[type-arg]
    import io

    response = app.test_client().post(
        "/api/v2/media",
        data={"file": (io.BytesIO(data), "photo.jpg", "image/jpeg"), **fields},
        headers=bearer(token),
    )
    return response.status_code, response.get_json()


def test_a_status_is_posted_from_uploaded_photos_in_their_order(app: Flask, world: dict) -> None:  # type: ignore[type-arg]
    from tests.support import images

    token = world["token"]
    first = upload(app, token, images.jpeg_with_private_metadata(), description="Bracken")[1]
    second = upload(app, token, images.png(), description="Moss")[1]
    assert first["type"] == "image" and first["url"] is None
    api = app.test_client()
    made = api.post(
        "/api/v1/statuses",
        data={"status": "Two greens", "media_ids[]": [second["id"], first["id"]],
              "visibility": "private", "sensitive": "true", "spoiler_text": "greens"},
        headers=bearer(token),
    ).get_json()  # fmt: skip
    assert [m["description"] for m in made["media_attachments"]] == ["Moss", "Bracken"]
    assert (
        made["visibility"] == "private" and made["sensitive"] and made["spoiler_text"] == "greens"
    )
    again = api.post("/api/v1/statuses", data={"status": "x", "media_ids[]": [first["id"]]},
                     headers=bearer(token))  # fmt: skip
    assert again.status_code == 422, "an upload is taken once"
    gone = api.delete(f"/api/v1/statuses/{made['id']}", headers=bearer(token))
    assert gone.status_code == 200
    assert api.get(f"/api/v1/statuses/{made['id']}", headers=bearer(token)).status_code == 404


@pytest.mark.parametrize(
    ("fields", "words"),
    [
        ({"status": "no photo"}, "at least one photo"),
        ({"status": "x", "media_ids[]": ["999999"]}, "unknown"),
        ({"status": "x", "media_ids[]": ["abc"]}, "wrong type"),
        ({"status": "x", "media_ids[]": ["1"], "visibility": "everyone"}, "visibility"),
    ],
    ids=["no media", "unknown media", "not an id", "unknown visibility"],
)
def test_a_bad_status_is_a_422_in_words(app: Flask, world: dict, fields: dict, words: str) -> None:  # type: ignore[type-arg]
    response = app.test_client().post(
        "/api/v1/statuses", data=fields, headers=bearer(world["token"])
    )
    assert response.status_code == 422 and words in response.get_json()["error"]


def test_someone_elses_upload_cannot_be_posted(app: Flask, world: dict) -> None:  # type: ignore[type-arg]
    from tests.support import images

    theirs = upload(app, token_for(app, "fern"), images.jpeg())[1]
    response = app.test_client().post(
        "/api/v1/statuses", data={"status": "x", "media_ids[]": [theirs["id"]]},
        headers=bearer(world["token"]),
    )  # fmt: skip
    assert response.status_code == 422


@pytest.mark.parametrize(
    ("make", "words"),
    [
        (lambda: b"", "empty"),
        (lambda: b"<html><script>alert(1)</script></html>", "not a photo"),
        (lambda: b"\x00\x00\x00\x18ftypisom" + b"\x00" * 64, "Videos"),
    ],
    ids=["empty", "html", "a video"],
)
def test_a_hostile_upload_is_a_422_in_words(app: Flask, world: dict, make, words: str) -> None:  # type: ignore[no-untyped-def,type-arg]
    status, body = upload(app, world["token"], make())
    assert status == 422 and words in body["error"]


def test_an_upload_no_status_took_is_removed_a_day_later(app: Flask, world: dict) -> None:  # type: ignore[type-arg]
    from datetime import timedelta
    from pathlib import Path

    from app.extensions import db
    from app.models import utcnow
    from app.services.api import media
    from tests.support import images

    upload(app, world["token"], images.jpeg())
    waiting = Path(app.config["MEDIA_ROOT"]) / "incoming" / "api"
    assert len(list(waiting.iterdir())) == 1
    with app.app_context():
        assert media.purge_unused(utcnow()) == 0
        assert media.purge_unused(utcnow() + timedelta(days=2)) == 1
        db.session.commit()
    assert list(waiting.iterdir()) == []


@pytest.mark.config(RATELIMIT_API_READ="3 per minute")
def test_reads_are_limited_per_account_across_its_apps(app: Flask, world: dict) -> None:  # type: ignore[type-arg]
    api = app.test_client()
    first, second = world["token"], token_for(app, "rowan")
    home = "/api/v1/timelines/home"
    statuses = [api.get(home, headers=bearer(first)).status_code for _ in range(3)]
    assert statuses == [200, 200, 200]
    refused = api.get(home, headers=bearer(second))
    assert refused.status_code == 429, "a second app of the same person shares the limit"
    assert "error" in refused.get_json()
    other = token_for(app, "fern")
    assert api.get(home, headers=bearer(other)).status_code == 200, "others are not slowed"


@pytest.mark.config(RATELIMIT_INTERACTIONS="2 per minute")
def test_likes_are_limited_per_account_whatever_the_address(app: Flask, world: dict) -> None:  # type: ignore[type-arg]
    token, posts = world["token"], world["posts"]
    statuses = [
        app.test_client()
        .post(
            f"/api/v1/statuses/{post.id}/favourite",
            headers=bearer(token),
            environ_base={"REMOTE_ADDR": f"192.0.2.{n + 10}"},
        )
        .status_code
        for n, post in enumerate(posts[:3])
    ]
    assert statuses == [200, 200, 429]

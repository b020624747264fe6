"""Following, follow requests, blocks and mutes through the API (issue #21): the same
services and rules as the profile page's buttons, answered as Mastodon Relationships."""

from __future__ import annotations

from flask import Flask

from app.models import User
from tests.factories import create_user, make_private
from tests.support.api import bearer, token_for


def post(app: Flask, token: str, path: str) -> tuple[int, dict]:  # type: ignore[type-arg]
    response = app.test_client().post(path, headers=bearer(token))
    return response.status_code, response.get_json()


def test_follow_a_public_account_ask_a_private_one_and_answer(app: Flask, user: User) -> None:
    fern, hazel = create_user(app, "fern"), create_user(app, "hazel")
    make_private(app, hazel)
    token = token_for(app, "juniper")
    status, body = post(app, token, f"/api/v1/accounts/{fern.id}/follow")
    assert status == 200 and body["following"] is True
    status, body = post(app, token, f"/api/v1/accounts/{hazel.id}/follow")
    assert body["following"] is False and body["requested"] is True
    hazels = token_for(app, "hazel")
    waiting = app.test_client().get("/api/v1/follow_requests", headers=bearer(hazels)).get_json()
    assert [account["username"] for account in waiting] == ["juniper"]
    status, body = post(app, hazels, f"/api/v1/follow_requests/{user.id}/authorize")
    assert status == 200 and body["followed_by"] is True
    relations = (
        app.test_client()
        .get(
            f"/api/v1/accounts/relationships?id[]={fern.id}&id[]={hazel.id}", headers=bearer(token)
        )
        .get_json()
    )
    assert [r["following"] for r in relations] == [True, True]
    assert post(app, token, f"/api/v1/accounts/{fern.id}/unfollow")[1]["following"] is False


def test_a_block_ends_the_follow_and_hides_both_ways_until_lifted(app: Flask, user: User) -> None:
    fern = create_user(app, "fern")
    token, ferns = token_for(app, "juniper"), token_for(app, "fern")
    post(app, ferns, f"/api/v1/accounts/{user.id}/follow")
    status, body = post(app, token, f"/api/v1/accounts/{fern.id}/block")
    assert status == 200 and body["blocking"] is True and body["followed_by"] is False
    seen = app.test_client().get(f"/api/v1/accounts/{user.id}", headers=bearer(ferns))
    assert seen.status_code == 404, "the blocked one no longer finds the blocker"
    assert post(app, ferns, f"/api/v1/accounts/{user.id}/follow")[0] == 404
    status, body = post(app, token, f"/api/v1/accounts/{fern.id}/unblock")
    assert status == 200 and body["blocking"] is False


def test_mute_and_unmute(app: Flask, user: User) -> None:
    fern = create_user(app, "fern")
    token = token_for(app, "juniper")
    assert post(app, token, f"/api/v1/accounts/{fern.id}/mute")[1]["muting"] is True
    assert post(app, token, f"/api/v1/accounts/{fern.id}/unmute")[1]["muting"] is False


def test_following_oneself_or_nobody_is_a_4xx(app: Flask, user: User) -> None:
    token = token_for(app, "juniper")
    assert post(app, token, f"/api/v1/accounts/{user.id}/follow")[0] == 422
    assert post(app, token, "/api/v1/accounts/987654321/follow")[0] == 404
    assert post(app, token, "/api/v1/follow_requests/987654321/authorize")[0] == 404


def test_a_read_token_cannot_follow(app: Flask, user: User) -> None:
    fern = create_user(app, "fern")
    token = token_for(app, "juniper", scopes="read")
    assert post(app, token, f"/api/v1/accounts/{fern.id}/follow")[0] == 403


def test_notifications_say_who_liked_and_followed(app: Flask, user: User) -> None:
    from tests.factories import create_post

    fern = create_user(app, "fern")
    mine = create_post(app, user, "Moss on stone")
    ferns = token_for(app, "fern")
    post(app, ferns, f"/api/v1/accounts/{user.id}/follow")
    post(app, ferns, f"/api/v1/statuses/{mine.id}/favourite")
    listed = app.test_client().get(
        "/api/v1/notifications", headers=bearer(token_for(app, "juniper"))
    )
    kinds = [(item["type"], item["account"]["username"]) for item in listed.get_json()]
    assert kinds == [("favourite", "fern"), ("follow", "fern")]
    assert listed.get_json()[0]["status"]["id"] == str(mine.id)
    del fern


def test_search_finds_people_and_tags_and_followers_lists_follow_the_pages_rules(
    app: Flask, user: User
) -> None:
    from tests.factories import create_post

    fern = create_user(app, "fern")
    create_post(app, fern, "Fronds #ferns")
    token = token_for(app, "juniper")
    found = app.test_client().get("/api/v2/search?q=fer", headers=bearer(token)).get_json()
    assert [a["username"] for a in found["accounts"]] == ["fern"]
    assert [t["name"] for t in found["hashtags"]] == ["ferns"] and found["statuses"] == []
    post(app, token, f"/api/v1/accounts/{fern.id}/follow")
    listed = app.test_client().get(f"/api/v1/accounts/{fern.id}/followers", headers=bearer(token))
    assert [a["username"] for a in listed.get_json()] == ["juniper"]
    context = (
        app.test_client()
        .get(f"/api/v1/accounts/{fern.id}/following", headers=bearer(token))
        .get_json()
    )
    assert context == []

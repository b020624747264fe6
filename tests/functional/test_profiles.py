"""Profiles: editing, the website link, escaping, and what unverified accounts may do."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient

from app.models import User
from tests.factories import create_post, create_user
from tests.support.auth import AuthActions
from tests.support.pages import csrf_token_for


def edit(client: FlaskClient, **fields: str) -> tuple[int, str]:
    token = csrf_token_for(client)
    data = {"csrf_token": token, "display_name": "", "bio": "", "website": "", **fields}
    response = client.post("/profile/edit", data=data, content_type="multipart/form-data")
    return response.status_code, response.get_data(as_text=True)


def test_a_profile_shows_name_bio_website_and_counts(
    client: FlaskClient, auth: AuthActions, user: User
) -> None:
    auth.login("juniper")
    status, _ = edit(
        client, display_name="Juniper Woods", bio="Moss fan #moss", website="example.org/me"
    )
    assert status == 303
    html = client.get("/@juniper").get_data(as_text=True)
    assert "Juniper Woods" in html
    assert '<a href="/tags/moss">#moss</a>' in html
    assert (
        '<a href="https://example.org/me" rel="nofollow noopener ugc" target="_blank">'
        "example.org/me</a>" in html
    )
    assert "<strong>0</strong> posts" in html


@pytest.mark.parametrize(
    "website",
    [
        "javascript:alert(1)",
        "data:text/html,hi",
        "ftp://example.org",
        "https://user:pw@ex.org",
        "x",
    ],
)
def test_only_http_websites_are_accepted(
    client: FlaskClient, auth: AuthActions, user: User, website: str
) -> None:
    auth.login("juniper")
    status, html = edit(client, website=website)
    assert status == 422
    assert "https://example.org" in html or "user name or password" in html


def test_bio_and_name_with_markup_are_escaped_and_limited(
    client: FlaskClient, auth: AuthActions, user: User
) -> None:
    auth.login("juniper")
    status, _ = edit(client, display_name="<b>Jun</b>", bio="<script>alert(1)</script>")
    assert status == 303
    html = client.get("/@juniper").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in html and "<b>Jun</b>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    status, html = edit(client, bio="x" * 151)
    assert status == 422 and "under 150 characters" in html


def test_invisible_and_bidi_characters_are_removed(
    client: FlaskClient, auth: AuthActions, user: User
) -> None:
    auth.login("juniper")
    edit(client, display_name="Jun\u202eiper\u200b", bio="a\u0000b")
    html = client.get("/@juniper").get_data(as_text=True)
    assert "\u202e" not in html and "\u200b" not in html


def test_unverified_accounts_cannot_follow_or_comment(app: Flask, client: FlaskClient) -> None:
    author = create_user(app, "alice")
    post = create_post(app, author)
    create_user(app, "sprout", verified=False)
    AuthActions(client).login("sprout")
    token = csrf_token_for(client)
    follow = client.post("/@alice/follow", data={"csrf_token": token})
    comment = client.post(f"/p/{post.id}/comments", data={"csrf_token": token, "body": "hi"})
    assert follow.status_code == comment.status_code == 303
    assert follow.headers["Location"] == "/"
    alice = AuthActions(app.test_client())
    alice.login("alice")
    assert "<strong>0</strong> followers" in alice.client.get("/@alice").get_data(as_text=True)
    assert "No comments yet." in client.get(f"/p/{post.id}").get_data(as_text=True)


def test_an_unverified_profile_is_hidden_from_others(app: Flask, client: FlaskClient) -> None:
    create_user(app, "sprout", verified=False)
    assert client.get("/@sprout").status_code == 404
    AuthActions(client).login("sprout")
    assert client.get("/@sprout").status_code == 200


def test_unknown_and_absurd_usernames_are_404(client: FlaskClient) -> None:
    for name in ("nobody", "x" * 500, "%00", "../etc"):
        assert client.get(f"/@{name}").status_code in (400, 404)

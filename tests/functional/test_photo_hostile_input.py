"""Hostile input on the photo-sharing forms and pages: always a clear 4xx, never a 500."""

from __future__ import annotations

import io

import pytest
from flask import Flask
from flask.testing import FlaskClient

from app.models import User
from tests.factories import create_post, create_user, jpeg_bytes
from tests.support.auth import AuthActions
from tests.support.pages import csrf_token_for

pytestmark = pytest.mark.media


@pytest.fixture
def member(client: FlaskClient, auth: AuthActions, user: User) -> FlaskClient:
    auth.login("juniper")
    return client


@pytest.mark.parametrize(
    "fields",
    [
        {"visibility": "everyone-and-their-dog"},
        {"alt_texts-0": "x" * 2001},
        {"caption": "x" * 4401},
    ],
    ids=["bad-visibility", "alt-length", "caption-length"],
)
def test_malformed_post_forms_are_422(member: FlaskClient, fields: dict[str, str]) -> None:
    data: dict[str, object] = {
        "csrf_token": csrf_token_for(member),
        "visibility": "public",
        "photos": [(io.BytesIO(jpeg_bytes()), "a.jpg")],
        **fields,
    }
    response = member.post("/p/new", data=data, content_type="multipart/form-data")
    assert response.status_code in (400, 422)


def test_descriptions_beyond_the_photos_are_ignored(app: Flask, member: FlaskClient) -> None:
    data: dict[str, object] = {
        "csrf_token": csrf_token_for(member),
        "visibility": "public",
        "photos": [(io.BytesIO(jpeg_bytes()), "a.jpg")],
        "alt_texts-0": "The photo",
        "alt_texts-57": "far beyond ten photos",
    }
    response = member.post("/p/new", data=data, content_type="multipart/form-data")
    assert response.status_code == 303
    page = member.get(response.headers["Location"]).get_data(as_text=True)
    assert 'alt="The photo"' in page and "far beyond" not in page


def test_text_that_is_not_utf8_is_kept_as_sent_not_crashed_on(
    app: Flask, member: FlaskClient
) -> None:
    post = create_post(app, create_user(app, "alice"))
    token = csrf_token_for(member)
    response = member.post(
        f"/p/{post.id}/comments",
        data=f"csrf_token={token}&body=caf%E9%FF%FE".encode(),
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 303
    # Werkzeug keeps escapes it cannot decode as UTF-8 as they were sent.
    assert "caf%E9%FF%FE" in member.get(f"/p/{post.id}").get_data(as_text=True)


def test_photos_sent_as_plain_text_fields_are_not_photos(member: FlaskClient) -> None:
    token = csrf_token_for(member)
    response = member.post(
        "/p/new", data={"csrf_token": token, "visibility": "public", "photos": "not a file"}
    )
    assert response.status_code == 422
    assert "Choose at least one photo." in response.get_data(as_text=True)


def test_a_comment_too_long_or_empty_is_422(app: Flask, member: FlaskClient, user: User) -> None:
    post = create_post(app, user)
    token = csrf_token_for(member)
    for body, message in (("x" * 1001, "under 1,000 characters"), ("   ", "Write something")):
        response = member.post(f"/p/{post.id}/comments", data={"csrf_token": token, "body": body})
        assert response.status_code == 422
        assert message in response.get_data(as_text=True)


@pytest.mark.parametrize(
    "path",
    [
        "/tags/" + "a" * 5000,
        "/tags/%E2%80%AEgnp",
        "/tags/%F0%9F%8C%B1",
        "/search?q=" + "%25" * 300,
        "/search?q=%E2%80%AE",
        "/search?q=%F0%9F%8C%B1",
        "/p/99999999999999999999",
        "/p/-1",
        "/media/../../etc/passwd/display.webp",
        "/media/" + "a" * 32 + "/display.webp",
        "/media/ZZ/display.webp",
        "/media/" + "0" * 32 + "/original.webp",
        "/@juniper/followers?before=1%00",
        "/@juniper/followers?before=9999999999999999999999",
        "/home?before=",
    ],
)
def test_odd_urls_are_answered_without_a_server_error(member: FlaskClient, path: str) -> None:
    assert member.get(path).status_code in (200, 400, 404)


def test_answering_a_request_nobody_made_is_harmless(app: Flask, member: FlaskClient) -> None:
    create_user(app, "stranger")
    token = csrf_token_for(member)
    for answer in ("approve", "decline"):
        response = member.post(f"/follow-requests/stranger/{answer}", data={"csrf_token": token})
        assert response.status_code == 303
    assert (
        member.post("/follow-requests/stranger/maybe", data={"csrf_token": token}).status_code
        == 404
    )


def test_a_replayed_delete_is_a_404_not_an_error(
    app: Flask, member: FlaskClient, user: User
) -> None:
    post = create_post(app, user)
    token = csrf_token_for(member)
    assert member.post(f"/p/{post.id}/delete", data={"csrf_token": token}).status_code == 303
    assert member.post(f"/p/{post.id}/delete", data={"csrf_token": token}).status_code == 404


def test_a_hashtag_that_grows_when_case_folded_is_left_out(app: Flask, member: FlaskClient) -> None:
    data: dict[str, object] = {
        "csrf_token": csrf_token_for(member),
        "visibility": "public",
        "caption": "#" + "ß" * 100 + " #fine",
        "photos": [(io.BytesIO(jpeg_bytes()), "a.jpg")],
    }
    response = member.post("/p/new", data=data, content_type="multipart/form-data")
    assert response.status_code == 303
    assert "photo-grid" in member.get("/tags/fine").get_data(as_text=True)


@pytest.mark.parametrize("website", ["a" * 190 + ".com", "https://[x.org", "http://[::1"])
def test_websites_that_cannot_be_stored_or_parsed_are_422(
    member: FlaskClient, website: str
) -> None:
    token = csrf_token_for(member)
    response = member.post(
        "/profile/edit",
        data={"csrf_token": token, "display_name": "", "bio": "", "website": website},
    )
    assert response.status_code == 422

"""Publishing, showing, editing and deleting posts through the web forms."""

from __future__ import annotations

import io
import re

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from app.extensions import db
from app.models import Hashtag, Notification, Photo, Post, User
from tests.factories import create_post, create_user, jpeg_bytes
from tests.support.auth import AuthActions
from tests.support.pages import csrf_token_for
from tests.support.stored_media import stored_files

pytestmark = pytest.mark.media


def publish(client: FlaskClient, files: list[tuple[bytes, str]], **fields: str) -> object:
    token = csrf_token_for(client)
    data: dict[str, object] = {"csrf_token": token, "caption": "", "visibility": "public", **fields}
    data["photos"] = [(io.BytesIO(content), name) for content, name in files]
    return client.post("/p/new", data=data, content_type="multipart/form-data")


def test_a_verified_member_publishes_a_post_with_photos(
    app: Flask, client: FlaskClient, auth: AuthActions, user: User
) -> None:
    auth.login("juniper")
    response = publish(
        client,
        [(jpeg_bytes(), "one.jpg"), (jpeg_bytes(colour=(200, 10, 10)), "two.jpg")],
        caption="First fronds #Ferns",
        **{"alt_texts-0": "A fern", "alt_texts-1": "A red leaf"},
    )
    assert response.status_code == 303  # type: ignore[attr-defined]
    page = client.get(response.headers["Location"])  # type: ignore[attr-defined]
    html = page.get_data(as_text=True)
    assert "Your post is up." in html
    assert 'alt="A fern"' in html and 'alt="A red leaf"' in html
    assert '<a href="/tags/Ferns">#Ferns</a>' in html
    with app.app_context():
        post = db.session.scalar(select(Post))
        assert post is not None and post.caption == "First fronds #Ferns"
        assert db.session.get(User, user.id).post_count == 1  # type: ignore[union-attr]
        assert db.session.scalar(select(Hashtag.name)) == "ferns"
    assert len(stored_files(app)) == 2 * 3  # display, medium and thumb of each photo


def test_the_upload_script_gets_the_new_posts_address(
    client: FlaskClient, auth: AuthActions, user: User
) -> None:
    auth.login("juniper")
    token = csrf_token_for(client)
    response = client.post(
        "/p/new",
        data={
            "csrf_token": token,
            "visibility": "public",
            "photos": [(io.BytesIO(jpeg_bytes()), "a.jpg")],
        },
        headers={"X-Sapling-Fragment": "1"},
        content_type="multipart/form-data",
    )
    assert response.status_code == 201
    assert response.get_json()["location"].startswith("/p/")


def test_a_post_needs_a_photo(client: FlaskClient, auth: AuthActions, user: User) -> None:
    auth.login("juniper")
    response = publish(client, [], caption="words only")
    assert response.status_code == 422  # type: ignore[attr-defined]
    assert "Choose at least one photo." in response.get_data(as_text=True)  # type: ignore[attr-defined]


def test_eleven_photos_are_refused_and_nothing_is_stored(
    app: Flask, client: FlaskClient, auth: AuthActions, user: User
) -> None:
    auth.login("juniper")
    response = publish(client, [(jpeg_bytes(), f"{n}.jpg") for n in range(11)])
    assert response.status_code == 422  # type: ignore[attr-defined]
    assert "up to 10 photos" in response.get_data(as_text=True)  # type: ignore[attr-defined]
    assert stored_files(app) == []


def test_a_caption_over_the_limit_is_refused(
    app: Flask, client: FlaskClient, auth: AuthActions, user: User
) -> None:
    auth.login("juniper")
    response = publish(client, [(jpeg_bytes(), "a.jpg")], caption="x" * 2201)
    assert response.status_code == 422  # type: ignore[attr-defined]
    assert "under 2,200 characters" in response.get_data(as_text=True)  # type: ignore[attr-defined]
    assert stored_files(app) == []


def test_an_unverified_account_cannot_post(
    app: Flask, client: FlaskClient, auth: AuthActions
) -> None:
    create_user(app, "sprout", verified=False)
    auth.login("sprout")
    response = client.get("/p/new")
    assert response.status_code == 303
    with app.app_context():
        assert db.session.scalar(select(Post)) is None


def test_posting_needs_a_login(client: FlaskClient) -> None:
    response = client.get("/p/new")
    assert response.status_code in (302, 303)
    assert "/login" in response.headers["Location"]


def test_captions_and_comments_with_script_are_escaped(
    app: Flask, client: FlaskClient, auth: AuthActions, user: User
) -> None:
    payload = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    post = create_post(app, user, caption=payload + " #ok @juniper")
    auth.login("juniper")
    auth.post(f"/p/{post.id}/comments", {"body": payload})
    html = client.get(f"/p/{post.id}").get_data(as_text=True)
    assert "<script>alert" not in html
    assert "<img src=x" not in html
    # The caption, the comment, and the caption again in the page description.
    assert html.count("&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;") == 3
    assert '<a href="/@juniper">@juniper</a>' in html


def test_the_author_edits_caption_and_descriptions(
    app: Flask, client: FlaskClient, auth: AuthActions, user: User
) -> None:
    post = create_post(app, user, caption="old #before", photos=2)
    auth.login("juniper")
    response = auth.post(
        f"/p/{post.id}/edit",
        {"caption": "new #after", "alt_texts-0": "First", "alt_texts-1": "Second"},
    )
    assert response.status_code == 303
    with app.app_context():
        fresh = db.session.get(Post, post.id)
        assert fresh is not None and fresh.caption == "new #after" and fresh.edited_at
        alts = db.session.scalars(select(Photo.alt_text).order_by(Photo.position)).all()
        assert alts == ["First", "Second"]
    assert f'href="/p/{post.id}"' in client.get("/tags/after").get_data(as_text=True)
    assert f'href="/p/{post.id}"' not in client.get("/tags/before").get_data(as_text=True)


def test_an_edit_changes_only_the_descriptions_it_names(
    app: Flask, auth: AuthActions, user: User
) -> None:
    """Description n is the n-th photo's, even when earlier numbers are missing from the
    request; a photo whose field was not sent keeps its description."""
    post = create_post(app, user, photos=3)
    with app.app_context():
        before = db.session.scalars(select(Photo.alt_text).order_by(Photo.position)).all()
    auth.login("juniper")
    response = auth.post(f"/p/{post.id}/edit", {"caption": "", "alt_texts-1": "Second"})
    assert response.status_code == 303
    with app.app_context():
        alts = db.session.scalars(select(Photo.alt_text).order_by(Photo.position)).all()
    assert alts == [before[0], "Second", before[2]]


def edited_mark(html: str, post_id: int) -> str | None:
    """The datetime of the post's "Edited" mark on the page, if it has one."""
    card = html[html.index(f'id="post-{post_id}-author"') :]
    header = card[: card.index("</header>")]
    match = re.search(r'<time datetime="([^"]+)" title="Edited ([^"]+)">Edited</time>', header)
    return match.group(1) if match else None


def test_an_edit_that_changes_nothing_leaves_no_edited_mark(
    app: Flask, client: FlaskClient, auth: AuthActions, user: User
) -> None:
    post = create_post(app, user, caption="As it was")
    auth.login("juniper")
    assert edited_mark(client.get(f"/p/{post.id}").get_data(as_text=True), post.id) is None
    auth.post(f"/p/{post.id}/edit", {"caption": "As it was", "alt_texts-0": "Photo 1"})
    with app.app_context():
        fresh = db.session.get(Post, post.id)
        assert fresh is not None and fresh.edited_at is None
    assert edited_mark(client.get(f"/p/{post.id}").get_data(as_text=True), post.id) is None


@pytest.mark.parametrize(
    "change", [{"caption": "Changed"}, {"alt_texts-0": "A clearer description"}]
)
def test_changing_the_caption_or_a_description_marks_the_post_edited(
    app: Flask, client: FlaskClient, auth: AuthActions, user: User, change: dict[str, str]
) -> None:
    post = create_post(app, user, caption="As it was")
    auth.login("juniper")
    auth.post(f"/p/{post.id}/edit", {"caption": "As it was", "alt_texts-0": "Photo 1", **change})
    with app.app_context():
        fresh = db.session.get(Post, post.id)
        assert fresh is not None and fresh.edited_at is not None
        when = fresh.edited_at
    page = client.get(f"/p/{post.id}").get_data(as_text=True)
    assert edited_mark(page, post.id) == when.isoformat(timespec="seconds")
    assert f"Edited {when:%d %b %Y, %H:%M} UTC" in page  # the title, and said by screen readers
    feed = client.get("/home").get_data(as_text=True)
    assert edited_mark(feed, post.id) == when.isoformat(timespec="seconds")


def test_deleting_a_post_removes_every_stored_file(
    app: Flask, client: FlaskClient, auth: AuthActions, user: User
) -> None:
    post = create_post(app, user, photos=3)
    assert len(stored_files(app)) == 9
    auth.login("juniper")
    response = auth.post(f"/p/{post.id}/delete")
    assert response.status_code == 303
    assert stored_files(app) == []
    assert client.get(f"/p/{post.id}").status_code == 404
    with app.app_context():
        assert db.session.get(User, user.id).post_count == 0  # type: ignore[union-attr]


def test_mentions_notify_the_mentioned_account(
    app: Flask, client: FlaskClient, auth: AuthActions, user: User
) -> None:
    friend = create_user(app, "fern")
    create_post(app, user, caption="Walking with @Fern today")
    with app.app_context():
        note = db.session.scalar(select(Notification))
        assert note is not None and note.recipient_id == friend.id
    auth.login("fern")
    page = client.get("/notifications/").get_data(as_text=True)
    assert "mentioned you." in page

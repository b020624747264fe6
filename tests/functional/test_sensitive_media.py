"""Sensitive posts (a mark and a short reason, photos covered until shown) and the
reminder to describe photos, with the two preferences that govern them (issue #17 item 4)."""

from __future__ import annotations

import base64
import io
import re

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from PIL import Image
from sqlalchemy import select, update

from app.extensions import db
from app.models import MAX_CONTENT_WARNING, Photo, Post, User
from app.services.media.media_storage import media_storage
from tests.factories import create_post, create_user, follow, jpeg_bytes
from tests.support.auth import AuthActions
from tests.support.pages import csrf_token_for
from tests.support.queries import count_queries

pytestmark = pytest.mark.media


def publish(client: FlaskClient, photos: int = 1, **fields: str) -> object:
    data: dict[str, object] = {
        "csrf_token": csrf_token_for(client),
        "caption": "",
        "visibility": "public",
        **fields,
    }
    data["photos"] = [(io.BytesIO(jpeg_bytes()), f"{n}.jpg") for n in range(photos)]
    return client.post("/p/new", data=data, content_type="multipart/form-data")


def the_post(app: Flask) -> Post:
    with app.app_context():
        post = db.session.scalar(select(Post).order_by(Post.id.desc()).limit(1))
        assert post is not None
        db.session.expunge(post)
        return post


def preferences_of(app: Flask, username: str) -> tuple[bool, bool]:
    with app.app_context():
        user = db.session.scalar(select(User).where(User.username == username))
        assert user is not None
        return user.remind_alt_text, user.show_sensitive_media


def set_preferences(auth: AuthActions, *, remind: bool, show: bool) -> None:
    data = {"remind_alt_text": "y"} if remind else {}
    if show:
        data["show_sensitive_media"] = "y"
    response = auth.post("/settings/preferences", data)
    assert response.status_code == 303


def cover(html: str) -> str | None:
    """The covered photos of the (first) sensitive post on a page, or None."""
    match = re.search(r'<div class="sensitive[ "].*?</template>', html, re.S)
    return match.group(0) if match else None


# ---------- The mark and its reason ----------


def test_a_post_is_marked_sensitive_with_its_reason(
    app: Flask, client: FlaskClient, auth: AuthActions, user: User
) -> None:
    auth.login("juniper")
    response = publish(
        client, sensitive="y", content_warning="  Spiders ", **{"alt_texts-0": "A spider"}
    )
    assert response.status_code == 303  # type: ignore[attr-defined]
    post = the_post(app)
    assert post.sensitive and post.content_warning == "Spiders"
    html = client.get(f"/p/{post.id}").get_data(as_text=True)
    covered = cover(html)
    assert covered is not None and "Sensitive: Spiders" in covered
    assert f'href="/p/{post.id}?show=sensitive" data-sensitive-show>Show<' in covered
    # The photo waits in a <template>, which the browser never fetches from.
    photos = covered.split("<template data-sensitive-photos>", 1)[1]
    assert html.count('alt="A spider"') == photos.count('alt="A spider"') == 1
    # Without JavaScript, "Show" is that link: the post, shown.
    shown = client.get(f"/p/{post.id}?show=sensitive").get_data(as_text=True)
    assert cover(shown) is None and 'alt="A spider"' in shown
    assert "Sensitive: Spiders" in shown  # still said, above the caption


def test_a_reason_alone_marks_the_post_and_no_reason_is_fine(
    app: Flask, client: FlaskClient, auth: AuthActions, user: User
) -> None:
    auth.login("juniper")
    assert publish(client, content_warning="Blood").status_code == 303  # type: ignore[attr-defined]
    post = the_post(app)
    assert post.sensitive and post.content_warning == "Blood"
    assert publish(client, sensitive="y").status_code == 303  # type: ignore[attr-defined]
    post = the_post(app)
    assert post.sensitive and post.content_warning == ""
    covered = cover(client.get(f"/p/{post.id}").get_data(as_text=True))
    assert covered is not None and "Sensitive content" in covered


def test_an_ordinary_post_is_not_covered(
    app: Flask, client: FlaskClient, auth: AuthActions, user: User
) -> None:
    auth.login("juniper")
    assert publish(client).status_code == 303  # type: ignore[attr-defined]
    post = the_post(app)
    assert not post.sensitive and post.content_warning == ""
    html = client.get(f"/p/{post.id}").get_data(as_text=True)
    assert cover(html) is None and "Sensitive" not in html


def test_the_reason_is_limited_to_its_length_after_cleaning(
    app: Flask, client: FlaskClient, auth: AuthActions, user: User
) -> None:
    auth.login("juniper")
    too_long = "a" * (MAX_CONTENT_WARNING + 1)
    response = publish(client, sensitive="y", content_warning=too_long)
    assert response.status_code == 422  # type: ignore[attr-defined]
    assert "Keep the reason under 100 characters." in response.get_data(as_text=True)  # type: ignore[attr-defined]
    # Far too long: the form refuses it before the service counts.
    response = publish(client, sensitive="y", content_warning="a" * 500)
    assert response.status_code == 422  # type: ignore[attr-defined]
    assert "Keep the reason under 100 characters." in response.get_data(as_text=True)  # type: ignore[attr-defined]
    with app.app_context():
        assert db.session.scalar(select(Post)) is None
    # Exactly the limit once invisible characters are gone is accepted.
    padded = "\u200b".join("b" * MAX_CONTENT_WARNING)
    assert publish(client, content_warning=padded).status_code == 303  # type: ignore[attr-defined]
    assert the_post(app).content_warning == "b" * MAX_CONTENT_WARNING


@pytest.mark.parametrize(
    ("raw", "stored"),
    [
        ("Spi\u202eders\u202c", "Spiders"),  # a right-to-left override cannot flip the page
        ("Flash\u0007ing\u200b lights", "Flashing lights"),  # a control, a zero-width space
        ("Two\r\nlines", "Two lines"),  # one line on the cover
        ("Cafe\u0301", "Café"),  # NFC
        ("<script>alert(1)</script>", "<script>alert(1)</script>"),  # stored as text
    ],
)
def test_hostile_reasons_are_cleaned_and_shown_as_text(
    app: Flask, client: FlaskClient, auth: AuthActions, user: User, raw: str, stored: str
) -> None:
    auth.login("juniper")
    assert publish(client, content_warning=raw).status_code == 303  # type: ignore[attr-defined]
    post = the_post(app)
    assert post.content_warning == stored
    html = client.get(f"/p/{post.id}").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in html
    if "<" not in stored:
        assert f"Sensitive: {stored}" in html


def test_a_nul_in_the_reason_is_refused_with_a_clear_4xx(
    app: Flask, client: FlaskClient, auth: AuthActions, user: User
) -> None:
    auth.login("juniper")
    response = publish(client, content_warning="a\x00b")
    assert 400 <= response.status_code < 500  # type: ignore[attr-defined]
    with app.app_context():
        assert db.session.scalar(select(Post)) is None


def test_the_author_changes_the_mark_and_reason_when_editing(
    app: Flask, client: FlaskClient, auth: AuthActions, user: User
) -> None:
    post = create_post(app, user, "Garden")
    auth.login("juniper")
    page = client.get(f"/p/{post.id}/edit").get_data(as_text=True)
    assert 'name="sensitive"' in page and 'name="content_warning"' in page
    edit = {"caption": "Garden", "alt_texts-0": "Photo 1"}
    response = auth.post(
        f"/p/{post.id}/edit", {**edit, "sensitive": "y", "content_warning": "Wasps"}
    )
    assert response.status_code == 303
    changed = the_post(app)
    assert changed.sensitive and changed.content_warning == "Wasps"
    page = client.get(f"/p/{post.id}/edit").get_data(as_text=True)
    assert re.search(r'<input checked id="sensitive"', page) and 'value="Wasps"' in page
    response = auth.post(f"/p/{post.id}/edit", {**edit, "content_warning": "x" * 101})
    assert response.status_code == 422
    assert "Keep the reason under 100 characters." in response.get_data(as_text=True)
    assert the_post(app).content_warning == "Wasps"
    assert auth.post(f"/p/{post.id}/edit", edit).status_code == 303
    unmarked = the_post(app)
    assert not unmarked.sensitive and unmarked.content_warning == ""


# ---------- Who sees the photos covered ----------


def test_everyone_sees_it_covered_but_those_who_always_show_sensitive_media(
    app: Flask, client: FlaskClient, auth: AuthActions, user: User
) -> None:
    author = create_user(app, "fern")
    post = create_post(app, author, "Web #garden", content_warning="Spiders")
    follow(app, user, author)
    pages = [f"/p/{post.id}", "/@fern", "/explore", "/tags/garden"]

    signed_out = app.test_client()
    html = signed_out.get(pages[0]).get_data(as_text=True)
    covered = cover(html)
    assert covered is not None and "Sensitive: Spiders" in covered
    assert html.count('alt="Photo 1"') == covered.count('alt="Photo 1"') == 1
    for path in pages[1:]:  # the grids: a marked tile with no photo in it
        html = signed_out.get(path).get_data(as_text=True)
        assert "photo-grid__cover" in html and "Sensitive: Spiders" in html, path
        assert 'alt="Photo 1"' not in html, path

    auth.login("juniper")
    assert preferences_of(app, "juniper") == (True, False)  # the defaults
    feed = client.get("/home").get_data(as_text=True)
    covered = cover(feed)
    assert covered is not None and 'alt="Photo 1"' in covered
    grid = client.get("/@fern").get_data(as_text=True)
    assert "photo-grid__cover" in grid and "Sensitive: Spiders" in grid
    assert 'alt="Photo 1"' not in grid  # the tile has no photo at all

    set_preferences(auth, remind=True, show=True)
    for path in ["/home", *pages]:
        html = client.get(path).get_data(as_text=True)
        assert cover(html) is None and "photo-grid__cover" not in html, path
        assert 'alt="Photo 1"' in html, path
    post_page = client.get(f"/p/{post.id}").get_data(as_text=True)
    assert "Sensitive: Spiders" in post_page  # the reason is still said, above the caption


def blurred_previews(html: str) -> list[str]:
    """The base64 WebP of every blurred preview on a page (sensitive covers and tiles)."""
    return re.findall(r'<img class="sensitive__blur" src="data:image/webp;base64,([^"]+)"', html)


def test_the_cover_and_the_tile_show_the_first_photo_blurred_and_inline(
    app: Flask, client: FlaskClient, user: User
) -> None:
    author = create_user(app, "fern")
    post = create_post(app, author, "Web #garden", photos=2, content_warning="Spiders")
    with app.app_context():
        first = db.session.scalars(
            select(Photo).where(Photo.post_id == post.id).order_by(Photo.position)
        ).first()
        assert first is not None and first.placeholder
    for path in (f"/p/{post.id}", "/@fern", "/tags/garden"):
        html = client.get(path).get_data(as_text=True)
        assert blurred_previews(html) == [first.placeholder], path
        preview = Image.open(io.BytesIO(base64.b64decode(first.placeholder)))
        assert max(preview.size) <= 16
    # Outside the <template>, no URL of the photos: the preview is inline, not fetched.
    covered = cover(client.get(f"/p/{post.id}").get_data(as_text=True))
    assert covered is not None
    outside = covered.split("<template", 1)[0]
    assert "/media/" not in outside and "sensitive__blur" in outside


def test_the_maintenance_run_gives_older_sensitive_photos_their_preview(
    app: Flask, runner: FlaskCliRunner, user: User
) -> None:
    """Photos stored before previews existed have "": the next maintenance run makes theirs
    from the stored file, for sensitive posts only, and passes over a photo whose file is
    gone."""
    author = create_user(app, "fern")
    older = create_post(app, author, "before previews", photos=2, content_warning="Wasps")
    plain = create_post(app, author, "not sensitive")
    lost = create_post(app, author, "file gone", content_warning="")
    with app.app_context():
        db.session.execute(update(Photo).values(placeholder=""))
        gone = db.session.scalars(select(Photo).where(Photo.post_id == lost.id)).one()
        media_storage().delete(gone.storage_key)
        db.session.commit()
    assert '<img class="sensitive__blur"' not in app.test_client().get(f"/p/{older.id}").get_data(
        as_text=True
    )  # the plain soft tile, as before

    result = runner.invoke(args=["maintenance", "run"])
    assert result.exit_code == 0, result.output
    assert "made 2 blurred previews." in result.output
    with app.app_context():
        made = dict(db.session.execute(select(Photo.post_id, Photo.placeholder)).all())
    assert made[older.id] and made[plain.id] == "" and made[lost.id] == ""
    html = app.test_client().get(f"/p/{older.id}").get_data(as_text=True)
    assert blurred_previews(html) == [made[older.id]]
    again = runner.invoke(args=["maintenance", "run"])
    assert "made 0 blurred previews." in again.output


def test_the_feed_costs_the_same_queries_with_sensitive_posts_and_either_preference(
    app: Flask, client: FlaskClient, auth: AuthActions, user: User
) -> None:
    author = create_user(app, "fern")
    follow(app, user, author)
    create_post(app, author, "plain")
    auth.login("juniper")

    def feed_queries() -> int:
        client.get("/home")  # warm: the session's last-seen time
        with count_queries(app) as statements:
            assert client.get("/home").status_code == 200
        return len(statements)

    before = feed_queries()
    for _ in range(3):
        create_post(app, author, "covered", photos=2, content_warning="Spiders")
    assert feed_queries() == before
    set_preferences(auth, remind=True, show=True)
    assert feed_queries() == before
    with count_queries(app) as statements:
        client.get("/@fern")
    profile = len(statements)
    set_preferences(auth, remind=True, show=False)
    with count_queries(app) as statements:
        client.get("/@fern")
    assert len(statements) == profile


# ---------- Preferences ----------


def test_preferences_are_saved_and_shown(
    app: Flask, client: FlaskClient, auth: AuthActions, user: User
) -> None:
    auth.login("juniper")
    assert 'href="/settings/preferences"' in client.get("/settings/").get_data(as_text=True)
    page = client.get("/settings/preferences").get_data(as_text=True)
    assert re.search(r'<input checked id="remind_alt_text"', page)
    assert re.search(r'<input id="show_sensitive_media"', page)
    set_preferences(auth, remind=False, show=True)
    assert preferences_of(app, "juniper") == (False, True)
    page = client.get("/settings/preferences").get_data(as_text=True)
    assert "Your preferences are saved." in page
    assert re.search(r'<input id="remind_alt_text"', page)
    assert re.search(r'<input checked id="show_sensitive_media"', page)
    set_preferences(auth, remind=True, show=False)
    assert preferences_of(app, "juniper") == (True, False)


def test_preferences_need_a_login_and_the_csrf_token(
    app: Flask, client: FlaskClient, auth: AuthActions, user: User
) -> None:
    response = client.get("/settings/preferences")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    auth.login("juniper")
    refused = client.post("/settings/preferences", data={"show_sensitive_media": "y"})
    assert refused.status_code == 400
    assert preferences_of(app, "juniper") == (True, False)


# ---------- The reminder to describe photos ----------


def notice_after(client: FlaskClient, response: object) -> str:
    page = client.get(response.headers["Location"])  # type: ignore[attr-defined]
    return page.get_data(as_text=True)


def test_sharing_without_descriptions_reminds_after_posting(
    app: Flask, client: FlaskClient, auth: AuthActions, user: User
) -> None:
    auth.login("juniper")
    page = client.get("/p/new").get_data(as_text=True)
    assert 'id="alt-reminder"' in page  # the dialog compose.js opens before sharing
    # As a browser sends them: every description field, the empty ones too.
    alts = {"alt_texts-0": "", "alt_texts-1": "A leaf", "alt_texts-2": ""}
    html = notice_after(client, publish(client, photos=3, **alts))
    post = the_post(app)
    assert "Your post is up." in html
    assert "2 of your photos have no description" in html
    assert f'<a href="/p/{post.id}/edit">Add descriptions</a>' in html
    html = notice_after(client, publish(client))
    assert "Your photo has no description" in html and "Add a description</a>" in html
    alts = {"alt_texts-0": "A leaf", "alt_texts-1": " "}
    html = notice_after(client, publish(client, photos=2, **alts))
    assert "One of your photos has no description" in html


def test_no_reminder_when_every_photo_is_described_or_it_was_asked_already(
    app: Flask, client: FlaskClient, auth: AuthActions, user: User
) -> None:
    auth.login("juniper")
    described = {"alt_texts-0": "A leaf", "alt_texts-1": "A stone"}
    html = notice_after(client, publish(client, photos=2, **described))
    assert "Your post is up." in html and "no description" not in html
    # compose.js asked before sharing and the person chose to share anyway: not twice.
    html = notice_after(client, publish(client, alt_reminder_seen="1"))
    assert "Your post is up." in html and "no description" not in html


def test_the_reminder_can_be_turned_off(
    app: Flask, client: FlaskClient, auth: AuthActions, user: User
) -> None:
    auth.login("juniper")
    set_preferences(auth, remind=False, show=False)
    assert 'id="alt-reminder"' not in client.get("/p/new").get_data(as_text=True)
    html = notice_after(client, publish(client))
    assert "Your post is up." in html and "no description" not in html

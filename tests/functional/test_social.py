"""Following, private accounts, mutes and blocks; likes, saves and reports."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from app.extensions import db
from app.models import (
    Comment,
    Follow,
    Like,
    Notification,
    NotificationKind,
    Report,
    User,
    Visibility,
)
from tests.factories import create_post, create_user, follow, make_private
from tests.support.members import login, send
from tests.support.pages import csrf_token_for


def counts(app: Flask, user: User) -> tuple[int, int]:
    with app.app_context():
        fresh = db.session.get(User, user.id)
        assert fresh is not None
        return fresh.follower_count, fresh.following_count


def test_following_a_public_account_is_immediate_and_counted_once(app: Flask) -> None:
    alice, bob = create_user(app, "alice"), create_user(app, "bob")
    client = login(app, "bob")
    assert send(client, "/@alice/follow") == 303
    assert send(client, "/@alice/follow") == 303  # a double submit changes nothing
    assert counts(app, alice) == (1, 0)
    assert counts(app, bob) == (0, 1)
    assert "Unfollow" in client.get("/@alice").get_data(as_text=True)
    assert send(client, "/@alice/unfollow") == 303
    assert counts(app, alice) == (0, 0)
    with app.app_context():
        assert db.session.scalar(select(Notification)) is None  # the follow note went too


def test_following_a_private_account_waits_for_approval(app: Flask) -> None:
    alice, _ = create_user(app, "alice"), create_user(app, "bob")
    make_private(app, alice)
    secret = create_post(app, alice, "just for friends")
    bob = login(app, "bob")
    send(bob, "/@alice/follow")
    assert "Requested" in bob.get("/@alice").get_data(as_text=True)
    assert bob.get(f"/p/{secret.id}").status_code == 404
    owner = login(app, "alice")
    assert "asked to follow you." in owner.get("/notifications/").get_data(as_text=True)
    assert "@bob" in owner.get("/follow-requests").get_data(as_text=True)
    assert send(owner, "/follow-requests/bob/approve") == 303
    assert bob.get(f"/p/{secret.id}").status_code == 200
    assert counts(app, alice) == (1, 0)
    # Answering twice is harmless.
    assert send(owner, "/follow-requests/bob/approve") == 303
    assert counts(app, alice) == (1, 0)


def test_a_declined_request_leaves_no_follow(app: Flask) -> None:
    alice, _ = create_user(app, "alice"), create_user(app, "bob")
    make_private(app, alice)
    send(login(app, "bob"), "/@alice/follow")
    send(login(app, "alice"), "/follow-requests/bob/decline")
    with app.app_context():
        assert db.session.scalar(select(Follow)) is None


def test_going_public_lets_waiting_requests_in(app: Flask) -> None:
    alice, _ = create_user(app, "alice"), create_user(app, "bob")
    make_private(app, alice)
    send(login(app, "bob"), "/@alice/follow")
    owner = login(app, "alice")
    response = owner.post(
        "/profile/privacy",
        data={
            "csrf_token": csrf_token_for(owner),
            "comment_audience": "everyone",
            "mention_audience": "everyone",
        },
    )
    assert response.status_code == 303
    assert counts(app, alice) == (1, 0)


def test_the_owner_removes_a_follower(app: Flask) -> None:
    alice, bob = create_user(app, "alice"), create_user(app, "bob")
    follow(app, bob, alice)
    assert send(login(app, "alice"), "/@bob/remove-follower") == 303
    assert counts(app, alice) == (0, 0)


def test_hidden_follow_lists(app: Flask) -> None:
    alice = create_user(app, "alice")
    create_user(app, "bob")
    with app.app_context():
        db.session.get(User, alice.id).hide_follow_lists = True  # type: ignore[union-attr]
        db.session.commit()
    assert login(app, "bob").get("/@alice/followers").status_code == 403
    assert login(app, "alice").get("/@alice/followers").status_code == 200


def test_muting_hides_an_account_from_the_feed_only(app: Flask) -> None:
    alice, bob = create_user(app, "alice"), create_user(app, "bob")
    follow(app, bob, alice)
    post = create_post(app, alice, "loud post")
    client = login(app, "bob")
    assert f"/p/{post.id}" in client.get("/home").get_data(as_text=True)
    send(client, "/@alice/mute")
    assert f"/p/{post.id}" not in client.get("/home").get_data(as_text=True)
    assert client.get(f"/p/{post.id}").status_code == 200
    assert "Unmute" in client.get("/@alice").get_data(as_text=True)
    send(client, "/@alice/unmute")
    assert f"/p/{post.id}" in client.get("/home").get_data(as_text=True)


def test_unblocking_from_the_block_list(app: Flask) -> None:
    create_user(app, "alice")
    create_user(app, "bob")
    client = login(app, "alice")
    send(client, "/@bob/block")
    assert client.get("/@bob").status_code == 404
    assert "@bob" in client.get("/blocked").get_data(as_text=True)
    assert send(client, "/@bob/unblock") == 303
    assert client.get("/@bob").status_code == 200


def test_you_cannot_follow_or_block_yourself(app: Flask) -> None:
    create_user(app, "alice")
    client = login(app, "alice")
    client.post("/@alice/follow", data={"csrf_token": csrf_token_for(client)})
    page = client.get("/@alice").get_data(as_text=True)
    assert "You can&#39;t follow yourself." in page


def test_likes_toggle_and_never_double(app: Flask) -> None:
    alice, _ = create_user(app, "alice"), create_user(app, "bob")
    post = create_post(app, alice)
    bob = login(app, "bob")
    for _ in range(3):
        assert send(bob, f"/p/{post.id}/like", on="1") == 303
    with app.app_context():
        assert len(db.session.scalars(select(Like)).all()) == 1
        assert db.session.get(type(post), post.id).like_count == 1  # type: ignore[union-attr]
        kinds = db.session.scalars(select(Notification.kind)).all()
        assert kinds == [NotificationKind.LIKE]
    assert 'aria-pressed="true"' in bob.get(f"/p/{post.id}").get_data(as_text=True)
    send(bob, f"/p/{post.id}/like", on="0")
    send(bob, f"/p/{post.id}/like", on="0")
    with app.app_context():
        assert db.session.get(type(post), post.id).like_count == 0  # type: ignore[union-attr]
        assert db.session.scalar(select(Notification)) is None


def test_a_like_without_reload_returns_the_new_buttons(app: Flask) -> None:
    alice = create_user(app, "alice")
    create_user(app, "bob")
    post = create_post(app, alice)
    bob = login(app, "bob")
    response = bob.post(
        f"/p/{post.id}/like",
        data={"csrf_token": csrf_token_for(bob), "on": "1"},
        headers={"X-Sapling-Fragment": "1"},
    )
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert html.strip().startswith(f'<div class="post-card__actions" id="post-{post.id}-actions"')
    assert f'formaction="/p/{post.id}/like" name="on" value="0" aria-pressed="true"' in html
    assert "<strong>1</strong> like" in html


def test_saved_posts_are_private_bookmarks(app: Flask) -> None:
    alice = create_user(app, "alice")
    create_user(app, "bob")
    post = create_post(app, alice)
    bob = login(app, "bob")
    send(bob, f"/p/{post.id}/save", on="1")
    assert f"/p/{post.id}" in bob.get("/saved").get_data(as_text=True)
    assert f"/p/{post.id}" not in login(app, "alice").get("/saved").get_data(as_text=True)
    send(bob, f"/p/{post.id}/save", on="0")
    assert f"/p/{post.id}" not in bob.get("/saved").get_data(as_text=True)


def test_reports_are_stored_for_moderation(app: Flask) -> None:
    alice = create_user(app, "alice")
    create_user(app, "bob")
    post = create_post(app, alice)
    bob = login(app, "bob")
    assert bob.get(f"/p/{post.id}/report").status_code == 200
    assert send(bob, f"/p/{post.id}/report", reason="spam", details="Sells pills") == 303
    assert send(bob, "/@alice/report", reason="harassment") == 303
    assert send(bob, "/@alice/report", reason="not-a-reason") == 422
    with app.app_context():
        reports = db.session.scalars(select(Report).order_by(Report.id)).all()
        assert [(r.reason.value, r.reported_user_id, r.post_id) for r in reports] == [
            ("spam", alice.id, post.id),
            ("harassment", alice.id, None),
        ]


def test_comments_follow_the_authors_setting(app: Flask) -> None:
    alice, bob_account = create_user(app, "alice"), create_user(app, "bob")
    post = create_post(app, alice, comments_enabled=False)
    bob = login(app, "bob")
    assert "Comments are turned off" in bob.get(f"/p/{post.id}").get_data(as_text=True)
    assert send(bob, f"/p/{post.id}/comments", body="hello") == 403
    other = create_post(app, alice)
    owner = login(app, "alice")
    owner.post(
        "/profile/privacy",
        data={
            "csrf_token": csrf_token_for(owner),
            "comment_audience": "followers",
            "mention_audience": "everyone",
        },
    )
    form = f'action="/p/{other.id}/comments"'
    assert form not in bob.get(f"/p/{other.id}").get_data(as_text=True)
    assert send(bob, f"/p/{other.id}/comments", body="hello") == 403
    follow(app, bob_account, alice)
    assert form in bob.get(f"/p/{other.id}").get_data(as_text=True)
    assert send(bob, f"/p/{other.id}/comments", body="hello") == 303


def test_notifications_count_and_mark_read(app: Flask) -> None:
    alice = create_user(app, "alice")
    create_user(app, "bob")
    post = create_post(app, alice)
    bob = login(app, "bob")
    send(bob, f"/p/{post.id}/like", on="1")
    send(bob, f"/p/{post.id}/comments", body="Nice one")
    send(bob, "/@alice/follow")
    owner = login(app, "alice")
    assert '3<span class="visually-hidden"> unread</span>' in owner.get("/explore").get_data(
        as_text=True
    )
    page = owner.get("/notifications/").get_data(as_text=True)
    assert page.count("New: </span>") == 3  # shown as new, and read by being shown
    for sentence in ("liked your post.", "commented on your post.", "started following you."):
        assert sentence in page
    assert "unread</span>" not in page
    assert send(owner, "/notifications/read") == 303  # still answers, with nothing left
    assert "unread</span>" not in owner.get("/notifications/").get_data(as_text=True)


def test_search_finds_people_by_username_or_name_prefix(app: Flask) -> None:
    create_user(app, "juniper.woods")
    with app.app_context():
        user = db.session.scalar(select(User).where(User.username == "juniper.woods"))
        user.display_name = "Ada Lovelace"  # type: ignore[union-attr]
        db.session.commit()
    create_user(app, "someone_else")
    visitor = app.test_client()
    assert "@juniper.woods" in visitor.get("/search?q=juni").get_data(as_text=True)
    assert "@juniper.woods" in visitor.get("/search?q=ada").get_data(as_text=True)
    assert "@juniper.woods" in visitor.get("/search?q=@JUNI").get_data(as_text=True)
    # LIKE wildcards are literal characters, not patterns.
    assert "@juniper.woods" not in visitor.get("/search?q=%25").get_data(as_text=True)
    assert "@juniper.woods" not in visitor.get("/search?q=_uni").get_data(as_text=True)


def test_the_social_pages_and_their_refusals(app: Flask) -> None:
    alice, bob = create_user(app, "alice"), create_user(app, "bob")
    follow(app, alice, bob)
    client = login(app, "alice")
    for path in ("/follow-requests", "/blocked", "/@bob/following", "/@alice/following"):
        assert client.get(path).status_code == 200, path
    assert "@bob" in client.get("/@alice/following").get_data(as_text=True)
    for own in ("/@alice/mute", "/@alice/block"):
        assert send(client, own) == 303
        assert "You can&#39;t" in client.get("/@alice").get_data(as_text=True)
    assert send(client, "/@nobody.here/follow") == 404
    assert send(client, "/@bob/unblock") == 404  # not blocked, so not in the list
    assert client.get("/@alice/report").status_code == 404  # not yourself
    assert client.post("/@bob/mute", data={}).status_code == 400  # no CSRF token
    assert client.post("/notifications/read", data={}).status_code == 400


@pytest.mark.config(MEDIA_X_ACCEL=True)
def test_behind_nginx_private_photos_are_handed_over_by_x_accel_redirect(app: Flask) -> None:
    alice = create_user(app, "alice")
    post = create_post(app, alice, visibility=Visibility.FOLLOWERS)
    key = post.photos[0].storage_key
    response = login(app, "alice").get(f"/media/{key}/display.webp")
    assert response.status_code == 200
    assert response.headers["X-Accel-Redirect"] == f"/_private_media/{key[:2]}/{key}/display.webp"
    assert response.data == b""
    assert app.test_client().get(f"/media/{key}/display.webp").status_code == 404


def test_strangers_count_only_the_posts_they_can_see(app: Flask) -> None:
    alice, bob = create_user(app, "alice"), create_user(app, "bob")
    create_user(app, "carol")
    follow(app, bob, alice)
    create_post(app, alice)
    create_post(app, alice, visibility=Visibility.FOLLOWERS)
    assert "<strong>1</strong> posts" in login(app, "carol").get("/@alice").get_data(as_text=True)
    assert "<strong>1</strong> posts" in app.test_client().get("/@alice").get_data(as_text=True)
    assert "<strong>2</strong> posts" in login(app, "bob").get("/@alice").get_data(as_text=True)
    assert "<strong>2</strong> posts" in login(app, "alice").get("/@alice").get_data(as_text=True)


def test_deleting_a_comment_twice_counts_it_once(app: Flask) -> None:
    from app.services.content import interactions, posts

    alice = create_user(app, "alice")
    post = create_post(app, alice)
    with app.test_request_context():
        author = db.session.get(User, alice.id)
        assert author is not None
        found = posts.visible(author, post.id)
        assert found is not None
        comment = interactions.add_comment(author, found, "one")
        interactions.add_comment(author, found, "two")
        db.session.commit()
        interactions.delete_comment(author, found, comment)
        interactions.delete_comment(author, found, comment)  # a second request, too late
        db.session.commit()
        assert db.session.get(type(found), post.id).comment_count == 1  # type: ignore[union-attr]


def test_a_mention_in_a_comment_follows_the_posts_audience(app: Flask) -> None:
    bea, cal = create_user(app, "bea"), create_user(app, "cal")
    create_user(app, "dan")
    make_private(app, cal)  # the commenter's own privacy does not matter
    post = create_post(app, bea, "Out in the open")
    send(login(app, "cal"), f"/p/{post.id}/comments", body="look @dan")
    assert "mentioned you." in login(app, "dan").get("/notifications/").get_data(as_text=True)
    assert cal  # (created for the comment above)


def test_an_account_you_blocked_can_still_be_reported(app: Flask) -> None:
    create_user(app, "alice")
    create_user(app, "troll")
    client = login(app, "alice")
    send(client, "/@troll/block")
    assert client.get("/@troll/report").status_code == 200
    assert send(client, "/@troll/report", reason="harassment") == 303
    assert send(client, "/@TROLL/unblock") == 303  # the name as typed, in any case


def test_unverified_accounts_cannot_like_or_save(app: Flask) -> None:
    alice = create_user(app, "alice")
    create_user(app, "sprout", verified=False)
    post = create_post(app, alice)
    client = login(app, "sprout")
    assert send(client, f"/p/{post.id}/like", on="1") == 303
    assert send(client, f"/p/{post.id}/save", on="1") == 303
    with app.app_context():
        assert db.session.scalar(select(Like)) is None


def privacy(client: FlaskClient, **fields: str) -> int:
    data = {"comment_audience": "everyone", "mention_audience": "everyone", **fields}
    token = csrf_token_for(client)
    return client.post("/profile/privacy", data={"csrf_token": token, **data}).status_code


@pytest.mark.media
def test_going_private_moves_the_photos_out_of_public_reach_and_back(app: Flask) -> None:
    from app.services.media.media_storage import media_storage

    alice, bob = create_user(app, "alice"), create_user(app, "bob")
    follow(app, bob, alice)
    key = create_post(app, alice).photos[0].storage_key
    url = f"/media/{key}/display.webp"

    def located_public() -> bool:
        with app.app_context():
            found = media_storage().locate(key, "display")
        assert found is not None
        return found.public

    assert located_public()
    owner = login(app, "alice")
    assert privacy(owner, is_private="y") == 303
    assert not located_public()
    with app.test_client().get(url) as response:
        assert response.status_code == 404
    with login(app, "bob").get(url) as response:
        assert response.status_code == 200
    assert privacy(owner) == 303
    assert located_public()


def test_who_may_mention_and_comment(app: Flask) -> None:
    alice, bob = create_user(app, "alice"), create_user(app, "bob")
    quiet = login(app, "alice")
    assert privacy(quiet, mention_audience="nobody", comment_audience="nobody") == 303
    create_post(app, bob, "Hello @alice")
    assert "mentioned you" not in quiet.get("/notifications/").get_data(as_text=True)
    assert privacy(quiet, mention_audience="following", comment_audience="nobody") == 303
    create_post(app, bob, "Hello again @alice")
    assert "mentioned you" not in quiet.get("/notifications/").get_data(as_text=True)
    follow(app, alice, bob)
    create_post(app, bob, "Third time @alice")
    assert "mentioned you" in quiet.get("/notifications/").get_data(as_text=True)
    post = create_post(app, alice, "No comments from anyone")
    assert send(login(app, "bob"), f"/p/{post.id}/comments", body="hi") == 403
    assert send(quiet, f"/p/{post.id}/comments", body="my own") == 303


def test_a_comment_can_be_reported_by_others_only(app: Flask) -> None:
    alice = create_user(app, "alice")
    create_user(app, "bob")
    post = create_post(app, alice)
    send(login(app, "alice"), f"/p/{post.id}/comments", body="Buy cheap pills")
    with app.app_context():
        comment_id = db.session.scalar(select(Comment.id))
    path = f"/p/{post.id}/comments/{comment_id}/report"
    bob = login(app, "bob")
    assert f'href="{path}"' in bob.get(f"/p/{post.id}").get_data(as_text=True)
    assert send(bob, path, reason="spam") == 303
    assert login(app, "alice").get(path).status_code == 404  # not your own
    assert bob.get(f"/p/{post.id}/comments/999999/report").status_code == 404
    with app.app_context():
        report = db.session.scalar(select(Report))
        assert report is not None
        assert (report.comment_id, report.post_id, report.reported_user_id) == (
            comment_id,
            post.id,
            alice.id,
        )

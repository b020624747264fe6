"""People are told what happened to them (issue #19 item 4): the author of a post or
comment a moderator removes gets a notification and an email with the reason (no
moderator named), and someone whose time-limited block ends is emailed."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskCliRunner

from app.extensions import db
from app.models import DeletionReason, Notification, NotificationKind, User
from app.services.privacy import lifecycle
from tests.factories import create_post, create_user
from tests.support.moderation import comment, expire_block, moderate, report, signed_in
from tests.support.smtp import Mailbox

CAPTION = "Out in the open, the whole valley after the storm, every fern " + "unrolled " * 12


@pytest.fixture
def cast(app: Flask) -> dict[str, User]:
    return {
        "alice": create_user(app, "alice"),
        "bob": create_user(app, "bob"),
        "warden": create_user(app, "warden", admin=True),
    }


def plain(message: object) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()  # type: ignore[attr-defined, no-any-return]


def test_the_author_of_a_removed_post_is_notified_and_emailed_with_the_reason(
    app: Flask, cast: dict[str, User], mailbox: Mailbox
) -> None:
    post = create_post(app, cast["alice"], CAPTION)
    report_id = report(app, cast["bob"], post=post)
    status, _ = moderate(app, f"/admin/reports/{report_id}/remove", {"remove_reason": "Spam links"})
    assert status == 303

    alice = signed_in(app, "alice")
    home = alice.get("/home").get_data(as_text=True)
    assert '1<span class="visually-hidden"> unread</span>' in home  # the unread badge
    page = alice.get("/notifications/").get_data(as_text=True)
    assert "The moderators removed your post: “Out in the open, the whole valley" in page
    assert "…”" in page  # the long caption is cut, on a word
    assert "The reason: Spam links" in page
    assert "warden" not in page  # the moderator is not named
    [message] = mailbox.to("alice@example.org")
    assert message["Subject"] == "A moderator removed your post"
    text = plain(message)
    assert "Spam links" in text and "Out in the open" in text and "warden" not in text
    assert "photos, likes and comments" in text
    assert mailbox.to("bob@example.org") == []  # the reporter is not told here


def test_the_author_of_a_removed_comment_is_told_too(
    app: Flask, cast: dict[str, User], mailbox: Mailbox
) -> None:
    post = create_post(app, cast["alice"], "Moss")
    comment_id = comment(app, cast["bob"], post, "Rude words about moss")
    report_id = report(app, cast["alice"], comment_id=comment_id)
    status, _ = moderate(app, f"/admin/reports/{report_id}/remove", {"remove_reason": "Insults"})
    assert status == 303
    page = signed_in(app, "bob").get("/notifications/").get_data(as_text=True)
    assert "The moderators removed your comment: “Rude words about moss”" in page
    assert "The reason: Insults" in page
    [message] = mailbox.to("bob@example.org")
    assert message["Subject"] == "A moderator removed your comment"
    assert "Insults" in plain(message) and "Rude words about moss" in plain(message)
    with app.app_context():
        [notice] = db.session.scalars(
            sa.select(Notification).where(Notification.recipient_id == cast["bob"].id)
        ).all()
        assert notice.actor_id is None and notice.kind == NotificationKind.COMMENT_REMOVED


def test_an_account_on_its_way_out_is_not_told(
    app: Flask, cast: dict[str, User], mailbox: Mailbox
) -> None:
    post = create_post(app, cast["alice"], "Going")
    report_id = report(app, cast["bob"], post=post)
    with app.test_request_context():
        alice = db.session.get(User, cast["alice"].id)
        assert alice is not None
        lifecycle.request_deletion(alice, DeletionReason.SELF_DELETED)
        db.session.commit()
    status, _ = moderate(app, f"/admin/reports/{report_id}/remove", {"remove_reason": "Spam"})
    assert status == 303
    assert all("removed" not in m["Subject"] for m in mailbox.to("alice@example.org"))
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Notification)) == 0


def block_for(app: Flask, username: str, days: str = "3") -> None:
    data = {"block_days": days, "block_reason": "Cooling off"}
    status, page = moderate(app, f"/admin/users/{username}/block", data)
    assert status == 303, page


def test_a_time_limited_block_that_ends_at_the_maintenance_run_is_emailed(
    app: Flask, cast: dict[str, User], mailbox: Mailbox, runner: FlaskCliRunner
) -> None:
    block_for(app, "alice")
    expire_block(app, cast["alice"])
    result = runner.invoke(args=["maintenance", "run"])
    assert "lifted 1 expired blocks" in result.output
    assert runner.invoke(args=["outbox", "send"]).exit_code == 0
    subjects = [m["Subject"] for m in mailbox.to("alice@example.org")]
    assert subjects == [
        "Your Sapling account is blocked",
        "Your Sapling account is no longer blocked",
    ]
    ended = mailbox.to("alice@example.org")[-1]
    assert "has ended" in plain(ended) and "/login" in plain(ended)
    runner.invoke(args=["maintenance", "run"])  # nothing is lifted, nor told, twice
    assert len(mailbox.to("alice@example.org")) == 2


def test_a_block_that_ends_at_login_is_emailed_once(
    app: Flask, cast: dict[str, User], mailbox: Mailbox, runner: FlaskCliRunner
) -> None:
    block_for(app, "alice")
    expire_block(app, cast["alice"])
    signed_in(app, "alice")
    runner.invoke(args=["maintenance", "run"])
    assert runner.invoke(args=["outbox", "send"]).exit_code == 0
    subjects = [m["Subject"] for m in mailbox.to("alice@example.org")]
    assert subjects.count("Your Sapling account is no longer blocked") == 1


def test_a_moderators_unblock_sends_its_own_email_not_the_ended_one(
    app: Flask, cast: dict[str, User], mailbox: Mailbox
) -> None:
    block_for(app, "alice")
    status, _ = moderate(app, "/admin/users/alice/unblock", {"unblock_reason": "Appeal"})
    assert status == 303
    subjects = [m["Subject"] for m in mailbox.to("alice@example.org")]
    assert subjects == ["Your Sapling account is blocked", "Your Sapling account is unblocked"]

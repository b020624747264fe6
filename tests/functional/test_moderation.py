"""Moderation: the admin role, the hidden /admin area, the reports queue and its actions.

Alice posts in public and to followers only; Bob reports her; Warden is the
moderator. Every action must change what it says, close the reports it
answers, and leave a ModerationAction with the moderator, the time and the reason.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskCliRunner

from app.extensions import db
from app.models import (
    Comment,
    ModerationAction,
    ModerationKind,
    Post,
    Report,
    ReportStatus,
    SecurityEvent,
    SecurityEventKind,
    User,
    UserSession,
    Visibility,
    utcnow,
)
from app.services.moderation import report_queue
from tests.factories import create_post, create_user, make_private
from tests.support.moderation import (
    comment,
    moderate,
    report,
    signed_in,
    stored_report,
    stored_user,
)
from tests.support.pages import csrf_token, csrf_token_for


@dataclass
class World:
    alice: User
    bob: User
    warden: User
    public: Post
    secret: Post


@pytest.fixture
def world(app: Flask) -> World:
    alice = create_user(app, "alice")
    bob = create_user(app, "bob")
    warden = create_user(app, "warden", admin=True)
    public = create_post(app, alice, "Out in the open #moss")
    secret = create_post(app, alice, "Only for friends", visibility=Visibility.FOLLOWERS)
    return World(alice, bob, warden, public, secret)


def actions(app: Flask) -> list[ModerationAction]:
    with app.app_context():
        rows = list(db.session.scalars(sa.select(ModerationAction).order_by(ModerationAction.id)))
        db.session.expunge_all()
        return rows


def assert_logged(
    action: ModerationAction, kind: ModerationKind, world: World, reason: str, **expected: object
) -> None:
    assert action.kind == kind
    assert action.moderator_id == world.warden.id
    assert action.reason == reason
    assert utcnow() - action.created_at < timedelta(minutes=1)
    for name, value in expected.items():
        assert getattr(action, name) == value, name


# --- The admin area is invisible to everyone else ------------------------------------------


def admin_paths(app: Flask, report_id: int) -> list[str]:
    values = {"report_id": report_id, "username": "alice", "position": 0}
    paths = []
    with app.test_request_context():
        for rule in app.url_map.iter_rules():
            if rule.endpoint.startswith("admin."):
                args = {name: values[name] for name in rule.arguments}
                paths.append(app.url_map.bind("localhost").build(rule.endpoint, args))
    return paths


def test_every_admin_url_is_a_404_to_visitors_and_members(app: Flask, world: World) -> None:
    report_id = report(app, world.bob, post=world.secret)
    paths = admin_paths(app, report_id)
    assert len(paths) >= 12
    not_found = signed_in(app, None).get("/no-such-page").get_data(as_text=True)
    for name in (None, "bob", "alice"):
        client = signed_in(app, name)
        token = csrf_token_for(client)
        for path in [*paths, "/admin", "/admin/", "/admin/nothing", "/admin/reports/"]:
            assert client.get(path).status_code == 404, (name, path)
            # A POST, with a valid CSRF token or without: the same 404, never a 400 or 405.
            assert client.post(path, data={"csrf_token": token}).status_code == 404, path
            assert client.post(path).status_code == 404, path
        if name is None:
            assert client.get("/admin/reports").get_data(as_text=True) == not_found
    # Nothing was acted on.
    assert actions(app) == []
    assert stored_report(app, report_id).status == ReportStatus.OPEN
    # The moderator reaches every page.
    warden = signed_in(app, "warden")
    for path in ("/admin/", "/admin/reports", f"/admin/reports/{report_id}", "/admin/users/alice"):
        assert warden.get(path).status_code in (200, 302), path


def test_admin_forms_need_the_csrf_token(app: Flask, world: World) -> None:
    report_id = report(app, world.bob, post=world.public)
    warden = signed_in(app, "warden")
    response = warden.post(f"/admin/reports/{report_id}/dismiss", data={"dismiss_reason": "x"})
    assert response.status_code == 400
    assert stored_report(app, report_id).status == ReportStatus.OPEN


def invoke(app: Flask, runner: FlaskCliRunner, *args: str) -> str:
    with app.app_context():
        result = runner.invoke(args=list(args))
    assert result.exit_code == 0, result.output
    return result.output


def test_the_admin_role_is_granted_and_revoked_by_an_operator(
    app: Flask, runner: FlaskCliRunner, world: World
) -> None:
    bob = signed_in(app, "bob")
    assert bob.get("/admin/reports").status_code == 404
    assert "@bob is now an admin" in invoke(app, runner, "users", "grant-admin", "bob")
    assert "already an admin" in invoke(app, runner, "users", "grant-admin", "bob")
    assert bob.get("/admin/reports").status_code == 200  # no new login needed
    assert "Moderation" in bob.get("/settings/").get_data(as_text=True)
    timeline = bob.get("/settings/security").get_data(as_text=True)
    assert "Moderator (admin) role granted" in timeline

    assert "no longer an admin" in invoke(app, runner, "users", "revoke-admin", "bob")
    assert "was not an admin" in invoke(app, runner, "users", "revoke-admin", "bob")
    assert bob.get("/admin/reports").status_code == 404
    with app.app_context():
        kinds = db.session.scalars(
            sa.select(SecurityEvent.kind)
            .where(SecurityEvent.user_id == world.bob.id)
            .order_by(SecurityEvent.id)
        ).all()
    assert kinds[-2:] == [SecurityEventKind.ADMIN_GRANTED, SecurityEventKind.ADMIN_REVOKED]
    with app.app_context():
        missing = runner.invoke(args=["users", "grant-admin", "ghost"])
    assert missing.exit_code != 0 and "No user 'ghost'" in missing.output


# --- The queue ------------------------------------------------------------------------------


def test_the_queue_shows_what_was_reported_even_when_only_followers_could_see_it(
    app: Flask, world: World
) -> None:
    make_private(app, world.alice)
    secret = report(app, world.bob, post=world.secret, details="Look closer at this one")
    account = report(app, world.bob, user=world.alice)
    warden = signed_in(app, "warden")
    page = warden.get("/admin/reports").get_data(as_text=True)
    assert "Only for friends" in page and "Look closer at this one" in page
    assert "Post by @alice" in page and "Account @alice" in page and "reported by @bob" in page
    assert page.index(f"/admin/reports/{secret}") < page.index(f"/admin/reports/{account}")

    detail = warden.get(f"/admin/reports/{secret}").get_data(as_text=True)
    assert "Followers only" in detail
    thumb = f"/admin/reports/{secret}/photos/0"
    assert thumb in detail
    with warden.get(thumb) as response:
        assert response.status_code == 200 and response.data.startswith(b"RIFF")
        assert response.headers["Cache-Control"] == "private, no-store"
    assert warden.get(f"/admin/reports/{secret}/photos/1").status_code == 404
    assert warden.get(f"/admin/reports/{account}/photos/0").status_code == 404
    # Only in the admin area: the public pages keep their rules for moderators too.
    assert warden.get(f"/p/{world.secret.id}").status_code == 404
    key = world.secret.photos[0].storage_key
    assert warden.get(f"/media/{key}/thumb.webp").status_code == 404


def test_the_queue_is_open_reports_oldest_first_then_resolved_newest_first(
    app: Flask, world: World
) -> None:
    ids = [report(app, world.bob, user=world.alice) for _ in range(5)]
    with app.app_context():
        for report_id in (ids[1], ids[3]):
            found = db.session.get(Report, report_id)
            assert found is not None
            found.status = ReportStatus.DISMISSED
        db.session.commit()
    expected = [ids[0], ids[2], ids[4], ids[3], ids[1]]
    seen: list[int] = []
    with app.app_context():
        cursor: report_queue.Cursor | None = report_queue.Cursor()
        while cursor is not None:
            cases, cursor = report_queue.page(cursor, limit=2)
            seen += [case.report.id for case in cases]
        assert seen == expected
        # A page that ends exactly at the last open report goes on to the resolved ones.
        cases, cursor = report_queue.page(report_queue.Cursor(False, ids[0]), limit=2)
        assert [c.report.id for c in cases] == [ids[2], ids[4]] and cursor == (
            report_queue.Cursor(True)
        )
    warden = signed_in(app, "warden")
    page = warden.get("/admin/reports").get_data(as_text=True)
    assert "More reports" not in page  # 25 to a page
    assert warden.get("/admin/reports?after=x").status_code == 400


# --- Actions on a report --------------------------------------------------------------------


def test_dismissing_closes_every_open_report_about_the_same_post(app: Flask, world: World) -> None:
    first = report(app, world.bob, post=world.public)
    second = report(app, world.alice, post=world.public)  # anyone may report
    other = report(app, world.bob, post=world.secret)
    status, _ = moderate(
        app,
        f"/admin/reports/{first}/dismiss",
        {"dismiss_reason": "Just moss"},
    )
    assert status == 303
    for report_id in (first, second):
        closed = stored_report(app, report_id)
        assert closed.status == ReportStatus.DISMISSED
        assert closed.resolved_by_id == world.warden.id and closed.resolved_at is not None
    assert stored_report(app, other).status == ReportStatus.OPEN
    [logged] = actions(app)
    assert_logged(
        logged,
        ModerationKind.DISMISS_REPORT,
        world,
        "Just moss",
        report_id=first,
        target_user_id=world.alice.id,
    )
    page = signed_in(app, "warden").get("/admin/reports").get_data(as_text=True)
    assert page.index(f"/admin/reports/{other}") < page.index(f"/admin/reports/{first}")
    # A closed report is not dismissed twice (the form is gone; a replayed POST is refused).
    status, page = moderate(
        app,
        f"/admin/reports/{second}/dismiss",
        {"dismiss_reason": "Again"},
    )
    assert status == 422 and "already dealt with" in page
    assert len(actions(app)) == 1


def test_every_action_needs_a_reason(app: Flask, world: World) -> None:
    report_id = report(app, world.bob, post=world.public)
    for action in ("dismiss", "remove", "block", "delete"):
        status, page = moderate(
            app,
            f"/admin/reports/{report_id}/{'delete-account' if action == 'delete' else action}",
            {f"{action}_reason": "  ", "block_days": "3"},
        )
        assert status == 422, action
        assert "Give a reason" in page
    assert actions(app) == []
    assert stored_report(app, report_id).status == ReportStatus.OPEN


def test_removing_a_post_deletes_it_and_closes_its_reports(app: Flask, world: World) -> None:
    report_id = report(app, world.bob, post=world.public)
    about_comment = report(
        app, world.alice, comment_id=comment(app, world.bob, world.public, "Rude words")
    )
    status, _ = moderate(
        app,
        f"/admin/reports/{report_id}/remove",
        {"remove_reason": "Spam links"},
    )
    assert status == 303
    assert signed_in(app, "alice").get(f"/p/{world.public.id}").status_code == 404
    with app.app_context():
        assert db.session.get(Post, world.public.id) is None
        assert db.session.get(User, world.alice.id).post_count == 1  # type: ignore[union-attr]
    for closed in (report_id, about_comment):
        assert stored_report(app, closed).status == ReportStatus.ACTIONED
    [logged] = actions(app)
    assert_logged(
        logged, ModerationKind.REMOVE_POST, world, "Spam links", target_user_id=world.alice.id
    )
    # The report stays, its post gone.
    page = signed_in(app, "warden").get(f"/admin/reports/{report_id}").get_data(as_text=True)
    assert "Post by @alice" in page and "A moderator removed the post." in page


def test_removing_a_comment_keeps_the_post(app: Flask, world: World) -> None:
    comment_id = comment(app, world.bob, world.public, "Rude words")
    report_id = report(app, world.alice, comment_id=comment_id)
    page = signed_in(app, "warden").get(f"/admin/reports/{report_id}").get_data(as_text=True)
    assert "Comment by @bob" in page and "Rude words" in page and "Remove the comment" in page
    status, _ = moderate(
        app,
        f"/admin/reports/{report_id}/remove",
        {"remove_reason": "Insults"},
    )
    assert status == 303
    with app.app_context():
        assert db.session.get(Comment, comment_id) is None
        assert db.session.get(Post, world.public.id) is not None
    assert stored_report(app, report_id).status == ReportStatus.ACTIONED
    [logged] = actions(app)
    assert_logged(
        logged, ModerationKind.REMOVE_COMMENT, world, "Insults", target_user_id=world.bob.id
    )


def test_blocking_from_a_report_blocks_for_the_days_chosen(app: Flask, world: World) -> None:
    report_id = report(app, world.bob, post=world.public)
    account_report = report(app, world.bob, user=world.alice)
    status, _ = moderate(
        app,
        f"/admin/reports/{report_id}/block",
        {"block_days": "7", "block_reason": "Repeated spam"},
    )
    assert status == 303
    alice = stored_user(app, world.alice.id)
    assert alice.blocked_till is not None and not alice.blocked_permanently
    assert abs(alice.blocked_till - (utcnow() + timedelta(days=7))) < timedelta(minutes=1)
    assert alice.block_reason == "Repeated spam"
    # Everything reported about her is dealt with.
    for closed in (report_id, account_report):
        assert stored_report(app, closed).status == ReportStatus.ACTIONED
    [logged] = actions(app)
    assert_logged(
        logged,
        ModerationKind.BLOCK_USER,
        world,
        "Repeated spam",
        target_user_id=world.alice.id,
        report_id=report_id,
        until=alice.blocked_till,
    )
    page = signed_in(app, "warden").get("/admin/users/alice").get_data(as_text=True)
    assert "Blocked until" in page and "Repeated spam" in page and "By @warden" in page


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        ({"block_days": "0"}, "Choose 1 to 365 days."),
        ({"block_days": "366"}, "Choose 1 to 365 days."),
        ({}, "Choose 1 to 365 days, or a permanent block."),
    ],
)
def test_a_block_lasts_1_to_365_days_or_for_good(
    app: Flask, world: World, data: dict[str, str], problem: str
) -> None:
    status, page = moderate(
        app,
        "/admin/users/alice/block",
        {"block_reason": "Spam", **data},
    )
    assert status == 422 and problem in page
    assert stored_user(app, world.alice.id).blocked_till is None


def test_a_permanent_block_from_the_account_page(app: Flask, world: World) -> None:
    status, _ = moderate(
        app,
        "/admin/users/alice/block",
        {"block_permanent": "y", "block_days": "", "block_reason": "Ban evasion"},
    )
    assert status == 303
    alice = stored_user(app, world.alice.id)
    assert alice.blocked_permanently and alice.blocked_till is None
    assert "Blocked permanently" in signed_in(app, "warden").get("/admin/users/alice").text


def test_unblocking_is_logged_too(app: Flask, world: World) -> None:
    moderate(
        app,
        "/admin/users/alice/block",
        {"block_days": "2", "block_reason": "Cool off"},
    )
    status, _ = moderate(
        app,
        "/admin/users/alice/unblock",
        {"unblock_reason": "Appeal accepted"},
    )
    assert status == 303
    alice = stored_user(app, world.alice.id)
    assert alice.blocked_till is None and alice.block_reason == ""
    blocked, unblock = actions(app)
    assert blocked.kind == ModerationKind.BLOCK_USER and blocked.reason == "Cool off"
    assert_logged(
        unblock, ModerationKind.UNBLOCK_USER, world, "Appeal accepted", target_user_id=alice.id
    )
    assert signed_in(app, "alice").get("/home").status_code == 200
    status, page = moderate(app, "/admin/users/alice/unblock", {"unblock_reason": "Again"})
    assert status == 422 and "@alice is not blocked." in page


def test_deleting_an_account_from_a_report(app: Flask, world: World) -> None:
    report_id = report(app, world.bob, user=world.alice)
    status, _ = moderate(
        app,
        f"/admin/reports/{report_id}/delete-account",
        {"delete_reason": "Impersonation"},
    )
    assert status == 303
    alice = stored_user(app, world.alice.id)
    assert alice.deletion_requested_at is not None
    assert alice.deletion_reason == "removed_by_moderator"
    assert signed_in(app, "bob").get("/@alice").status_code == 404
    assert stored_report(app, report_id).status == ReportStatus.ACTIONED
    [logged] = actions(app)
    assert_logged(
        logged, ModerationKind.DELETE_ACCOUNT, world, "Impersonation", target_user_id=alice.id
    )
    page = signed_in(app, "warden").get("/admin/users/alice").get_data(as_text=True)
    assert "Deleted by a moderator" in page and "Block the account" not in page


def test_block_and_delete_need_a_fresh_login(app: Flask, world: World) -> None:
    warden = signed_in(app, "warden")
    with app.app_context():
        db.session.execute(
            sa.update(UserSession).values(authenticated_at=utcnow() - timedelta(minutes=6))
        )
        db.session.commit()
    page = warden.get("/admin/users/alice")
    assert "Confirm it&#39;s you" in page.get_data(as_text=True)
    token = csrf_token(page)
    for path, data in (
        ("/admin/users/alice/block", {"block_days": "3", "block_reason": "Spam"}),
        ("/admin/users/alice/delete", {"delete_reason": "Spam"}),
    ):
        response = warden.post(
            path,
            data={"csrf_token": token, **data},
            headers={"Referer": "http://localhost/admin/users/alice"},
        )
        assert response.status_code == 303
        assert response.headers["Location"] == "/reauth?next=/admin/users/alice"
    alice = stored_user(app, world.alice.id)
    assert alice.blocked_till is None and alice.deletion_requested_at is None
    assert actions(app) == []


def test_moderators_cannot_act_on_themselves_or_each_other(app: Flask, world: World) -> None:
    create_user(app, "keeper", admin=True)
    for name in ("warden", "keeper"):
        page = signed_in(app, "warden").get(f"/admin/users/{name}").get_data(as_text=True)
        assert "flask users revoke-admin" in page and "Block the account" not in page
        status, body = moderate(
            app,
            f"/admin/users/{name}/block",
            {"block_days": "3", "block_reason": "Spam"},
        )
        assert status == 422
    assert "your own account" in body or "is a moderator" in body
    assert actions(app) == []


def test_unknown_reports_and_accounts_are_404_to_moderators_too(app: Flask, world: World) -> None:
    warden = signed_in(app, "warden")
    assert warden.get("/admin/reports/999999").status_code == 404
    assert warden.get("/admin/users/nobody").status_code == 404

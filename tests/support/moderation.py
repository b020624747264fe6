"""Reports and moderators, made through the same services the app uses."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select, update

from app.extensions import db
from app.models import (
    Comment,
    DataImport,
    ImportSource,
    ImportStatus,
    Post,
    Report,
    ReportReason,
    User,
    Visibility,
    utcnow,
)
from app.services.content import interactions, posts
from tests.factories import create_user
from tests.support.auth import AuthActions
from tests.support.pages import csrf_token_for


def report(
    app: Flask,
    reporter: User,
    *,
    post: Post | None = None,
    comment_id: int | None = None,
    user: User | None = None,
    reason: ReportReason = ReportReason.SPAM,
    details: str = "",
) -> int:
    """A committed report of a post, a comment or an account; returns its id."""
    with app.test_request_context():
        who = db.session.get(User, reporter.id)
        assert who is not None
        entry = interactions.report(
            who,
            reason,
            details,
            post=db.session.get(Post, post.id) if post else None,
            comment=db.session.get(Comment, comment_id) if comment_id else None,
            user=db.session.get(User, user.id) if user else None,
        )
        db.session.commit()
        return entry.id


def comment(app: Flask, author: User, post: Post, body: str) -> int:
    with app.test_request_context():
        who = db.session.get(User, author.id)
        assert who is not None
        where = posts.visible(who, post.id)
        assert where is not None
        made = interactions.add_comment(who, where, body)
        db.session.commit()
        return made.id


def signed_in(app: Flask, username: str | None) -> FlaskClient:
    client = app.test_client()
    if username:
        response = AuthActions(client).login(username)
        assert response.status_code == 303, response.get_data(as_text=True)
    return client


def moderate(
    app: Flask, path: str, data: dict[str, str], moderator: str = "warden"
) -> tuple[int, str]:
    """POST a moderator's form as ``moderator``, freshly signed in."""
    client = signed_in(app, moderator)
    response = client.post(path, data={"csrf_token": csrf_token_for(client), **data})
    return response.status_code, response.get_data(as_text=True)


def stored_user(app: Flask, user_id: int) -> User:
    with app.app_context():
        found = db.session.get(User, user_id)
        assert found is not None
        db.session.expunge(found)
        return found


def stored_report(app: Flask, report_id: int) -> Report:
    with app.app_context():
        found = db.session.get(Report, report_id)
        assert found is not None
        db.session.expunge(found)
        return found


def add_moderation_cast(app: Flask, ids: dict[str, int], moderator: str, member: str) -> None:
    """A moderator and a few open reports on the demo cast (tests/support/demo.py).

    Adds ``report`` (Fern's followers-only post, reported by the member) to ``ids``.
    """
    create_user(app, moderator, admin=True)
    with app.app_context():
        people = {u.username: u for u in db.session.scalars(select(User))}
        secret = db.session.scalar(
            select(Post).where(Post.caption.startswith("Just for friends")).limit(1)
        )
        assert secret is not None
        db.session.expunge_all()
    reporter, fern, hazel = people[member], people["fern.live"], people["hazel.live"]
    ids["report"] = report(
        app, reporter, post=secret, reason=ReportReason.NUDITY, details="Not for everyone."
    )
    report(app, reporter, user=hazel, reason=ReportReason.HARASSMENT)
    report(app, hazel, user=fern, reason=ReportReason.OTHER, details="Pretends to be me.")
    # A sign-up waiting for a moderator (/admin/signups), as the approval mode leaves one.
    waiting = create_user(app, "sprig.waiting", verified=False)
    with app.app_context():
        db.session.execute(update(User).where(User.id == waiting.id).values(awaiting_approval=True))
        db.session.commit()


def expire_block(app: Flask, user: User) -> None:
    """A moderator's block runs out (written to the row, as the clock would have it)."""
    with app.app_context():
        db.session.execute(
            update(User)
            .where(User.id == user.id)
            .values(blocked_till=utcnow() - timedelta(seconds=1))
        )
        db.session.commit()


def add_import_states(app: Flask, finished_for: str, running_for: str) -> None:
    """The import page's two states for the axe list and the screenshots: a finished
    import with a report (``finished_for``), and one under way (``running_for``).

    The running one is a row with no archive and a heartbeat in the far future, so no
    worker a browser test runs ever takes it up (a stale one would be resumed)."""
    with app.app_context():
        people = {
            user.username: user.id
            for user in db.session.scalars(
                select(User).where(User.username.in_([finished_for, running_for]))
            )
        }
        now = datetime.now(UTC)
        db.session.add_all(
            [
                DataImport(
                    user_id=people[finished_for],
                    source=ImportSource.INSTAGRAM,
                    status=ImportStatus.DONE,
                    visibility=Visibility.ONLY_ME,
                    requested_at=now - timedelta(minutes=20),
                    started_at=now - timedelta(minutes=19),
                    finished_at=now - timedelta(minutes=2),
                    posts_total=214,
                    posts_done=214,
                    posts_imported=212,
                    photos_imported=301,
                    skipped=[
                        {"what": "18023957722.mp4", "reason": "videos are not imported yet"},
                        {
                            "what": "post of 03 Jan 2022",
                            "reason": "it has no photos or videos listed",
                        },
                    ],
                    skipped_count=2,
                ),
                DataImport(
                    user_id=people[running_for],
                    source=ImportSource.SAPLING,
                    status=ImportStatus.IMPORTING,
                    visibility=Visibility.FOLLOWERS,
                    requested_at=now - timedelta(minutes=3),
                    started_at=now - timedelta(minutes=3),
                    heartbeat_at=now + timedelta(days=365 * 50),
                    posts_total=120,
                    posts_done=45,
                    posts_imported=45,
                    photos_imported=61,
                    skipped=[],
                ),
            ]
        )
        db.session.commit()

"""The instance page for admins (issue #19 item 5): counts of accounts, posts and photos,
storage used (measured by the maintenance run, checked against the files on disk), the
reports, outbox and export backlog, and the last maintenance run."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskCliRunner

from app.extensions import db
from app.models import (
    DataExport,
    DeletionReason,
    ExportStatus,
    MaintenanceRun,
    OutboxMessage,
    User,
    utcnow,
)
from app.services.privacy import lifecycle
from app.views.filters import filesize
from tests.factories import create_post, create_user
from tests.support.moderation import report, signed_in
from tests.support.queries import count_queries


def figure(page: str, label: str) -> str:
    """The value shown for ``label`` in the overview's figures."""
    match = re.search(
        rf"<dt>{re.escape(label)}</dt>\s*<dd><span class=\"figures__value\">(?:<a [^>]*>)?([^<]+)",
        page,
    )
    assert match, label
    return match.group(1)


def files_under(root: Path) -> tuple[int, int]:
    paths = [path for path in root.rglob("*") if path.is_file()]
    return len(paths), sum(path.stat().st_size for path in paths)


def test_the_overview_counts_what_the_database_holds(app: Flask) -> None:
    create_user(app, "warden", admin=True)
    alice, bob = create_user(app, "alice"), create_user(app, "bob")
    create_user(app, "newcomer", verified=False)
    gone = create_user(app, "gone")
    post = create_post(app, alice, "Moss", photos=3)
    create_post(app, bob, "Ferns")
    report(app, bob, post=post)
    with app.test_request_context():
        leaving = db.session.get(User, gone.id)
        assert leaving is not None
        lifecycle.request_deletion(leaving, DeletionReason.SELF_DELETED)
        db.session.add_all(
            [
                OutboxMessage(
                    to_address="someone@example.org",
                    subject="Waiting",
                    text_body="Hello",
                    html_body="<p>Hello</p>",
                    created_at=utcnow() - timedelta(minutes=7),
                    next_attempt_at=utcnow(),
                ),
                DataExport(user_id=alice.id, status=ExportStatus.PENDING),
            ]
        )
        db.session.commit()

    warden = signed_in(app, "warden")
    response = warden.get("/admin/")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "private, no-store"
    page = response.get_data(as_text=True)
    with app.app_context():
        accounts = db.session.scalar(sa.select(sa.func.count()).select_from(User))
    assert figure(page, "Accounts") == f"{accounts:,}"
    assert figure(page, "Waiting for deletion") == "1"
    assert figure(page, "Email not confirmed") == "1"
    assert figure(page, "Posts") == "2" and figure(page, "Photos") == "4"
    assert figure(page, "Reports waiting") == "1"
    assert figure(page, "Emails to send") == "1" and "the oldest for 7 min" in page
    assert figure(page, "Data exports to build") == "1"
    assert "Not measured yet" in page and "No maintenance run yet" in page
    assert figure(page, "Sign-ups") == "Open" and figure(page, "Sign-ups waiting") == "0"
    assert figure(page, "Member invites") == "Off"

    # A fixed number of queries, however much there is.
    with count_queries(app) as before:
        warden.get("/admin/")
    create_post(app, bob, "More", photos=2)
    with count_queries(app) as after:
        warden.get("/admin/")
    assert len(after) == len(before)


def test_storage_and_the_last_run_come_from_the_maintenance_run(
    app: Flask, runner: FlaskCliRunner, tmp_path: Path
) -> None:
    create_user(app, "warden", admin=True)
    alice = create_user(app, "alice")
    create_post(app, alice, "Moss", photos=2)
    result = runner.invoke(args=["maintenance", "run"])
    assert result.exit_code == 0, result.output
    media = Path(app.config["MEDIA_ROOT"])
    files, size = (
        sum(pair)
        for pair in zip(files_under(media / "public"), files_under(media / "private"), strict=True)
    )
    with app.app_context():
        run = db.session.scalars(sa.select(MaintenanceRun)).one()
        assert (run.media_files, run.media_bytes) == (files, size) and files == 6
        assert run.summary == result.output.strip().splitlines()[-1]
    page = signed_in(app, "warden").get("/admin/").get_data(as_text=True)
    assert figure(page, "Photos and avatars") == filesize(size)
    assert f"{files:,} files" in page
    assert "Last run" in page and "made 0 blurred previews." in page


def test_runs_are_kept_for_thirty_days(app: Flask, runner: FlaskCliRunner) -> None:
    with app.app_context():
        db.session.add(
            MaintenanceRun(
                started_at=utcnow() - timedelta(days=31),
                finished_at=utcnow() - timedelta(days=31),
                summary="old",
                media_files=0,
                media_bytes=0,
                export_bytes=0,
            )
        )
        db.session.commit()
    runner.invoke(args=["maintenance", "run"])
    runner.invoke(args=["maintenance", "run"])
    with app.app_context():
        kept = db.session.scalars(sa.select(MaintenanceRun.summary)).all()
    assert len(kept) == 2 and "old" not in kept


def test_only_admins_see_it(app: Flask) -> None:
    create_user(app, "alice")
    for client in (signed_in(app, None), signed_in(app, "alice")):
        response = client.get("/admin/")
        assert response.status_code == 404
        assert response.get_data() == client.get("/admin/no-such-page").get_data()

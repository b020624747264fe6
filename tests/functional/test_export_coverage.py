"""The export holds everything Sapling keeps about the person (issue #19 item 1).

Every column that holds a person's id is in the archive, or listed as left out with
the reason (app/services/privacy/export_coverage.py): a new table with a user id that
is neither fails here. Then an account with a row in every such table is exported, and
the archive is compared with the database, table by table; no secret is in it.
"""

from __future__ import annotations

import io
import json
import zipfile
from datetime import timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from flask import Flask

from app.extensions import db
from app.models import (
    ActionToken,
    Base,
    Block,
    DataImport,
    FollowRequest,
    ImportSource,
    ImportStatus,
    KnownDevice,
    ModerationAction,
    ModerationKind,
    Mute,
    Notification,
    NotificationKind,
    OAuthApp,
    OAuthToken,
    Passkey,
    RecoveryCode,
    Report,
    ReportReason,
    SavedPost,
    SecurityEvent,
    SecurityEventKind,
    TotpFactor,
    TrustedBrowser,
    User,
    UsernameHold,
    UserSession,
    Visibility,
)
from app.models.base import utcnow
from app.services.content import interactions, posts, social
from app.services.privacy import export_archive
from app.services.privacy.export_coverage import (
    EXPORTED,
    LEFT_OUT,
    USER_EXPORTED,
    USER_LEFT_OUT,
)
from tests.factories import create_post, create_user

SECRETS = ("token-hash-", "code-hash-", "device-hash-", "credential-", "totp-secret-")


def person_columns() -> set[tuple[str, str]]:
    """Every (table, column) holding a user's id: a foreign key to users.id, or so named."""
    found = set()
    for table in Base.metadata.sorted_tables:
        for column in table.columns:
            to_users = any(fk.column.table.name == "users" for fk in column.foreign_keys)
            named = column.name == "user_id" or column.name.endswith("_user_id")
            if table.name != "users" and (to_users or named):
                found.add((table.name, column.name))
    return found


def test_every_column_holding_a_persons_id_is_exported_or_left_out_with_a_reason() -> None:
    columns = person_columns()
    assert not EXPORTED.keys() & LEFT_OUT.keys()
    unlisted = columns - EXPORTED.keys() - LEFT_OUT.keys()
    assert not unlisted, f"add these to export_coverage.EXPORTED or LEFT_OUT: {sorted(unlisted)}"
    assert EXPORTED.keys() | LEFT_OUT.keys() == columns  # nothing listed that is gone
    assert all(len(reason) > 20 for reason in LEFT_OUT.values())
    assert set(EXPORTED.values()) <= {"profile.json", "posts.json", *export_archive.LISTS}


def test_every_column_of_the_persons_own_row_is_exported_or_left_out() -> None:
    columns = {column.name for column in User.__table__.columns}
    assert not USER_EXPORTED.keys() & USER_LEFT_OUT.keys()
    assert USER_EXPORTED.keys() | USER_LEFT_OUT.keys() == columns
    assert all(len(reason) > 20 for reason in USER_LEFT_OUT.values())


def make_everything(app: Flask, owner: User) -> None:
    """A row in every table that holds the owner's id, both ways where there are two."""
    fern, hazel, birch, rowan = (
        create_user(app, name) for name in ("fern", "hazel", "birch", "rowan")
    )
    create_post(app, owner, "Mine")
    theirs = create_post(app, fern, "Fern's")
    now = utcnow()
    with app.test_request_context():
        juniper, fern_, hazel_, birch_, rowan_ = (
            db.session.get(User, user.id) for user in (owner, fern, hazel, birch, rowan)
        )
        assert juniper and fern_ and hazel_ and birch_ and rowan_
        post = posts.visible(juniper, theirs.id)
        assert post is not None
        social.follow(juniper, fern_)
        social.follow(fern_, juniper)
        interactions.like(juniper, post)
        interactions.add_comment(juniper, post, "Lovely")
        db.session.add_all(
            [
                SavedPost(user_id=juniper.id, post_id=post.id),
                FollowRequest(requester_id=juniper.id, target_id=hazel_.id),
                FollowRequest(requester_id=birch_.id, target_id=juniper.id),
                Block(blocker_id=juniper.id, blocked_id=birch_.id),
                Block(blocker_id=rowan_.id, blocked_id=juniper.id),
                Mute(muter_id=juniper.id, muted_id=hazel_.id),
                Mute(muter_id=fern_.id, muted_id=juniper.id),
                Notification(
                    recipient_id=juniper.id, actor_id=fern_.id, kind=NotificationKind.FOLLOW
                ),
                Notification(
                    recipient_id=fern_.id, actor_id=juniper.id, kind=NotificationKind.LIKE
                ),
                SecurityEvent(user_id=juniper.id, kind=SecurityEventKind.LOGIN_SUCCEEDED),
                UserSession(
                    token_hash="token-hash-1",
                    user_id=juniper.id,
                    epoch=juniper.session_epoch,
                    expires_at=now + timedelta(days=1),
                    ip="192.0.2.7",
                    device_label="Firefox on Linux",
                ),
                KnownDevice(user_id=juniper.id, device_hash="device-hash-1", label="Firefox"),
                TrustedBrowser(
                    user_id=juniper.id,
                    token_hash="token-hash-2",
                    epoch=juniper.session_epoch,
                    label="Firefox on Linux",
                    expires_at=now + timedelta(days=30),
                ),
                Passkey(
                    user_id=juniper.id,
                    credential_id="credential-1",
                    public_key=b"credential-key",
                    name="Laptop",
                    transports="internal,hybrid",
                ),
                TotpFactor(user_id=juniper.id, secret_encrypted="totp-secret-1", confirmed_at=now),
                *(
                    RecoveryCode(user_id=juniper.id, code_hash=f"code-hash-{n}", created_at=now)
                    for n in range(3)
                ),
                Report(
                    reporter_id=juniper.id,
                    reported_user_id=birch_.id,
                    reason=ReportReason.SPAM,
                    details="Selling things",
                ),
                Report(reporter_id=fern_.id, reported_user_id=juniper.id, reason=ReportReason.SPAM),
                ModerationAction(
                    moderator_id=hazel_.id,
                    kind=ModerationKind.REMOVE_POST,
                    target_user_id=juniper.id,
                    reason="Not a photo",
                ),
                ModerationAction(
                    moderator_id=juniper.id,
                    kind=ModerationKind.BLOCK_USER,
                    target_user_id=birch_.id,
                ),
                UsernameHold(
                    username="juniper.old", user_id=juniper.id, held_until=now + timedelta(days=9)
                ),
                DataImport(
                    user_id=juniper.id,
                    source=ImportSource.INSTAGRAM,
                    status=ImportStatus.DONE,
                    visibility=Visibility.ONLY_ME,
                    posts_imported=2,
                    photos_imported=3,
                    skipped=[{"what": "clip.mp4", "reason": "videos are not imported yet"}],
                    skipped_count=1,
                ),
                OAuthToken(
                    app=OAuthApp(
                        client_id="client-1",
                        client_secret_digest="d" * 64,
                        name="Fernbook",
                        website="https://fernbook.example",
                        redirect_uris="https://x.example/cb",
                        scopes="read write",
                    ),
                    user_id=juniper.id,
                    access_digest="a" * 64,
                    scope="read",
                    access_expires_at=now + timedelta(days=1),
                ),
                ActionToken(
                    token_hash="token-hash-3",
                    user_id=juniper.id,
                    purpose="verify_email",
                    email=juniper.email,
                    email_key=juniper.email_key,
                    expires_at=now + timedelta(days=1),
                ),
            ]
        )
        db.session.flush()
        used = db.session.scalars(
            sa.select(RecoveryCode).where(RecoveryCode.user_id == juniper.id)
        ).first()
        assert used is not None
        used.used_at = now
        db.session.commit()


def rows_in_archive(archive: zipfile.ZipFile, table: str, entry: str) -> int:
    """How many of the table's rows the archive entry holds."""
    data = json.loads(archive.read(entry))
    if entry == "profile.json":
        return len(data["former_usernames"])
    if table == "totp_factors":
        return sum(item["kind"] == "authenticator_app" for item in data)
    if table == "recovery_codes":
        return sum(item.get("codes", 0) for item in data)
    return len(data)


def test_the_archive_matches_the_database_for_every_table_that_holds_the_persons_id(
    app: Flask, user: User, tmp_path: Path
) -> None:
    make_everything(app, user)
    path = tmp_path / "export.zip"
    with app.test_request_context():
        owner = db.session.get(User, user.id)
        assert owner is not None
        now = utcnow()
        export_archive.write(owner, path, now, now + timedelta(days=7))
        archive = zipfile.ZipFile(io.BytesIO(path.read_bytes()))
        for (table, column), entry in EXPORTED.items():
            stored = db.session.scalar(
                sa.select(sa.func.count())
                .select_from(Base.metadata.tables[table])
                .where(Base.metadata.tables[table].c[column] == user.id)
            )
            assert stored, f"the fixture has no {table} row for {column}"
            assert rows_in_archive(archive, table, entry) == stored, (table, column, entry)

    def entry(name: str) -> Any:
        return json.loads(archive.read(name))

    # Spot checks of what each new list says.
    assert [item["username"] for item in entry("blocked.json")] == ["birch"]
    [app_entry] = entry("apps.json")
    assert app_entry["app"] == "Fernbook" and app_entry["scopes"] == ["read"]
    assert "a" * 64 not in json.dumps(app_entry), "never the token's digest"
    assert [item["username"] for item in entry("muted.json")] == ["hazel"]
    assert [item["username"] for item in entry("follow_requests_sent.json")] == ["hazel"]
    assert [item["username"] for item in entry("follow_requests_received.json")] == [None]
    assert [item["post_author"] for item in entry("saved.json")] == ["fern"]
    kinds = {(item["kind"], item["actor"]) for item in entry("notifications.json")}
    assert ("follow", "fern") in kinds
    [session] = [s for s in entry("sessions.json") if s["ip"] == "192.0.2.7"]
    assert session["device"] == "Firefox on Linux" and session["ended_at"] is None
    [passkey] = entry("passkeys.json")
    assert passkey["name"] == "Laptop" and passkey["transports"] == ["internal", "hybrid"]
    factors = entry("second_factors.json")
    codes = next(f for f in factors if f["kind"] == "recovery_codes")
    assert (codes["codes"], codes["used"]) == (3, 1)
    [report] = entry("reports.json")
    assert (report["reason"], report["details"], report["account"]) == (
        "spam",
        "Selling things",
        None,  # birch is blocked by the owner: unnamed, as on the site
    )
    [action] = entry("moderation.json")
    assert (action["action"], action["reason"]) == ("remove_post", "Not a photo")
    assert "moderator" not in json.dumps(action)
    profile = entry("profile.json")
    assert [hold["username"] for hold in profile["former_usernames"]] == ["juniper.old"]
    # No secret and no one else's private choice is anywhere in the archive.
    everything = b"".join(archive.read(name) for name in archive.namelist())
    for secret in SECRETS:
        assert secret.encode() not in everything, secret
    readme = archive.read("README.txt").decode()
    for name in export_archive.LISTS:
        assert f"{name} (" in readme, name

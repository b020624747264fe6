"""The maintenance run: everything with a time limit, applied idempotently.

Called by `flask maintenance run` (once, from a timer or cron) and by `flask worker`
on its schedule. It lives at the worker's edge because it commits, calling services that
only flush: each deleted account is its own transaction, so a crash part-way leaves the
others done and that one due again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete

from app.extensions import db
from app.models import ActionToken, UsernameHold, utcnow
from app.services.api import media as api_media
from app.services.content import pending_posts
from app.services.media import account_media, media_sweep, placeholders
from app.services.moderation import decisions
from app.services.operations import instance
from app.services.privacy import exports, imports, purge, retention
from app.services.security import sessions


@dataclass(frozen=True)
class MaintenanceResult:
    """How much one run removed or changed."""

    sessions: int
    links: int
    username_holds: int
    deleted_accounts: int
    sent_emails: int
    orphaned_files: int
    expired_exports: int
    truncated_ips: int
    dropped_ips: int
    lifted_blocks: int
    placeholders: int = 0
    import_archives: int = 0
    pending_uploads: int = 0
    app_uploads: int = 0

    def summary(self) -> str:
        return (
            f"Removed {self.sessions} sessions, {self.links} links, "
            f"{self.username_holds} username holds, {self.deleted_accounts} deleted accounts, "
            f"{self.sent_emails} sent emails, {self.orphaned_files} orphaned media files, "
            f"{self.expired_exports} expired exports; "
            f"{self.import_archives} left-over import archives; "
            f"{self.pending_uploads} finished or left-over video uploads, "
            f"{self.app_uploads} photos apps uploaded and never posted; "
            f"truncated {self.truncated_ips} and dropped {self.dropped_ips} IP addresses; "
            f"lifted {self.lifted_blocks} expired blocks; "
            f"made {self.placeholders} blurred previews."
        )


def run(now: datetime) -> MaintenanceResult:
    """Act as of ``now``: expired sessions and links, lapsed username holds, accounts past
    their grace period, old IP addresses and sent mail, expired exports, import archives
    and video uploads nothing waits for, orphaned files and
    moderators' blocks whose time is up; and blurred previews older sensitive photos lack."""
    started = utcnow()  # the real time, even when rehearsing as of another ``now``
    purged_sessions = sessions.purge_expired(now)
    purged_tokens = db.session.execute(
        delete(ActionToken).where(
            (ActionToken.expires_at <= now) | ActionToken.used_at.is_not(None)
        )
    ).rowcount  # type: ignore[attr-defined]
    released = db.session.execute(
        delete(UsernameHold).where(UsernameHold.held_until <= now)
    ).rowcount  # type: ignore[attr-defined]
    truncated, dropped = retention.age_ips(now)
    sent_mail = retention.purge_sent_mail(now)
    lifted = decisions.lift_expired_blocks(now)
    expired_exports = exports.purge_expired(now)
    import_archives = imports.purge_strays(now)
    pending_uploads = pending_posts.purge_finished(now)
    app_uploads = api_media.purge_unused(now)
    db.session.commit()
    for user_id in lifted:  # their files come back once the lifting has committed
        account_media.publish(user_id)
        db.session.commit()
    purged = 0
    for user_id in purge.due(now):
        purged += purge.purge_account(user_id, now)
        db.session.commit()
    orphans = media_sweep.sweep_orphans(now)
    db.session.commit()  # the sweep only read: end that, and with it SQLite's write lock
    previews = 0
    after_id: int | None = 0
    while after_id is not None:  # a batch per transaction, so a crash keeps what was done
        made, after_id = placeholders.backfill(after_id)
        previews += made
        db.session.commit()
    result = MaintenanceResult(
        sessions=purged_sessions,
        links=purged_tokens,
        username_holds=released,
        deleted_accounts=purged,
        sent_emails=sent_mail,
        orphaned_files=orphans,
        expired_exports=expired_exports,
        truncated_ips=truncated,
        dropped_ips=dropped,
        lifted_blocks=len(lifted),
        placeholders=previews,
        import_archives=import_archives,
        pending_uploads=pending_uploads,
        app_uploads=app_uploads,
    )
    instance.record_run(started, result.summary())  # with the storage it measures now
    db.session.commit()
    return result

"""Moderators' decisions: dismissals, removals, blocks and account deletions.

Every decision writes a ``ModerationAction`` (who, what, when, why) in the same
transaction as the change itself, so neither exists without the other. Acting
on a report resolves it together with every other open report about the same
thing, so the queue never asks twice. A block ends the person's sessions, hides
their content (``User.account_active``) and files (``account_media``) and
tells them by email until when and why; it lifts by itself when its time is up
(and says so by email), and every way it lifts brings the files back. The author of a
removed post or comment is told, by a notification and an email, with the reason.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, and_, select, update
from sqlalchemy.orm import selectinload

from app.extensions import db
from app.models import (
    MAX_BLOCK_DAYS,
    Comment,
    DeletionReason,
    ModerationAction,
    ModerationKind,
    NotificationKind,
    Post,
    Report,
    ReportStatus,
    SecurityEventKind,
    User,
    utcnow,
)
from app.models import MAX_MODERATION_REASON as MAX_REASON
from app.models.notification import MAX_EXCERPT
from app.services.content import counters, interactions, notifications, posts, text
from app.services.errors import FormError
from app.services.media import account_media
from app.services.operations import mailer
from app.services.privacy import lifecycle
from app.services.security import security_log, sessions


@dataclass(frozen=True)
class Refusal:
    """A moderator's block, or a sign-up still waiting for one, as told at login to someone
    who proved they own the account."""

    permanent: bool = False
    until: datetime | None = None
    reason: str = ""
    awaiting_approval: bool = False


def set_admin(user: User, admin: bool) -> bool:
    """Grant or revoke the moderator role; False if it was already so. Goes in the timeline."""
    if user.is_admin == admin:
        return False
    user.is_admin = admin
    kind = SecurityEventKind.ADMIN_GRANTED if admin else SecurityEventKind.ADMIN_REVOKED
    security_log.record(user, kind, None, detail="by an operator")
    return True


def login_refusal(user: User, now: datetime | None = None) -> Refusal | None:
    """The block that keeps ``user`` from logging in, or None; one whose time is up is
    lifted here. (A deleted account's refusal is ``lifecycle``'s, in ``finish_login``.)"""
    if user.awaiting_approval:
        return Refusal(awaiting_approval=True)
    if user.is_blocked_at(now or utcnow()):
        if user.blocked_permanently:
            return Refusal(permanent=True, reason=user.block_reason)
        return Refusal(until=user.blocked_till, reason=user.block_reason)
    if user.blocked_till is not None:
        _clear_block(user)
        _tell_unblocked(user, by_moderator=False)
    return None


def _tell_unblocked(user: User, *, by_moderator: bool) -> None:
    """A moderator lifted the block, or a time-limited block ran out: say which."""
    template, subject = (
        ("account_unblocked", "Your Sapling account is unblocked")
        if by_moderator
        else ("block_ended", "Your Sapling account is no longer blocked")
    )
    mailer.queue(user.email, template, subject, user=user, login_url=mailer.link("auth.login"))


def lift_expired_blocks(now: datetime | None = None) -> list[int]:
    """Clear every temporary block whose time is up (``flask maintenance run``). Returns the
    accounts' ids: the caller brings their files back (``account_media.publish``) once this
    has committed."""
    now = now or utcnow()
    lifted = db.session.scalars(
        update(User)
        .where(User.blocked_till.is_not(None), ~User.is_blocked_at(now))
        .values(blocked_till=None, block_reason="")
        .returning(User.id)
    )
    ids = list(lifted)
    for user_id in counters.due_back(now):  # their likes, comments and follows count again
        counters.settle(user_id, now)
    for user in db.session.scalars(select(User).where(User.id.in_(ids))):
        _tell_unblocked(user, by_moderator=False)
    return ids


def _clear_block(user: User) -> None:
    user.blocked_till = None
    user.blocked_permanently = False
    user.block_reason = ""
    db.session.flush()
    counters.settle(user.id)
    account_media.publish_when_committed(user)


def _reason(raw: str) -> str:
    reason = text.clean(raw)
    if not reason:
        raise FormError("Give a reason: it is recorded with the decision.", "reason")
    if len(reason) > MAX_REASON:
        raise FormError(f"Keep the reason under {MAX_REASON} characters.", "reason")
    return reason


def _log(
    moderator: User,
    kind: ModerationKind,
    reason: str,
    target_id: int | None,
    *,
    report: Report | None = None,
    until: datetime | None = None,
) -> ModerationAction:
    action = ModerationAction(
        moderator_id=moderator.id,
        kind=kind,
        target_user_id=target_id,
        report_id=report.id if report else None,
        reason=reason,
        until=until,
    )
    db.session.add(action)
    db.session.flush()
    return action


def _resolve(
    moderator: User, report: Report | None, about: ColumnElement[bool], status: ReportStatus
) -> None:
    """Close ``report`` and every other open report matching ``about``."""
    now = utcnow()
    if report is not None:
        report.status, report.resolved_at, report.resolved_by_id = status, now, moderator.id
    db.session.execute(
        update(Report)
        .where(Report.status == ReportStatus.OPEN, about)
        .values(status=status, resolved_at=now, resolved_by_id=moderator.id)
    )
    db.session.flush()


def _same_subject(report: Report) -> ColumnElement[bool]:
    """Reports about the same comment, post (not its comments) or account (not its content)."""
    if report.comment_id is not None:
        return Report.comment_id == report.comment_id
    if report.post_id is not None:
        return and_(Report.post_id == report.post_id, Report.comment_id.is_(None))
    if report.reported_user_id is not None:
        return and_(
            Report.reported_user_id == report.reported_user_id,
            Report.post_id.is_(None),
            Report.comment_id.is_(None),
        )
    return Report.id == report.id


def _check_target(moderator: User, target: User) -> None:
    if target.id == moderator.id:
        raise FormError("You can't take moderator action against your own account.")
    if target.is_admin:
        raise FormError(
            f"@{target.username} is a moderator: an operator must revoke the role first."
        )


def dismiss(moderator: User, report: Report, reason: str) -> None:
    """Nothing wrong: close the report (and the other open ones about the same thing)."""
    reason = _reason(reason)
    if report.status != ReportStatus.OPEN:
        raise FormError("This report was already dealt with.")
    _resolve(moderator, report, _same_subject(report), ReportStatus.DISMISSED)
    _log(moderator, ModerationKind.DISMISS_REPORT, reason, report.reported_user_id, report=report)


def remove_reported(moderator: User, report: Report, reason: str) -> ModerationKind:
    """Delete the reported comment or post through the same services their authors use."""
    reason = _reason(reason)
    comment = db.session.get(Comment, report.comment_id) if report.comment_id else None
    post = db.session.scalar(
        select(Post)
        .where(Post.id == (comment.post_id if comment else report.post_id))
        .options(selectinload(Post.photos))
    )
    if post is None or (report.comment_id is not None and comment is None):
        raise FormError("There is nothing to remove: it was already deleted.")
    if comment is not None:
        _resolve(moderator, report, Report.comment_id == comment.id, ReportStatus.ACTIONED)
        removed = Removed(comment.author_id, comment.body, comment.created_at, post=False)
        interactions.delete_comment(moderator, post, comment)
        kind = ModerationKind.REMOVE_COMMENT
    else:
        # Reports about the post's comments go too: the comments go with it.
        _resolve(moderator, report, Report.post_id == post.id, ReportStatus.ACTIONED)
        removed = Removed(post.author_id, post.caption, post.created_at, post=True)
        posts.delete_post(moderator, post)
        kind = ModerationKind.REMOVE_POST
    _log(moderator, kind, reason, removed.author_id, report=report)
    _tell_author(removed, reason)
    return kind


@dataclass(frozen=True)
class Removed:
    """What a moderator removed, as its author is told: the thing itself is gone."""

    author_id: int
    text: str
    created_at: datetime
    post: bool


def _tell_author(removed: Removed, reason: str) -> None:
    """A notification and an email with the reason; not to an account on its way out."""
    author = db.session.get(User, removed.author_id)
    if author is None or author.deletion_requested_at is not None:
        return
    kind = NotificationKind.POST_REMOVED if removed.post else NotificationKind.COMMENT_REMOVED
    notifications.from_moderators(author.id, kind, reason, removed.text)
    what = "post" if removed.post else "comment"
    mailer.queue(
        author.email,
        "content_removed",
        f"A moderator removed your {what}",
        user=author,
        what=what,
        excerpt=text.excerpt(removed.text, MAX_EXCERPT),
        created_at=removed.created_at,
        reason=reason,
    )


def block(
    moderator: User,
    target: User,
    reason: str,
    days: int | None,
    *,
    report: Report | None = None,
) -> ModerationAction:
    """Block for ``days`` days (1 to 365), or for good when ``days`` is None."""
    _check_target(moderator, target)
    reason = _reason(reason)
    if target.deletion_requested_at is not None:
        raise FormError("This account is already deleted.")
    if days is not None and not 1 <= days <= MAX_BLOCK_DAYS:
        raise FormError(f"Block for 1 to {MAX_BLOCK_DAYS} days, or permanently.", "days")
    until = None if days is None else utcnow() + timedelta(days=days)
    account_media.hide(target)
    target.blocked_permanently = days is None
    target.blocked_till = until
    target.block_reason = reason
    counters.settle(target.id)  # a block hides the account from every count at once
    sessions.end_all_sessions(target)
    if report is not None:  # everything reported about them is dealt with
        _resolve(moderator, report, Report.reported_user_id == target.id, ReportStatus.ACTIONED)
    action = _log(
        moderator, ModerationKind.BLOCK_USER, reason, target.id, report=report, until=until
    )
    mailer.queue(
        target.email,
        "account_blocked",
        "Your Sapling account is blocked",
        user=target,
        until=until,
        reason=reason,
    )
    return action


def unblock(moderator: User, target: User, reason: str) -> None:
    reason = _reason(reason)
    if not target.is_blocked:
        raise FormError(f"@{target.username} is not blocked.")
    _clear_block(target)
    _log(moderator, ModerationKind.UNBLOCK_USER, reason, target.id)
    _tell_unblocked(target, by_moderator=True)


def delete_account(
    moderator: User, target: User, reason: str, *, report: Report | None = None
) -> None:
    """Remove the account for good: hidden now, purged after the grace period, never restored."""
    _check_target(moderator, target)
    reason = _reason(reason)
    if target.deletion_reason == DeletionReason.REMOVED_BY_MODERATOR.value:
        raise FormError("This account was already removed.")
    lifecycle.request_deletion(target, DeletionReason.REMOVED_BY_MODERATOR)
    if report is not None:
        _resolve(moderator, report, Report.reported_user_id == target.id, ReportStatus.ACTIONED)
    _log(moderator, ModerationKind.DELETE_ACCOUNT, reason, target.id, report=report)


def history(target: User, limit: int = 100) -> list[tuple[ModerationAction, User | None]]:
    """Decisions about ``target``, newest first, with the moderator who made each."""
    rows = db.session.execute(
        select(ModerationAction, User)
        .outerjoin(User, User.id == ModerationAction.moderator_id)
        .where(ModerationAction.target_user_id == target.id)
        .order_by(ModerationAction.id.desc())
        .limit(limit)
    )
    return [(action, moderator) for action, moderator in rows]

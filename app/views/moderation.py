"""View-models for the admin area, and the words a blocked person reads at login."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from flask import url_for

from app.models import (
    Comment,
    DeletionReason,
    ModerationAction,
    ModerationKind,
    Post,
    Report,
    ReportStatus,
    User,
    Visibility,
)
from app.views.filters import datetime_label
from app.views.posts import ProfileView, profile_view

KIND_LABELS = {
    ModerationKind.DISMISS_REPORT: "Report dismissed",
    ModerationKind.REMOVE_POST: "Post removed",
    ModerationKind.REMOVE_COMMENT: "Comment removed",
    ModerationKind.BLOCK_USER: "Blocked",
    ModerationKind.UNBLOCK_USER: "Unblocked",
    ModerationKind.DELETE_ACCOUNT: "Account deleted",
}
STATUS_LABELS = {
    ReportStatus.OPEN: "Open",
    ReportStatus.DISMISSED: "Dismissed",
    ReportStatus.ACTIONED: "Acted on",
}


class LoginRefusal(Protocol):
    """A moderator's block as told at login (``moderation.decisions.login_refusal`` gives one)."""

    @property
    def permanent(self) -> bool: ...

    @property
    def until(self) -> datetime | None: ...

    @property
    def reason(self) -> str: ...

    @property
    def awaiting_approval(self) -> bool: ...


def refusal_message(refusal: LoginRefusal) -> str:
    if refusal.awaiting_approval:
        return (
            "Your sign-up is waiting for a moderator's approval. "
            "We'll email you as soon as they decide."
        )
    why = f" Reason: {refusal.reason}" if refusal.reason else ""
    if refusal.permanent:
        return f"A moderator blocked this account permanently.{why}"
    until = datetime_label(refusal.until) if refusal.until else "further notice"
    return f"A moderator blocked this account until {until}.{why}"


@dataclass(frozen=True)
class Thumb:
    url: str
    alt: str


class ReportCase(Protocol):
    """A report with everything it is about (``report_queue.Case``, from the controller)."""

    @property
    def report(self) -> Report: ...

    @property
    def reporter(self) -> User | None: ...

    @property
    def target(self) -> User | None: ...

    @property
    def post(self) -> Post | None: ...

    @property
    def comment(self) -> Comment | None: ...

    @property
    def removed(self) -> ModerationKind | None: ...


@dataclass(frozen=True)
class ReportRow:
    id: int
    href: str
    is_open: bool
    status: str
    reason: str
    details: str
    created_at: datetime
    reporter: str
    subject: str  # "Post", "Comment" or "Account"
    text: str  # the caption or the comment, as written
    gone: str  # why the reported post or comment no longer exists ("" while it does)
    followers_only: bool
    only_me: bool  # reported before its author made it theirs alone
    thumbs: list[Thumb]
    target: ProfileView | None
    target_admin_url: str | None
    resolved_at: datetime | None


def report_rows(cases: Iterable[ReportCase]) -> list[ReportRow]:
    return [_row(case) for case in cases]


def _row(case: ReportCase) -> ReportRow:
    report, post, comment = case.report, case.post, case.comment
    removed = case.removed
    if report.comment_id or removed == ModerationKind.REMOVE_COMMENT:
        subject = "Comment"
    elif report.post_id or removed == ModerationKind.REMOVE_POST:
        subject = "Post"
    else:
        subject = "Account"
    written = comment.body if comment else post.caption if post else ""
    thumbs = [
        Thumb(
            url_for("admin.report_photo", report_id=report.id, position=photo.position),
            photo.alt_text,
        )
        for photo in (post.photos if post and not comment else [])
    ]
    target = case.target
    return ReportRow(
        id=report.id,
        href=url_for("admin.report", report_id=report.id),
        is_open=report.status == ReportStatus.OPEN,
        status=STATUS_LABELS[report.status],
        reason=report.reason.label,
        details=report.details,
        created_at=report.created_at,
        reporter=f"@{case.reporter.username}" if case.reporter else "a deleted account",
        subject=subject,
        text=written,
        gone=_gone_note(case, subject),
        followers_only=post is not None and post.visibility == Visibility.FOLLOWERS,
        only_me=post is not None and post.visibility == Visibility.ONLY_ME,
        thumbs=thumbs,
        target=profile_view(target, sees_all_posts=True) if target else None,
        target_admin_url=url_for("admin.user", username=target.username) if target else None,
        resolved_at=report.resolved_at,
    )


def _gone_note(case: ReportCase, subject: str) -> str:
    if case.removed is not None:
        return f"A moderator removed the {subject.lower()}."
    report = case.report
    if (report.comment_id and case.comment is None) or (report.post_id and case.post is None):
        return f"The {subject.lower()} was deleted since it was reported."
    return ""


@dataclass(frozen=True)
class AccountState:
    label: str
    detail: str
    blocked: bool
    deleted: bool


def account_state(user: User, purge_on: datetime | None) -> AccountState:
    """``purge_on``: when a deleted account is erased for good (``lifecycle.purge_date``)."""
    blocked = user.is_blocked
    if user.deletion_requested_at is not None:
        by = (
            "a moderator"
            if user.deletion_reason == DeletionReason.REMOVED_BY_MODERATOR.value
            else "its owner"
        )
        detail = (
            f"Deleted by {by}; erased for good on {datetime_label(purge_on)}." if purge_on else ""
        )
        return AccountState("Deleted", detail, blocked, True)
    if user.blocked_permanently:
        return AccountState("Blocked permanently", user.block_reason, True, False)
    if blocked and user.blocked_till is not None:
        label = f"Blocked until {datetime_label(user.blocked_till)}"
        return AccountState(label, user.block_reason, True, False)
    return AccountState("Active", "", False, False)


@dataclass(frozen=True)
class HistoryRow:
    label: str
    moderator: str
    when: datetime
    reason: str
    until: datetime | None
    report_url: str | None


def history_rows(entries: Iterable[tuple[ModerationAction, User | None]]) -> list[HistoryRow]:
    return [
        HistoryRow(
            label=KIND_LABELS.get(action.kind, str(action.kind)),
            moderator=f"@{moderator.username}" if moderator else "a former moderator",
            when=action.created_at,
            reason=action.reason,
            until=action.until,
            report_url=url_for("admin.report", report_id=action.report_id)
            if action.report_id
            else None,
        )
        for action, moderator in entries
    ]

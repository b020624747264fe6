"""The moderators' reports queue: open reports first, oldest first, then the resolved ones.

Moderators see what was reported whoever may normally see it (a followers-only
post, a private account's post): the queue loads it directly, not through
``posts.visible``, and nothing outside the admin area changes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from app.extensions import db
from app.models import (
    Comment,
    ModerationAction,
    ModerationKind,
    Post,
    Report,
    ReportStatus,
    User,
)

REMOVALS = (ModerationKind.REMOVE_POST, ModerationKind.REMOVE_COMMENT)


@dataclass(frozen=True)
class Cursor:
    """Where a page of the queue starts: in the open reports, or past them in the resolved."""

    resolved: bool = False
    last_id: int | None = None


@dataclass(frozen=True)
class Case:
    """A report with everything it is about, loaded for the moderator."""

    report: Report
    reporter: User | None
    target: User | None
    post: Post | None
    comment: Comment | None
    comment_author: User | None = None
    # What a moderator removed when acting on this report. A deleted post or comment
    # leaves the report's post_id and comment_id null, like a report of an account.
    removed: ModerationKind | None = None


def page(cursor: Cursor, limit: int = 25) -> tuple[list[Case], Cursor | None]:
    """One page of the queue (keyset on id in each section) and where the next one starts."""
    rows: list[Report] = []
    if not cursor.resolved:
        query = select(Report).where(Report.status == ReportStatus.OPEN)
        if cursor.last_id is not None:
            query = query.where(Report.id > cursor.last_id)
        rows = list(db.session.scalars(query.order_by(Report.id).limit(limit + 1)))
        if len(rows) > limit:
            return load(rows[:limit]), Cursor(False, rows[limit - 1].id)
    room = limit - len(rows)
    query = select(Report).where(Report.status != ReportStatus.OPEN)
    if cursor.resolved and cursor.last_id is not None:
        query = query.where(Report.id < cursor.last_id)
    if room == 0:  # the open reports filled this page exactly: go on if anything is resolved
        more = db.session.scalar(query.limit(1))
        return load(rows), Cursor(True) if more is not None else None
    resolved = list(db.session.scalars(query.order_by(Report.id.desc()).limit(room + 1)))
    following = Cursor(True, resolved[room - 1].id) if len(resolved) > room else None
    return load(rows + resolved[:room]), following


def case(report_id: int) -> Case | None:
    report = db.session.get(Report, report_id)
    return load([report])[0] if report is not None else None


def open_count_about(target_id: int) -> int:
    """Open reports about an account and everything it posted."""
    count = db.session.scalar(
        select(func.count())
        .select_from(Report)
        .where(Report.status == ReportStatus.OPEN, Report.reported_user_id == target_id)
    )
    return int(count or 0)


def load(reports: Sequence[Report]) -> list[Case]:
    """The people, posts and comments of a page of reports, in five queries."""
    comment_ids = {r.comment_id for r in reports if r.comment_id is not None}
    post_ids = {r.post_id for r in reports if r.post_id is not None}
    comments = {
        c.id: c for c in db.session.scalars(select(Comment).where(Comment.id.in_(comment_ids)))
    }
    found = db.session.scalars(
        select(Post).where(Post.id.in_(post_ids)).options(selectinload(Post.photos))
    )
    posts = {p.id: p for p in found}
    user_ids = {c.author_id for c in comments.values()}
    for report in reports:
        user_ids |= {i for i in (report.reporter_id, report.reported_user_id) if i is not None}
    people = {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(user_ids)))}

    removals = db.session.execute(
        select(ModerationAction.report_id, ModerationAction.kind).where(
            ModerationAction.report_id.in_([r.id for r in reports]),
            ModerationAction.kind.in_(REMOVALS),
        )
    )
    removed = dict(removals.all())

    def person(user_id: int | None) -> User | None:
        return people.get(user_id) if user_id is not None else None

    cases = []
    for report in reports:
        comment = comments.get(report.comment_id) if report.comment_id is not None else None
        cases.append(
            Case(
                report=report,
                reporter=person(report.reporter_id),
                target=person(report.reported_user_id),
                post=posts.get(report.post_id) if report.post_id is not None else None,
                comment=comment,
                comment_author=person(comment.author_id) if comment else None,
                removed=removed.get(report.id),
            )
        )
    return cases

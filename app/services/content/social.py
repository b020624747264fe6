"""The social graph: follow, ask to follow, approve, remove, block and mute.

Counters on ``users`` move only when a row was really written or deleted, so a
double submit or two racing requests never count twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import delete, exists, select

from app.extensions import db
from app.models import Block, Follow, FollowRequest, Mute, NotificationKind, User
from app.services.content import access, counters, home_timelines, notifications
from app.services.errors import FormError
from app.services.sql import adjust_counters, insert_ignoring_duplicates


class FollowState(StrEnum):
    NONE = "none"
    REQUESTED = "requested"
    FOLLOWING = "following"


@dataclass(frozen=True)
class Relationship:
    """How the viewer stands with another account; drives the buttons on a profile."""

    is_self: bool = False
    following: FollowState = FollowState.NONE
    follows_you: bool = False
    blocking: bool = False
    blocked_by: bool = False
    muting: bool = False

    @property
    def blocked_either_way(self) -> bool:
        return self.blocking or self.blocked_by


def relationship(viewer: User | None, other: User) -> Relationship:
    """Everything between two accounts in one query."""
    if viewer is None:
        return Relationship()
    if viewer.id == other.id:
        return Relationship(is_self=True)
    me, them = viewer.id, other.id
    row = db.session.execute(
        select(
            exists().where(Follow.follower_id == me, Follow.followee_id == them),
            exists().where(FollowRequest.requester_id == me, FollowRequest.target_id == them),
            exists().where(Follow.follower_id == them, Follow.followee_id == me),
            exists().where(Block.blocker_id == me, Block.blocked_id == them),
            exists().where(Block.blocker_id == them, Block.blocked_id == me),
            exists().where(Mute.muter_id == me, Mute.muted_id == them),
        )
    ).one()
    following, requested, follows_you, blocking, blocked_by, muting = (bool(v) for v in row)
    state = (
        FollowState.FOLLOWING
        if following
        else FollowState.REQUESTED
        if requested
        else FollowState.NONE
    )
    return Relationship(
        following=state,
        follows_you=follows_you,
        blocking=blocking,
        blocked_by=blocked_by,
        muting=muting,
    )


def _add_follow(follower_id: int, followee_id: int) -> bool:
    added = insert_ignoring_duplicates(Follow, follower_id=follower_id, followee_id=followee_id)
    if added:
        _count_follow(follower_id, followee_id, 1)
        home_timelines.changed(follower_id)
    return added


def _count_follow(follower_id: int, followee_id: int, delta: int) -> None:
    """A follow counts for each side only while the other side is not hidden (counters.py)."""
    counts = counters.counted(follower_id, followee_id)
    if counts[followee_id]:
        adjust_counters(User, follower_id, following_count=delta)
    if counts[follower_id]:
        adjust_counters(User, followee_id, follower_count=delta)


def _remove_follow(follower_id: int, followee_id: int) -> bool:
    result = db.session.execute(
        delete(Follow).where(Follow.follower_id == follower_id, Follow.followee_id == followee_id)
    )
    removed = bool(getattr(result, "rowcount", 0))
    if removed:
        _count_follow(follower_id, followee_id, -1)
        home_timelines.changed(follower_id)
        notifications.withdraw(followee_id, follower_id, NotificationKind.FOLLOW)
    return removed


def _lock_pair(first: User, second: User) -> None:
    """Serialise follows and blocks between two accounts (row locks, in id order).

    Without it a follow racing a block could be written after the block removed
    the follows, leaving both. SQLite writers are serialised already.
    """
    ids = sorted({first.id, second.id})
    db.session.execute(select(User.id).where(User.id.in_(ids)).order_by(User.id).with_for_update())


def follow(actor: User, target: User) -> FollowState:
    """Follow a public account at once; ask a private one. Idempotent."""
    if actor.id == target.id:
        raise FormError("You can't follow yourself.")
    _lock_pair(actor, target)
    if access.blocked_between(actor.id, target.id):
        raise LookupError("No such account.")
    if access.follows(actor.id, target.id):
        return FollowState.FOLLOWING
    if target.is_private:
        if insert_ignoring_duplicates(FollowRequest, requester_id=actor.id, target_id=target.id):
            notifications.notify(target.id, actor, NotificationKind.FOLLOW_REQUEST)
        return FollowState.REQUESTED
    if _add_follow(actor.id, target.id):
        notifications.notify(target.id, actor, NotificationKind.FOLLOW)
    return FollowState.FOLLOWING


def unfollow(actor: User, target: User) -> None:
    """Stop following, or withdraw a pending request."""
    _remove_follow(actor.id, target.id)
    _drop_request(actor.id, target.id)


def _drop_request(requester_id: int, target_id: int) -> bool:
    result = db.session.execute(
        delete(FollowRequest).where(
            FollowRequest.requester_id == requester_id, FollowRequest.target_id == target_id
        )
    )
    notifications.withdraw(target_id, requester_id, NotificationKind.FOLLOW_REQUEST)
    return bool(getattr(result, "rowcount", 0))


def approve(owner: User, requester: User) -> bool:
    """Accept a pending request; False when there was none (already answered)."""
    if not _drop_request(requester.id, owner.id):
        return False
    if _add_follow(requester.id, owner.id):
        notifications.notify(owner.id, requester, NotificationKind.FOLLOW)
    return True


def decline(owner: User, requester: User) -> bool:
    return _drop_request(requester.id, owner.id)


def approve_all(owner: User) -> None:
    """An account going public lets everyone who asked in."""
    requesters = db.session.scalars(
        select(User)
        .join(FollowRequest, FollowRequest.requester_id == User.id)
        .where(FollowRequest.target_id == owner.id)
    ).all()
    for requester in requesters:
        approve(owner, requester)


def remove_follower(owner: User, follower: User) -> bool:
    """The owner removes someone from their followers; that person is not told."""
    return _remove_follow(follower.id, owner.id)


def block(actor: User, target: User) -> None:
    """Mutual invisibility: follows and requests both ways end, notifications go."""
    if actor.id == target.id:
        raise FormError("You can't block yourself.")
    _lock_pair(actor, target)
    insert_ignoring_duplicates(Block, blocker_id=actor.id, blocked_id=target.id)
    for first, second in ((actor, target), (target, actor)):
        _remove_follow(first.id, second.id)
        _drop_request(first.id, second.id)
    db.session.execute(delete(Mute).where(Mute.muter_id == actor.id, Mute.muted_id == target.id))
    notifications.forget_between(actor.id, target.id)
    home_timelines.changed(actor.id, target.id)


def unblock(actor: User, target: User) -> None:
    db.session.execute(
        delete(Block).where(Block.blocker_id == actor.id, Block.blocked_id == target.id)
    )
    home_timelines.changed(actor.id, target.id)


def mute(actor: User, target: User) -> None:
    if actor.id == target.id:
        raise FormError("You can't mute yourself.")
    insert_ignoring_duplicates(Mute, muter_id=actor.id, muted_id=target.id)
    home_timelines.changed(actor.id)


def unmute(actor: User, target: User) -> None:
    db.session.execute(delete(Mute).where(Mute.muter_id == actor.id, Mute.muted_id == target.id))
    home_timelines.changed(actor.id)


def pending_requests(owner: User) -> list[User]:
    return list(
        db.session.scalars(
            select(User)
            .join(FollowRequest, FollowRequest.requester_id == User.id)
            .where(FollowRequest.target_id == owner.id)
            .order_by(FollowRequest.created_at.desc())
        )
    )


def blocked_accounts(owner: User) -> list[User]:
    return list(
        db.session.scalars(
            select(User)
            .join(Block, Block.blocked_id == User.id)
            .where(Block.blocker_id == owner.id)
            .order_by(User.username)
        )
    )

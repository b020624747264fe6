"""Home timelines in Redis: each reader's newest post ids, kept up to date on write.

A timeline is a sorted set of post ids (score = id), newest kept, trimmed to
``FEED_TIMELINE_SIZE``, with one marker member at score 0: ``end`` when the set holds
every post of the reader's feed back to the first, ``cut`` when older ones exist (a
full build, or a trim). A set that exists is never empty, so "no timeline" and "an
empty feed" differ. It is built from SQL (``timelines.home``) when missing and expires
``FEED_TIMELINE_SECONDS`` after the build, so anything a fan-out missed is gone by then.

What a timeline holds is only a list of candidates: every read re-checks the ids in SQL
(``timelines.home``), so blocks, mutes, privacy, deletions and hidden accounts are as
strict as without Redis. What changes the candidates drops the reader's timeline (a
follow starts or ends, a mute, a block either way): ``changed``.

New posts reach timelines by fan-out (``fan_out_new``), done by the worker: the posts
table is the queue and a cursor in Redis says how far it has gone, so the request that
posts does nothing more, whatever the author's follower count. A post goes only onto
timelines that exist; a missing one is rebuilt from SQL on its next read. Without
Redis (or while it is down) every read is the SQL query of before.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

from flask import current_app
from redis import Redis
from redis.exceptions import RedisError
from sqlalchemy import func, select

from app.core.database import after_commit, after_rollback
from app.core.redis import is_outage
from app.extensions import db, redis_client
from app.models import Follow, Post

log = logging.getLogger(__name__)

END, CUT = b"end", b"cut"
# Keys per script call when fanning out: one round trip per this many followers.
PUSH_BATCH = 500
# Posts read per query by the fan-out.
SCAN_BATCH = 200
# A post's id is taken when it is flushed and seen by others when it commits, so ids can
# commit out of order. The cursor passes a post only when it is this old; younger ones
# are read again each round and skipped when already done (the ``done`` set).
SETTLE = timedelta(seconds=30)

# Adds a post to each timeline that exists (KEYS), trims to ARGV[2] posts, and turns an
# ``end`` marker into ``cut`` when it trims. Timelines that do not exist are left alone.
_PUSH = """
local added = 0
for _, key in ipairs(KEYS) do
  if redis.call('exists', key) == 1 then
    redis.call('zadd', key, ARGV[1], ARGV[1])
    local extra = redis.call('zcard', key) - 1 - tonumber(ARGV[2])
    if extra > 0 then
      redis.call('zremrangebyrank', key, 1, extra)
      if redis.call('zscore', key, 'end') then
        redis.call('zrem', key, 'end')
        redis.call('zadd', key, 0, 'cut')
      end
    end
    added = added + 1
  end
end
return added
"""


@dataclass(frozen=True)
class Window:
    """Post ids from a timeline, newest first; ``exhausted``: the feed has nothing older."""

    ids: list[int]
    exhausted: bool


Lookup = Window | Literal["missing", "down"]


def _prefix() -> str:
    return f"{current_app.config['RATELIMIT_KEY_PREFIX']}:home"


def _key(user_id: int) -> str:
    return f"{_prefix()}:{user_id}"


def _failed(error: RedisError) -> None:
    """An outage is the Redis breaker's to log, once; the feed reads SQL meanwhile."""
    if not is_outage(error):
        log.warning("The home timeline cache refused a command (%s)", error)


def size() -> int:
    return int(current_app.config["FEED_TIMELINE_SIZE"])


def window(user_id: int, before: int | None, count: int) -> Lookup:
    """Up to ``count`` ids older than ``before``; "missing" when there is no timeline,
    "down" when Redis is not there to ask."""
    client = redis_client.client
    if client is None:
        return "down"
    top = f"({before}" if before is not None else "+inf"
    try:
        pipe = client.pipeline(transaction=False)
        pipe.zrevrangebyscore(_key(user_id), top, "(0", start=0, num=count)
        pipe.zrange(_key(user_id), 0, 0)
        found, marker = pipe.execute()
    except RedisError as error:
        _failed(error)
        return "down"
    if not marker:
        return "missing"
    ids = [int(value) for value in found]
    return Window(ids, exhausted=len(ids) < count and marker[0] == END)


def store(user_id: int, ids: Sequence[int], *, complete: bool) -> bool:
    """Keep a timeline built from SQL; False when Redis did not take it."""
    client = redis_client.client
    if client is None:
        return False
    key = _key(user_id)
    members: dict[Any, int] = {post_id: post_id for post_id in ids}
    members[END if complete else CUT] = 0
    try:
        pipe = client.pipeline(transaction=True)
        pipe.delete(key)
        pipe.zadd(key, members)
        pipe.expire(key, int(current_app.config["FEED_TIMELINE_SECONDS"]))
        pipe.execute()
    except RedisError as error:
        _failed(error)
        return False
    return True


def drop(user_ids: Iterable[int]) -> None:
    client = redis_client.client
    keys = [_key(user_id) for user_id in set(user_ids)]
    if client is not None and keys:
        try:
            client.delete(*keys)
        except RedisError as error:
            _failed(error)  # they expire by themselves


def changed(*user_ids: int) -> None:
    """What these readers' feeds are made of changed (follows, mutes, blocks): drop their
    timelines now, and again once the change commits or rolls back, so a read in between
    cannot keep one built from the state before."""
    drop(user_ids)
    db.session.info.setdefault("home_timelines_changed", set()).update(user_ids)
    after_commit(_drop_changed)
    after_rollback(_drop_changed)


def shared_again(author_id: int) -> None:
    """An only-me post now reaches the author's followers. A timeline takes a post only at
    its top (an older id pushed in would skip the posts between it and the timeline's
    oldest), so the followers' timelines are dropped, to be rebuilt on their next read."""
    followers = select(Follow.follower_id).where(Follow.followee_id == author_id)
    changed(*db.session.scalars(followers))


def _drop_changed() -> None:
    drop(db.session.info.pop("home_timelines_changed", set()))


def push(post_id: int, user_ids: Iterable[int]) -> int:
    """Put the post on each of these readers' timelines that exists; how many did."""
    client = redis_client.client
    if client is None:
        return 0
    keys = [_key(user_id) for user_id in user_ids]
    script = client.register_script(_PUSH)
    added = 0
    for start in range(0, len(keys), PUSH_BATCH):
        added += int(script(keys=keys[start : start + PUSH_BATCH], args=[post_id, size()]))
    return added


def readers_of(author_id: int, *, reaches_followers: bool = True) -> list[int]:
    """Whose home feeds an author's post belongs in: the author's and their followers'
    (the author's alone for an only-me post: ``Post.reaches_followers``)."""
    if not reaches_followers:
        return [author_id]
    followers = db.session.scalars(
        select(Follow.follower_id).where(Follow.followee_id == author_id)
    )
    return [author_id, *followers]


def posted(post_id: int, author_id: int, *, reaches_followers: bool = True) -> None:
    """A post was written: once it commits, it goes on the author's own timeline at once
    (they look for it); their followers get it from the worker's fan-out, or right away
    where ``FEED_FANOUT_AFTER_COMMIT`` is on (development and tests, with no worker)."""
    readers = (
        readers_of(author_id, reaches_followers=reaches_followers)
        if current_app.config["FEED_FANOUT_AFTER_COMMIT"]
        else []
    )

    def deliver() -> None:
        try:
            push(post_id, readers or [author_id])
            if readers:
                _mark_done([post_id])
        except RedisError as error:
            _failed(error)  # the worker's fan-out still comes

    after_commit(deliver)


def _mark_done(post_ids: Sequence[int]) -> None:
    client = redis_client.client
    if client is not None and post_ids:
        client.zadd(f"{_prefix()}-fanout:done", {str(post_id): post_id for post_id in post_ids})


def fan_out_new(now: datetime) -> int:
    """The worker's fan-out: every post committed since the cursor, each onto its readers'
    timelines once; returns how many posts were fanned out.

    Without a cursor (a new Redis, or one that lost its data) it starts from the newest
    post and drops every timeline, since a timeline that outlived the cursor may lack posts.
    """
    client = redis_client.client
    if client is None:
        return 0
    cursor_key, done_key = f"{_prefix()}-fanout:cursor", f"{_prefix()}-fanout:done"
    raw = client.get(cursor_key)
    if raw is None:
        newest = db.session.scalar(select(func.max(Post.id))) or 0
        _drop_every_timeline()
        client.set(cursor_key, newest)
        return 0
    cursor = settled = int(raw)
    still_settling = False
    fanned = 0
    after = cursor
    while True:
        rows = db.session.execute(
            select(
                Post.id,
                Post.author_id,
                Post.created_at,
                Post.reaches_followers.label("reaches_followers"),
            )
            .where(Post.id > after)
            .order_by(Post.id)
            .limit(SCAN_BATCH)
        ).all()
        if not rows:
            break
        seen = _done(client, done_key, [row.id for row in rows])
        for row in rows:
            if row.id not in seen:
                push(row.id, readers_of(row.author_id, reaches_followers=row.reaches_followers))
                _mark_done([row.id])
                fanned += 1
            if not still_settling and _aware(row.created_at) <= now - SETTLE:
                settled = row.id
            else:
                still_settling = True
        after = rows[-1].id
    if settled != cursor:
        client.set(cursor_key, settled)
        client.zremrangebyscore(done_key, "-inf", settled)
    return fanned


def _done(client: Redis, done_key: str, post_ids: Sequence[int]) -> set[int]:
    scores = client.zmscore(done_key, [str(post_id) for post_id in post_ids])
    return {post_id for post_id, score in zip(post_ids, scores, strict=True) if score is not None}


def _aware(value: datetime) -> datetime:
    """SQLite hands datetimes back naive; they are UTC."""
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _drop_every_timeline() -> None:
    client = redis_client.client
    if client is None:
        return
    batch = []
    for key in client.scan_iter(match=f"{_prefix()}:*", count=1000):
        batch.append(key)
        if len(batch) >= 1000:
            client.delete(*batch)
            batch = []
    if batch:
        client.delete(*batch)

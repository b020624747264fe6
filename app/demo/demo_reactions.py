"""Demo data as rows (`flask dev seed`): likes, comments, and the demo account's notifications.

How many likes and comments each post gets is planned before the posts are
written (``plan_reactions``), so every post row is loaded with its final
counters; the rows themselves follow once the posts exist.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from random import Random

from app.demo.demo_data import DAY, Event, World, at
from app.demo.demo_posts import NO_COMMENTS, restricted
from app.demo.demo_words import COMMENTS

LIKE_COLUMNS = ("user_id", "post_id", "created_at")
COMMENT_COLUMNS = ("id", "post_id", "author_id", "body", "created_at")
NOTIFICATION_COLUMNS = (
    "id", "recipient_id", "actor_id", "kind", "post_id", "comment_id", "created_at", "read_at",
)  # fmt: skip
NOTIFICATIONS = 300
UNREAD = 8


def plan_reactions(world: World, rng: Random, likes: int, comments: int) -> None:
    """Split the likes and comments over the posts, by their authors' reach and some luck.

    Likes on a followers-only post come from its author's followers, so such a post
    can have no more likes than its author has followers.
    """
    appeal = [
        (world.follower_count(author) + 3) ** 0.6 * rng.lognormvariate(0, 0.75)
        for author in world.post_author
    ]
    everyone = world.users - 1
    like_caps = [
        world.follower_count(author) if restricted(flags) else everyone
        for author, flags in zip(world.post_author, world.post_flags, strict=True)
    ]
    world.like_counts = spread(likes, appeal, like_caps, rng)
    comment_caps = [0 if flags & NO_COMMENTS else comments for flags in world.post_flags]
    world.comment_counts = spread(comments, appeal, comment_caps, rng)


def spread(total: int, weights: Sequence[float], caps: Sequence[int], rng: Random) -> list[int]:
    """Split ``total`` in proportion to ``weights``, never above ``caps``.

    The counts add up to ``total`` exactly (or to the sum of the caps, if smaller).
    """
    total = min(total, sum(caps))
    scale = total / (sum(weights) or 1.0)
    counts = []
    for weight, cap in zip(weights, caps, strict=True):
        share = weight * scale
        whole = int(share)
        counts.append(min(cap, whole + (rng.random() < share - whole)))
    missing, size = total - sum(counts), len(counts)
    tries = 0
    while missing and tries < 20 * size:  # rounding leftovers, and the excess of capped posts
        tries += 1
        index = rng.randrange(size)
        if missing > 0 and counts[index] < caps[index]:
            counts[index] += 1
            missing -= 1
        elif missing < 0 and counts[index] > 0:
            counts[index] -= 1
            missing += 1
    for index in range(size):  # only when nearly every post is full
        step = max(-counts[index], min(missing, caps[index] - counts[index]))
        counts[index] += step
        missing -= step
    return counts


def _reaction_time(rng: Random, posted: float, now: float) -> float:
    """Mostly within a day or two of the post, never in the future."""
    delay = rng.expovariate(1 / (1.5 * DAY))
    remaining = now - posted
    return posted + (delay if delay < remaining else rng.random() * remaining)


def like_rows(world: World, rng: Random) -> Iterator[tuple[object, ...]]:
    """Distinct likers per post: followers for followers-only posts, anyone otherwise."""
    for index, count in enumerate(world.like_counts):
        if not count:
            continue
        author, post_id = world.post_author[index], world.post_base + index
        posted = world.post_time[index]
        for liker in _likers(world, rng, index, count):
            when = _reaction_time(rng, posted, world.now)
            if author == world.demo:
                world.demo_events.append(Event(when, "like", liker, post_id))
            yield world.user_id(liker), post_id, at(when)


def _likers(world: World, rng: Random, index: int, count: int) -> list[int]:
    """``count`` different people who may see the post, other than its author."""
    author = world.post_author[index]
    if restricted(world.post_flags[index]):
        start = world.follower_start[author]
        picks = rng.sample(range(start, world.follower_start[author + 1]), count)
        return [world.followers[pick] for pick in picks]
    return [p + (p >= author) for p in rng.sample(range(world.users - 1), count)]


def comment_rows(world: World, rng: Random, base: int) -> Iterator[tuple[object, ...]]:
    """Short phrases, in time order per post; authors sometimes answer on their own posts."""
    comment_id = base
    for index, count in enumerate(world.comment_counts):
        if not count:
            continue
        author, post_id = world.post_author[index], world.post_base + index
        pick = _commenter(world, rng, index)
        posted = world.post_time[index]
        for when in sorted(_reaction_time(rng, posted, world.now) for _ in range(count)):
            commenter = author if rng.random() < 0.2 else pick()
            if author == world.demo and commenter != author:
                world.demo_events.append(Event(when, "comment", commenter, post_id, comment_id))
            yield comment_id, post_id, world.user_id(commenter), rng.choice(COMMENTS), at(when)
            comment_id += 1


def _commenter(world: World, rng: Random, index: int) -> Callable[[], int]:
    author = world.post_author[index]
    if restricted(world.post_flags[index]):
        start, end = world.follower_start[author], world.follower_start[author + 1]
        if start == end:
            return lambda: author
        return lambda: world.followers[rng.randrange(start, end)]
    return lambda: rng.randrange(world.users)


def notification_rows(world: World, base: int) -> Iterator[tuple[object, ...]]:
    """The demo account's most recent events; all but the newest few already read."""
    events = sorted(world.demo_events, key=lambda event: event.at)[-NOTIFICATIONS:]
    recipient = world.user_id(world.demo)
    for number, event in enumerate(events):
        unread = number >= len(events) - UNREAD
        read_at = None if unread else at(min(world.now, event.at + 2 * 3600))
        yield (
            base + number, recipient, world.user_id(event.actor), event.kind, event.post_id,
            event.comment_id, at(event.at), read_at,
        )  # fmt: skip

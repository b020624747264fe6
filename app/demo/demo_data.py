"""Demo data as rows (`flask dev seed`): people and the social graph.

Every generator takes a ``random.Random`` and yields plain tuples in the order
its ``*_COLUMNS`` names, ready for COPY. They run in table order (users,
follows, then the posts in ``demo_posts``), and each leaves what later tables
need in the shared ``World``: arrays of ints and bytes, never lists of row
tuples, so a million posts and five million likes fit in bounded memory.

People are numbered 0..users-1 (``World.user_id`` turns that into a database
id). A low number means a popular account; the last one is ``demo``.
"""

from __future__ import annotations

import secrets
from array import array
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from itertools import accumulate
from math import log
from random import Random

from app.demo.demo_words import BIO_PHRASES, FIRST_NAMES, LAST_NAMES, TAGS

DAY = 86400.0
YEAR = 365 * DAY
DEMO_USERNAME = "demo"
DEMO_DISPLAY_NAME = "Demo Reader"
DEMO_FOLLOWS = 200
EMAIL_DOMAIN = "example.invalid"

USER_COLUMNS = (
    "id", "username", "email", "email_key", "display_name", "password_hash", "session_epoch",
    "is_admin", "email_verified_at", "bio", "website", "is_private", "hide_follow_lists",
    "comment_audience", "mention_audience", "post_count", "follower_count", "following_count",
    "created_at", "updated_at", "block_reason",
)  # fmt: skip
FOLLOW_COLUMNS = ("follower_id", "followee_id", "created_at")
FOLLOW_REQUEST_COLUMNS = ("requester_id", "target_id", "created_at")


@dataclass(frozen=True)
class Event:
    """Something that happened to the demo account; it becomes a notification."""

    at: float
    kind: str  # a NotificationKind value
    actor: int  # person number
    post_id: int | None = None
    comment_id: int | None = None


@dataclass
class World:
    """What the generators share. Ids start after the rows already in the database."""

    users: int
    now: float  # epoch seconds; everything happens before it
    user_base: int  # database id of person 0
    post_base: int
    usernames: list[str] = field(default_factory=list)
    private: bytearray = field(default_factory=bytearray)
    # Who follows whom, as compressed rows: person u follows followees[start[u]:start[u+1]].
    followee_start: array[int] = field(default_factory=lambda: array("q", [0]))
    followees: array[int] = field(default_factory=lambda: array("q"))
    follower_start: array[int] = field(default_factory=lambda: array("q"))
    followers: array[int] = field(default_factory=lambda: array("q"))
    demo_followees: list[int] = field(default_factory=list)
    follow_requests: list[tuple[int, int, float]] = field(default_factory=list)
    demo_events: list[Event] = field(default_factory=list)
    # Per post: planned by demo_posts.plan_posts and demo_reactions.plan_reactions before any
    # post is written, so each post row carries its final like and comment counts.
    post_author: array[int] = field(default_factory=lambda: array("q"))
    post_time: array[float] = field(default_factory=lambda: array("d"))
    post_flags: bytearray = field(default_factory=bytearray)
    post_tags: bytearray = field(default_factory=bytearray)  # three per post, filled by post_rows
    like_counts: list[int] = field(default_factory=list)
    comment_counts: list[int] = field(default_factory=list)

    @property
    def demo(self) -> int:
        return self.users - 1

    def user_id(self, person: int) -> int:
        return self.user_base + person

    def follower_count(self, person: int) -> int:
        return self.follower_start[person + 1] - self.follower_start[person]


def at(epoch: float) -> datetime:
    return datetime.fromtimestamp(epoch, UTC)


def _person(rng: Random) -> tuple[str, str]:
    """A username in the app's canonical form ([a-z0-9._], no leading, trailing or double dot)."""
    first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
    style = rng.random()
    if style < 0.5:
        username = f"{first}.{last}{rng.randrange(1, 100)}"
    elif style < 0.65:
        username = f"{first}_{last}"
    elif style < 0.85:
        username = f"{first}{last}{rng.randrange(1, 1000)}"
    else:
        username = f"{last}.{first}_{rng.randrange(1, 10000)}"
    display = first.title() if rng.random() < 0.2 else f"{first.title()} {last.title()}"
    return username[:30], display


def _bio(rng: Random) -> str:
    if rng.random() < 0.35:
        return ""
    bio = rng.choice(BIO_PHRASES)
    if rng.random() < 0.3:
        bio += " " + " ".join(f"#{tag}" for tag in rng.sample(TAGS, rng.randint(1, 2)))
    return bio[:150]


def user_rows(
    world: World, rng: Random, password_hash: str, taken: set[str]
) -> Iterator[tuple[object, ...]]:
    """Everyone, verified, sharing one password hash; about one in ten is private."""
    seen = set(taken) | {DEMO_USERNAME}
    step = YEAR / world.users
    first_signup = world.now - 2 * YEAR  # all a year older than the first post
    for person in range(world.users):
        if person == world.demo:
            username, display, bio, private = DEMO_USERNAME, DEMO_DISPLAY_NAME, "", False
        else:
            username, display = _person(rng)
            while username in seen:
                username, display = _person(rng)
            bio, private = _bio(rng), rng.random() < 0.1
        seen.add(username)
        world.usernames.append(username)
        world.private.append(private)
        created = at(first_signup + (person + rng.random()) * step)
        email = f"{username}@{EMAIL_DOMAIN}"
        yield (
            world.user_id(person), username, email, email, display, password_hash,
            secrets.token_urlsafe(24), False, created, bio, "", private, False,
            "everyone", "everyone", 0, 0, 0, created, created, "",
        )  # fmt: skip


def _popularity(users: int) -> list[float]:
    """Cumulative Zipf-like weights: person 0 is followed most, the tail by a few."""
    return list(accumulate((rank + 10) ** -0.9 for rank in range(users)))


def _distinct(rng: Random, k: int, users: int, weights: list[float], exclude: int) -> list[int]:
    """``k`` different people other than ``exclude``, favouring the popular ones."""
    if k * 3 >= users:  # dense: skewed draws would take long to find the last few
        return [p + (p >= exclude) for p in rng.sample(range(users - 1), k)]
    chosen: dict[int, None] = {}
    while len(chosen) < k:
        for person in rng.choices(range(users), cum_weights=weights, k=k - len(chosen) + 4):
            if person != exclude:
                chosen[person] = None
                if len(chosen) == k:
                    break
    return list(chosen)


def follow_rows(world: World, rng: Random, average: int) -> Iterator[tuple[object, ...]]:
    """Each person follows ``average`` others on average (log-normally spread).

    ``demo`` follows up to DEMO_FOLLOWS accounts, and about a third of them follow
    back. A handful of people ask to follow a private account instead
    (``World.follow_requests``).
    """
    users, demo = world.users, world.demo
    weights = _popularity(users)
    sigma = 1.0
    mu = log(max(average, 1)) - sigma * sigma / 2
    world.demo_followees = _distinct(rng, min(DEMO_FOLLOWS, users - 1), users, weights, demo)
    follows_demo = set(world.demo_followees)
    private_people = [p for p in range(users) if world.private[p]]
    request_chance = min(1.0, 25 / users) if private_people else 0.0
    for person in range(users):
        if person == demo:
            chosen = world.demo_followees
        else:
            k = min(users - 1, round(rng.lognormvariate(mu, sigma))) if average else 0
            chosen = _distinct(rng, k, users, weights, person)
            if person in follows_demo and demo not in chosen and rng.random() < 0.35:
                chosen.append(demo)
        follower_id = world.user_id(person)
        for followee in chosen:
            when = world.now - rng.random() * YEAR
            if followee == demo:
                world.demo_events.append(Event(when, "follow", person))
            yield follower_id, world.user_id(followee), at(when)
        world.followees.extend(chosen)
        world.followee_start.append(len(world.followees))
        if rng.random() < request_chance:
            target = rng.choice(private_people)
            if target != person and target not in chosen:
                world.follow_requests.append((person, target, world.now - rng.random() * 9 * DAY))
    _index_followers(world)


def follow_request_rows(world: World) -> Iterator[tuple[object, ...]]:
    for requester, target, when in world.follow_requests:
        yield world.user_id(requester), world.user_id(target), at(when)


def _index_followers(world: World) -> None:
    """The reverse of the follow lists: who follows each person (for followers-only posts)."""
    counts = array("q", bytes(8 * world.users))
    for followee in world.followees:
        counts[followee] += 1
    world.follower_start = array("q", [0])
    world.follower_start.extend(accumulate(counts))
    world.followers = array("q", bytes(8 * len(world.followees)))
    slot = array("q", world.follower_start[:-1])
    start = world.followee_start
    for person in range(world.users):
        for index in range(start[person], start[person + 1]):
            followee = world.followees[index]
            world.followers[slot[followee]] = person
            slot[followee] += 1

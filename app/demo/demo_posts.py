"""Demo data as rows (`flask dev seed`): posts, their hashtags and photos.

Continues ``demo_data``: the same ``World``, the same rules (generators yield
tuples; what later tables need is kept in compact arrays). Posts are planned
first (author, time, visibility), then written once ``demo_reactions`` has
decided their like and comment counts.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from itertools import accumulate
from random import Random

from app.demo.demo_data import YEAR, Event, World, at
from app.demo.demo_words import ADJECTIVES, CAPTION_ENDINGS, NOUNS, TAGS

POST_COLUMNS = (
    "id", "author_id", "caption", "visibility", "comments_enabled", "like_count",
    "comment_count", "created_at", "edited_at",
)  # fmt: skip
PHOTO_COLUMNS = (
    "id", "post_id", "position", "storage_key", "alt_text", "width", "height", "created_at",
)  # fmt: skip
POST_HASHTAG_COLUMNS = ("hashtag_id", "post_id")

FOLLOWERS_ONLY = 1  # post_flags bits
PRIVATE_AUTHOR = 2
NO_COMMENTS = 4
MENTIONS_DEMO = 8
NO_TAG = 255
DEMO_POSTS = 12
DEMO_MENTIONS = 6


@dataclass(frozen=True)
class PoolImage:
    """A stored image that many photos share (photos.storage_key is not unique)."""

    key: str
    width: int
    height: int
    alt_text: str


def _caption(
    rng: Random, world: World, author: int, tags: Sequence[int], mention: int
) -> tuple[str, int]:
    """A few words, sometimes an @mention, then the hashtags; returns it and who is mentioned."""
    text = f"{rng.choice(ADJECTIVES).capitalize()} {rng.choice(NOUNS)}{rng.choice(CAPTION_ENDINGS)}"
    mentioned = mention if mention >= 0 or rng.random() >= 0.06 else rng.randrange(world.users)
    if mentioned == author:
        mentioned = -1
    elif mentioned >= 0:
        text += f" with @{world.usernames[mentioned]}"
    if tags:
        text += "\n\n" + " ".join(f"#{TAGS[tag]}" for tag in tags)
    return text, mentioned


def plan_posts(world: World, rng: Random, count: int) -> None:
    """Who posts when: ``count`` posts over the past year, numbered in time order.

    A few people post a lot and most rarely (capped Pareto weights); ``demo`` gets
    DEMO_POSTS of them, and a few public posts mention it. About 15% are for
    followers only.
    """
    activity = [min(rng.paretovariate(1.2), 100.0) for _ in range(world.users)]
    activity[world.demo] = 0.0
    authors = list(accumulate(activity))
    demo_posts = set(rng.sample(range(count), min(count, DEMO_POSTS, max(1, count // 10))))
    mentions_demo = set(rng.sample(range(count), min(count, DEMO_MENTIONS))) - demo_posts
    start, span = world.now - YEAR, YEAR - 120
    chunk = 10_000
    for first in range(0, count, chunk):
        drawn = rng.choices(range(world.users), cum_weights=authors, k=min(chunk, count - first))
        for index, author in enumerate(drawn, start=first):
            if index in demo_posts:
                author = world.demo  # noqa: PLW2901
            flags = MENTIONS_DEMO if index in mentions_demo else 0
            flags |= FOLLOWERS_ONLY if rng.random() < 0.15 and not flags else 0
            flags |= PRIVATE_AUTHOR if world.private[author] else 0
            flags |= NO_COMMENTS if rng.random() < 0.03 else 0
            world.post_author.append(author)
            world.post_time.append(start + span * (index + rng.random()) / count)
            world.post_flags.append(flags)


def post_rows(world: World, rng: Random) -> Iterator[tuple[object, ...]]:
    """The planned posts, with captions, hashtags and their final like and comment counts."""
    tag_weights = list(accumulate(1 / (rank + 3) for rank in range(len(TAGS))))
    tag_range = range(len(TAGS))
    for index, author in enumerate(world.post_author):
        flags, when = world.post_flags[index], world.post_time[index]
        drawn = rng.choices(tag_range, cum_weights=tag_weights, k=rng.choice(_TAGS))
        tags = list(dict.fromkeys(drawn))
        world.post_tags.extend(tags + [NO_TAG] * (3 - len(tags)))
        mention = world.demo if flags & MENTIONS_DEMO else -1
        caption, mentioned = _caption(rng, world, author, tags, mention)
        if mentioned == world.demo and not restricted(flags):
            world.demo_events.append(Event(when, "mention", author, world.post_base + index))
        yield (
            world.post_base + index, world.user_id(author), caption,
            "followers" if flags & FOLLOWERS_ONLY else "public", not flags & NO_COMMENTS,
            world.like_counts[index], world.comment_counts[index], at(when), None,
        )  # fmt: skip


def restricted(flags: int) -> bool:
    """Only followers may see the post (it says so, or its author's account is private)."""
    return bool(flags & (FOLLOWERS_ONLY | PRIVATE_AUTHOR))


_TAGS = (0, 0, 0, 1, 1, 1, 2, 2, 3)  # how many hashtags a post carries


def post_hashtag_rows(world: World, tag_ids: Sequence[int]) -> Iterator[tuple[object, ...]]:
    """(hashtag id, post id) for the tags in each caption; ``tag_ids`` follows TAGS' order."""
    for offset, tag in enumerate(world.post_tags):
        if tag != NO_TAG:
            yield tag_ids[tag], world.post_base + offset // 3


def photo_rows(
    world: World, rng: Random, public: Sequence[PoolImage], private: Sequence[PoolImage], base: int
) -> Iterator[tuple[object, ...]]:
    """One to three photos per post, from the public pool only if everyone may see the post."""
    photo_id = base
    for index, flags in enumerate(world.post_flags):
        pool = private if restricted(flags) else public
        roll = rng.random()
        count = min(len(pool), 1 if roll < 0.75 else 2 if roll < 0.92 else 3)
        created = at(world.post_time[index])
        for position, image in enumerate(rng.sample(pool, count)):
            yield (
                photo_id, world.post_base + index, position, image.key, image.alt_text,
                image.width, image.height, created,
            )  # fmt: skip
            photo_id += 1

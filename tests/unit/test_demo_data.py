"""The demo data generators: deterministic, self-consistent, and exact about totals."""

from __future__ import annotations

from random import Random

import pytest

from app.demo import demo_data, demo_posts, demo_reactions
from app.demo.demo_data import World
from app.demo.demo_posts import NO_TAG, PoolImage
from app.demo.demo_words import TAGS
from app.services.accounts.identifiers import check_username

NOW = 1_800_000_000.0


def build(
    users: int = 60, posts: int = 200, seed: int = 7
) -> tuple[World, list[tuple[object, ...]]]:
    """A planned world, and every row it produced (session epochs left out: they are random)."""
    world = World(users, NOW, user_base=1, post_base=1)
    rows: list[tuple[object, ...]] = [
        row[:6] + row[7:] for row in demo_data.user_rows(world, Random(seed), "hash", set())
    ]
    rows += demo_data.follow_rows(world, Random(seed), 12)
    demo_posts.plan_posts(world, Random(seed), posts)
    demo_reactions.plan_reactions(world, Random(seed), posts * 4, posts)
    rows += demo_posts.post_rows(world, Random(seed))
    pool = [PoolImage(f"{n:032x}", 1080, 1080, "alt") for n in range(3)]
    rows += demo_posts.photo_rows(world, Random(seed), pool, pool[:1], 1)
    rows += demo_reactions.like_rows(world, Random(seed))
    rows += demo_reactions.comment_rows(world, Random(seed), 1)
    rows += demo_reactions.notification_rows(world, 1)
    return world, rows


def test_the_same_seed_gives_the_same_rows() -> None:
    assert build()[1] == build()[1]
    assert build()[1] != build(seed=8)[1]


def test_usernames_are_valid_unique_and_demo_is_last() -> None:
    world, _ = build(users=500, posts=0)
    assert world.usernames[-1] == "demo"
    assert len(set(world.usernames)) == 500
    for username in world.usernames:
        assert check_username(username) == username


def test_follows_have_no_self_or_duplicate_and_the_reverse_index_agrees() -> None:
    world, _ = build()
    pairs = set()
    for person in range(world.users):
        followees = world.followees[world.followee_start[person] : world.followee_start[person + 1]]
        assert person not in followees
        assert len(set(followees)) == len(followees)
        pairs |= {(person, followee) for followee in followees}
    reverse = {
        (follower, person)
        for person in range(world.users)
        for follower in world.followers[
            world.follower_start[person] : world.follower_start[person + 1]
        ]
    }
    assert pairs == reverse
    assert sorted(world.demo_followees) == [p for p in range(world.users) if p != world.demo]


def test_post_rows_carry_their_planned_counts_and_tags() -> None:
    world, rows = build()
    posts = [row for row in rows if len(row) == len(demo_posts.POST_COLUMNS)]
    assert [post[5] for post in posts] == world.like_counts
    assert sum(world.like_counts) == 800 and sum(world.comment_counts) == 200
    for index, post in enumerate(posts):
        tags = [TAGS[t] for t in world.post_tags[3 * index : 3 * index + 3] if t != NO_TAG]
        assert all(f"#{tag}" in str(post[2]) for tag in tags)
    assert [world.post_time[i] for i in range(len(posts))] == sorted(world.post_time)


@pytest.mark.parametrize(
    ("total", "caps", "expected"),
    [
        (100, [50, 50, 50], 100),  # plenty of room
        (149, [50, 50, 50], 149),  # nearly full
        (500, [50, 50, 50], 150),  # more than fits: as many as fit
        (7, [0, 0, 7], 7),  # only one post may have any
        (0, [5, 5], 0),
    ],
)
def test_spread_hits_the_total_and_respects_the_caps(
    total: int, caps: list[int], expected: int
) -> None:
    counts = demo_reactions.spread(total, [5.0, 1.0, 0.1][: len(caps)], caps, Random(1))
    assert sum(counts) == expected
    assert all(0 <= count <= cap for count, cap in zip(counts, caps, strict=True))

"""`flask dev seed`: a realistic demo dataset, loaded in bulk, in the caller's transaction.

Each table gets its own random stream (``Random("42:likes")``), so asking for
more likes does not change the posts. Ids are given explicitly, after the rows
already there, and the sequences are moved past them at the end. Posts are
planned before they are written, so they carry their final counters; a
set-based recount then checks them and fills in the users' counters.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from random import Random

from sqlalchemy import select, text

from app.demo import demo_data, demo_images, demo_posts, demo_reactions, recount
from app.demo.bulk import (
    allow_memory_for_bulk_work,
    defer_checks,
    load_rows,
    next_id,
    reset_sequence,
)
from app.demo.demo_data import DEMO_USERNAME, World
from app.demo.demo_posts import NO_TAG, PoolImage
from app.demo.demo_words import TAGS
from app.extensions import db
from app.models import (
    Base,
    Comment,
    Follow,
    FollowRequest,
    Hashtag,
    Like,
    Notification,
    Photo,
    Post,
    PostHashtag,
    User,
    utcnow,
)
from app.services.accounts.passwords import hash_password
from app.services.sql import is_postgresql

DEMO_PASSWORD = "demo-password-123"  # noqa: S105 (printed for anyone to use; demo data only)

Progress = Callable[[str, int | None, float], None]  # step, rows written, seconds
# Their foreign keys and indexes are dropped during the load on PostgreSQL (see bulk.py).
LOADED: tuple[type[Base], ...] = (
    User, Follow, FollowRequest, Post, PostHashtag, Photo, Like, Comment, Notification,
)  # fmt: skip
SEQUENCES: tuple[type[Base], ...] = (User, Post, Hashtag, Photo, Comment, Notification)


class AlreadySeededError(Exception):
    """The database already has demo data (an account named ``demo``)."""


@dataclass(frozen=True)
class SeedOptions:
    users: int
    posts: int
    follows: int  # per person, on average
    likes: int  # in total
    comments: int  # in total
    images: int  # distinct stored images, public and private pools together
    seed: int


@dataclass
class Seeded:
    rows: dict[str, int] = field(default_factory=dict)
    pool: list[PoolImage] = field(default_factory=list)


def demo_exists() -> bool:
    return db.session.scalar(select(User.id).where(User.username == DEMO_USERNAME)) is not None


def seed(options: SeedOptions, progress: Progress) -> Seeded:
    """Write the dataset; the caller commits. Stored images are deleted again on failure."""
    if demo_exists():
        raise AlreadySeededError(f"An account named {DEMO_USERNAME!r} exists.")
    seeder = _Seeder(options, progress)
    seeder.store_images()
    try:
        seeder.load_tables()
    except BaseException:
        demo_images.delete_pool(seeder.seeded.pool)
        raise
    return seeder.seeded


class _Seeder:
    def __init__(self, options: SeedOptions, progress: Progress) -> None:
        self.options = options
        self.progress = progress
        self.seeded = Seeded()
        self.public: list[PoolImage] = []
        self.private: list[PoolImage] = []

    def stream(self, name: str) -> Random:
        return Random(f"{self.options.seed}:{name}")  # noqa: S311 (demo data, not secrets)

    @contextmanager
    def step(self, name: str) -> Iterator[list[int]]:
        """Time a step and report it; a step that counts rows puts the count in the list."""
        started, counted = time.perf_counter(), [-1]
        yield counted
        rows = counted[0] if counted[0] >= 0 else None
        if rows is not None:
            self.seeded.rows[name] = rows
        self.progress(name, rows, time.perf_counter() - started)

    def load(
        self, model: type[Base], columns: Sequence[str], rows: Iterable[Sequence[object]]
    ) -> None:
        with self.step(model.__tablename__) as counted:
            counted[0] = load_rows(model, columns, rows)

    def store_images(self) -> None:
        """A public pool, and a smaller private one for photos only followers may see."""
        total = self.options.images if self.options.posts else 0
        private = min(total, max(1, total // 5))
        with self.step("images") as counted:
            self.public = demo_images.build_pool(
                self.stream("images"), total - private, public=True
            )
            self.seeded.pool.extend(self.public)
            self.private = demo_images.build_pool(
                self.stream("private-images"), private, public=False
            )
            self.seeded.pool.extend(self.private)
            counted[0] = len(self.seeded.pool)

    def load_tables(self) -> None:
        options, stream, load = self.options, self.stream, self.load
        world = World(options.users, utcnow().timestamp(), next_id(User), next_id(Post))
        with self.step("prepare"):
            password_hash = hash_password(DEMO_PASSWORD)
            taken = set(db.session.scalars(select(User.username)))
            allow_memory_for_bulk_work()
            deferred = defer_checks(*LOADED)
        users = demo_data.user_rows(world, stream("users"), password_hash, taken)
        load(User, demo_data.USER_COLUMNS, users)
        follows = demo_data.follow_rows(world, stream("follows"), options.follows)
        load(Follow, demo_data.FOLLOW_COLUMNS, follows)
        load(FollowRequest, demo_data.FOLLOW_REQUEST_COLUMNS, demo_data.follow_request_rows(world))
        with self.step("plan posts"):
            demo_posts.plan_posts(world, stream("posts"), options.posts)
            demo_reactions.plan_reactions(
                world, stream("reactions"), options.likes, options.comments
            )
        load(Post, demo_posts.POST_COLUMNS, demo_posts.post_rows(world, stream("captions")))
        tags = demo_posts.post_hashtag_rows(world, self.hashtags(world))
        load(PostHashtag, demo_posts.POST_HASHTAG_COLUMNS, tags)
        photos = demo_posts.photo_rows(
            world, stream("photos"), self.public, self.private, next_id(Photo)
        )
        load(Photo, demo_posts.PHOTO_COLUMNS, photos)
        load(Like, demo_reactions.LIKE_COLUMNS, demo_reactions.like_rows(world, stream("likes")))
        comments = demo_reactions.comment_rows(world, stream("comments"), next_id(Comment))
        load(Comment, demo_reactions.COMMENT_COLUMNS, comments)
        notifications = demo_reactions.notification_rows(world, next_id(Notification))
        load(Notification, demo_reactions.NOTIFICATION_COLUMNS, notifications)
        with self.step("constraints"):
            deferred.restore()
        if is_postgresql():
            with self.step("analyze"):
                # Fresh statistics, for the recount below and the app's first queries.
                for model in LOADED:
                    db.session.execute(text(f"ANALYZE {model.__tablename__}"))
        with self.step("counters") as counted:
            counted[0] = recount.recount_users() + recount.recount_posts()
            for model in SEQUENCES:
                reset_sequence(model)

    def hashtags(self, world: World) -> list[int]:
        """Hashtag rows for the tags the captions used; returns their ids in TAGS' order."""
        used = sorted(set(world.post_tags) - {NO_TAG})
        rows = db.session.execute(select(Hashtag.name, Hashtag.id).where(Hashtag.name.in_(TAGS)))
        known = dict(rows.all())
        missing = [TAGS[tag] for tag in used if TAGS[tag] not in known]
        first = next_id(Hashtag)
        new = [(first + number, name) for number, name in enumerate(missing)]
        self.load(Hashtag, ("id", "name"), new)
        known.update({name: tag_id for tag_id, name in new})
        return [known.get(name, 0) for name in TAGS]

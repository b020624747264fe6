"""`flask dev seed`: demo data that agrees with itself, stored photos, and no second run."""

from __future__ import annotations

from random import Random
from typing import Any

import pytest
import sqlalchemy as sa
from click.testing import Result
from flask import Flask
from flask.testing import FlaskCliRunner
from sqlalchemy.exc import IntegrityError

from app.demo import demo_data
from app.demo.demo_seed import DEMO_PASSWORD
from app.extensions import db
from app.models import (
    Comment,
    Follow,
    Hashtag,
    Like,
    Notification,
    Photo,
    Post,
    PostHashtag,
    User,
    Visibility,
    utcnow,
)
from app.services.accounts.passwords import verify_password
from app.services.media.media_storage import media_storage

pytestmark = pytest.mark.media

SMALL = ("dev", "seed", "--users", "30", "--posts", "120", "--images", "4")


def invoke(app: Flask, runner: FlaskCliRunner, *args: str) -> Result:
    with app.app_context():  # `flask` pushes one; the test runner does not for nested groups
        return runner.invoke(args=list(args))


@pytest.fixture
def seeded(app: Flask, runner: FlaskCliRunner) -> Result:
    result = invoke(app, runner, *SMALL)
    assert result.exit_code == 0, result.output
    return result


def count(statement: sa.Select[tuple[int]]) -> int:
    return db.session.scalar(statement) or 0


def rows(model: Any) -> int:
    return count(sa.select(sa.func.count()).select_from(model))


def test_a_small_seed_creates_what_was_asked(app: Flask, seeded: Result) -> None:
    with app.app_context():
        assert rows(User) == 30
        assert rows(Post) == 120
        assert rows(Like) == 600  # 5 per post by default
        assert rows(Comment) == 120  # 1 per post by default
        assert rows(Follow) > 30
        assert rows(Notification) > 0
        per_post = sa.select(sa.func.count()).select_from(Photo).group_by(Photo.post_id)
        assert set(db.session.scalars(per_post)) <= {1, 2, 3}
        assert count(sa.select(sa.func.count(sa.distinct(Photo.post_id)))) == 120
        assert count(sa.select(sa.func.count()).where(User.email_verified_at.is_(None))) == 0
        # Every hashtag row is in its post's caption.
        tagged = db.session.execute(
            sa.select(Post.caption, Hashtag.name)
            .join(PostHashtag, PostHashtag.post_id == Post.id)
            .join(Hashtag, Hashtag.id == PostHashtag.hashtag_id)
        ).all()
        assert tagged
        assert all(f"#{name}" in caption for caption, name in tagged)
    assert "users" in seeded.output and "likes" in seeded.output and DEMO_PASSWORD in seeded.output


def test_counters_equal_the_rows_they_count(app: Flask, seeded: Result) -> None:
    with app.app_context():
        users = [
            (User.post_count, sa.select(sa.func.count()).where(Post.author_id == User.id)),
            (User.follower_count, sa.select(sa.func.count()).where(Follow.followee_id == User.id)),
            (User.following_count, sa.select(sa.func.count()).where(Follow.follower_id == User.id)),
        ]
        for counter, actual in users:
            wrong = sa.select(sa.func.count()).where(counter != actual.scalar_subquery())
            assert count(wrong) == 0, counter
        assert count(sa.select(sa.func.sum(User.post_count))) == 120
        posts = [
            (Post.like_count, sa.select(sa.func.count()).where(Like.post_id == Post.id)),
            (Post.comment_count, sa.select(sa.func.count()).where(Comment.post_id == Post.id)),
        ]
        for counter, actual in posts:
            wrong = sa.select(sa.func.count()).where(counter != actual.scalar_subquery())
            assert count(wrong) == 0, counter


def test_ids_follow_time_and_new_rows_continue_after_them(app: Flask, seeded: Result) -> None:
    with app.app_context():
        times = db.session.scalars(sa.select(Post.created_at).order_by(Post.id)).all()
        assert times == sorted(times)
        assert times[-1] <= utcnow()
        largest = count(sa.select(sa.func.max(Post.id)))
        author = db.session.scalar(sa.select(User).where(User.username == "demo"))
        post = Post(author=author, caption="after the seed")
        db.session.add(post)
        db.session.flush()
        assert post.id == largest + 1
        db.session.rollback()


def test_the_social_graph_is_consistent(app: Flask, seeded: Result) -> None:
    with app.app_context():
        assert (
            count(sa.select(sa.func.count()).where(Follow.follower_id == Follow.followee_id)) == 0
        )
        self_likes = (
            sa.select(sa.func.count())
            .select_from(Like)
            .join(Post)
            .where(Like.user_id == Post.author_id)
        )
        assert count(self_likes) == 0
        # Likes on posts only followers may see come from followers.
        author = sa.orm.aliased(User)
        unseen = (
            sa.select(sa.func.count())
            .select_from(Like)
            .join(Post, Post.id == Like.post_id)
            .join(author, author.id == Post.author_id)
            .where((Post.visibility == Visibility.FOLLOWERS) | author.is_private)
            .where(
                ~sa.exists().where(
                    Follow.follower_id == Like.user_id, Follow.followee_id == Post.author_id
                )
            )
        )
        assert count(unseen) == 0


def test_the_demo_account_is_a_realistic_reader(app: Flask, seeded: Result) -> None:
    with app.app_context():
        demo = db.session.scalar(sa.select(User).where(User.username == "demo"))
        assert demo is not None
        assert demo.display_name == "Demo Reader"
        assert demo.is_verified and not demo.is_private
        assert verify_password(demo.password_hash, DEMO_PASSWORD)
        assert demo.following_count == 29  # everyone else, when there are fewer than 200
        assert demo.post_count > 0
        assert count(sa.select(sa.func.count()).where(Notification.recipient_id == demo.id)) > 0


def test_demo_follows_two_hundred_accounts_when_there_are_more(
    app: Flask, runner: FlaskCliRunner
) -> None:
    result = invoke(app, runner, "dev", "seed", "--users", "260", "--posts", "20", "--images", "2")
    assert result.exit_code == 0, result.output
    with app.app_context():
        demo = db.session.scalar(sa.select(User).where(User.username == "demo"))
        assert demo is not None
        follows = sa.select(sa.func.count()).where(Follow.follower_id == demo.id)
        assert count(follows) == demo.following_count == 200


def test_every_photo_is_in_media_storage(app: Flask, seeded: Result) -> None:
    with app.app_context():
        author = sa.orm.aliased(User)
        photos = db.session.execute(
            sa.select(Photo.storage_key, Post.visibility, author.is_private)
            .distinct()
            .join(Post, Post.id == Photo.post_id)
            .join(author, author.id == Post.author_id)
        ).all()
        storage = media_storage()
        for key, visibility, private in photos:
            for variant in ("display", "medium", "thumb"):
                located = storage.locate(key, variant)
                assert located is not None, (key, variant)
            # Files anyone can fetch only for posts anyone may see.
            if visibility == Visibility.FOLLOWERS or private:
                assert not located.public
        assert len({key for key, *_ in photos}) <= 4


def test_constraints_are_back_after_the_load(app: Flask, seeded: Result) -> None:
    with app.app_context():
        like = db.session.execute(sa.select(Like.user_id, Like.post_id).limit(1)).one()
        for values in (
            {"user_id": like.user_id, "post_id": like.post_id},  # primary key
            {"user_id": like.user_id, "post_id": 10**9},  # foreign key
        ):
            with pytest.raises(IntegrityError), db.session.begin_nested():
                db.session.execute(sa.insert(Like).values(created_at=utcnow(), **values))


def test_a_second_run_refuses_and_changes_nothing(
    app: Flask, runner: FlaskCliRunner, seeded: Result
) -> None:
    again = invoke(app, runner, *SMALL)
    assert again.exit_code == 1
    assert "already has demo data" in again.output
    with app.app_context():
        assert rows(User) == 30


@pytest.mark.config(ENV_NAME="production")
def test_production_refuses_unless_allowed(app: Flask, runner: FlaskCliRunner) -> None:
    refused = invoke(app, runner, *SMALL)
    assert refused.exit_code == 1
    assert "SAPLING_ENV is production" in refused.output
    with app.app_context():
        assert rows(User) == 0
    allowed = invoke(app, runner, *SMALL, "--allow-production")
    assert allowed.exit_code == 0, allowed.output


def test_a_failed_seed_leaves_no_rows_no_files_and_the_schema_intact(
    app: Flask, runner: FlaskCliRunner
) -> None:
    # A real conflict mid-load: someone already has the email the first seeded user gets.
    world = demo_data.World(30, utcnow().timestamp(), 1, 1)
    first = next(demo_data.user_rows(world, Random("42:users"), "unused", set()))
    with app.app_context():
        email = str(first[2])
        db.session.add(User(username="early.bird", email=email, email_key=email, password_hash="-"))
        db.session.commit()
    result = invoke(app, runner, *SMALL)
    assert result.exit_code == 1
    assert "unique" in str(result.exception).lower()  # psycopg's or SQLite's own error
    with app.app_context():
        assert rows(User) == 1 and rows(Post) == 0
        assert list(media_storage().stored_keys()) == []
        with pytest.raises(IntegrityError), db.session.begin_nested():  # foreign keys are back
            db.session.execute(sa.insert(Like).values(user_id=1, post_id=1, created_at=utcnow()))

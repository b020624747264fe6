"""The migrations build exactly the models' schema, and run both ways."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask

from app.extensions import alembic, db
from app.models import Comment, Follow, Like, Post, User, utcnow
from tests.support.apps import DATABASE, build_app
from tests.support.databases import create_throwaway_database, drop_database

# SQLite cannot reflect an index on an expression (lower(display_name)), so the comparison
# skips that one index there, and says so; PostgreSQL compares it like every other.
pytestmark = [
    pytest.mark.filterwarnings(
        "ignore:Skipped unsupported reflection of expression-based index:sqlalchemy.exc.SAWarning"
    ),
    pytest.mark.filterwarnings("ignore:autogenerate skipping metadata-specified expression-based"),
]


@pytest.fixture
def plain_app(database_url: str, tmp_path: Path) -> Iterator[Flask]:
    """The app without the test transaction: Alembic opens connections of its own."""
    flask_app = build_app(database_url, tmp_path / "media")
    yield flask_app
    with flask_app.app_context():
        db.engine.dispose()


def test_migrated_schema_matches_the_models(plain_app: Flask) -> None:
    app = plain_app
    with app.app_context():
        assert alembic.compare_metadata() == []


def test_database_is_at_the_single_head(plain_app: Flask) -> None:
    app = plain_app
    with app.app_context():
        heads = [script.revision for script in alembic.heads()]
        current = [script.revision for script in alembic.current()]
    assert len(heads) == 1, "migrations have branched: merge the heads"
    assert current == heads


def test_upgrade_downgrade_upgrade_round_trip(tmp_path: Path) -> None:
    if DATABASE.server_url:
        url = create_throwaway_database(DATABASE.server_url)
    else:
        url = f"sqlite:///{tmp_path / 'roundtrip.db'}"
    app = build_app(url, tmp_path / "media")
    try:
        with app.app_context():
            alembic.upgrade()
            head = [s.revision for s in alembic.current()]
            alembic.downgrade("base")
            assert alembic.current() == ()
            connection = alembic.migration_context.connection
            assert connection is not None
            tables = set(sa.inspect(connection).get_table_names()) - {"alembic_version"}
            assert tables == set(), f"downgrade left tables behind: {tables}"
            alembic.upgrade()
            assert [s.revision for s in alembic.current()] == head
            assert alembic.compare_metadata() == []
            db.engine.dispose()
    finally:
        if DATABASE.server_url:
            drop_database(DATABASE.server_url, url)


def test_flask_db_current_names_the_head(plain_app: Flask) -> None:
    runner = plain_app.test_cli_runner()
    with plain_app.app_context():  # the `flask` command pushes one; the test runner does not
        result = runner.invoke(args=["db", "current"])
    assert result.exit_code == 0, result.output
    assert "(head)" in result.output


def test_email_keys_are_recomputed_with_the_one_normal_form(tmp_path: Path) -> None:
    """Accounts made before 0.8.0 get the key every spelling of their address now has."""
    if DATABASE.server_url:
        url = create_throwaway_database(DATABASE.server_url)
    else:
        url = f"sqlite:///{tmp_path / 'email-keys.db'}"
    app = build_app(url, tmp_path / "media")
    before = {  # email as 0.7.0 stored it: its key was that, lower-cased
        "plain": "Plain@example.org",
        "wide": "ｗｉｄｅ@example.org",
        "joined": "jo\u034fined@example.org",
        "victor": "victor@example.org",
        "victor2": "ｖictor@example.org",  # comes down to victor's key: keeps its own
    }

    def keys() -> dict[str, str]:
        rows = db.session.execute(sa.select(User.username, User.email_key))
        keys: dict[str, str] = dict(rows.all())
        db.session.commit()  # no transaction left open for Alembic's own connection to wait on
        return keys

    try:
        with app.app_context():
            alembic.upgrade("1795760976")
            for username, email in before.items():
                db.session.execute(
                    sa.insert(User).values(
                        username=username,
                        email=email,
                        email_key=email.casefold(),
                        password_hash="x",
                    )
                )
            db.session.commit()
            alembic.upgrade("1796220200")
            assert keys() == {
                "plain": "plain@example.org",
                "wide": "wide@example.org",
                "joined": "joined@example.org",
                "victor": "victor@example.org",
                "victor2": "ｖictor@example.org",
            }
            alembic.downgrade("1795760976")
            assert keys() == {name: email.casefold() for name, email in before.items()}
            db.session.close()
            db.engine.dispose()
    finally:
        if DATABASE.server_url:
            drop_database(DATABASE.server_url, url)


def test_accounts_hidden_before_the_upgrade_leave_the_counts_and_come_back_on_downgrade(
    tmp_path: Path,
) -> None:
    """1796300100: the accounts hidden when it is deployed are taken out of every counter
    (as counters.settle does from then on); the downgrade puts them back, as the code
    before it (which subtracted them at the purge) expects."""
    if DATABASE.server_url:
        url = create_throwaway_database(DATABASE.server_url)
    else:
        url = f"sqlite:///{tmp_path / 'counts.db'}"
    app = build_app(url, tmp_path / "media")
    names = ("ash", "gone", "blocked", "lifted")

    def counts() -> dict[str, tuple[int, int]]:
        rows = db.session.execute(
            sa.select(User.username, User.follower_count, User.following_count)
        ).all()
        likes = db.session.scalar(sa.select(Post.like_count))
        comments = db.session.scalar(sa.select(Post.comment_count))
        db.session.commit()  # no transaction left open for Alembic's own connection
        found = {name: (followers, following) for name, followers, following in rows}
        return {**found, "post": (likes or 0, comments or 0)}

    try:
        with app.app_context():
            alembic.upgrade("1796220300")
            now = utcnow()
            hidden = {
                "gone": {"deletion_requested_at": now, "deletion_reason": "self_deleted"},
                "blocked": {"blocked_permanently": True},
                "lifted": {"blocked_till": now - timedelta(days=1)},  # over: counts again
            }
            ids = {}
            for name in names:
                ids[name] = db.session.scalar(
                    sa.insert(User)
                    .values(
                        username=name,
                        email=f"{name}@example.org",
                        email_key=f"{name}@example.org",
                        password_hash="x",
                        follower_count=3 if name == "ash" else 1,
                        following_count=3 if name == "ash" else 1,
                        **hidden.get(name, {}),
                    )
                    .returning(User.id)
                )
            post = db.session.scalar(
                sa.insert(Post)
                .values(author_id=ids["ash"], like_count=3, comment_count=3)
                .returning(Post.id)
            )
            for name in names[1:]:  # each of the three follows Ash, likes and comments
                other, ash = ids[name], ids["ash"]
                db.session.execute(sa.insert(Follow).values(follower_id=other, followee_id=ash))
                db.session.execute(sa.insert(Follow).values(follower_id=ash, followee_id=other))
                db.session.execute(sa.insert(Like).values(user_id=other, post_id=post))
                db.session.execute(
                    sa.insert(Comment).values(author_id=other, post_id=post, body="Hi")
                )
            db.session.commit()
            before = counts()
            assert before["ash"] == (3, 3) and before["post"] == (3, 3)

            alembic.upgrade()
            after = counts()
            assert after["ash"] == (1, 1)  # only "lifted" counts; "gone" and "blocked" not
            assert after["post"] == (1, 1)
            assert after["gone"] == after["blocked"] == (1, 1)  # Ash counts for them
            withdrawn = db.session.scalars(
                sa.select(User.username).where(User.counts_withdrawn).order_by(User.username)
            ).all()
            db.session.commit()
            assert withdrawn == ["blocked", "gone"]

            alembic.downgrade("1796220300")
            assert counts() == before
            db.session.close()
            db.engine.dispose()
    finally:
        if DATABASE.server_url:
            drop_database(DATABASE.server_url, url)


def test_upgrading_keeps_every_follow_like_and_comment(tmp_path: Path) -> None:
    """Later migrations rebuild ``users`` on SQLite (batch mode: copy, drop, rename). With
    foreign keys on, dropping the old table would cascade and erase every follow, like
    and comment of a `make run` instance being upgraded."""
    if DATABASE.server_url:
        url = create_throwaway_database(DATABASE.server_url)
    else:
        url = f"sqlite:///{tmp_path / 'keeps.db'}"
    app = build_app(url, tmp_path / "media")
    now = utcnow()
    person = (
        "INSERT INTO users (id, username, email, email_key, display_name, password_hash,"
        " session_epoch, is_admin, created_at, updated_at, bio, website)"
        " VALUES (:id, :name, :email, :email, '', 'x', 0, false, :now, :now, '', '')"
    )
    try:
        with app.app_context():
            alembic.upgrade("1795750331")  # photo sharing: the first with follows and likes
            for number, name in ((1, "ada"), (2, "bo")):
                db.session.execute(
                    sa.text(person),
                    {"id": number, "name": name, "email": f"{name}@ex.org", "now": now},
                )
            db.session.execute(
                sa.text(
                    "INSERT INTO posts (id, author_id, caption, visibility, comments_enabled,"
                    " like_count, comment_count, created_at)"
                    " VALUES (1, 1, '', 'PUBLIC', true, 1, 1, :now)"
                ),
                {"now": now},
            )
            db.session.execute(sa.text("INSERT INTO follows VALUES (2, 1, :now)"), {"now": now})
            db.session.execute(sa.text("INSERT INTO likes VALUES (2, 1, :now)"), {"now": now})
            db.session.execute(
                sa.text(
                    "INSERT INTO comments (id, post_id, author_id, body, created_at)"
                    " VALUES (1, 1, 2, 'Lovely', :now)"
                ),
                {"now": now},
            )
            db.session.commit()
            alembic.upgrade()
            counted = {
                model.__tablename__: db.session.scalar(
                    sa.select(sa.func.count()).select_from(model)
                )
                for model in (User, Post, Follow, Like, Comment)
            }
            db.session.commit()
            assert counted == {"users": 2, "posts": 1, "follows": 1, "likes": 1, "comments": 1}
            db.session.close()
            db.engine.dispose()
    finally:
        if DATABASE.server_url:
            drop_database(DATABASE.server_url, url)

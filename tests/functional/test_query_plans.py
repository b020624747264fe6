"""The list pages' queries on a seeded PostgreSQL read indexes, never the whole table.

A database of its own is seeded by ``flask dev seed`` (20,000 people, 200,000
posts, 500,000 likes), vacuumed and analysed, so the planner sees the sizes and
spreads of a real site. Each test EXPLAINs the very ``Select`` a page runs
(``timelines.*_query``) and asserts on the plan's shape: posts are reached
through a named index, read in the order the page wants, so no Sort has to see
the large set, and no big table is read in full. Nothing is timed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from sqlalchemy.orm import aliased

from app.extensions import db
from app.models import Follow, Hashtag, Like, Post, PostHashtag, User
from app.services.content import home_timelines, interactions, timelines
from tests.support.apps import REDIS_URL, build_app, migrated_database
from tests.support.plans import Node, explain, nodes, render, scans_of, under_limit
from tests.support.queries import count_queries

pytestmark = pytest.mark.postgres

# The seed takes about 12 s on an idle two-core machine (18 s under load), the fixture
# 21 s in all; 50,000 people and 500,000 posts took over a minute.
SEED = {"users": 20_000, "posts": 200_000, "follows": 30, "likes": 500_000, "comments": 50_000}
LARGE_TABLES = ("posts", "likes", "follows", "post_hashtags", "users", "photos")


@dataclass(frozen=True)
class Seeded:
    app: Flask
    people: dict[str, int]  # demo, quiet (follows a few quiet accounts), busy (most posts)
    tags: dict[str, int]  # popular, rare
    middle_post: int  # a cursor halfway through the posts


def _vacuum_analyze(app: Flask) -> None:
    """Fresh statistics and visibility maps, as autovacuum keeps them on a running site."""
    with app.app_context(), db.engine.connect() as connection:
        connection.execution_options(isolation_level="AUTOCOMMIT").execute(
            sa.text("VACUUM ANALYZE")
        )


def _cast(app: Flask) -> Seeded:
    """The people, tags and cursor the cases use, picked from what the seed made."""
    followee = aliased(User)
    followee_posts = (
        sa.select(sa.func.coalesce(sa.func.sum(followee.post_count), 0))
        .select_from(Follow)
        .join(followee, followee.id == Follow.followee_id)
        .where(Follow.follower_id == User.id)
        .scalar_subquery()
    )
    by_use = sa.select(PostHashtag.hashtag_id).group_by(PostHashtag.hashtag_id)
    picks = {
        "demo": sa.select(User.id).where(User.username == "demo"),
        "quiet": sa.select(User.id)
        .where(User.following_count.between(1, 5))
        .order_by(followee_posts, User.post_count, User.id)
        .limit(1),
        "busy": sa.select(User.id).order_by(User.post_count.desc()).limit(1),
        "popular": by_use.order_by(sa.func.count().desc()).limit(1),
        "rare": by_use.order_by(sa.func.count()).limit(1),
        "middle": sa.select(sa.func.max(Post.id) / 2),
    }
    with app.app_context():
        found = {name: db.session.scalar(query) for name, query in picks.items()}
    assert all(value is not None for value in found.values()), found
    ids = {name: int(value) for name, value in found.items()}
    people = {name: ids[name] for name in ("demo", "quiet", "busy")}
    return Seeded(app, people, {"popular": ids["popular"], "rare": ids["rare"]}, ids["middle"])


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Seeded]:
    with migrated_database(tmp_path_factory, "plans-db") as url:
        app = build_app(url, tmp_path_factory.mktemp("plans-media") / "media")
        options = [f"--{name}={value}" for name, value in SEED.items()]
        with app.app_context():
            result = app.test_cli_runner().invoke(args=["dev", "seed", *options, "--images=2"])
        assert result.exit_code == 0, result.output
        _vacuum_analyze(app)
        yield _cast(app)
        with app.app_context():
            db.engine.dispose()


Query = Callable[[Seeded], Any]


def _user(seeded: Seeded, who: str | None) -> User | None:
    return None if who is None else db.session.get(User, seeded.people[who])


def home(who: str, *, later: bool = False, forward: bool = False) -> Query:
    """The feed's query; ``forward``: an app's ``min_id`` read, from the middle on up."""

    def build(seeded: Seeded) -> Any:
        reader = _user(seeded, who)
        assert reader is not None
        before = seeded.middle_post if later else None
        after = seeded.middle_post if forward else None
        size = seeded.app.config["FEED_PAGE_SIZE"]
        return timelines.home_query(reader, before, size, after=after)

    return build


def profile(who: str | None, *, forward: bool = False) -> Query:
    def build(seeded: Seeded) -> Any:
        owner = _user(seeded, "busy")
        assert owner is not None
        size = seeded.app.config["GRID_PAGE_SIZE"]
        after = seeded.middle_post if forward else None
        return timelines.profile_query(_user(seeded, who), owner, None, size, after=after)

    return build


def explore(who: str | None, *, later: bool = False) -> Query:
    def build(seeded: Seeded) -> Any:
        before = seeded.middle_post if later else None
        size = seeded.app.config["GRID_PAGE_SIZE"]
        return timelines.explore_query(_user(seeded, who), before, size)

    return build


def hashtag(who: str | None, tag: str) -> Query:
    def build(seeded: Seeded) -> Any:
        size = seeded.app.config["GRID_PAGE_SIZE"]
        return timelines.hashtag_query(_user(seeded, who), seeded.tags[tag], None, size)

    return build


@dataclass(frozen=True)
class Case:
    query: Query
    reaches: dict[str, set[str]]  # each table the plan reads, and the indexes it may use
    newest_first: str  # the index read backward that gives the page its order
    # The feed: ``newest_first`` is read per author under a Limit, and only those few
    # rows are sorted; posts are otherwise only looked up by their key.
    per_author: bool = False
    # An app's ``min_id``: the same index read forward, from just above the cursor.
    forward: bool = False


def _feed(who: str, *, later: bool = False, forward: bool = False) -> Case:
    posts = {"ix_posts_author_id_id", "pk_posts"}
    follows = {"pk_follows", "ix_follows_followee_id_follower_id"}
    reaches = {"posts": posts, "follows": follows}
    query = home(who, later=later, forward=forward)
    return Case(query, reaches, "ix_posts_author_id_id", per_author=True, forward=forward)


GRID = {"posts": {"ix_posts_author_id_id"}}
EXPLORE = {"posts": {"ix_posts_public_id"}}
# The planner merges the tag's entries with posts read newest first, or looks each
# tagged post up by its key: either way the tag's index gives the order.
TAG = {"posts": {"pk_posts", "ix_posts_public_id"}, "post_hashtags": {"pk_post_hashtags"}}

CASES = {
    "feed of demo (follows 200)": _feed("demo"),
    "feed of a reader of a few quiet accounts": _feed("quiet"),
    "feed, a later page": _feed("demo", later=True),
    "feed, read forward (min_id)": _feed("demo", forward=True),
    "profile grid, anonymous": Case(profile(None), GRID, "ix_posts_author_id_id"),
    "profile grid, demo": Case(profile("demo"), GRID, "ix_posts_author_id_id"),
    "profile, read forward (min_id)": Case(
        profile("demo", forward=True), GRID, "ix_posts_author_id_id", forward=True
    ),
    "explore, anonymous": Case(explore(None), EXPLORE, "ix_posts_public_id"),
    "explore, demo": Case(explore("demo"), EXPLORE, "ix_posts_public_id"),
    "explore, a later page": Case(explore(None, later=True), EXPLORE, "ix_posts_public_id"),
    "popular tag, anonymous": Case(hashtag(None, "popular"), TAG, "pk_post_hashtags"),
    "popular tag, demo": Case(hashtag("demo", "popular"), TAG, "pk_post_hashtags"),
    "rare tag, demo": Case(hashtag("demo", "rare"), TAG, "pk_post_hashtags"),
}


def _scan_problem(scan: Node, indexes: set[str], case: Case) -> str | None:
    how, index, table = scan["Node Type"], scan.get("Index Name"), scan["Relation Name"]
    if how not in {"Index Scan", "Index Only Scan"} or index not in indexes:
        return f"reaches {table} by {how} {index or ''}"
    expected = "Forward" if case.forward else "Backward"
    if index == case.newest_first and scan["Scan Direction"] != expected:
        return f"reads {index} {scan['Scan Direction'].lower()}, not {expected.lower()}"
    key_lookup = "(id = " in scan.get("Index Cond", "")
    if case.per_author and table == "posts" and index != case.newest_first and not key_lookup:
        return f"reads posts through {index} for more than a key lookup"
    return None


def _scan_problems(plan: Node, case: Case) -> Iterator[str]:
    for table, indexes in case.reaches.items():
        scans = scans_of(plan, table)
        if not scans:
            yield f"never reads {table}"
        for scan in scans:
            problem = _scan_problem(scan, indexes, case)
            if problem:
                yield problem
    if not any(node.get("Index Name") == case.newest_first for node in nodes(plan)):
        yield f"does not read {case.newest_first}"


def _sort_problems(plan: Node, case: Case) -> Iterator[str]:
    for node in nodes(plan):
        if node["Node Type"] == "Sort" and not (case.per_author and under_limit(node, "posts")):
            yield f"sorts rows no Limit bounds (Sort Key: {node['Sort Key']})"
    if case.per_author and not under_limit(plan, case.newest_first, by_index=True):
        yield f"reads {case.newest_first} without a Limit per author"


def problems_of(plan: Node, case: Case) -> list[str]:
    """What is wrong with the plan, in words; empty when it has the expected shape."""
    full_reads = [
        f"reads all of {node['Relation Name']} (Seq Scan)"
        for node in nodes(plan)
        if node["Node Type"] == "Seq Scan" and node["Relation Name"] in LARGE_TABLES
    ]
    return full_reads + list(_scan_problems(plan, case)) + list(_sort_problems(plan, case))


@pytest.mark.parametrize("name", CASES)
def test_the_plan_reads_indexes_newest_first(seeded: Seeded, name: str) -> None:
    case = CASES[name]
    with seeded.app.app_context():
        plan = explain(case.query(seeded))
    problems = problems_of(plan, case)
    assert not problems, f"{name}: " + "; ".join(problems) + "\n" + render(plan)


@pytest.fixture
def without_redis(seeded: Seeded, tmp_path: Path) -> Iterator[Flask]:
    """The seeded database served as a site without Redis: the feed reads SQL alone."""
    app = build_app(seeded.app.config["DATABASE_URL"], tmp_path / "media", {"REDIS_URL": None})
    yield app
    with app.app_context():
        db.engine.dispose()


def test_the_feed_without_redis_runs_the_query_explained_here(
    seeded: Seeded, without_redis: Flask
) -> None:
    with without_redis.app_context():
        demo = _user(seeded, "demo")
        assert demo is not None
        built = str(timelines.home_query(demo, None, 12).compile(bind=db.session.get_bind()))
        with count_queries(without_redis) as statements:
            assert timelines.home(demo, None, 12).items
        assert built in statements, "\n\n".join([built, *statements])


@pytest.mark.skipif(REDIS_URL is None, reason="the timeline lives in Redis")
def test_the_feed_from_a_timeline_rechecks_its_ids_by_key(seeded: Seeded) -> None:
    """With Redis, the feed reads the ids its timeline holds and re-checks just those."""
    with seeded.app.app_context():
        demo = _user(seeded, "demo")
        assert demo is not None
        home_timelines.drop([demo.id])
        timelines.home(demo, None, 12)  # builds the timeline from SQL
        window = home_timelines.window(demo.id, None, timelines.CANDIDATES_PER_POST * 13)
        assert isinstance(window, home_timelines.Window) and window.ids
        recheck = timelines.home_recheck_query(demo, window.ids, 12)
        built = str(
            recheck.compile(bind=db.session.get_bind(), compile_kwargs={"render_postcompile": True})
        )
        with count_queries(seeded.app) as statements:
            assert timelines.home(demo, None, 12).items
        home_timelines.drop([demo.id])
        assert statements == [built], "\n\n".join([built, *statements])


@pytest.mark.parametrize("name", ["profile", "explore", "hashtag"])
def test_the_pages_run_the_queries_explained_here(seeded: Seeded, name: str) -> None:
    """The page functions run the very statement the ``*_query`` builders return."""
    with seeded.app.app_context():
        demo = _user(seeded, "demo")
        busy = _user(seeded, "busy")
        assert demo is not None and busy is not None
        tag = db.session.scalar(sa.select(Hashtag.name).where(Hashtag.id == seeded.tags["popular"]))
        assert tag is not None
        runs: dict[str, tuple[Any, Callable[[], Any]]] = {
            "profile": (
                timelines.profile_query(demo, busy, None, 24),
                lambda: timelines.profile(demo, busy, None, 24),
            ),
            "explore": (
                timelines.explore_query(demo, None, 24),
                lambda: timelines.explore(demo, None, 24),
            ),
            "hashtag": (
                timelines.hashtag_query(demo, seeded.tags["popular"], None, 24),
                lambda: timelines.hashtag(demo, tag, None, 24),
            ),
        }
        query, page = runs[name]
        built = str(query.compile(bind=db.session.get_bind()))
        with count_queries(seeded.app) as statements:
            assert page().items
        assert built in statements, "\n\n".join([built, *statements])


def _most_liked_post(seeded: Seeded) -> int:
    by_likes = sa.select(Like.post_id).group_by(Like.post_id).order_by(sa.func.count().desc())
    found = db.session.scalar(by_likes.limit(1))
    assert found is not None
    return int(found)


@pytest.mark.parametrize("who", [None, "demo"])
@pytest.mark.parametrize("later", [False, True])
def test_the_likers_list_reads_its_index_newest_first(
    seeded: Seeded, who: str | None, later: bool
) -> None:
    with seeded.app.app_context():
        post_id = _most_liked_post(seeded)
        before = None
        if later:
            newest = db.session.execute(
                sa.select(Like.created_at, Like.user_id)
                .where(Like.post_id == post_id)
                .order_by(Like.created_at.desc(), Like.user_id.desc())
                .limit(1)
            ).one()
            before = interactions.LikeCursor(newest[0], newest[1])
        plan = explain(interactions.likers_query(_user(seeded, who), post_id, before, 50))
    problems = [
        f"reads all of {node['Relation Name']} (Seq Scan)"
        for node in nodes(plan)
        if node["Node Type"] == "Seq Scan" and node["Relation Name"] in LARGE_TABLES
    ]
    problems += [
        f"sorts (Sort Key: {node['Sort Key']})"
        for node in nodes(plan)
        if node["Node Type"] == "Sort"
    ]
    likes = scans_of(plan, "likes")
    if [(scan.get("Index Name"), scan.get("Scan Direction")) for scan in likes] != [
        ("ix_likes_post_id_created_at_user_id", "Backward")
    ]:
        problems.append("does not read ix_likes_post_id_created_at_user_id backward, once")
    if not under_limit(plan, "likes"):
        problems.append("reads likes without a Limit")
    assert not problems, "; ".join(problems) + "\n" + render(plan)


@pytest.mark.parametrize("who", [None, "demo"])
def test_the_tag_search_reads_a_bounded_range_of_the_name_index(
    seeded: Seeded, who: str | None
) -> None:
    """Among 30,000 more tags (rolled back after), a two-letter prefix reads the unique index
    on the names in order, and each candidate's newest posts through the tag's key."""
    with seeded.app.app_context():
        db.session.execute(
            sa.insert(Hashtag),
            [{"name": f"{a}{b}{n}"} for a in "abcdefghij" for b in "abc" for n in range(1000)],
        )
        db.session.execute(sa.text("ANALYZE hashtags"))
        try:
            plan = explain(timelines.search_hashtags_query(_user(seeded, who), "ab", 10))
        finally:
            db.session.rollback()
    problems = [
        f"reads all of {node['Relation Name']} (Seq Scan)"
        for node in nodes(plan)
        if node["Node Type"] == "Seq Scan" and node["Relation Name"] in {*LARGE_TABLES, "hashtags"}
    ]
    tags = scans_of(plan, "hashtags")
    if [scan.get("Index Name") for scan in tags] != ["uq_hashtags_name"]:
        problems.append("does not read hashtags through uq_hashtags_name, once")
    if not under_limit(plan, "hashtags"):
        problems.append("reads hashtags without a Limit")
    for scan in scans_of(plan, "post_hashtags"):
        if scan.get("Index Name") != "pk_post_hashtags" or scan["Scan Direction"] != "Backward":
            problems.append("reads post_hashtags other than backward through its key")
    if not under_limit(plan, "post_hashtags"):
        problems.append("reads post_hashtags without a Limit")
    assert not problems, "; ".join(problems) + "\n" + render(plan)

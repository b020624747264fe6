"""`flask dev ...`: tools for development and benchmarks. `flask dev seed` loads demo data.

The demo generators (app/demo/) are imported only when a command runs: every web worker
registers these commands at start, and none of them needs 1,200 lines of word lists and
image designs in memory.
"""

from __future__ import annotations

import time

import click
from flask import current_app
from flask.cli import AppGroup

from app.extensions import db

dev = AppGroup("dev", help="Development tools: demo data for trying the app and for benchmarks.")


def _already_seeded(username: str) -> str:
    return (
        f"An account named {username!r} exists, so this database already has demo data. "
        "Seeding again would duplicate it: start from an empty database."
    )


def _report(table: str, rows: int | None, seconds: float) -> None:
    counted = "" if rows is None else f"{rows:>12,} rows"
    click.echo(f"  {table:<16} {counted:>17} {seconds:>8.1f} s")


@dev.command("seed")
@click.option(
    "--users",
    type=click.IntRange(min=2),
    default=50,
    show_default=True,
    help="Accounts, the demo account included.",
)
@click.option(
    "--posts",
    type=click.IntRange(min=0),
    default=300,
    show_default=True,
    help="Posts over the past year, with one to three photos each.",
)
@click.option(
    "--follows",
    type=click.IntRange(min=0),
    default=30,
    show_default=True,
    help="Accounts each person follows, on average.",
)
@click.option("--likes", type=click.IntRange(min=0), help="Likes in total.  [default: 5 per post]")
@click.option(
    "--comments", type=click.IntRange(min=0), help="Comments in total.  [default: 1 per post]"
)
@click.option(
    "--images",
    type=click.IntRange(min=2),
    help="Distinct generated images the photos share, a fifth of them for followers-only "
    "photos.  [default: min(200, posts)]",
)
@click.option(
    "--seed", type=int, default=42, show_default=True, help="The same seed gives the same data."
)
@click.option("--allow-production", is_flag=True, help="Run even though SAPLING_ENV is production.")
def seed(
    *,
    users: int,
    posts: int,
    follows: int,
    likes: int | None,
    comments: int | None,
    images: int | None,
    seed: int,
    allow_production: bool,
) -> None:
    """Fill the database with a realistic demo dataset and generated photos.

    People with bios and follows (a few popular accounts, a long tail), a year of
    posts with captions, hashtags and mentions, likes, comments, and a `demo`
    account that follows up to 200 people and has posts and notifications. Every
    seeded account shares the demo password printed at the end.

    Runs once per database: it refuses (exit code 1) if an account named `demo`
    already exists, so running it again never duplicates data. To reseed, start
    from an empty database. Built for scale: 100,000 users and 1,000,000 posts
    take about a minute and a half on PostgreSQL, which loads with COPY and keeps
    the loaded tables locked until the end.
    """
    if current_app.config["ENV_NAME"] == "production" and not allow_production:
        raise click.ClickException(
            "Refusing to load demo data: SAPLING_ENV is production. "
            "Pass --allow-production if this really is a throwaway database."
        )
    from app.demo import demo_images, demo_seed  # noqa: PLC0415 (kept out of the web's imports)
    from app.demo.demo_data import DEMO_USERNAME  # noqa: PLC0415

    if demo_seed.demo_exists():
        raise click.ClickException(_already_seeded(DEMO_USERNAME))
    options = demo_seed.SeedOptions(
        users=users,
        posts=posts,
        follows=follows,
        likes=posts * 5 if likes is None else likes,
        comments=posts if comments is None else comments,
        images=max(2, min(200, posts)) if images is None else images,
        seed=seed,
    )
    started = time.perf_counter()
    click.echo(f"Seeding {users:,} users and {posts:,} posts (seed {seed}):")
    try:
        seeded = demo_seed.seed(options, _report)
    except demo_seed.AlreadySeededError:
        raise click.ClickException(_already_seeded(DEMO_USERNAME)) from None
    except BaseException:
        db.session.rollback()  # also undoes the dropped constraints and indexes
        raise
    try:
        db.session.commit()
    except BaseException:
        db.session.rollback()
        demo_images.delete_pool(seeded.pool)
        raise
    click.echo(f"Done in {time.perf_counter() - started:.1f} s.")
    click.echo(
        f"Log in as {DEMO_USERNAME!r} with the password {demo_seed.DEMO_PASSWORD!r} "
        "(every seeded account has the same one)."
    )

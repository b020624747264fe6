"""The seeded databases, made once with `flask dev seed` and reused by every run.

Each dataset is a PostgreSQL database named after it. It counts as ready only
when its comment (``COMMENT ON DATABASE``) names the exact seed it holds, down
to a hash of the seeder's code; the comment is written last, after the seed has
committed and the tables have been vacuumed. A seed that crashed, was
interrupted, or used other numbers or another seeder therefore never passes for
a complete dataset: the database is dropped and made again. Migrations added
since are applied to a ready dataset on every run.
"""

from __future__ import annotations

import hashlib
import re
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa

from app.config import sqlalchemy_url
from scripts.bench.settings import PROJECT, Settings, database_url

SEEDER = ("app/cli/dev.py", "app/demo/*.py")  # flask dev seed
COUNTED = ("users", "posts", "follows", "likes")
ROW_COUNTS = (
    "SELECT (SELECT count(*) FROM users), (SELECT count(*) FROM posts), "
    "(SELECT count(*) FROM follows), (SELECT count(*) FROM likes)"
)


@dataclass(frozen=True)
class Dataset:
    name: str
    users: int
    posts: int
    follows: int  # per person, on average
    likes: int  # in total
    seed: int = 42

    @property
    def database(self) -> str:
        return f"sapling_bench_{self.name}"

    @property
    def media_root(self) -> Path:
        return PROJECT / "instance" / f"bench-media-{self.name}"

    @property
    def marker(self) -> str:
        """Names the numbers and the seeder's code: a changed seeder means a new dataset."""
        return (
            f"sapling-bench seed complete: users={self.users} posts={self.posts} "
            f"follows={self.follows} likes={self.likes} seed={self.seed} "
            f"seeder={seeder_version()}"
        )

    def seed_arguments(self) -> list[str]:
        return [
            f"--users={self.users}",
            f"--posts={self.posts}",
            f"--follows={self.follows}",
            f"--likes={self.likes}",
            f"--seed={self.seed}",
        ]


# The scale the issue asks for: 100k users, 1M posts, about 3M follows and 5M likes.
LARGE = Dataset("1m", users=100_000, posts=1_000_000, follows=30, likes=5_000_000)
# The same shape a hundred times smaller, to see how pages scale with the data.
SMALL = Dataset("10k", users=1_000, posts=10_000, follows=30, likes=50_000)


def seeder_version() -> str:
    digest = hashlib.sha256()
    for path in sorted(path for pattern in SEEDER for path in PROJECT.glob(pattern)):
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _admin_engine(settings: Settings) -> sa.Engine:
    url = sqlalchemy_url(database_url(settings, "postgres"))
    return sa.create_engine(url, isolation_level="AUTOCOMMIT")


def _engine(settings: Settings, dataset: Dataset) -> sa.Engine:
    url = sqlalchemy_url(database_url(settings, dataset.database))
    return sa.create_engine(url, isolation_level="AUTOCOMMIT")


def current_marker(settings: Settings, dataset: Dataset) -> str | None:
    """The database's comment; None if it has none or does not exist."""
    engine = _admin_engine(settings)
    try:
        with engine.connect() as connection:
            row = connection.execute(
                sa.text(
                    "SELECT shobj_description(oid, 'pg_database') FROM pg_database "
                    "WHERE datname = :name"
                ),
                {"name": dataset.database},
            ).first()
    finally:
        engine.dispose()
    return None if row is None else (row[0] or "")


def _recreate(settings: Settings, dataset: Dataset) -> None:
    engine = _admin_engine(settings)
    try:
        with engine.connect() as connection:
            name = dataset.database
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    finally:
        engine.dispose()
    shutil.rmtree(dataset.media_root, ignore_errors=True)


def _flask(env: dict[str, str], *arguments: str, quiet: bool = False) -> None:
    """A flask command on the dataset; ``quiet`` shows its output only if it fails."""
    command = [sys.executable, "-m", "flask", "--app", "wsgi", *arguments]
    output = subprocess.PIPE if quiet else sys.stderr
    done = subprocess.run(  # noqa: S603 (our interpreter, our app)
        command,
        cwd=PROJECT,
        env={**env, "PYTHONUNBUFFERED": "1"},  # the seed's progress, as it happens
        stdout=output,
        stderr=subprocess.STDOUT,
        text=True,
        check=False,
    )
    if done.returncode:
        raise RuntimeError(f"flask {' '.join(arguments)} failed:\n{done.stdout or ''}")


def _finish(settings: Settings, dataset: Dataset) -> None:
    """Vacuum (index-only scans need the visibility map) and mark the dataset complete."""
    engine = _engine(settings, dataset)
    try:
        with engine.connect() as connection:
            connection.execute(sa.text("VACUUM (ANALYZE)"))
            # COMMENT takes no bound parameters; the marker is our own text.
            quoted = dataset.marker.replace("'", "''")
            connection.execute(sa.text(f"COMMENT ON DATABASE \"{dataset.database}\" IS '{quoted}'"))
    finally:
        engine.dispose()


REVISION = re.compile(r'^revision(?:: str)? = "([^"]+)"', re.MULTILINE)


def known_revisions() -> set[str]:
    """The migrations this checkout has (migrations/*.py)."""
    return {
        match.group(1)
        for path in (PROJECT / "migrations").glob("*.py")
        if (match := REVISION.search(path.read_text()))
    }


def unknown_revisions(settings: Settings, dataset: Dataset) -> set[str]:
    """Revisions the database is at that this checkout does not have (another branch's)."""
    engine = _engine(settings, dataset)
    try:
        with engine.connect() as connection:
            found = set(connection.scalars(sa.text("SELECT version_num FROM alembic_version")))
    except sa.exc.ProgrammingError:
        return set()  # no alembic_version yet
    finally:
        engine.dispose()
    return found - known_revisions()


def _upgrade(settings: Settings, dataset: Dataset, env: dict[str, str]) -> None:
    """Apply migrations added since the seed, unless the database is ahead of this checkout.

    The bench databases are shared by every branch on a machine: one may carry a
    migration this checkout does not have, which `flask db upgrade` refuses to pass.
    Those are additive (columns with server defaults, indexes), so the bench runs on
    them as they are, and says so.
    """
    ahead = unknown_revisions(settings, dataset)
    if ahead:
        log(
            f"Dataset {dataset.name}: at migration {', '.join(sorted(ahead))}, which this "
            "checkout does not have (another branch's); not upgrading it."
        )
        return
    _flask(env, "db", "upgrade", quiet=True)


def ensure(settings: Settings, dataset: Dataset, env: dict[str, str]) -> dict[str, object]:
    """Make the dataset ready, seeding it only if needed; returns what the report records."""
    started = time.perf_counter()
    marker = current_marker(settings, dataset)
    seeded = marker != dataset.marker
    if seeded:
        why = "missing" if marker is None else "incomplete or different"
        log(f"Dataset {dataset.name}: {why}, seeding it (once; later runs reuse it).")
        _recreate(settings, dataset)
        _flask(env, "db", "upgrade", quiet=True)
        _flask(env, "dev", "seed", *dataset.seed_arguments(), "--allow-production")
        log(f"Dataset {dataset.name}: vacuuming.")
        _finish(settings, dataset)
    else:
        _upgrade(settings, dataset, env)  # migrations added since it was seeded
    return {
        "database": dataset.database,
        "seeded_now": seeded,
        "prepare_seconds": round(time.perf_counter() - started, 1),
        "rows": row_counts(settings, dataset),
    }


def row_counts(settings: Settings, dataset: Dataset) -> dict[str, int]:
    engine = _engine(settings, dataset)
    try:
        with engine.connect() as connection:
            row = connection.execute(sa.text(ROW_COUNTS)).one()
    finally:
        engine.dispose()
    return dict(zip(COUNTED, map(int, row), strict=True))

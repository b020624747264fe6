"""Writes under load on the 1M dataset: a like, a comment, a post (issue #18, item 2).

wrk posts the real forms (forms.lua), each with its account's session cookie and
CSRF token, as the browser's scripts send them (the like and the post ask for
their fragment, as app.js and posts.js do). What each measures:

- *like*: 16 accounts liking and unliking ordinary posts spread over the table.
  The requests come in blocks: a block of likes, then the unlikes of that same
  block, so the two never race, and the database stays as it was but for the
  block the run stopped in.
- *comment*: the same accounts commenting on the same posts.
- *post*: one account posting a small generated photo (multipart), once an
  ordinary account (about the median's followers) and once the most-followed
  account (at least 10,000: the seeded 1M dataset has one). Their runs
  alternate, so the machine's drifts hit both alike.

Every run leaves the database as it found it: after each run what it created
(the likes still standing, the comments, the posts and their files) is removed
through the app's own services, in this process, so counters and notifications
follow; at the end the tables written to are vacuumed (not analysed: fresh
statistics could change later runs' plans).
"""

from __future__ import annotations

import io
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import requests
import sqlalchemy as sa
from flask import Flask
from PIL import Image
from sqlalchemy.orm import selectinload

from app import create_app
from app.config import ProductionConfig, sqlalchemy_url
from app.demo.demo_seed import DEMO_PASSWORD
from scripts.bench import stats, wrk
from scripts.bench.client import CSRF_FIELD, FORWARDED, Browser, encoded

FORMS_SCRIPT = Path(__file__).resolve().parent / "forms.lua"
WRITERS = 16  # accounts liking and commenting
BLOCK = 64  # likes, then the same likes undone: more than are ever in flight at once
POSTS_TO_LIKE = 2048  # spread over the table, one account each
BIG_ACCOUNT = 10_000  # followers
TOUCHED = ("likes", "comments", "notifications", "posts", "photos", "users")
FRAGMENT = {"X-Sapling-Fragment": "1"}


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


@dataclass(frozen=True)
class Account:
    id: int
    username: str
    followers: int


@dataclass
class Writer:
    account: Account
    browser: Browser
    token: str


def _engine(database_url: str) -> sa.Engine:
    return sa.create_engine(sqlalchemy_url(database_url))


# Accounts that show everywhere: active, public, verified (the condition is written
# out in each query so each is one constant string).
WRITERS_QUERY = (
    "SELECT u.id, u.username, u.follower_count FROM users u "
    "WHERE u.deletion_requested_at IS NULL AND NOT u.blocked_permanently "
    "AND u.blocked_till IS NULL AND NOT u.is_private AND u.email_verified_at IS NOT NULL "
    "AND u.username <> 'demo' AND u.follower_count BETWEEN 5 AND 30 ORDER BY u.id "
    "OFFSET 2000 LIMIT :n"
)
STAR_QUERY = (
    "SELECT u.id, u.username, u.follower_count FROM users u "
    "WHERE u.deletion_requested_at IS NULL AND NOT u.blocked_permanently "
    "AND u.blocked_till IS NULL AND NOT u.is_private AND u.email_verified_at IS NOT NULL "
    "AND u.username <> 'demo' ORDER BY u.follower_count DESC, u.id LIMIT 1"
)
POSTS_QUERY = (
    "SELECT p.id FROM posts p JOIN users u ON u.id = p.author_id "
    "WHERE u.deletion_requested_at IS NULL AND NOT u.blocked_permanently "
    "AND u.blocked_till IS NULL AND NOT u.is_private AND u.email_verified_at IS NOT NULL "
    "AND p.visibility = 'public' AND p.comments_enabled AND NOT p.sensitive "
    "AND p.id % 97 = 0 AND NOT (p.author_id = ANY(:ids)) ORDER BY p.id DESC LIMIT :n"
)


def choose_accounts(database_url: str) -> tuple[list[Account], Account, Account | None]:
    """The writers, an ordinary poster, and the most-followed account if it has 10,000.

    Well away from the accounts the login benchmarks use (the first hundred or so),
    from demo and from the most-followed ones the pages show.
    """
    engine = _engine(database_url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(sa.text(WRITERS_QUERY), {"n": WRITERS + 1}).all()
            big = connection.execute(sa.text(STAR_QUERY)).first()
    finally:
        engine.dispose()
    accounts = [Account(*row) for row in rows]
    star = Account(*big) if big is not None and big[2] >= BIG_ACCOUNT else None
    return accounts[:WRITERS], accounts[WRITERS], star


def choose_posts(database_url: str, writers: Sequence[Account]) -> list[tuple[int, int]]:
    """(account, post) pairs: public posts of public accounts, spread over the table,
    open to comments, that the account has not liked and did not write."""
    ids = [account.id for account in writers]
    engine = _engine(database_url)
    try:
        with engine.connect() as connection:
            posts = connection.scalars(sa.text(POSTS_QUERY), {"ids": ids, "n": POSTS_TO_LIKE}).all()
            liked = set(
                connection.execute(
                    sa.text(
                        "SELECT user_id, post_id FROM likes "
                        "WHERE user_id = ANY(:ids) AND post_id = ANY(:posts)"
                    ),
                    {"ids": ids, "posts": list(posts)},
                ).all()
            )
    finally:
        engine.dispose()
    pairs = [(ids[i % len(ids)], post) for i, post in enumerate(posts)]
    return [pair for pair in pairs if pair not in liked]


def _log_in(base_url: str, account: Account) -> Writer:
    browser = Browser(base_url)
    browser.log_in(account.username, DEMO_PASSWORD)
    page = browser.get("/p/new")
    match = CSRF_FIELD.search(page.text)
    if page.status_code != 200 or match is None:
        raise RuntimeError(f"{account.username}: /p/new answered {page.status_code}")
    return Writer(account, browser, match.group(1))


def _line(path: str, writer: Writer, content_type: str, body: str) -> str:
    return f"{path}\t{writer.browser.cookie_header}\t{content_type}\t{body}"


FORM = "application/x-www-form-urlencoded"


def like_lines(writers: dict[int, Writer], pairs: Sequence[tuple[int, int]]) -> list[str]:
    """Blocks of likes, each followed by the same likes undone."""
    lines = []
    for start in range(0, len(pairs), BLOCK):
        block = pairs[start : start + BLOCK]
        for on in ("1", "0"):
            for account_id, post in block:
                writer = writers[account_id]
                body = encoded({"csrf_token": writer.token, "on": on, "next": ""})
                lines.append(_line(f"/p/{post}/like", writer, FORM, body))
    return lines


def comment_lines(writers: dict[int, Writer], pairs: Sequence[tuple[int, int]]) -> list[str]:
    lines = []
    for number, (account_id, post) in enumerate(pairs):
        writer = writers[account_id]
        body = encoded({"csrf_token": writer.token, "body": f"Lovely light here ({number})."})
        lines.append(_line(f"/p/{post}/comments", writer, FORM, body))
    return lines


def small_photo() -> bytes:
    """A small photo: a 640 by 480 JPEG of a gradient (the 12 MP case is in the image bench)."""
    image = Image.radial_gradient("L").resize((640, 480)).convert("RGB")
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=85)
    return buffer.getvalue()


def post_body(writer: Writer, photo: bytes) -> tuple[str, bytes]:
    """The new-post form as posts.js sends it: content type and multipart body."""
    fields = {
        "csrf_token": writer.token,
        "caption": "Morning walk, the light through the trees.",
        "visibility": "public",
        "shape": "original",
        "alt_texts-0": "A soft grey gradient, lighter in the middle.",
        "alt_reminder_seen": "1",
    }
    files = {"photos": ("walk.jpg", photo, "image/jpeg")}
    prepared = requests.Request("POST", "http://x/p/new", data=fields, files=files).prepare()
    assert isinstance(prepared.body, bytes)  # noqa: S101 (requests builds multipart as bytes)
    return str(prepared.headers["Content-Type"]), prepared.body


class Cleaner:
    """Removes what the runs created through the app's services, as a person would."""

    def __init__(self, env: dict[str, str]) -> None:
        self.app: Flask = create_app(ProductionConfig({**env, "LOG_LEVEL": "WARNING"}))

    @contextmanager
    def _session(self) -> Iterator[Any]:
        from app.extensions import db  # noqa: PLC0415 (bound to this app only now)

        with self.app.app_context():
            try:
                yield db.session
                db.session.commit()
            finally:
                db.session.rollback()

    def unlike(self, pairs: Sequence[tuple[int, int]]) -> int:
        from app.models import Post, User  # noqa: PLC0415
        from app.services.content import interactions  # noqa: PLC0415

        ids = sorted({account for account, _ in pairs})
        with self._session() as session:
            standing = session.execute(
                sa.text(
                    "SELECT user_id, post_id FROM likes "
                    "WHERE user_id = ANY(:ids) AND post_id = ANY(:posts)"
                ),
                {"ids": ids, "posts": [post for _, post in pairs]},
            ).all()
            wanted = set(pairs)
            for account_id, post_id in standing:
                if (account_id, post_id) in wanted:
                    user, post = session.get(User, account_id), session.get(Post, post_id)
                    interactions.unlike(user, post)
        return len(standing)

    def delete_comments(self, authors: Sequence[int], after_id: int) -> int:
        from app.models import Comment, Post, User  # noqa: PLC0415
        from app.services.content import interactions  # noqa: PLC0415

        with self._session() as session:
            comments = session.scalars(
                sa.select(Comment).where(Comment.author_id.in_(authors), Comment.id > after_id)
            ).all()
            for comment in comments:
                author = session.get(User, comment.author_id)
                interactions.delete_comment(author, session.get(Post, comment.post_id), comment)
        return len(comments)

    def delete_posts(self, authors: Sequence[int], after_id: int) -> int:
        from app.models import Post, User  # noqa: PLC0415
        from app.services.content import posts  # noqa: PLC0415

        with self._session() as session:
            created = session.scalars(
                sa.select(Post)
                .where(Post.author_id.in_(authors), Post.id > after_id)
                .options(selectinload(Post.photos))
            ).all()
            for post in created:
                posts.delete_post(session.get(User, post.author_id), post)
        return len(created)

    def newest(self, table: str) -> int:
        with self._session() as session:
            newest: Any = sa.func.coalesce(sa.func.max(sa.column("id")), 0)
            return int(session.scalar(sa.select(newest).select_from(sa.table(table))))

    def vacuum(self) -> None:
        from app.extensions import db  # noqa: PLC0415

        with (
            self.app.app_context(),
            db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection,
        ):
            connection.execute(sa.text("VACUUM " + ", ".join(TOUCHED)))

    def close(self) -> None:
        from app.extensions import db  # noqa: PLC0415

        with self.app.app_context():
            for engine in db.engines.values():
                engine.dispose()


@dataclass(frozen=True)
class Load:
    """One write measured: the lines wrk sends, the check that one of them works, the cleanup."""

    name: str
    lines: list[str]
    headers: dict[str, str]
    expected: int  # the status one request of it answers
    cleanup: Callable[[], int]


def _wrk_file(folder: Path, name: str, lines: Sequence[str]) -> Path:
    path = folder / f"writes-{name}.txt"
    path.write_text("\n".join(lines) + "\n")
    return path


def _check(base_url: str, load: Load) -> None:
    """Send the first line once by hand: wrk would count a redirect to /login as a success."""
    path, cookie, content_type, body = load.lines[0].split("\t", 3)
    data: bytes = Path(body[1:]).read_bytes() if body.startswith("@") else body.encode()
    host = urlsplit(base_url).netloc
    headers = {**load.headers, "Cookie": cookie, "Content-Type": content_type,
               "Referer": f"https://{host}/"}  # fmt: skip
    response = requests.post(
        base_url + path, data=data, headers=headers, allow_redirects=False, timeout=60
    )
    if response.status_code != load.expected or "/login" in response.headers.get("Location", ""):
        raise RuntimeError(
            f"writes: {load.name} answered {response.status_code}, not {load.expected}:\n"
            f"{response.text[:500]}"
        )
    load.cleanup()


DRAIN_SECONDS = 30.0  # gunicorn's timeout: no request is served for longer


def _served(server_log: Path, offset: int) -> int:
    """Form posts gunicorn has logged as answered since ``offset`` of its log."""
    with server_log.open("rb") as log_file:
        log_file.seek(offset)
        return log_file.read().count(b' POST "/')


def _run_and_clean(
    base_url: str, server_log: Path, load: Load, seconds: int, options: dict[str, Any]
) -> tuple[wrk.WrkRun, int]:
    """One wrk run, then its cleanup once the server has answered what wrk left in flight.

    wrk stops at its deadline with a request in flight on (nearly) every connection;
    those are served, and commit, after wrk has gone. gunicorn logs each request as it
    is answered, so the run is over when the log shows wrk's requests plus one per
    connection, or when nothing has been answered for a few seconds (a connection that
    was between two requests), and at most after gunicorn's timeout.
    """
    offset = server_log.stat().st_size
    result = wrk.run(base_url + "/", seconds=seconds, **options)
    expected = result.requests + options["concurrency"]
    deadline = time.monotonic() + DRAIN_SECONDS
    served, since = _served(server_log, offset), time.monotonic()
    while served < expected and time.monotonic() < deadline and time.monotonic() - since < 5:
        time.sleep(0.1)
        now = _served(server_log, offset)
        if now != served:
            served, since = now, time.monotonic()
    return result, load.cleanup()


def _loads(
    cleaner: Cleaner,
    writers: dict[int, Writer],
    posters: dict[str, Writer],
    pairs: list[tuple[int, int]],
    folder: Path,
) -> list[Load]:
    comments_from, posts_from = cleaner.newest("comments"), cleaner.newest("posts")
    ids = list(writers)
    loads = [
        Load("like", like_lines(writers, pairs), {**FORWARDED, **FRAGMENT}, 200,
             lambda: cleaner.unlike(pairs)),
        Load("comment", comment_lines(writers, pairs), dict(FORWARDED), 303,
             lambda: cleaner.delete_comments(ids, comments_from)),
    ]  # fmt: skip
    for name, writer in posters.items():
        content_type, body = post_body(writer, small_photo())
        body_file = folder / f"writes-{name}.multipart"
        body_file.write_bytes(body)
        author = [writer.account.id]
        loads.append(
            Load(name, [_line("/p/new", writer, content_type, f"@{body_file}")],
                 {**FORWARDED, **FRAGMENT}, 201,
                 lambda author=author: cleaner.delete_posts(author, posts_from))  # type: ignore[misc]
        )  # fmt: skip
    return loads


def measure(
    base_url: str,
    env: dict[str, str],
    database_url: str,
    folder: Path,
    server_log: Path,
    *,
    runs: int,
    duration: int,
    warmup: int,
    concurrency: int,
) -> dict[str, Any]:
    """Each write, run after run in turn; the database is put back after every run."""
    accounts, ordinary, star = choose_accounts(database_url)
    pairs = choose_posts(database_url, accounts)
    log(f"Writes: logging in {len(accounts) + 2} accounts ...")
    writers = {account.id: _log_in(base_url, account) for account in accounts}
    posters = {"post_ordinary": _log_in(base_url, ordinary)}
    if star is None:
        log(f"Writes: no account with {BIG_ACCOUNT:,} followers; the big post is not measured.")
    else:
        posters["post_big"] = _log_in(base_url, star)
    host = urlsplit(base_url).netloc
    cleaner = Cleaner(env)
    try:
        loads = _loads(cleaner, writers, posters, pairs, folder)
        for load in loads:
            _check(base_url, load)
        script = wrk.with_report(FORMS_SCRIPT, folder)
        measured: dict[str, list[dict[str, Any]]] = {load.name: [] for load in loads}
        for number in range(1, runs + 1):
            for load in loads:
                options = {
                    "concurrency": concurrency,
                    "headers": {**load.headers, "Referer": f"https://{host}/"},
                    "threads": 1,
                    "script": script,
                    "script_args": [str(_wrk_file(folder, load.name, load.lines))],
                }
                if number == 1 and warmup:
                    _run_and_clean(base_url, server_log, load, warmup, options)
                result, removed = _run_and_clean(base_url, server_log, load, duration, options)
                measured[load.name].append(result.as_dict())
                log(
                    f"  writes  {load.name:<13} c={concurrency:<3} run {number}: "
                    f"{result.rps:8.1f} /s  p50 {result.p50_ms:7.1f} ms  "
                    f"p99 {result.p99_ms:7.1f} ms  (removed {removed})"
                    + (f"  ERRORS {result.errors}" if result.error_count else "")
                )
        late = sum(load.cleanup() for load in loads)  # answered after its run's cleanup
        if late:
            log(f"Writes: removed {late} rows that were written after their run's cleanup.")
        cleaner.vacuum()
    finally:
        cleaner.close()
    out: dict[str, Any] = {
        name: {"concurrency": concurrency, "runs": found, "median": stats.summarise(found)}
        for name, found in measured.items()
    }
    out["like"] |= {"accounts": len(writers), "posts": len(pairs), "block": BLOCK}
    out["comment"] |= {"accounts": len(writers), "posts": len(pairs)}
    out["post_ordinary"] |= {"account": ordinary.username, "followers": ordinary.followers}
    if star is not None:
        out["post_big"] |= {"account": star.username, "followers": star.followers}
    out["late_cleanups"] = late
    return out

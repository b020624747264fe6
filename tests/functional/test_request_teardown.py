"""The end of a request closes the database session without starting an event loop.

Flask-SQLAlchemy-Lite registers a coroutine teardown for async sessions, which
Sapling never opens; Flask would hand it to asgiref at the end of every request.
"""

from __future__ import annotations

import asyncio
import subprocess
import sys
from pathlib import Path

import pytest

from app import Sapling

ROOT = Path(__file__).resolve().parents[2]

REQUEST = """
import sys
from app import create_app
from app.config import TestingConfig
from app.extensions import db

database_url, media_root = sys.argv[1:]
app = create_app(TestingConfig({}), {"DATABASE_URL": database_url, "MEDIA_ROOT": media_root})
assert app.test_client().get("/healthz").status_code == 200
with app.app_context():
    assert db.engine.pool.checkedout() == 0, "the request's session was not closed"
print("asgiref loaded" if "asgiref.sync" in sys.modules else "no event loop")
"""


def test_a_request_ends_without_asgiref_and_with_its_session_closed(tmp_path: Path) -> None:
    database_url = f"sqlite:///{tmp_path / 'sapling.db'}"
    result = subprocess.run(  # noqa: S603 (this interpreter, our script, the test's paths)
        [sys.executable, "-c", REQUEST, database_url, str(tmp_path / "media")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "no event loop"


def test_a_coroutine_that_waits_on_nothing_runs_and_one_that_waits_is_an_error() -> None:
    app = Sapling(__name__)

    async def finishes(value: int) -> int:
        return value + 1

    async def waits() -> None:
        await asyncio.sleep(0)

    assert app.ensure_sync(finishes)(41) == 42
    with pytest.raises(RuntimeError, match="waits awaited something"):
        app.ensure_sync(waits)()
    assert app.ensure_sync(len)("abc") == 3  # plain functions are returned as they are

"""The export worker against a database that really commits: concurrent workers, and memory.

These tests need commits other connections (and another process) can see, so
they share a throwaway database of their own, dropped at the end of the module.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import threading
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask

from app.extensions import db
from app.models import DataExport, ExportStatus, OutboxMessage, Photo, Post, User, Visibility
from app.services.content import posts
from app.services.privacy import export_archive, exports
from app.worker import exports as export_worker
from scripts.bench_images import noisy_photo
from tests.factories import create_user
from tests.support.apps import build_app, migrated_database

pytestmark = pytest.mark.media

PROJECT = Path(__file__).resolve().parents[2]
PHOTOS = 2000
REAL_POSTS = 4  # made by the posting service; the rest reuse their stored files

# Python heap at its peak during the build (tracemalloc): a chunk of 500 rows, the zip
# central directory (~0.5 KB per entry) and SQLAlchemy's caches. The archive is
# about 450 MB of photos, so holding even a tenth of it would break this bound.
PYTHON_PEAK_BOUND = 32 * 1024 * 1024
# The whole process at its highest (VmHWM): the interpreter, Flask, SQLAlchemy,
# Pillow and psycopg take about 130 MB before the build starts; it grows by about 12 MB.
RSS_BOUND_KIB = 200 * 1024
RSS_GROWTH_BOUND_KIB = 48 * 1024


@pytest.fixture(scope="module")
def committing_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    with migrated_database(tmp_path_factory, "exports-db") as url:
        app = build_app(url, tmp_path_factory.mktemp("exports-media") / "media")
        yield app
        with app.app_context():
            db.engine.dispose()


def ask_for_exports(app: Flask, *users: User) -> list[int]:
    with app.app_context():
        made = [exports.request_export(user)[0] for user in users]
        db.session.commit()
        return [export.id for export in made]


def statuses(app: Flask, ids: list[int]) -> dict[int, ExportStatus]:
    with app.app_context():
        query = sa.select(DataExport.id, DataExport.status).where(DataExport.id.in_(ids))
        return {row.id: row.status for row in db.session.execute(query)}


@pytest.mark.postgres
def test_a_worker_passes_over_an_export_another_is_claiming(committing_app: Flask) -> None:
    first, second = ask_for_exports(
        committing_app, create_user(committing_app), create_user(committing_app)
    )
    engine = sa.create_engine(committing_app.config["DATABASE_URL"])
    try:
        with engine.connect() as other_worker:
            other_worker.begin()
            claiming = other_worker.execute(
                sa.select(DataExport.id)
                .where(DataExport.status == ExportStatus.PENDING)
                .order_by(DataExport.id)
                .limit(1)
                .with_for_update()
            ).scalar()
            assert claiming == first
            outcomes: list[ExportStatus | None] = []

            def work() -> None:
                with committing_app.app_context():
                    outcomes.append(export_worker.build_next())

            worker = threading.Thread(target=work)
            worker.start()
            worker.join(timeout=60)
            blocked = worker.is_alive()
            other_worker.rollback()  # releases the lock either way
            worker.join()
    finally:
        engine.dispose()
    assert not blocked, "the worker waited for the locked export instead of skipping it"
    assert outcomes == [ExportStatus.READY]
    assert statuses(committing_app, [first, second]) == {
        first: ExportStatus.PENDING,
        second: ExportStatus.READY,
    }
    with committing_app.app_context():
        assert export_worker.build_next() == ExportStatus.READY  # the first, now that it is free
    assert set(statuses(committing_app, [first, second]).values()) == {ExportStatus.READY}


def test_concurrent_workers_build_each_export_exactly_once(committing_app: Flask) -> None:
    owners = [create_user(committing_app) for _ in range(6)]
    ids = ask_for_exports(committing_app, *owners)
    start = threading.Barrier(3)
    outcomes: list[ExportStatus] = []

    def work() -> None:
        with committing_app.app_context():
            start.wait()
            while outcome := export_worker.build_next():
                outcomes.append(outcome)

    workers = [threading.Thread(target=work) for _ in range(3)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=120)
    assert outcomes.count(ExportStatus.READY) == len(ids) == len(outcomes)
    assert set(statuses(committing_app, ids).values()) == {ExportStatus.READY}
    with committing_app.app_context():
        built = db.session.scalars(sa.select(DataExport).where(DataExport.id.in_(ids))).all()
        assert len({export.file_name for export in built}) == len(ids)
        for export in built:
            path = exports.path_of(export)
            assert path is not None and path.is_file()
        addresses = [owner.email for owner in owners]
        mails = db.session.scalar(
            sa.select(sa.func.count())
            .select_from(OutboxMessage)
            .where(OutboxMessage.to_address.in_(addresses))
        )
        assert mails == len(ids)  # one email per export: none was built twice


def bulk_post_sizes() -> list[int]:
    sizes: list[int] = []
    while (left := PHOTOS - REAL_POSTS - sum(sizes)) > 0:
        sizes.append(min(3 + len(sizes) % 2, left))
    return sizes


def make_heavy_account(app: Flask, owner: User) -> None:
    """A few real posts, then PHOTOS photos in all, bulk-inserted reusing their files."""
    with app.test_request_context():
        author = db.session.get(User, owner.id)
        assert author is not None
        real = [
            posts.create(author, [posts.Upload(io.BytesIO(noisy_photo(1080, 1350)), "Real")], "")
            for _ in range(REAL_POSTS)
        ]
        db.session.commit()
        stored = [(p.photos[0].storage_key, p.photos[0].width, p.photos[0].height) for p in real]
        # Posts of 3 and 4 photos: more than one chunk of posts, so paging is exercised too.
        sizes = bulk_post_sizes()
        post_ids = db.session.scalars(
            sa.insert(Post).returning(Post.id),
            [
                {"author_id": owner.id, "caption": f"Bulk post {n} #moss " + "words " * 30}
                for n in range(len(sizes))
            ],
        ).all()
        rows = []
        for post_id, size in zip(post_ids, sizes, strict=True):
            for position in range(size):
                key, width, height = stored[len(rows) % len(stored)]
                rows.append(
                    {
                        "post_id": post_id,
                        "position": position,
                        "storage_key": key,
                        "alt_text": f"Photo {len(rows)}: " + "what it shows " * 12,
                        "width": width,
                        "height": height,
                    }
                )
        db.session.execute(sa.insert(Photo), rows)
        db.session.commit()
        total = db.session.scalar(
            sa.select(sa.func.count())
            .select_from(Photo)
            .join(Post)
            .where(Post.author_id == owner.id, Post.visibility == Visibility.PUBLIC)
        )
        assert total == PHOTOS


def test_an_export_of_2000_photos_stays_in_bounded_memory(committing_app: Flask) -> None:
    owner = create_user(committing_app, "heavy")
    make_heavy_account(committing_app, owner)
    [export_id] = ask_for_exports(committing_app, owner)
    child = subprocess.run(  # noqa: S603 (this interpreter, our module, the test's settings)
        [
            sys.executable,
            "-m",
            "tests.support.export_build",
            committing_app.config["DATABASE_URL"],
            committing_app.config["MEDIA_ROOT"],
            json.dumps(
                {
                    name: value
                    for name, value in committing_app.config.items()
                    if name == "MEDIA_STORAGE" or name.startswith("MEDIA_S3_")
                }
            ),
        ],
        cwd=PROJECT,
        env={**os.environ, "PYTHONWARNINGS": "error"},
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert child.returncode == 0, child.stderr
    report = json.loads(child.stdout.strip().splitlines()[-1])
    assert report["outcome"] == ExportStatus.READY

    with committing_app.app_context():
        export = db.session.get(DataExport, export_id)
        assert export is not None and export.status == ExportStatus.READY
        path = exports.path_of(export)
        assert path is not None
    try:
        with zipfile.ZipFile(path) as archive:
            photos = [info for info in archive.infolist() if info.filename.startswith("photos/")]
            assert len(photos) == PHOTOS
            assert {info.compress_type for info in photos} == {zipfile.ZIP_STORED}
            listed = json.loads(archive.read("posts.json"))
            assert len(listed) == REAL_POSTS + len(bulk_post_sizes()) > export_archive.CHUNK
            assert len({post["id"] for post in listed}) == len(listed)
            assert sum(len(post["photos"]) for post in listed) == PHOTOS
        archive_size = path.stat().st_size
        print(f"\n2,000-photo export of {archive_size:,} bytes: {report}")  # shown with -s
        assert archive_size > 10 * PYTHON_PEAK_BOUND  # far more than could fit in the bound
    finally:
        path.unlink()  # about 450 MB; pytest keeps its temporary folders for a while
    assert report["python_peak_bytes"] < PYTHON_PEAK_BOUND
    assert report["hwm_kib"] < RSS_BOUND_KIB
    assert report["hwm_kib"] - report["rss_before_kib"] < RSS_GROWTH_BOUND_KIB

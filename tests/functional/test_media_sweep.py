"""`flask maintenance run` removes media files no row refers to, once they are old enough."""

from __future__ import annotations

import os
import time
from datetime import timedelta
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskCliRunner

from app.models import User, utcnow
from app.services.media.media_storage import media_storage, new_key
from app.services.media.media_sweep import sweep_orphans
from tests.factories import create_post
from tests.support import images

pytestmark = pytest.mark.media  # the sweep lists the bucket, on S3


def keys_on_disk(app: Flask) -> set[str]:
    with app.app_context():
        return {key for key, _ in media_storage().stored_keys()}


def age(app: Flask, key: str, hours: float) -> None:
    """Make a key's files look ``hours`` old."""
    then = time.time() - hours * 3600
    for path in Path(app.config["MEDIA_ROOT"]).rglob(f"{key}/*"):
        os.utime(path, (then, then))


@pytest.mark.config(
    MEDIA_STORAGE="local"
)  # ages files by their mtime, which only a disk lets us set
def test_old_orphans_go_and_everything_else_stays(
    app: Flask, runner: FlaskCliRunner, user: User
) -> None:
    post = create_post(app, user)
    used = post.photos[0].storage_key
    with app.app_context():
        storage = media_storage()
        old_orphan, young_orphan = new_key(), new_key()
        for key in (old_orphan, young_orphan):
            storage.save(key, {"display": images.webp()}, public=False)
    for key in (used, old_orphan):
        age(app, key, hours=3)

    with app.app_context():
        result = runner.invoke(args=["maintenance", "run"])
    assert result.exit_code == 0, result.output
    assert "1 orphaned media files, 0 expired exports;" in result.output
    assert keys_on_disk(app) == {used, young_orphan}

    with app.app_context():
        again = runner.invoke(args=["maintenance", "run"])
    assert "0 orphaned media files" in again.output


def test_the_sweep_lists_the_storage_and_spares_what_is_used_or_still_arriving(
    app: Flask, runner: FlaskCliRunner, user: User
) -> None:
    """On either backend: an orphan written just now may be an upload in flight, so a run
    now keeps it; an hour and more later it goes, and every key a row uses stays."""
    used = create_post(app, user).photos[0].storage_key
    with app.app_context():
        storage = media_storage()
        orphans = {new_key() for _ in range(3)}
        for index, key in enumerate(sorted(orphans)):
            storage.save(key, {"display": images.webp()}, public=index % 2 == 0)

    with app.app_context():
        now = runner.invoke(args=["maintenance", "run"])
    assert "0 orphaned media files" in now.output, now.output
    assert keys_on_disk(app) == {used} | orphans

    with app.test_request_context():
        assert sweep_orphans(utcnow() + timedelta(hours=2)) == 3
    assert keys_on_disk(app) == {used}

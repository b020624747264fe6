"""`flask maintenance run` removes media files no row refers to, once they are old enough."""

from __future__ import annotations

import os
import time
from pathlib import Path

from flask import Flask
from flask.testing import FlaskCliRunner

from app.models import User
from app.services.media.media_storage import media_storage, new_key
from tests.factories import create_post
from tests.support import images


def keys_on_disk(app: Flask) -> set[str]:
    with app.app_context():
        return {key for key, _ in media_storage().stored_keys()}


def age(app: Flask, key: str, hours: float) -> None:
    """Make a key's files look ``hours`` old."""
    then = time.time() - hours * 3600
    for path in Path(app.config["MEDIA_ROOT"]).rglob(f"{key}/*"):
        os.utime(path, (then, then))


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

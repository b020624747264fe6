"""A full disk under MEDIA_ROOT answers 507 with a clear message, and leaves nothing behind.

The disk is real: a small tmpfs mounted for the test (the suite runs as root here and
in CI), filled with a file next to MEDIA_ROOT, so the kernel itself answers ENOSPC.
"""

from __future__ import annotations

import io
import os
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import suppress
from pathlib import Path

import pytest
from flask import Flask
from PIL import Image

from app.models import User
from tests.support import images
from tests.support.auth import AuthActions
from tests.support.pages import csrf_token_for
from tests.support.uploads import rows, stored_files, upload

# A full disk under MEDIA_ROOT is the local backend's failure; on S3 it is a bucket that
# refuses the write (tests/functional/test_media_on_s3.py).
pytestmark = [pytest.mark.media, pytest.mark.config(MEDIA_STORAGE="local")]

MESSAGE = "run out of storage space"


def fill(disk: Path, leave: int) -> None:
    """Write a file next to MEDIA_ROOT until at most ``leave`` bytes are free."""
    with (disk / "filler").open("wb") as out, suppress(OSError):
        while True:
            stats = os.statvfs(disk)
            free = stats.f_bavail * stats.f_frsize
            if free <= leave:
                return
            out.write(b"\0" * min(65536, free - leave))
            out.flush()


@pytest.fixture
def disk(app: Flask, tmp_path: Path) -> Iterator[Path]:
    """A 4 MiB filesystem of its own with MEDIA_ROOT on it; unmounted afterwards."""
    mount_point = tmp_path / "disk"
    mount_point.mkdir()
    mount, umount = shutil.which("mount") or "mount", shutil.which("umount") or "umount"
    command = [mount, "-t", "tmpfs", "-o", "size=4m,mode=0755", "tmpfs", str(mount_point)]
    mounted = subprocess.run(  # noqa: S603 (fixed arguments and the test's own folder)
        command, capture_output=True, text=True, check=False
    )
    if mounted.returncode != 0:
        reason = f"cannot mount a tmpfs for a real ENOSPC: {mounted.stderr.strip()}"
        if os.geteuid() == 0 or os.environ.get("CI"):
            pytest.fail(reason)  # root (CI) can mount: this must not quietly skip there
        pytest.skip(reason + " (run the suite as root)")
    try:
        app.config["MEDIA_ROOT"] = str(mount_point / "media")
        app.extensions.pop("media_storage", None)  # built again, on the full disk
        yield mount_point
    finally:
        subprocess.run([umount, str(mount_point)], check=True)  # noqa: S603


def noise_png(side: int = 300) -> bytes:
    """A photo that does not compress: each variant needs about 60 KiB. (Small enough that
    the test client keeps the request body in memory.)"""
    picture = Image.frombytes("RGB", (side, side), os.urandom(side * side * 3))
    out = io.BytesIO()
    picture.save(out, "PNG")
    return out.getvalue()


def test_an_upload_to_a_full_disk_is_507_and_leaves_nothing(
    app: Flask, auth: AuthActions, user: User, disk: Path
) -> None:
    auth.login("juniper")
    before = rows(app)
    fill(disk, leave=0)

    status, page = upload(auth.client, (images.jpeg(), "a.jpg", "image/jpeg"))

    assert status == 507
    assert MESSAGE in page and "nothing was posted" in page
    assert stored_files(app) == []
    assert rows(app) == before


def test_a_disk_that_fills_on_the_second_photo_keeps_not_even_the_first(
    app: Flask, auth: AuthActions, user: User, disk: Path
) -> None:
    auth.login("juniper")
    before = rows(app)
    fill(disk, leave=96 * 1024)  # room for the small photo and one noisy variant, no more

    status, page = upload(
        auth.client,
        (images.jpeg((64, 64)), "small.jpg", "image/jpeg"),
        (noise_png(), "noise.png", "image/png"),
    )

    assert status == 507
    assert MESSAGE in page
    assert stored_files(app) == []  # the first photo's files went with the rollback
    assert rows(app) == before


def test_an_avatar_on_a_full_disk_is_507_and_changes_nothing(
    app: Flask, auth: AuthActions, user: User, disk: Path
) -> None:
    auth.login("juniper")
    fill(disk, leave=0)
    token = csrf_token_for(auth.client)
    data = {
        "csrf_token": token,
        "display_name": "Renamed on a full disk",
        "bio": "",
        "website": "",
        "avatar": (io.BytesIO(images.jpeg((300, 300))), "me.jpg", "image/jpeg"),
    }

    response = auth.client.post("/profile/edit", data=data, content_type="multipart/form-data")

    assert response.status_code == 507
    assert MESSAGE in response.get_data(as_text=True)
    assert stored_files(app) == []
    assert "Renamed on a full disk" not in auth.client.get("/@juniper").get_data(as_text=True)

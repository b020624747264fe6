"""Instagram "Download your information" archives (JSON format), built in the tests from
the documented layout (app/services/privacy/instagram_archive.py): posts_1.json under
your_instagram_activity/media/, files under media/posts/<yyyymm>/, text as Instagram
writes it (UTF-8 escaped as Latin-1)."""

from __future__ import annotations

import json
import zipfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from app.services.media import videos
from tests.support import images

ROOT = "instagram-juniper-20261201/"
POSTS = ROOT + "your_instagram_activity/media/posts_1.json"
# 2021-05-12 08:30 UTC, 2022-01-03 17:00 UTC, 2023-07-21 06:15 UTC
TIMES = (1620808200, 1641229200, 1689920100)


def instagram_text(text: str) -> str:
    """Text as Instagram's export writes it: every UTF-8 byte as a Latin-1 character."""
    return text.encode("utf-8").decode("latin-1")


def media(uri: str, when: int, title: str = "") -> dict[str, Any]:
    return {
        "uri": uri,
        "creation_timestamp": when,
        "media_metadata": {"camera_metadata": {"has_camera_metadata": True}},
        "title": instagram_text(title),
        "cross_post_source": {"source_app": "FB"},
        "backup_uri": "https://scontent.cdninstagram.com/v/t51.29350-15/x.jpg",
    }


# The realistic archive's clip is a forged one (an MP4 header and zeros): the import
# probes it and leaves it out, saying why; without ffmpeg, it says that instead.
CLIP_REASON = (
    "This video is damaged or incomplete. Try exporting it again."
    if videos.available()
    else "videos cannot be imported on this server yet"
)


def realistic_posts() -> tuple[list[dict[str, Any]], dict[str, bytes]]:
    """Three posts, newest first as Instagram lists them: a single photo with a caption
    in emoji, three photos with the caption on the post, and one with a (forged) video
    beside a photo. Every photo carries GPS and camera metadata."""
    single = "media/posts/202105/17890000000000001.jpg"
    album = [f"media/posts/202201/1789000000000001{n}.jpg" for n in range(3)]
    mixed = ["media/posts/202307/17890000000000021.heic", "media/posts/202307/1789.mp4"]
    posts = [
        {
            "media": [media(mixed[0], TIMES[2]), media(mixed[1], TIMES[2])],
            "title": instagram_text("Summer, with a clip"),
            "creation_timestamp": TIMES[2],
        },
        {
            "media": [media(uri, TIMES[1]) for uri in album],
            "title": instagram_text("Three views of the ridge ⛰️ #hills"),
            "creation_timestamp": TIMES[1],
        },
        {"media": [media(single, TIMES[0], "Ferns unrolling 🌿 in the rain")]},
    ]
    files = {uri: images.jpeg_with_private_metadata() for uri in (single, *album)}
    files[mixed[0]] = images.heic_with_private_metadata()
    files[mixed[1]] = b"\x00\x00\x00\x18ftypmp42" + bytes(64)
    return posts, files


def write_archive(
    path: Path,
    posts: list[dict[str, Any]] | None = None,
    files: dict[str, bytes] | None = None,
    *,
    root: str = ROOT,
    extra: Iterable[tuple[zipfile.ZipInfo | str, bytes]] = (),
    posts_name: str | None = None,
) -> Path:
    made_posts, made_files = realistic_posts()
    posts = made_posts if posts is None else posts
    files = made_files if files is None else files
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(posts_name or POSTS.replace(ROOT, root, 1), json.dumps(posts))
        archive.writestr(
            root + "personal_information/personal_information/personal_information.json",
            json.dumps({"profile_user": [{"string_map_data": {"Name": {"value": "Juniper"}}}]}),
        )
        for uri, data in files.items():
            archive.writestr(root + uri, data)
        for info, data in extra:
            archive.writestr(info, data)
    return path


def with_member(path: Path, info: zipfile.ZipInfo | str, data: bytes) -> Path:
    """The realistic archive with one more member."""
    return write_archive(path, extra=[(info, data)])

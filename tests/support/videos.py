"""Generated videos for the tests, made by Debian's ffmpeg: what a phone records (a location,
make, model, a creation date, a chapter, a rotation), and the hostile cases."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest

from app.services.media import videos

HAVE_FFMPEG = videos.available()
needs_ffmpeg = pytest.mark.skipif(
    not HAVE_FFMPEG and not os.environ.get("SAPLING_REQUIRE_FFMPEG"),
    reason="ffmpeg is not installed (apt-get install ffmpeg): video tests skipped",
)

# What a phone puts in a video: where, with what, when.
GPS = "+48.8584+002.2945+035.000/"
PERSONAL = [b"48.8584", b"002.2945", b"ISO6709", b"iPhone", b"Apple", b"2024-05-01", b"Lavf"]


def require_ffmpeg() -> None:
    if not HAVE_FFMPEG:
        pytest.fail("SAPLING_REQUIRE_FFMPEG is set but ffmpeg is not installed")


def ffmpeg(*args: str) -> None:
    subprocess.run(["ffmpeg", "-v", "error", "-nostdin", "-y", *args], check=True)  # noqa: S603,S607


def ffprobe(path: Path) -> dict[str, Any]:
    result = subprocess.run(  # noqa: S603
        ["ffprobe", "-v", "error", "-show_format", "-show_streams", "-show_chapters",  # noqa: S607
         "-of", "json", str(path)],
        check=True, capture_output=True,
    )  # fmt: skip
    return json.loads(result.stdout)  # type: ignore[no-any-return]


def phone_mov(folder: Path, *, seconds: int = 2, size: str = "640x360") -> Path:
    """An iPhone-like MOV: a location (``©xyz`` and ISO 6709), make, model, a creation date,
    a chapter whose title names the place, and a 90° rotation."""
    plain = folder / "plain.mov"
    ffmpeg(
        "-f", "lavfi", "-i", f"testsrc2=size={size}:rate=30:duration={seconds}",
        "-f", "lavfi", "-i", f"sine=frequency=440:duration={seconds}",
        "-c:v", "libx264", "-preset", "ultrafast", "-c:a", "aac",
        "-metadata", f"location={GPS}", "-metadata", f"com.apple.quicktime.location.ISO6709={GPS}",
        "-metadata", "com.apple.quicktime.make=Apple",
        "-metadata", "com.apple.quicktime.model=iPhone 15 Pro",
        "-metadata", "creation_time=2024-05-01T10:00:00Z",
        "-movflags", "use_metadata_tags", "-f", "mov", str(plain),
    )  # fmt: skip
    chapters = folder / "chapters.txt"
    chapters.write_text(
        ";FFMETADATA1\n[CHAPTER]\nTIMEBASE=1/1000\nSTART=0\nEND=1000\ntitle=Home at 48.8584\n"
    )
    phone = folder / "phone.mov"
    ffmpeg(
        "-i", str(plain), "-i", str(chapters), "-map", "0", "-map_metadata", "0",
        "-map_chapters", "1", "-c", "copy", "-movflags", "use_metadata_tags",
        "-metadata:s:v:0", "rotate=90", "-f", "mov", str(phone),
    )  # fmt: skip
    return phone


def assert_nothing_personal(path: Path) -> None:
    """Read back with ffprobe and searched byte by byte: no tag, chapter or stream of the
    upload's, and none of its words, remains."""
    data = path.read_bytes()
    for needle in PERSONAL:
        assert needle not in data, f"{needle!r} in {path.name}"
    found = ffprobe(path)
    assert found["chapters"] == []
    assert set(found["format"].get("tags", {})) <= {"major_brand", "minor_version",
                                                    "compatible_brands"}  # fmt: skip
    assert {stream["codec_type"] for stream in found["streams"]} <= {"video", "audio"}
    for stream in found["streams"]:
        assert set(stream.get("tags", {})) <= {"language", "handler_name", "vendor_id", "encoder"}

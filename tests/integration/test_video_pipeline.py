"""The video pipeline (services/media/videos.py) against Debian's real ffmpeg, on generated
samples: what is refused and why, what a rendition keeps (nothing of the upload but its
pixels and sound), and that ffmpeg, fenced, opens no socket and no other file."""

from __future__ import annotations

import os
import re
import shutil
import struct
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.services.media import videos
from app.services.media.videos import VideoLimits, VideoRejected
from tests.support.videos import (
    PERSONAL,
    ffmpeg,
    ffprobe,
    needs_ffmpeg,
    phone_mov,
    require_ffmpeg,
)

pytestmark = needs_ffmpeg


@pytest.fixture(scope="module")
def samples(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Small generated videos: an iPhone-like MOV with a location, make, model, a creation
    date, a chapter and a 90° rotation; a WebM; audio alone; one still frame."""
    require_ffmpeg()
    folder = tmp_path_factory.mktemp("videos")
    phone_mov(folder)
    ffmpeg(
        "-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25:duration=2",
        "-c:v", "libvpx-vp9", "-deadline", "realtime", "-b:v", "200k", str(folder / "clip.webm"),
    )  # fmt: skip
    ffmpeg(
        "-f", "lavfi", "-i", "sine=frequency=440:duration=2", "-c:a", "aac",
        "-f", "mp4", str(folder / "audio.mp4"),
    )  # fmt: skip
    ffmpeg(
        "-f", "lavfi", "-i", "testsrc2=size=320x240:rate=1:duration=1",
        "-frames:v", "1", "-c:v", "libx264", "-f", "mp4", str(folder / "still.mp4"),
    )  # fmt: skip
    return folder


@pytest.fixture
def work(tmp_path: Path) -> Iterator[Path]:
    with videos.workspace(tmp_path / "work") as folder:
        yield folder


def test_the_phone_video_carries_what_the_renditions_must_lose(samples: Path) -> None:
    raw = (samples / "phone.mov").read_bytes()
    assert all(secret in raw for secret in PERSONAL[:6]), "the sample is what a phone writes"
    found = ffprobe(samples / "phone.mov")
    assert found["chapters"] and found["format"]["tags"]["com.apple.quicktime.make"] == "Apple"


def test_every_rendition_and_the_poster_keep_nothing_but_pixels_and_sound(
    samples: Path, work: Path
) -> None:
    done = videos.transcode(samples / "phone.mov", VideoLimits(), work)
    assert done.probe.rotation in (90, 270) and (done.probe.width, done.probe.height) == (360, 640)
    assert [r.name for r in done.renditions] == ["large"]  # 360 wide: never scaled up
    for rendition in done.renditions:
        data = rendition.path.read_bytes()
        for secret in PERSONAL:
            assert secret not in data, (rendition.name, secret)
        assert data[4:8] == b"ftyp" and data.find(b"moov") < data.find(b"mdat"), "faststart"
        found = ffprobe(rendition.path)
        assert found["chapters"] == []
        tags = found["format"].get("tags", {})
        assert set(tags) <= {"major_brand", "minor_version", "compatible_brands"}, tags
        kinds = [stream["codec_type"] for stream in found["streams"]]
        assert kinds == ["video", "audio"]  # no data, subtitle or cover-art stream
        video, audio = found["streams"]
        assert (video["codec_name"], audio["codec_name"]) == ("h264", "aac")
        assert (video["width"], video["height"]) == (360, 640), "the rotation is in the pixels"
        assert not video.get("side_data_list"), "and no display matrix is left to apply"
        for stream in found["streams"]:
            assert "creation_time" not in stream.get("tags", {})
            kept = set(stream.get("tags", {}))
            assert kept <= {"language", "handler_name", "vendor_id", "encoder"}, kept
    assert done.poster_png.startswith(b"\x89PNG")
    for secret in PERSONAL:
        assert secret not in done.poster_png


def test_a_large_video_gets_two_renditions_by_its_shorter_side(tmp_path: Path, work: Path) -> None:
    source = tmp_path / "wide.mp4"
    ffmpeg(
        "-f", "lavfi", "-i", "testsrc2=size=2048x1152:rate=10:duration=1",
        "-c:v", "libx264", "-preset", "ultrafast", "-f", "mp4", str(source),
    )  # fmt: skip
    done = videos.transcode(source, VideoLimits(), work)
    assert [(r.name, r.width, r.height) for r in done.renditions] == [
        ("large", 1920, 1080),
        ("small", 1280, 720),
    ]
    assert not done.probe.has_audio and "audio" not in {
        s["codec_type"] for s in ffprobe(done.renditions[0].path)["streams"]
    }


def test_a_webm_is_read_as_matroska(samples: Path, work: Path) -> None:
    done = videos.transcode(samples / "clip.webm", VideoLimits(), work)
    assert done.probe.demuxer == "matroska" and done.probe.codec == "vp9"
    assert ffprobe(done.renditions[0].path)["streams"][0]["codec_name"] == "h264"


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda s, t: b"", "This file is empty."),
        (lambda s, t: (s / "audio.mp4").read_bytes(), "This file has no video in it."),
        (lambda s, t: (s / "still.mp4").read_bytes(), "This file has no video in it."),
        # Named .mp4, but a PNG, an HEIC photo, text: the bytes decide, never the name.
        (lambda s, t: b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "This file is not a video"),
        (lambda s, t: b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00heicmif1", "not a video"),
        (
            lambda s, t: b"#EXTM3U\n#EXT-X-TARGETDURATION:1\n#EXTINF:1,\nhttp://127.0.0.1:9/a.ts\n",
            "This file is not a video",
        ),
        (lambda s, t: b"ffconcat version 1.0\nfile '/etc/passwd'\n", "This file is not a video"),
        # An MP4 whose index (moov, at the end) never arrived.
        (lambda s, t: (s / "plain.mov").read_bytes()[:-4000], "damaged or incomplete"),
    ],
    ids=["empty", "audio-only", "one-still-frame", "png", "heic", "hls", "concat", "truncated"],
)
def test_what_is_not_a_video_is_refused_with_the_reason(
    samples: Path,
    tmp_path: Path,
    work: Path,
    make,
    message: str,  # type: ignore[no-untyped-def]
) -> None:
    upload = tmp_path / "upload.mp4"
    upload.write_bytes(make(samples, tmp_path))
    with pytest.raises(VideoRejected, match=re.escape(message)):
        videos.transcode(upload, VideoLimits(), work)
    assert list(work.iterdir()) == [], "nothing half-written is left"


def test_a_video_cut_short_after_its_index_is_refused(tmp_path: Path, work: Path) -> None:
    """Its index (first, faststart) says two seconds; the frames stop after a fraction."""
    whole = tmp_path / "whole.mp4"
    ffmpeg(
        "-f", "lavfi", "-i", "testsrc2=size=640x360:rate=30:duration=4",
        "-c:v", "libx264", "-preset", "ultrafast", "-movflags", "+faststart",
        "-f", "mp4", str(whole),
    )  # fmt: skip
    cut = tmp_path / "cut.mp4"
    data = whole.read_bytes()
    cut.write_bytes(data[: data.find(b"mdat") + len(data) // 8])
    with pytest.raises(VideoRejected, match="damaged or incomplete"):
        videos.transcode(cut, VideoLimits(), work)


def test_a_declared_duration_bomb_is_refused_before_decoding(samples: Path, tmp_path: Path) -> None:
    data = bytearray((samples / "plain.mov").read_bytes())
    header = data.find(b"mvhd")
    # version 0: flags (4), created (4), modified (4), timescale (4), then the duration.
    struct.pack_into(">I", data, header + 4 + 16, 0xFFFFFFF0)
    bomb = tmp_path / "bomb.mov"
    bomb.write_bytes(bytes(data))
    with pytest.raises(VideoRejected, match=re.escape("Videos can be up to 1 min 30 s long.")):
        videos.probe(bomb, VideoLimits())


def test_dimensions_beyond_the_limit_are_refused(tmp_path: Path) -> None:
    huge = tmp_path / "huge.mp4"
    ffmpeg(
        "-f", "lavfi", "-i", "color=size=8200x64:rate=1:duration=1",
        "-c:v", "libx264", "-preset", "ultrafast", "-f", "mp4", str(huge),
    )  # fmt: skip
    with pytest.raises(VideoRejected, match="up to 8192 pixels on a side"):
        videos.probe(huge, VideoLimits())


def test_the_size_and_length_limits_are_the_operators(samples: Path) -> None:
    with pytest.raises(VideoRejected, match=re.escape("Videos can be up to 50 KB.")):
        videos.probe(samples / "phone.mov", VideoLimits(max_bytes=50 * 1024))
    assert "200 MB" in repr(videos.size_label(VideoLimits().max_bytes))
    with pytest.raises(VideoRejected, match="up to 1 s long"):
        videos.probe(samples / "phone.mov", VideoLimits(max_seconds=1))


def test_ffmpeg_past_its_deadline_or_its_memory_is_stopped(samples: Path, work: Path) -> None:
    with pytest.raises(VideoRejected, match="damaged or incomplete"):
        videos.transcode(
            samples / "phone.mov", VideoLimits(timeout_base=0.05, seconds_per_second=0), work
        )
    with pytest.raises(VideoRejected, match="damaged or incomplete"):
        videos.transcode(samples / "phone.mov", VideoLimits(memory_bytes=32 * 1024 * 1024), work)


STRACE = shutil.which("strace")


@pytest.mark.skipif(
    STRACE is None and not os.environ.get("SAPLING_REQUIRE_FFMPEG"),
    reason="strace is not installed (apt-get install strace)",
)
def test_fenced_ffmpeg_opens_no_socket_and_no_other_file_for_a_playlist(
    tmp_path: Path,
) -> None:
    """Past the first check (a playlist behind a forged ``ftyp``), the very command the
    pipeline runs, watched by strace: no socket, and no file opened but the input and
    ffmpeg's own libraries. The same playlist given to a bare ffmpeg does reach out, which
    shows the watch would see it."""
    assert STRACE is not None
    target = tmp_path / "secret.ts"
    target.write_text("not for ffmpeg")
    playlist = (
        f"#EXTM3U\n#EXT-X-TARGETDURATION:1\n#EXTINF:1,\nhttp://127.0.0.1:9/a.ts\n"
        f"#EXTINF:1,\nfile:{target}\n#EXT-X-ENDLIST\n"
    ).encode()
    disguised = tmp_path / "upload.mp4"
    disguised.write_bytes(b"\x00\x00\x00\x14ftypisom\x00\x00\x02\x00isom" + playlist)
    assert videos.demuxer_for(disguised.read_bytes()[:16]) == "mov"

    def watched(command: list[str]) -> str:
        log = tmp_path / f"strace-{len(list(tmp_path.iterdir()))}.log"
        subprocess.run(  # noqa: S603
            [STRACE, "-f", "-qq", "-e", "trace=socket,connect,open,openat", "-o", str(log),
             *command],
            capture_output=True, check=False, timeout=60,
        )  # fmt: skip
        return log.read_text()

    fenced = watched(videos.probe_command(disguised, "mov"))
    assert "socket(" not in fenced and "connect(" not in fenced
    opened = re.findall(r'open(?:at)?\([^"]*"([^"]+)"', fenced)
    # ffmpeg's own libraries and their settings (locale, gcrypt) are read from the system;
    # of everything else, only the upload.
    system = ("/lib", "/usr/", "/etc/", "/proc/", "/sys/", "/dev/")
    others = [path for path in opened if path != str(disguised) and not path.startswith(system)]
    assert others == [], others
    assert str(target) not in fenced

    hls = tmp_path / "plain.m3u8"
    hls.write_bytes(playlist)
    assert str(target) in watched(["ffprobe", "-v", "error", str(hls)]), "a bare read follows it"
    assert "connect(" in watched(["ffprobe", "-v", "error", "http://127.0.0.1:9/a.mp4"])

"""Uploaded videos: known by their own bytes, probed, then transcoded afresh in a fenced ffmpeg.

The privacy promise is the photos' (images.py): no byte of the upload is ever served. Each
rendition is a new H.264/AAC MP4 written by ffmpeg from the decoded frames and samples, with
every container tag, stream tag, chapter, data and subtitle stream and cover art left
behind (GPS as ``©xyz`` or ``com.apple.quicktime.location.ISO6709``, make and model,
creation dates), the rotation applied to the pixels, and ``moov`` before ``mdat``
(faststart) so playback starts before the download ends. The poster frame is a PNG that
goes through the photo pipeline like any upload.

ffmpeg is Debian's (``apt-get install ffmpeg``), run as a separate process, never in
the web request's process:

- **What it reads is decided here, not by ffmpeg.** The first bytes say ISO base media
  (MP4, MOV: an ``ftyp`` box with a video brand) or Matroska (WebM); anything else is
  refused before ffmpeg sees it, and ffmpeg is told the demuxer (``-f mov`` or
  ``-f matroska``) instead of guessing. An HLS or ``ffconcat`` playlist named ``.mp4``,
  the classic way to make ffmpeg fetch a URL or read a local file, is text: refused
  here, and would fail ``-f mov`` anyway.
- **Only the one file.** ``-protocol_whitelist file`` (no http, tcp, udp, concat, data,
  subfile...), the input given as ``file:`` plus a path in our own temporary folder;
  the mov demuxer's external references (``drefs``) stay off, as by default.
- **Fenced.** ``prlimit`` caps the address space, the CPU seconds, the size of any file
  written and the open files; ``subprocess`` kills it at a wall-clock deadline; it runs
  with two threads and an empty environment.
- **Checked twice.** The size before probing; after probing, that there is a real video
  stream (not audio alone, not one still picture), a codec we accept, dimensions and a
  frame rate that are not a decoder bomb, and a duration within the limit. After the
  transcode, the output is probed again and must last about as long as the input said:
  a truncated upload fails there.
"""

from __future__ import annotations

import json
import math
import shutil
import subprocess  # nosec B404  # ffmpeg and ffprobe, with fixed arguments, no shell
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.services.errors import FormError

# Brands of an ISO base media ``ftyp`` box that announce a video (MP4, MOV, M4V, 3GP).
# HEIF and AVIF images are ISO base media too: their brands are photos', not accepted here.
VIDEO_BRANDS = frozenset(
    {
        b"isom", b"iso2", b"iso3", b"iso4", b"iso5", b"iso6", b"mp41", b"mp42", b"avc1",
        b"qt  ", b"M4V ", b"M4VH", b"M4VP", b"3gp4", b"3gp5", b"3gp6", b"3g2a", b"MSNV",
        b"XAVC", b"hvc1", b"dash",
    }
)  # fmt: skip
EBML = b"\x1a\x45\xdf\xa3"  # Matroska and WebM
VIDEO_CODECS = frozenset({"h264", "hevc", "vp8", "vp9", "av1", "mpeg4"})
# Renditions by their shorter side, never above the source's: a 4K upload gives 1080 and
# 720, a 720p one only 720, a 480p one only its own size.
RENDITIONS = (("large", 1080), ("small", 720))
# How media storage names each rendition, beside the poster's photo sizes.
STORED_AS = {"large": "video", "small": "video_small"}
VIDEO_VARIANTS = tuple(STORED_AS.values())
MAX_SIDE = 8192
MAX_PIXELS = 8192 * 4320  # 8K; a declared 60,000 x 60,000 frame is a bomb, refused
MAX_FRAME_RATE = 240
# The output may be a little shorter than the input says (the last frame's duration,
# audio priming); a truncated upload is much shorter.
SHORTEST_SHARE = 0.9

_ACCEPTED = "Upload an MP4, MOV or WebM video."
_UNREADABLE = f"This file is not a video Sapling can read. {_ACCEPTED}"
_DAMAGED = "This video is damaged or incomplete. Try exporting it again."


class VideoRejected(FormError):  # noqa: N818 (named as images.ImageRejected is)
    """An upload that is not a video we accept; the message is shown to the user."""


class FfmpegMissingError(RuntimeError):
    """ffmpeg or ffprobe is not installed: videos are off on this server."""


@dataclass(frozen=True)
class VideoLimits:
    max_bytes: int = 200 * 1024 * 1024
    max_seconds: float = 90.0
    # ffmpeg's fence: its wall-clock deadline is seconds_per_second x the duration, plus
    # the base; CPU seconds likewise; memory is its whole address space.
    timeout_base: float = 60.0
    seconds_per_second: float = 6.0
    memory_bytes: int = 2 * 1024 * 1024 * 1024
    probe_timeout: float = 30.0


@dataclass(frozen=True)
class Probe:
    """What ffprobe found, as the viewer will see it (width and height after rotation)."""

    demuxer: str  # "mov" or "matroska"
    codec: str
    width: int
    height: int
    rotation: int  # degrees, from the display matrix
    duration: float  # seconds
    frame_rate: float
    has_audio: bool


@dataclass(frozen=True)
class Rendition:
    name: str  # "large" or "small"
    path: Path
    width: int
    height: int
    duration: float
    size: int


@dataclass(frozen=True)
class Transcoded:
    renditions: list[Rendition]
    poster_png: bytes
    probe: Probe


def available() -> bool:
    return shutil.which("ffmpeg") is not None and shutil.which("ffprobe") is not None


def demuxer_for(head: bytes) -> str | None:
    """``mov`` or ``matroska`` when the file's first bytes say so; None for anything else."""
    if len(head) >= 12 and head[4:8] == b"ftyp" and head[8:12] in VIDEO_BRANDS:
        return "mov"
    if head[:4] == EBML:
        return "matroska"
    return None


def probe(path: Path, limits: VideoLimits) -> Probe:
    """Check an upload before anything decodes it; raise VideoRejected with the reason."""
    size = path.stat().st_size
    if size == 0:
        raise VideoRejected("This file is empty.")
    if size > limits.max_bytes:
        raise VideoRejected(f"Videos can be up to {size_label(limits.max_bytes)}.")
    with path.open("rb") as file:
        demuxer = demuxer_for(file.read(16))
    if demuxer is None:
        raise VideoRejected(_UNREADABLE)
    found = _ffprobe(path, demuxer, limits)
    return _checked(found, demuxer, limits)


def transcode(source: Path, limits: VideoLimits, work: Path) -> Transcoded:
    """Probe ``source``, then write each rendition and the poster into ``work``."""
    found = probe(source, limits)
    renditions = []
    short = min(found.width, found.height)
    sides = sorted({min(side, short) for _, side in RENDITIONS}, reverse=True)
    for (name, _), side in zip(RENDITIONS, sides, strict=False):
        target = work / f"{name}.mp4"
        _ffmpeg(_transcode_args(source, found, side, target), found, limits)
        written = _checked_output(target, found, limits)
        renditions.append(Rendition(name, target, written.width, written.height,
                                    written.duration, target.stat().st_size))  # fmt: skip
    poster = _poster(renditions[-1].path, found, limits)
    return Transcoded(renditions, poster, found)


@contextmanager
def workspace(parent: Path) -> Iterator[Path]:
    """A private temporary folder for one transcode, removed with all it holds."""
    parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="video-", dir=parent) as name:
        yield Path(name)


def probe_command(path: Path, demuxer: str, limits: VideoLimits | None = None) -> list[str]:
    """The fenced ffprobe command for ``path`` read as ``demuxer`` (the tests watch it)."""
    limits = limits or VideoLimits()
    args = [
        "ffprobe", "-v", "error", "-hide_banner",
        "-protocol_whitelist", "file", "-f", demuxer,
        "-show_format", "-show_streams", "-of", "json",
        f"file:{path}",
    ]  # fmt: skip
    return _fence(args, cpu=limits.probe_timeout, memory=limits.memory_bytes, fsize=0)


def _ffprobe(path: Path, demuxer: str, limits: VideoLimits) -> dict[str, Any]:
    result = _run(probe_command(path, demuxer, limits), timeout=limits.probe_timeout)
    if result.returncode != 0:
        raise VideoRejected(_DAMAGED)
    try:
        found = json.loads(result.stdout)
    except ValueError:
        raise VideoRejected(_DAMAGED) from None
    if not isinstance(found, dict):
        raise VideoRejected(_DAMAGED)
    return found


def _checked(found: dict[str, Any], demuxer: str, limits: VideoLimits) -> Probe:
    streams = [s for s in found.get("streams", []) if isinstance(s, dict)]
    videos = [
        s
        for s in streams
        if s.get("codec_type") == "video" and not (s.get("disposition") or {}).get("attached_pic")
    ]
    if not videos:
        raise VideoRejected(f"This file has no video in it. {_ACCEPTED}")
    video = videos[0]
    codec = str(video.get("codec_name", ""))
    if codec not in VIDEO_CODECS:
        raise VideoRejected(f"Sapling reads H.264, HEVC, VP8, VP9 and AV1 videos. {_ACCEPTED}")
    width, height = _int(video.get("width")), _int(video.get("height"))
    if width <= 0 or height <= 0:
        raise VideoRejected(_DAMAGED)
    if max(width, height) > MAX_SIDE or width * height > MAX_PIXELS:
        raise VideoRejected(f"Videos can be up to {MAX_SIDE} pixels on a side.")
    frame_rate = _rate(video.get("avg_frame_rate")) or _rate(video.get("r_frame_rate"))
    if not 0 < frame_rate <= MAX_FRAME_RATE:
        raise VideoRejected(_DAMAGED)
    duration = _float((found.get("format") or {}).get("duration")) or _float(video.get("duration"))
    if not duration or duration <= 0:
        raise VideoRejected(_DAMAGED)
    if duration > limits.max_seconds:
        raise VideoRejected(f"Videos can be up to {_seconds(limits.max_seconds)} long.")
    frames = _int(video.get("nb_frames"))
    if frames == 1 or (frames and frames > (duration + 1) * MAX_FRAME_RATE):
        raise VideoRejected(f"This file has no video in it. {_ACCEPTED}")
    rotation = _rotation(video)
    if rotation % 180:
        width, height = height, width
    has_audio = any(s.get("codec_type") == "audio" for s in streams)
    return Probe(demuxer, codec, width, height, rotation, duration, frame_rate, has_audio)


def _transcode_args(source: Path, found: Probe, side: int, target: Path) -> list[str]:
    # The shorter side to ``side`` (never up), the other in proportion, both even.
    even = f"trunc({side}/2)*2"
    scale = f"scale=w='if(gte(iw,ih),-2,{even})':h='if(gte(iw,ih),{even},-2)',format=yuv420p"
    return [
        "ffmpeg", "-nostdin", "-hide_banner", "-v", "error", "-xerror",
        "-protocol_whitelist", "file", "-f", found.demuxer, "-i", f"file:{source}",
        "-map", "0:v:0", "-map", "0:a:0?",
        # Nothing of the upload's but its pixels and its sound.
        "-map_metadata", "-1", "-map_metadata:s", "-1", "-map_chapters", "-1",
        "-sn", "-dn", "-fflags", "+bitexact", "-flags:v", "+bitexact", "-flags:a", "+bitexact",
        "-vf", scale, "-c:v", "libx264", "-preset", "veryfast", "-crf", "23",
        "-profile:v", "high", "-threads", "2", "-filter_threads", "1",
        "-c:a", "aac", "-b:a", "128k", "-ac", "2",
        "-t", f"{found.duration:.3f}", "-movflags", "+faststart",
        "-f", "mp4", f"file:{target}",
    ]  # fmt: skip


def _checked_output(target: Path, found: Probe, limits: VideoLimits) -> Probe:
    try:
        written = _checked(_ffprobe(target, "mov", limits), "mov", limits)
    except VideoRejected:
        raise VideoRejected(_DAMAGED) from None
    if written.duration < found.duration * SHORTEST_SHARE:
        raise VideoRejected(_DAMAGED)  # the input ended long before it said it would
    return written


def _poster(rendition: Path, found: Probe, limits: VideoLimits) -> bytes:
    """One frame from our own rendition (already upright), as PNG for the photo pipeline."""
    at = min(1.0, found.duration / 2)
    args = [
        "ffmpeg", "-nostdin", "-hide_banner", "-v", "error",
        "-protocol_whitelist", "file,pipe", "-ss", f"{at:.3f}",
        "-f", "mov", "-i", f"file:{rendition}",
        "-frames:v", "1", "-map_metadata", "-1", "-f", "image2pipe", "-c:v", "png", "pipe:1",
    ]  # fmt: skip
    fenced = _fence(args, cpu=limits.probe_timeout, memory=limits.memory_bytes, fsize=0)
    result = _run(fenced, timeout=limits.probe_timeout)
    if result.returncode != 0 or not result.stdout:
        raise VideoRejected(_DAMAGED)
    return result.stdout


def _ffmpeg(args: list[str], found: Probe, limits: VideoLimits) -> None:
    budget = limits.timeout_base + limits.seconds_per_second * found.duration
    # A file's size cap: generous for any rendition of a video within the limits.
    fsize = max(limits.max_bytes * 2, 64 * 1024 * 1024)
    result = _run(_fence(args, cpu=budget, memory=limits.memory_bytes, fsize=fsize), timeout=budget)
    if result.returncode != 0:
        raise VideoRejected(_DAMAGED)


def _fence(args: list[str], *, cpu: float, memory: int, fsize: int) -> list[str]:
    """``args`` (ffmpeg's or ffprobe's) under prlimit: address space, CPU seconds, the size
    of a file written, open files, no core dump."""
    tool = shutil.which(args[0])
    prlimit = shutil.which("prlimit")
    if tool is None or prlimit is None:
        raise FfmpegMissingError(f"{args[0]} is not installed: videos need Debian's ffmpeg")
    return [
        prlimit,
        f"--as={memory}",
        f"--cpu={math.ceil(cpu)}",
        f"--fsize={fsize}",
        "--nofile=64",
        "--core=0",
        "--",
        tool,
        *args[1:],
    ]


def _run(command: list[str], *, timeout: float) -> subprocess.CompletedProcess[bytes]:
    """Run a fenced command with no environment and a wall-clock deadline (then killed)."""
    try:
        return subprocess.run(  # noqa: S603  # nosec B603  # fixed arguments, no shell
            command,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            timeout=timeout,
            check=False,
            env={"LC_ALL": "C"},
        )
    except subprocess.TimeoutExpired:
        raise VideoRejected(_DAMAGED) from None


def _rotation(stream: dict[str, Any]) -> int:
    for side in stream.get("side_data_list") or []:
        if isinstance(side, dict) and "rotation" in side:
            return int(_float(side.get("rotation")) or 0) % 360
    return int(_float((stream.get("tags") or {}).get("rotate")) or 0) % 360


def _rate(value: Any) -> float:
    numerator, _, denominator = str(value or "").partition("/")
    try:
        top, bottom = float(numerator), float(denominator or 1)
    except ValueError:
        return 0.0
    return top / bottom if bottom and math.isfinite(top / bottom) else 0.0


def _float(value: Any) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def _int(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


def size_label(size: int) -> str:
    """'200 MB', '40 KB': a limit as the messages say it."""
    megabytes = size / (1024 * 1024)
    return f"{megabytes:.0f} MB" if megabytes >= 1 else f"{math.ceil(size / 1024)} KB"


def _seconds(seconds: float) -> str:
    whole = int(seconds)
    return (
        f"{whole // 60} min {whole % 60} s"
        if whole >= 60 and whole % 60
        else (f"{whole // 60} min" if whole >= 60 else f"{whole} s")
    )

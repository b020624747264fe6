"""Time and memory of the upload pipeline on a 12-megapixel JPEG, next to a naive Pillow approach.

    python -m scripts.bench_images [--runs 5]

Each approach runs in its own child process, which resets its peak resident
memory (Linux's /proc/self/clear_refs) once its imports are done, so the peak
is that of the work alone plus the process's baseline. Prints a table, then
one JSON line for machines.
"""

from __future__ import annotations

import argparse
import io
import json
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PIL import ExifTags, Image

WIDTH, HEIGHT = 4000, 3000
MAX_PIXELS = 50_000_000


def noisy_photo(width: int = WIDTH, height: int = HEIGHT) -> bytes:
    """A JPEG that compresses like a photo (noise over gradients), with camera EXIF and GPS."""
    noise = Image.effect_noise((width, height), 48)
    gradient = Image.linear_gradient("L")
    down = gradient.resize((width, height))
    across = gradient.transpose(Image.Transpose.ROTATE_90).resize((width, height))
    image = Image.merge("RGB", (Image.blend(noise, down, 0.6), across, down))
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "Sapling"
    exif[ExifTags.Base.Model] = "Bench Camera"
    exif[ExifTags.Base.Orientation] = 1
    exif[ExifTags.IFD.GPSInfo] = {1: "N", 2: (51.0, 30.0, 26.0), 3: "W", 4: (0.0, 7.0, 39.0)}
    out = io.BytesIO()
    image.save(out, "JPEG", quality=90, exif=exif)
    return out.getvalue()


def _sapling() -> Callable[[bytes], object]:
    from app.services.media.images import process_photo  # noqa: PLC0415 (imported in the child only)

    return lambda data: process_photo(io.BytesIO(data), max_pixels=MAX_PIXELS)


def _naive_photo(data: bytes) -> None:
    """What a first attempt looks like: decode everything, then resize the original each time."""
    image = Image.open(io.BytesIO(data))
    image.load()
    for width in (1080, 640, 320):
        height = round(image.height * width / image.width)
        out = io.BytesIO()
        image.resize((width, height), Image.Resampling.LANCZOS).save(out, "WEBP", quality=80)


APPROACHES: dict[str, Callable[[], Callable[[bytes], object]]] = {
    "sapling": _sapling,
    "naive": lambda: _naive_photo,
}


def _rss_kib(field: str) -> int:
    """VmRSS or VmHWM (the peak) of this process, from /proc (Linux)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise LookupError(field)


def _child(approach: str, path: Path, runs: int) -> None:
    """Runs in its own process; ru_maxrss would include the parent's memory from before exec."""
    run = APPROACHES[approach]()  # imports first, so they count as baseline
    data = path.read_bytes()
    Path("/proc/self/clear_refs").write_text("5")  # resets the peak to the current RSS
    baseline = _rss_kib("VmRSS")
    timings = []
    for _ in range(runs):
        start = time.perf_counter()
        run(data)
        timings.append((time.perf_counter() - start) * 1000)
    print(
        json.dumps({"timings_ms": timings, "baseline_kib": baseline, "peak_kib": _rss_kib("VmHWM")})
    )


def _run(approach: str, path: Path, runs: int) -> dict[str, Any]:
    command = [sys.executable, "-m", "scripts.bench_images", "--child", approach, str(path)]
    done = subprocess.run(  # noqa: S603 (our own interpreter and module)
        [*command, "--runs", str(runs)], capture_output=True, text=True, check=True
    )
    child = json.loads(done.stdout)
    return {
        "median_ms": round(statistics.median(child["timings_ms"]), 1),
        "min_ms": round(min(child["timings_ms"]), 1),
        "max_ms": round(max(child["timings_ms"]), 1),
        "timings_ms": [round(ms, 1) for ms in child["timings_ms"]],
        "peak_rss_mb": round(child["peak_kib"] / 1024, 1),
        "rss_over_baseline_mb": round((child["peak_kib"] - child["baseline_kib"]) / 1024, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--child", choices=sorted(APPROACHES))
    parser.add_argument("path", nargs="?", type=Path)
    args = parser.parse_args()
    if args.child:
        _child(args.child, args.path, args.runs)
        return
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "photo.jpg"
        path.write_bytes(noisy_photo())
        size_mb = path.stat().st_size / 2**20
        results = {name: _run(name, path, args.runs) for name in APPROACHES}
    print(
        f"{WIDTH}x{HEIGHT} JPEG ({WIDTH * HEIGHT / 1e6:.0f} MP, {size_mb:.1f} MB), {args.runs} runs"
    )
    print(f"{'approach':<10} {'median ms':>10} {'min ms':>8} {'peak RSS MB':>12} {'over base':>10}")
    for name, row in results.items():
        print(
            f"{name:<10} {row['median_ms']:>10} {row['min_ms']:>8}"
            f" {row['peak_rss_mb']:>12} {row['rss_over_baseline_mb']:>10}"
        )
    print(json.dumps({"image": f"{WIDTH}x{HEIGHT}", "runs": args.runs, **results}))


if __name__ == "__main__":
    main()

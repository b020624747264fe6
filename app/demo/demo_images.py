"""Generated pictures for demo data: soft gradients, a sun or bubbles, hills, leaves.

Each design is drawn from the seeded ``random.Random`` first (so the pool is the
same for the same seed), then rendered, encoded as a JPEG and sent through the
real upload pipeline (``images.process_photo``) and media storage, exactly as
an uploaded photo would be. Rendering runs in a few threads: Pillow releases
the GIL while it draws, resizes and encodes.
"""

from __future__ import annotations

import math
import os
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from io import BytesIO
from random import Random

from flask import current_app
from PIL import Image, ImageDraw

from app.demo.demo_posts import PoolImage
from app.demo.demo_words import PALETTE
from app.services.media import images, media_storage

Colour = tuple[int, int, int]
COUNT_WORDS = ("no", "one", "two", "three", "four", "five", "six")


@dataclass(frozen=True)
class Leaf:
    x: float
    y: float
    length: float
    width: float
    angle: float
    colour: Colour


@dataclass(frozen=True)
class Design:
    size: tuple[int, int]
    top: Colour
    bottom: Colour
    sideways: bool
    circles: tuple[tuple[float, float, float, Colour, int], ...]  # x, y, radius, colour, alpha
    hills: Colour | None
    ridge: tuple[float, float, float]  # height (share of the picture), waviness, phase
    leaves: tuple[Leaf, ...]
    alt_text: str


def design(rng: Random) -> Design:
    """Pick everything about one picture, and describe it for the alt text."""
    width, height = 1080, 1350 if rng.random() < 0.3 else 1080
    (top_name, top), (bottom_name, bottom) = rng.sample(PALETTE, 2)
    sun = rng.random() < 0.4
    circles = []
    if sun:
        circles.append((rng.uniform(0.2, 0.8), rng.uniform(0.15, 0.45), 0.12, (255, 244, 214), 220))
    bubbles = 0 if sun else rng.choice((0, 0, 3, 5, 8))
    for _ in range(bubbles):
        circles.append((rng.random(), rng.random(), rng.uniform(0.03, 0.12), (255, 255, 255), 60))
    hills_name, hills = rng.choice(PALETTE) if rng.random() < 0.5 else ("", None)
    ridge = (rng.uniform(0.62, 0.8), rng.uniform(2.0, 7.0), rng.uniform(0, 2 * math.pi))
    greens = [item for item in PALETTE[:4] + PALETTE[15:] if item[1] not in (top, bottom)]
    leaf_name, leaf_colour = rng.choice(greens)
    leaves = tuple(
        Leaf(
            rng.uniform(0.1, 0.9) * width,
            rng.uniform(0.3, 0.95) * height,
            rng.uniform(0.18, 0.4) * width,
            rng.uniform(0.25, 0.4),
            rng.uniform(0, 2 * math.pi),
            _shade(leaf_colour, rng.uniform(0.8, 1.15)),
        )
        for _ in range(rng.choice((0, 1, 2, 3, 3, 5, 6)))
    )
    parts = []
    if leaves:
        count = COUNT_WORDS[len(leaves)]
        parts.append(
            f"{count} {leaf_name} leaf" if len(leaves) == 1 else f"{count} {leaf_name} leaves"
        )
    if sun:
        parts.append("a pale sun")
    elif bubbles:
        parts.append("floating bubbles of light")
    if hills:
        parts.append(f"{hills_name} hills")
    subject = (
        ", ".join(parts[:-1]) + (" and " if len(parts) > 1 else "") + (parts[-1] if parts else "")
    )
    sky = f"a soft gradient from {top_name} to {bottom_name}"
    alt_text = f"{subject.capitalize()} against {sky}" if subject else sky.capitalize()
    return Design(
        (width, height),
        top,
        bottom,
        rng.random() < 0.25,
        tuple(circles),
        hills,
        ridge,
        leaves,
        alt_text,
    )


def _shade(colour: Colour, factor: float) -> Colour:
    red, green, blue = (min(255, int(channel * factor)) for channel in colour)
    return red, green, blue


def render(plan: Design) -> Image.Image:
    width, height = plan.size
    mask = Image.linear_gradient("L")
    if plan.sideways:
        mask = mask.transpose(Image.Transpose.ROTATE_90)
    mask = mask.resize(plan.size)
    picture = Image.composite(
        Image.new("RGB", plan.size, plan.bottom), Image.new("RGB", plan.size, plan.top), mask
    )
    overlay = Image.new("RGBA", plan.size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(overlay)
    for x, y, radius, colour, alpha in plan.circles:
        r = radius * width
        draw.ellipse(
            (x * width - r, y * height - r, x * width + r, y * height + r), (*colour, alpha)
        )
    if plan.hills:
        ridge = [
            (x, height * (0.72 + 0.06 * math.sin(x / width * 5.0)))
            for x in range(0, width + 60, 60)
        ]
        draw.polygon([*ridge, (width, height), (0, height)], (*plan.hills, 255))
    for leaf in plan.leaves:
        outline, rib = _leaf_shape(leaf)
        draw.polygon(outline, (*leaf.colour, 240))
        draw.line(rib, (*_shade(leaf.colour, 0.7), 255), width=4)
    picture.paste(overlay, (0, 0), overlay)
    return picture


def _leaf_shape(leaf: Leaf) -> tuple[list[tuple[float, float]], list[tuple[float, float]]]:
    """A pointed oval around a midrib, turned by ``leaf.angle`` about its stem."""
    cos, sin = math.cos(leaf.angle), math.sin(leaf.angle)

    def place(along: float, across: float) -> tuple[float, float]:
        return leaf.x + along * cos - across * sin, leaf.y + along * sin + across * cos

    steps = [i / 24 for i in range(25)]
    half = [leaf.length * leaf.width * math.sin(math.pi * t) ** 1.3 / 2 for t in steps]
    side = [place(t * leaf.length, h) for t, h in zip(steps, half, strict=True)]
    other = [place(t * leaf.length, -h) for t, h in zip(steps, half, strict=True)]
    return side + other[::-1], [place(0, 0), place(leaf.length * 0.95, 0)]


def _process(plan: Design, max_pixels: int) -> tuple[Design, images.ProcessedImage]:
    jpeg = BytesIO()
    render(plan).save(jpeg, "JPEG", quality=90)
    jpeg.seek(0)
    return plan, images.process_photo(jpeg, max_pixels=max_pixels)


def build_pool(rng: Random, count: int, *, public: bool) -> list[PoolImage]:
    """``count`` stored images; if anything fails, the ones already stored are deleted."""
    plans = [design(rng) for _ in range(count)]
    # The upload limit once the app has one; the generated pictures are far below any limit.
    max_pixels = current_app.config["IMAGE_MAX_PIXELS"]
    storage = media_storage.media_storage()
    pool: list[PoolImage] = []
    workers = min(4, os.cpu_count() or 1)
    try:
        with ThreadPoolExecutor(max_workers=workers) as executor:
            for plan, processed in executor.map(lambda p: _process(p, max_pixels), plans):
                key = media_storage.new_key()
                storage.save(key, processed.variants, public=public)
                pool.append(PoolImage(key, processed.width, processed.height, plan.alt_text))
    except BaseException:
        delete_pool(pool)
        raise
    return pool


def delete_pool(pool: Sequence[PoolImage]) -> None:
    storage = media_storage.media_storage()
    for image in pool:
        storage.delete(image.key)

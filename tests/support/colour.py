"""WCAG colour maths, for checking what Chromium actually painted."""

from __future__ import annotations

import io
from collections import Counter

from PIL import Image

RGB = tuple[int, int, int]


def hex_to_rgb(value: str) -> RGB:
    value = value.lstrip("#")
    return (int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16))


def relative_luminance(rgb: RGB) -> float:
    def channel(c: int) -> float:
        s = c / 255
        return s / 12.92 if s <= 0.04045 else ((s + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(c) for c in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(a: RGB, b: RGB) -> float:
    la, lb = sorted((relative_luminance(a), relative_luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def dominant_foreground(png: bytes, background: RGB, tolerance: int = 24) -> RGB:
    """The most common colour in a screenshot that is clearly not the background.

    Anti-aliased edge pixels are many colours, each rare; the body of the mark is
    one colour, so it wins the count even at 16 px.
    """
    image = Image.open(io.BytesIO(png)).convert("RGB")
    counts: Counter[RGB] = Counter()
    for pixel in image.get_flattened_data():
        if max(abs(p - q) for p, q in zip(pixel, background, strict=True)) > tolerance:
            counts[pixel] += 1
    assert counts, "nothing but background was painted"
    return counts.most_common(1)[0][0]

"""QR codes drawn on the server as inline SVG: no script, no image request, no third party."""

from __future__ import annotations

import re

import qrcode
import qrcode.image.svg
from markupsafe import Markup, escape

_SIZE_ATTRIBUTES = re.compile(r'width="[^"]*" height="[^"]*"')


def qr_svg(data: str, *, label: str, size: int = 220) -> Markup:
    """Black on white whatever the theme (scanners want contrast), at a fixed pixel size."""
    image = qrcode.make(data, image_factory=qrcode.image.svg.SvgPathImage, border=2)
    svg = image.to_string(encoding="unicode")
    attributes = (
        f'width="{size}" height="{size}" class="qr" role="img" aria-label="{escape(label)}"'
    )
    svg = _SIZE_ATTRIBUTES.sub(attributes, svg, count=1)
    return Markup(svg)  # noqa: S704 - made by qrcode from our own data; the label is escaped

"""QR codes drawn on the server as inline SVG: no script, no image request, no third party.

The SVG is written here from the code's module matrix, not taken from the qrcode
library's SVG writer, so what reaches the page is known by construction: one <svg> with
fixed attributes and one <path> whose data is numbers. The encoded text (an otpauth URI
with the account name in it) only decides which modules are dark; it never becomes
markup, an attribute or a text node.
"""

from __future__ import annotations

from collections.abc import Iterator

import qrcode
from markupsafe import Markup, escape


def qr_svg(data: str, *, label: str, size: int = 220) -> Markup:
    """Black on white whatever the theme (scanners want contrast), at a fixed pixel size."""
    code = qrcode.QRCode(border=2)
    code.add_data(data)
    code.make(fit=True)
    matrix = code.get_matrix()
    # One horizontal bar per run of dark modules: x and y are loop counters, run lengths
    # are counts, so the path holds digits and the letters M, h, v, z only.
    path = "".join(
        f"M{x},{y}h{length}v1h-{length}z"
        for y, row in enumerate(matrix)
        for x, length in _dark_runs(row)
    )
    side = len(matrix)
    svg = (
        f'<svg width="{int(size)}" height="{int(size)}" class="qr" role="img" '
        f'aria-label="{escape(label)}" viewBox="0 0 {side} {side}" '
        'shape-rendering="crispEdges" xmlns="http://www.w3.org/2000/svg">'
        f'<path fill="#000" d="{path}"/></svg>'
    )
    # Safe as markup: every piece above is a fixed string, an int, or the escaped label;
    # nothing of ``data`` is in it (tests/unit/test_qr.py checks the whole grammar).
    return Markup(svg)  # noqa: S704  # nosec B704  # numbers, fixed text, an escaped label


def _dark_runs(row: list[bool]) -> Iterator[tuple[int, int]]:
    """(start, length) of each run of dark modules in a row."""
    start = None
    for x, dark in enumerate([*row, False]):
        if dark and start is None:
            start = x
        elif not dark and start is not None:
            yield start, x - start
            start = None

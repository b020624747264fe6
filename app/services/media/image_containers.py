"""What surrounds an upload's pixels: where the image's own bytes end, and what else it carries.

A file that is an image *and* something else (an HTML page after the JPEG's end,
a ``<script>`` in a comment) is a polyglot: harmless once re-encoded, but never
honest, so the pipeline refuses it. Walking each format's own structure finds
the true end of the image and the compressed pixel data. Markup is looked for
everywhere except that pixel data: compressed bytes are random, and in a 10 MB
photo a four-letter tag such as ``<svg`` would turn up by chance in about one
upload in fifty.
"""

from __future__ import annotations

import enum
import re
from typing import NamedTuple

# A browser ends a tag name at whitespace, "/" or ">", so real markup always has one of them.
MARKUP = re.compile(rb"<(?:script|html|svg|iframe|!doctype|\?xml)[\s/>]", re.IGNORECASE)
# In JPEG scan data 0xFF is followed by 0x00 (stuffing) or a restart marker; anything else ends it.
_JPEG_SCAN_END = re.compile(rb"\xff(?=[^\x00\xd0-\xd7\xff])")
_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_PNG_PIXELS = (b"IDAT", b"fdAT")
_WEBP_PIXELS = (b"VP8 ", b"VP8L", b"ALPH", b"ANMF")


class Finding(enum.Enum):
    CLEAN = "clean"
    MALFORMED = "malformed"  # the structure ends early or contradicts itself
    TRAILING_DATA = "trailing_data"
    MARKUP = "markup"


class Layout(NamedTuple):
    end: int  # offset just past the image's own last byte
    pixels: list[tuple[int, int]]  # spans of compressed pixel data, not searched for markup


class _MalformedError(Exception):
    pass


def inspect(data: bytes, image_format: str) -> Finding:
    """Check an upload that Pillow identified as ``image_format`` for anything but the image."""
    walk = {"JPEG": _jpeg, "PNG": _png, "WEBP": _webp, "HEIF": _heif}[image_format]
    try:
        layout = walk(data)
    except _MalformedError:
        return Finding.MALFORMED
    # NUL padding after the end (some writers round up to a block size) carries nothing.
    if data[layout.end :].strip(b"\x00"):
        return Finding.TRAILING_DATA
    start = 0
    for pixels_start, pixels_end in [*layout.pixels, (layout.end, layout.end)]:
        if MARKUP.search(data, start, pixels_start):
            return Finding.MARKUP
        start = pixels_end
    return Finding.CLEAN


def _need(condition: bool) -> None:
    if not condition:
        raise _MalformedError


def _jpeg(data: bytes) -> Layout:
    _need(data.startswith(b"\xff\xd8"))
    pos, pixels = 2, list[tuple[int, int]]()
    while True:
        _need(pos + 1 < len(data) and data[pos] == 0xFF)
        while data[pos + 1] == 0xFF:  # fill bytes before a marker
            pos += 1
            _need(pos + 1 < len(data))
        marker = data[pos + 1]
        if marker == 0xD9:  # end of image
            return Layout(pos + 2, pixels)
        if 0xD0 <= marker <= 0xD7 or marker == 0x01:  # markers without a length
            pos += 2
            continue
        _need(pos + 4 <= len(data))
        length = int.from_bytes(data[pos + 2 : pos + 4], "big")
        _need(length >= 2)
        pos += 2 + length
        _need(pos <= len(data))
        if marker == 0xDA:  # start of scan: entropy-coded pixels up to the next marker
            scan_end = _JPEG_SCAN_END.search(data, pos)
            if scan_end is None:
                raise _MalformedError
            pixels.append((pos, scan_end.start()))
            pos = scan_end.start()


def _png(data: bytes) -> Layout:
    _need(data.startswith(_PNG_SIGNATURE))
    pos, pixels = len(_PNG_SIGNATURE), list[tuple[int, int]]()
    while True:
        _need(pos + 12 <= len(data))
        length = int.from_bytes(data[pos : pos + 4], "big")
        chunk_type = data[pos + 4 : pos + 8]
        chunk_end = pos + 12 + length  # length, type, data, CRC
        _need(chunk_end <= len(data))
        if chunk_type in _PNG_PIXELS:
            pixels.append((pos + 8, pos + 8 + length))
        pos = chunk_end
        if chunk_type == b"IEND":
            return Layout(pos, pixels)


def _webp(data: bytes) -> Layout:
    _need(len(data) >= 12 and data[:4] == b"RIFF" and data[8:12] == b"WEBP")
    end = 8 + int.from_bytes(data[4:8], "little")
    _need(end <= len(data))
    pos, pixels = 12, list[tuple[int, int]]()
    while pos < end:
        _need(pos + 8 <= end)
        size = int.from_bytes(data[pos + 4 : pos + 8], "little")
        _need(pos + 8 + size <= end)
        if data[pos : pos + 4] in _WEBP_PIXELS:
            pixels.append((pos + 8, pos + 8 + size))
        pos += 8 + size + (size & 1)  # chunks are padded to an even length
    return Layout(end, pixels)


def _heif(data: bytes) -> Layout:
    """HEIF is ISO-BMFF: top-level boxes end to end; the coded pixels sit in ``mdat``."""
    pos, pixels = 0, list[tuple[int, int]]()
    while pos < len(data):
        _need(pos + 8 <= len(data))
        size, header = int.from_bytes(data[pos : pos + 4], "big"), 8
        if size == 1:  # a 64-bit size follows the type
            _need(pos + 16 <= len(data))
            size, header = int.from_bytes(data[pos + 8 : pos + 16], "big"), 16
        elif size == 0:  # the box runs to the end of the file
            size = len(data) - pos
        _need(size >= header and pos + size <= len(data))
        if data[pos + 4 : pos + 8] == b"mdat":
            pixels.append((pos + header, pos + size))
        pos += size
    return Layout(pos, pixels)

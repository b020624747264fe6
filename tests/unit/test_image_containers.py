"""Finding where an image really ends and what it carries besides its pixels."""

from __future__ import annotations

import struct

import pytest

from app.services.media.image_containers import Finding, inspect
from tests.support import images


def test_ordinary_files_and_their_metadata_are_clean() -> None:
    assert inspect(images.jpeg_with_private_metadata(), "JPEG") is Finding.CLEAN  # XMP packet
    assert inspect(images.png_with_text_chunks(), "PNG") is Finding.CLEAN
    assert inspect(images.webp_with_private_metadata(), "WEBP") is Finding.CLEAN
    assert inspect(images.heic_with_private_metadata(), "HEIF") is Finding.CLEAN


def test_nul_padding_after_the_end_is_not_data() -> None:
    assert inspect(images.jpeg() + bytes(512), "JPEG") is Finding.CLEAN
    assert inspect(images.jpeg() + b"\0PK\3\4", "JPEG") is Finding.TRAILING_DATA


@pytest.mark.parametrize(
    "payload",
    [b"<SCRIPT>", b"<svg/onload=alert(1)>", b"<html\n", b"<!DocType html>", b"<?xml ", b"<iframe "],
)
def test_markup_in_metadata_is_found_in_any_case(payload: bytes) -> None:
    assert inspect(images.jpeg(comment=b"x" + payload), "JPEG") is Finding.MARKUP


def test_words_that_merely_start_like_a_tag_are_not_markup() -> None:
    comment = b"<svgs are vector images> <htmlx>"
    assert inspect(images.jpeg(comment=comment), "JPEG") is Finding.CLEAN


def test_compressed_pixels_are_not_searched_because_noise_would_match_by_chance() -> None:
    jpeg = images.jpeg()
    start_of_scan = jpeg.index(b"\xff\xda")
    (header_length,) = struct.unpack(">H", jpeg[start_of_scan + 2 : start_of_scan + 4])
    pixels = start_of_scan + 2 + header_length
    assert inspect(jpeg[:pixels] + b"<svg >" + jpeg[pixels:], "JPEG") is Finding.CLEAN
    assert inspect(images.handmade_png(1, 1, 8, 0, b"<svg>"), "PNG") is Finding.CLEAN


def test_markup_in_png_text_chunks_is_found() -> None:
    with_text = images.png_with_text_chunks()
    iend = with_text.rindex(b"IEND") - 4
    chunk = struct.pack(">I", 9) + b"tEXt" + b"c\0<svg a>" + bytes(4)
    assert inspect(with_text[:iend] + chunk + with_text[iend:], "PNG") is Finding.MARKUP


def test_fill_bytes_and_markers_without_a_length_are_understood() -> None:
    jpeg = images.jpeg()
    assert inspect(jpeg[:2] + b"\xff\xff\xff\x01" + jpeg[2:], "JPEG") is Finding.CLEAN


@pytest.mark.parametrize(
    ("data", "image_format"),
    [
        (images.jpeg()[:-2], "JPEG"),  # no end-of-image marker
        (images.jpeg()[:600], "JPEG"),  # cut inside the header segments
        (b"\xff\xd8\xff\xe0\x00\x01", "JPEG"),  # a segment length below its own size
        (b"\xff\xd8\xff\xff", "JPEG"),  # nothing after the fill bytes
        (images.png()[:-12], "PNG"),  # no IEND
        (images.png()[:40], "PNG"),  # a chunk longer than the file
        (images.webp()[:-4], "WEBP"),  # RIFF length past the end
        (images.webp()[:12] + b"VP8 " + struct.pack("<I", 10**6), "WEBP"),
        (images.heic() + images.HTML_PAGE, "HEIF"),  # "<!DO" read as a box size
        (images.heic()[:-3], "HEIF"),
        (b"\0\0\0\1mdat\0\0\0\0\0\0\0\4", "HEIF"),  # a 64-bit size smaller than its header
    ],
)
def test_broken_structures_are_malformed(data: bytes, image_format: str) -> None:
    assert inspect(data, image_format) is Finding.MALFORMED


def test_heif_box_sizes_of_zero_and_sixty_four_bits() -> None:
    ftyp = struct.pack(">I", 16) + b"ftypheic" + bytes(4)
    large = struct.pack(">I", 1) + b"mdat" + struct.pack(">Q", 20) + b"<svg"
    to_the_end = struct.pack(">I", 0) + b"free" + b"<svg>"
    assert inspect(ftyp + large, "HEIF") is Finding.CLEAN  # markup-like bytes, but pixel data
    assert inspect(ftyp + large + to_the_end, "HEIF") is Finding.MARKUP

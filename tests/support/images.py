"""Test images, built in memory with Pillow: ordinary, awkward and hostile uploads.

Plain functions returning bytes, shared by the unit tests of the pipeline and
the HTTP-level upload tests. No binary fixture is committed.
"""

from __future__ import annotations

import io
import random
import struct
import zlib
from typing import Any

import pillow_heif
from PIL import ExifTags, Image, PngImagePlugin

from scripts.bench_images import noisy_photo

RGB = tuple[int, int, int]
SCRIPT = b"<script>alert(document.cookie)</script>"
HTML_PAGE = b"<!DOCTYPE html><html><body>" + SCRIPT + b"</body></html>"
GPS = {1: "N", 2: (51.0, 30.0, 26.0), 3: "W", 4: (0.0, 7.0, 39.0), 6: 35.0}
XMP = (
    b'<?xpacket begin="\xef\xbb\xbf" id="W5M0MpCehiHzreSzNTczkc9d"?>'
    b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF '
    b'xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description '
    b'xmlns:exif="http://ns.adobe.com/exif/1.0/" exif:GPSLatitude="51,30.43N" '
    b'exif:GPSLongitude="0,7.65W"/></rdf:RDF></x:xmpmeta><?xpacket end="w"?>'
)


def encode(image: Image.Image, image_format: str, **params: Any) -> bytes:
    out = io.BytesIO()
    image.save(out, image_format, **params)
    return out.getvalue()


def jpeg(size: tuple[int, int] = (400, 200), colour: RGB = (200, 60, 60), **params: Any) -> bytes:
    return encode(Image.new("RGB", size, colour), "JPEG", quality=95, **params)


def png(
    size: tuple[int, int] = (400, 200), mode: str = "RGB", colour: Any = (40, 120, 200)
) -> bytes:
    return encode(Image.new(mode, size, colour), "PNG")


def webp(size: tuple[int, int] = (400, 200), colour: RGB = (40, 160, 90), **params: Any) -> bytes:
    return encode(Image.new("RGB", size, colour), "WEBP", quality=90, **params)


def heic(size: tuple[int, int] = (400, 200), colour: RGB = (90, 40, 160)) -> bytes:
    pillow_heif.register_heif_opener()
    return encode(Image.new("RGB", size, colour), "HEIF", quality=90)


def camera_exif(orientation: int = 1) -> Image.Exif:
    """What a phone writes: make, model, orientation and where the photo was taken."""
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "Sapling"
    exif[ExifTags.Base.Model] = "Test Phone"
    exif[ExifTags.Base.Orientation] = orientation
    exif[ExifTags.IFD.GPSInfo] = GPS
    return exif


def jpeg_with_private_metadata() -> bytes:
    """400x200 stored, orientation 6 (shown portrait), with EXIF GPS, XMP GPS and a comment."""
    return jpeg(exif=camera_exif(orientation=6), xmp=XMP, comment=b"Taken at 12 Home Street")


def webp_with_private_metadata() -> bytes:
    return webp(exif=camera_exif().tobytes(), xmp=XMP, icc_profile=adobe_rgb_profile())


def heic_with_private_metadata() -> bytes:
    pillow_heif.register_heif_opener()
    image = Image.new("RGB", (400, 200), (90, 40, 160))
    return encode(image, "HEIF", quality=90, exif=camera_exif().tobytes(), xmp=XMP)


def two_colour_jpeg(orientation: int) -> bytes:
    """400x200 stored: left half red, right half blue, with an EXIF orientation to apply."""
    image = Image.new("RGB", (400, 200), (220, 20, 20))
    image.paste((20, 20, 220), (200, 0, 400, 200))
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = orientation
    return encode(image, "JPEG", quality=95, exif=exif)


def png_with_text_chunks() -> bytes:
    info = PngImagePlugin.PngInfo()
    info.add_text("Author", "Rowan Tree")
    info.add_text("Location", "12 Home Street", zip=True)
    info.add_itxt("XML:com.adobe.xmp", XMP.decode())
    exif = camera_exif().tobytes()
    return encode(Image.new("RGB", (300, 300), (10, 90, 10)), "PNG", pnginfo=info, exif=exif)


def large_jpeg(width: int = 4000, height: int = 3000) -> bytes:
    """12 megapixels that compress like a photo, with camera EXIF and GPS."""
    return noisy_photo(width, height)


def cmyk_jpeg(cmyk: tuple[int, int, int, int] = (0, 255, 255, 0)) -> bytes:
    """Pure red in CMYK, as print workflows export it."""
    return encode(Image.new("CMYK", (64, 64), cmyk), "JPEG", quality=95)


def png_16bit_grey(value: int = 32768) -> bytes:
    return encode(Image.new("I;16", (64, 64), value), "PNG")


def palette_png_with_transparency() -> bytes:
    image = Image.new("P", (64, 64), 0)
    image.putpalette([255, 255, 255, 200, 30, 30])
    image.paste(1, (16, 16, 48, 48))
    return encode(image, "PNG", transparency=0)


def rgba_png(alpha: int = 128) -> bytes:
    return png((64, 64), "RGBA", (20, 100, 220, alpha))


def adobe_rgb_profile() -> bytes:
    """A minimal ICC v2 matrix/TRC profile with the Adobe RGB (1998) primaries and gamma."""

    def xyz(x: float, y: float, z: float) -> bytes:
        return b"XYZ \0\0\0\0" + struct.pack(">3i", *(round(v * 65536) for v in (x, y, z)))

    name = b"Adobe RGB (1998) compatible, for tests"
    gamma = b"curv\0\0\0\0" + struct.pack(">IH", 1, 0x0233) + b"\0\0"  # 2.19921875
    tags = [
        (b"desc", b"desc\0\0\0\0" + struct.pack(">I", len(name) + 1) + name + b"\0" + bytes(78)),
        (b"cprt", b"text\0\0\0\0No copyright, test data\0"),
        (b"wtpt", xyz(0.95045, 1.0, 1.08905)),
        (b"rXYZ", xyz(0.60974, 0.31111, 0.01947)),
        (b"gXYZ", xyz(0.20528, 0.62567, 0.06087)),
        (b"bXYZ", xyz(0.14919, 0.06322, 0.74457)),
        (b"rTRC", gamma),
        (b"gTRC", gamma),
        (b"bTRC", gamma),
    ]
    offset, table, body = 128 + 4 + 12 * len(tags), b"", b""
    for signature, data in tags:
        padded = data + bytes(-len(data) % 4)  # tags start on 4-byte boundaries
        table += signature + struct.pack(">II", offset + len(body), len(padded))
        body += padded
    size = offset + len(body)
    header = struct.pack(">I4sI4s4s4s", size, b"lcms", 0x02100000, b"mntr", b"RGB ", b"XYZ ")
    header += bytes(12) + b"acsp" + bytes(28)  # no date; no platform, flags, device or intent
    header += struct.pack(">3i", 63190, 65536, 54061) + bytes(48)  # the D50 illuminant
    return header + struct.pack(">I", len(tags)) + table + body


def adobe_rgb_jpeg(colour: RGB = (200, 60, 60)) -> bytes:
    """A flat colour whose numbers mean Adobe RGB, so it must change to look the same in sRGB."""
    return jpeg((64, 64), colour, icc_profile=adobe_rgb_profile())


def animated_webp() -> bytes:
    frames = [Image.new("RGB", (32, 32), colour) for colour in ((255, 0, 0), (0, 0, 255))]
    return encode(frames[0], "WEBP", save_all=True, append_images=frames[1:], duration=100)


def animated_png() -> bytes:
    frames = [Image.new("RGB", (32, 32), colour) for colour in ((255, 0, 0), (0, 0, 255))]
    return encode(frames[0], "PNG", save_all=True, append_images=frames[1:], duration=100)


def multi_picture_jpeg() -> bytes:
    """An MPO: two JPEGs in one file, as 3D cameras and HDR phones write them."""
    frames = [Image.new("RGB", (32, 32), colour) for colour in ((255, 0, 0), (0, 0, 255))]
    return encode(frames[0], "MPO", save_all=True, append_images=frames[1:])


def gif() -> bytes:
    return encode(Image.new("RGB", (32, 32), (255, 0, 0)), "GIF")


# Hostile uploads ---------------------------------------------------------------------------


def empty_file() -> bytes:
    return b""


def html_named_jpg() -> bytes:
    return HTML_PAGE


def svg_named_jpg() -> bytes:
    return (
        b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)">'
        b'<rect width="10" height="10"/></svg>'
    )


def jpeg_with_html_appended() -> bytes:
    """A real JPEG, then an HTML page after its end-of-image marker."""
    return jpeg() + HTML_PAGE


def jpeg_with_script_comment() -> bytes:
    """A real JPEG whose COM segment is a script."""
    return jpeg(comment=SCRIPT)


def motion_photo_jpeg() -> bytes:
    """A phone's motion photo: a JPEG with EXIF, XMP and GPS, then a video after its end."""
    payload = b"GPS 51.5N " + SCRIPT
    video = b"\0\0\0\x18ftypmp42\0\0\0\0mp42isom" + struct.pack(">I", 8 + len(payload))
    return jpeg_with_private_metadata() + video + b"mdat" + payload


def jpeg_with_vendor_trailer() -> bytes:
    """A JPEG with a vendor's tagged trailer after its end-of-image marker (some Samsung phones)."""
    trailer = b"SEFH" + b"Image_UTC_Data1700000000000" + b"MotionPhoto_Data" + b"SEFT"
    return jpeg_with_private_metadata() + b"\0\0" + trailer


def png_with_html_appended() -> bytes:
    return png() + HTML_PAGE


def webp_with_html_appended() -> bytes:
    return webp() + HTML_PAGE


def truncated_jpeg() -> bytes:
    data = large_jpeg(640, 480)
    return data[: len(data) // 2]


def handmade_png(width: int, height: int, bit_depth: int, colour_type: int, idat: bytes) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data)
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    ihdr = struct.pack(">IIBBBBB", width, height, bit_depth, colour_type, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


def png_with_corrupt_pixels() -> bytes:
    """Every chunk well formed (CRCs included), but the compressed pixels are noise."""
    return handmade_png(64, 64, 8, 2, random.Random(99).randbytes(2000))


def decompression_bomb_png(side: int = 20_000) -> bytes:
    """A complete, valid 1-bit PNG of side x side black pixels: a few KB that decode to a lot."""
    row = bytes(1 + (side + 7) // 8)  # filter byte, then the packed pixels
    packer = zlib.compressobj(9)
    rows_per_block = 500
    idat = b"".join(packer.compress(row * rows_per_block) for _ in range(side // rows_per_block))
    idat += packer.compress(row * (side % rows_per_block)) + packer.flush()
    return handmade_png(side, side, 1, 0, idat)


def huge_dimensions_png(width: int = 50_000, height: int = 50_000) -> bytes:
    """A header that declares width x height RGB pixels, with almost no data behind it."""
    return handmade_png(width, height, 8, 2, zlib.compress(bytes(1 + 3 * 16)))


def huge_dimensions_jpeg(width: int = 50_000, height: int = 50_000) -> bytes:
    """A small JPEG whose frame header was edited to declare width x height."""
    data = bytearray(jpeg((16, 16)))
    frame = data.index(b"\xff\xc0")
    data[frame + 5 : frame + 9] = struct.pack(">HH", height, width)
    return bytes(data)


def random_bytes(size: int = 4096) -> bytes:
    """Noise, as a client would send it with Content-Type: image/jpeg."""
    return random.Random(1234).randbytes(size)

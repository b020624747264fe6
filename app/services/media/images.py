"""Uploaded photos: accept only what Pillow fully decodes, keep nothing but the pixels.

Every variant is decoded, turned upright, converted to sRGB and written afresh
as WebP, so no byte of the upload is ever served and no metadata survives
(EXIF with GPS, XMP, IPTC, ICC profiles, comments). What else a file carries
(a motion photo's video, a vendor trailer, an HTML page after the image's end)
is never read, so it goes nowhere either. The file name and the client's
content type are never consulted: Pillow decides what the bytes are.
"""

from __future__ import annotations

import base64
import io
import math
import struct
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import IO

import pillow_heif
from PIL import ExifTags, Image, ImageCms, ImageFilter, ImageOps, UnidentifiedImageError

from app.models.post import MAX_PLACEHOLDER
from app.services.errors import FormError

pillow_heif.register_heif_opener()

PHOTO_VARIANTS = ("display", "medium", "thumb")
AVATAR_VARIANTS = ("avatar", "avatar_small")
FORMATS = ("JPEG", "PNG", "WEBP", "HEIF")
# Widths as promised; heights capped at 4:1 so a long screenshot stays a sane size.
DISPLAY_BOX, MEDIUM_BOX = (1080, 4320), (640, 2560)
THUMB_SIDE, AVATAR_SIDE, AVATAR_SMALL_SIDE = 320, 320, 96
WEBP_QUALITY = 80
# The blurred preview on a sensitive post's cover: at most this many pixels across, so it
# shows colours and nothing recognisable, stored inline (base64 WebP, about 100 bytes).
PLACEHOLDER_SIDE, PLACEHOLDER_QUALITY = 16, 50

_SRGB = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))
_LANCZOS = Image.Resampling.LANCZOS
_ACCEPTED = "Upload a JPEG, PNG, WebP or HEIC photo."
_UNREADABLE = f"This file is not a photo Sapling can read. {_ACCEPTED}"
_DAMAGED = "This image is damaged or incomplete. Try exporting it again."


class ImageRejected(FormError):  # noqa: N818 (the name callers already use)
    """An upload that is not an image we accept; message is shown to the user."""


@dataclass(frozen=True)
class ProcessedImage:
    variants: dict[str, bytes]  # variant name -> WebP bytes
    width: int  # of "display", or of the largest avatar
    height: int
    placeholder: str = ""  # photos only: see ``placeholder``


def process_photo(
    data: IO[bytes], *, max_pixels: int, max_bytes: int | None = None, square: bool = False
) -> ProcessedImage:
    """The display, medium and thumb variants of an uploaded photo.

    ``square``: every variant is the centre square (the author chose a square post), so the
    recorded size, and with it the post's frame, is square too.
    """

    def scale(size: tuple[int, int]) -> float:
        if square:
            return min(1.0, DISPLAY_BOX[0] / min(size))
        return max(_fit_scale(size, DISPLAY_BOX), min(1.0, THUMB_SIDE / min(size)))

    image = _decode(data, max_pixels, max_bytes, scale)
    if square:
        display = _square(image, DISPLAY_BOX[0])
        medium = _square(display, MEDIUM_BOX[0])
    else:
        display = _fit(image, DISPLAY_BOX)
        medium = _fit(display, MEDIUM_BOX)
    thumb = _square(display if min(display.size) >= THUMB_SIDE else image, THUMB_SIDE)
    variants = {"display": _webp(display), "medium": _webp(medium), "thumb": _webp(thumb)}
    return ProcessedImage(variants, *display.size, placeholder=placeholder(medium))


def looks_like_photo(raw: bytes) -> bool:
    """Does the file say it is a JPEG, PNG, WebP or HEIC photo? Only its header is read:
    a cheap check of what a file claims (an import's pre-pass), not a promise it decodes."""
    try:
        with Image.open(io.BytesIO(raw), formats=FORMATS) as image:
            return image.format in FORMATS
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, struct.error, EOFError):
        return False
    except (Image.DecompressionBombError, Image.DecompressionBombWarning, MemoryError):
        return True  # an image, if far too large: process_photo says so in words


def placeholder(image: Image.Image) -> str:
    """A tiny, blurred WebP of the photo as base64: what a sensitive post's cover shows
    behind "Show". Made from the cleaned pixels (never the upload's bytes), at most
    PLACEHOLDER_SIDE pixels across, so it carries the colours and nothing readable."""
    small = image.convert("RGB")
    small.thumbnail((PLACEHOLDER_SIDE, PLACEHOLDER_SIDE), Image.Resampling.BOX)
    small = small.filter(ImageFilter.GaussianBlur(1))
    out = io.BytesIO()
    small.save(out, "WEBP", quality=PLACEHOLDER_QUALITY, method=6)
    encoded = base64.b64encode(out.getvalue()).decode("ascii")
    return encoded if len(encoded) <= MAX_PLACEHOLDER else ""


def process_avatar(
    data: IO[bytes], *, max_pixels: int, max_bytes: int | None = None
) -> ProcessedImage:
    """Square avatars, cropped from the centre."""
    image = _decode(data, max_pixels, max_bytes, lambda size: min(1.0, AVATAR_SIDE / min(size)))
    avatar = _square(image, AVATAR_SIDE)
    small = _square(avatar, AVATAR_SMALL_SIDE)
    return ProcessedImage({"avatar": _webp(avatar), "avatar_small": _webp(small)}, *avatar.size)


def _too_many_pixels(max_pixels: int, pixels: int | None = None) -> str:
    # Pillow's own bomb guard refuses anything over its limit first, so that is the real cap.
    limit = min(max_pixels, Image.MAX_IMAGE_PIXELS or max_pixels)
    found = f"it has {pixels / 1e6:.1f} megapixels and " if pixels else ""
    return f"This image is too large: {found}the limit is {limit / 1e6:g} megapixels."


@contextmanager
def _refusing(max_pixels: int) -> Iterator[None]:
    """Whatever a hostile file makes Pillow or a codec raise becomes a message, never a 500.

    The bomb warning is made an error only in here. ``catch_warnings`` is not
    thread-safe: two threads interleaving can leave that one filter in place
    after both exit, which is harmless (a bomb warning becomes a bomb error).
    """
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            yield
        except ImageRejected:
            raise
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
            raise ImageRejected(_too_many_pixels(max_pixels)) from error
        except UnidentifiedImageError as error:
            raise ImageRejected(_UNREADABLE) from error
        except MemoryError as error:
            raise ImageRejected("This image is too large to process.") from error
        except (OSError, SyntaxError, ValueError, struct.error, EOFError, RuntimeError) as error:
            raise ImageRejected(_DAMAGED) from error


def _decode(
    data: IO[bytes],
    max_pixels: int,
    max_bytes: int | None,
    scale: Callable[[tuple[int, int]], float],
) -> Image.Image:
    """The upload's pixels, upright, in sRGB, decoded at no more than ``scale`` needs."""
    raw = data.read() if max_bytes is None else data.read(max_bytes + 1)
    if not raw:
        raise ImageRejected("The file is empty. Choose a photo to upload.")
    if max_bytes is not None and len(raw) > max_bytes:
        raise ImageRejected(f"This file is too big: the limit is {max_bytes / 2**20:.3g} MB.")
    with _refusing(max_pixels):
        image = Image.open(io.BytesIO(raw), formats=FORMATS)
        if image.format not in FORMATS or getattr(image, "n_frames", 1) > 1:
            # JPEG's plugin reports a multi-picture file (MPO) as its own format.
            raise ImageRejected(
                "Animated and multi-picture images are not accepted: upload one still photo."
            )
        if image.width * image.height > max_pixels:  # from the header, before any decoding
            raise ImageRejected(_too_many_pixels(max_pixels, image.width * image.height))
        turned = image.getexif().get(ExifTags.Base.Orientation) in {5, 6, 7, 8}
        factor = scale(image.size[::-1] if turned else image.size)
        # JPEG decodes at 1/2, 1/4 or 1/8 scale when asked: less time, less memory.
        image.draft("RGB", (math.ceil(image.width * factor), math.ceil(image.height * factor)))
        image.load()
        ImageOps.exif_transpose(image, in_place=True)
        return _clean(image)


def _clean(image: Image.Image) -> Image.Image:
    """8-bit sRGB (with alpha only where some pixel is see-through), and no metadata at all."""
    if image.mode in {"I;16", "I;16B", "I;16L", "I"}:
        image = image.point(lambda value: value * (1 / 256)).convert("L")  # 16-bit to 8-bit
    target = "RGBA" if image.has_transparency_data else "RGB"
    if image.mode not in ({"RGB", "CMYK", "L"} if target == "RGB" else {"RGBA"}):
        image = image.convert(target)  # palettes, LA, tRNS: into a mode the profile applies to
    if icc := image.info.get("icc_profile"):
        image = _from_profile(image, icc, target) or image
    if image.mode != target:
        image = image.convert(target)
    if target == "RGBA":
        alpha = image.getchannel("A")
        if alpha.getextrema() == (255, 255):
            image = image.convert("RGB")
        else:  # colour under fully transparent pixels is invisible but would still be there
            clear = Image.new("RGBA", image.size, (0, 0, 0, 0))
            image = Image.composite(image, clear, alpha.point(lambda a: 255 if a else 0))
    image.info = {}
    return image


def _from_profile(image: Image.Image, icc: bytes, target: str) -> Image.Image | None:
    """Colours converted from the embedded profile to sRGB; None if the profile is unusable."""
    try:
        source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
        return ImageCms.profileToProfile(image, source, _SRGB, outputMode=target)
    except (ImageCms.PyCMSError, OSError, ValueError):
        return None


def _fit_scale(size: tuple[int, int], box: tuple[int, int]) -> float:
    return min(1.0, box[0] / size[0], box[1] / size[1])


def _fit(image: Image.Image, box: tuple[int, int]) -> Image.Image:
    """Shrunk to fit ``box``, keeping proportions; never enlarged."""
    factor = _fit_scale(image.size, box)
    if factor == 1.0:
        return image
    size = (max(1, round(image.width * factor)), max(1, round(image.height * factor)))
    return image.resize(size, _LANCZOS)


def _square(image: Image.Image, side: int) -> Image.Image:
    """The centre square, at most ``side`` pixels across; never enlarged."""
    short = min(image.size)
    left, top = (image.width - short) // 2, (image.height - short) // 2
    target = min(side, short)
    return image.resize((target, target), _LANCZOS, box=(left, top, left + short, top + short))


def _webp(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, "WEBP", quality=WEBP_QUALITY, method=4)
    return out.getvalue()

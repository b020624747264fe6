"""The upload pipeline on real images built in memory: what it refuses, strips, fixes and sizes."""

from __future__ import annotations

import base64
import io
from collections.abc import Callable
from typing import Any

import pytest
from PIL import Image, ImageFile

from app.models import MAX_PLACEHOLDER
from app.services.media.images import (
    AVATAR_VARIANTS,
    PHOTO_VARIANTS,
    PLACEHOLDER_SIDE,
    ImageRejected,
    ProcessedImage,
    process_avatar,
    process_photo,
)
from tests.support import images

MAX_PIXELS = 50_000_000


def photo(data: bytes, **limits: Any) -> ProcessedImage:
    return process_photo(io.BytesIO(data), **{"max_pixels": MAX_PIXELS, **limits})


def avatar(data: bytes) -> ProcessedImage:
    return process_avatar(io.BytesIO(data), max_pixels=MAX_PIXELS)


def opened(result: ProcessedImage) -> dict[str, Image.Image]:
    decoded = {name: Image.open(io.BytesIO(data)) for name, data in result.variants.items()}
    assert {image.format for image in decoded.values()} == {"WEBP"}
    return decoded


def pixel(image: Image.Image, xy: tuple[int, int] | None = None) -> tuple[int, ...]:
    value = image.getpixel(xy or (image.width // 2, image.height // 2))
    assert isinstance(value, tuple)
    return value


def close(actual: tuple[int, ...], expected: tuple[int, ...], tolerance: int = 6) -> bool:
    return all(abs(a - e) <= tolerance for a, e in zip(actual, expected, strict=True))


@pytest.fixture(scope="module")
def twelve_megapixels() -> bytes:
    return images.large_jpeg()


HOSTILE: list[tuple[Callable[[], bytes], str]] = [
    (images.empty_file, "The file is empty"),
    (images.html_named_jpg, "not a photo Sapling can read"),
    (images.svg_named_jpg, "not a photo Sapling can read"),
    (images.random_bytes, "not a photo Sapling can read"),
    (images.gif, "not a photo Sapling can read"),
    (images.truncated_jpeg, "damaged or incomplete"),
    (images.png_with_corrupt_pixels, "damaged or incomplete"),
    (images.decompression_bomb_png, "too large"),
    (images.huge_dimensions_png, "too large"),
    (images.huge_dimensions_jpeg, "too large"),
    (images.animated_webp, "Animated"),
    (images.animated_png, "Animated"),
    (images.multi_picture_jpeg, "multi-picture"),
]


@pytest.mark.parametrize(("make", "words"), HOSTILE, ids=[make.__name__ for make, _ in HOSTILE])
def test_hostile_and_unsupported_uploads_are_refused_with_a_message(
    make: Callable[[], bytes], words: str
) -> None:
    data = make()
    for process in (process_photo, process_avatar):
        with pytest.raises(ImageRejected, match=words) as caught:
            process(io.BytesIO(data), max_pixels=MAX_PIXELS)
        assert caught.value.message.endswith(".")
        assert caught.value.field is None


def test_the_pixel_limit_is_read_from_the_header_before_any_pixel_is_decoded(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    bomb = images.decompression_bomb_png(8000)  # 64 MP: under Pillow's own guard, over ours

    def never(*args: object) -> None:
        raise AssertionError("pixels were decoded")

    monkeypatch.setattr(ImageFile.ImageFile, "load", never)
    with pytest.raises(ImageRejected) as caught:
        photo(bomb, max_pixels=40_000_000)
    assert caught.value.message == (
        "This image is too large: it has 64.0 megapixels and the limit is 40 megapixels."
    )


def test_a_limit_above_pillows_guard_reports_the_guard_as_the_limit() -> None:
    with pytest.raises(ImageRejected, match=r"the limit is 89\.\d+ megapixels"):
        photo(images.decompression_bomb_png(10_000), max_pixels=500_000_000)  # 100 MP


def test_an_optional_byte_limit() -> None:
    data = images.jpeg()
    assert photo(data, max_bytes=len(data)).width == 400
    with pytest.raises(ImageRejected, match="too big: the limit is 20 MB"):
        photo(data + bytes(20 * 2**20), max_bytes=20 * 2**20)


def test_running_out_of_memory_is_a_refusal_not_a_crash(monkeypatch: pytest.MonkeyPatch) -> None:
    def exhausted(*args: object) -> None:
        raise MemoryError

    monkeypatch.setattr(ImageFile.ImageFile, "load", exhausted)
    with pytest.raises(ImageRejected, match="too large to process"):
        photo(images.jpeg())


WITH_METADATA: list[Callable[[], bytes]] = [
    images.jpeg_with_private_metadata,
    images.png_with_text_chunks,
    images.heic_with_private_metadata,
    images.webp_with_private_metadata,
    images.adobe_rgb_jpeg,
]


@pytest.mark.parametrize("make", WITH_METADATA)
def test_no_metadata_survives_in_any_variant(make: Callable[[], bytes]) -> None:
    original = make()
    assert b"GPS" in original or b"Exif" in original or b"acsp" in original
    for result in (photo(original), avatar(original)):
        for name, image in opened(result).items():
            data = result.variants[name]
            assert not image.getexif(), name
            assert not image.info.keys() & {"exif", "xmp", "icc_profile", "comment"}, name
            for marker in (b"Exif", b"GPS", b"XMP", b"xmp", b"ICCP", b"Test Phone", b"Home"):
                assert marker not in data, (name, marker)


@pytest.mark.parametrize("make", WITH_METADATA)
def test_the_blurred_preview_is_tiny_and_carries_nothing_but_colours(
    make: Callable[[], bytes],
) -> None:
    """A sensitive post's cover shows it (inline, as base64): a WebP of at most 16 pixels
    across, no metadata, and the photo's shape."""
    result = photo(make())
    data = base64.b64decode(result.placeholder, validate=True)
    preview = Image.open(io.BytesIO(data))
    assert preview.format == "WEBP" and len(result.placeholder) <= MAX_PLACEHOLDER
    assert max(preview.size) <= PLACEHOLDER_SIDE
    assert not preview.getexif() and not preview.info.keys() & {"exif", "xmp", "icc_profile"}
    for marker in (b"Exif", b"GPS", b"XMP", b"ICCP", b"Test Phone", b"Home"):
        assert marker not in data
    display = opened(result)["display"]
    assert abs(preview.width / preview.height - display.width / display.height) < 0.35


CARRIERS: list[Callable[[], bytes]] = [
    images.jpeg_with_html_appended,
    images.png_with_html_appended,
    images.webp_with_html_appended,
    images.jpeg_with_script_comment,
    images.motion_photo_jpeg,
    images.jpeg_with_vendor_trailer,
]


@pytest.mark.parametrize("make", CARRIERS, ids=[make.__name__ for make in CARRIERS])
def test_what_a_file_carries_besides_its_pixels_never_reaches_a_variant(
    make: Callable[[], bytes],
) -> None:
    """A polyglot, a motion photo's video or a vendor trailer is accepted: only pixels go on."""
    original = make()
    assert images.SCRIPT in original or b"SEFH" in original
    for result in (photo(original), avatar(original)):
        for name, image in opened(result).items():
            data = result.variants[name]
            assert len(data) == 8 + int.from_bytes(data[4:8], "little"), name  # RIFF, no more
            assert not image.getexif(), name
            assert not image.info.keys() & {"exif", "xmp", "icc_profile", "comment"}, name
            for marker in (b"<script", b"<html", b"<!DOCTYPE", b"ftyp", b"SEF", b"GPS", b"XMP"):
                assert marker not in data, (name, marker)


@pytest.mark.parametrize(
    ("orientation", "size", "red_at"),
    [
        (1, (400, 200), (100, 100)),  # red stored on the left stays left
        (3, (400, 200), (300, 100)),  # turned 180°: red on the right
        (6, (200, 400), (100, 100)),  # turned 90° clockwise: red on top
        (8, (200, 400), (100, 300)),  # turned 90° anticlockwise: red at the bottom
    ],
)
def test_the_exif_orientation_is_applied(
    orientation: int, size: tuple[int, int], red_at: tuple[int, int]
) -> None:
    result = photo(images.two_colour_jpeg(orientation))
    display = opened(result)["display"]
    assert (result.width, result.height) == display.size == size
    assert close(pixel(display, red_at), (220, 20, 20), tolerance=12)


def test_a_portrait_phone_photo_comes_out_portrait() -> None:
    result = photo(images.jpeg_with_private_metadata())  # stored 400x200, orientation 6
    assert (result.width, result.height) == (200, 400)


def test_colours_are_converted_from_an_embedded_profile_to_srgb() -> None:
    expected = adobe_rgb_to_srgb((200, 60, 60))
    assert close(expected, (232, 57, 57), tolerance=2)
    for image in opened(photo(images.adobe_rgb_jpeg((200, 60, 60)))).values():
        assert close(pixel(image), expected)
    naive = pixel(opened(photo(images.jpeg((64, 64), (200, 60, 60))))["display"])
    assert close(naive, (200, 60, 60))


def test_an_unusable_profile_is_ignored_rather_than_refusing_the_photo() -> None:
    result = photo(images.jpeg((64, 64), (200, 60, 60), icc_profile=b"not a profile"))
    assert close(pixel(opened(result)["display"]), (200, 60, 60))


@pytest.mark.parametrize(
    ("data", "mode", "colour"),
    [
        (images.cmyk_jpeg(), "RGB", (255, 0, 0)),
        (images.png_16bit_grey(32768), "RGB", (128, 128, 128)),
        (images.png((64, 64), "L", 90), "RGB", (90, 90, 90)),
        (images.png((64, 64), "LA", (90, 128)), "RGBA", (90, 90, 90, 128)),
        (images.rgba_png(alpha=128), "RGBA", (20, 100, 220, 128)),
        (images.rgba_png(alpha=255), "RGB", (20, 100, 220)),  # opaque: alpha dropped
        (images.palette_png_with_transparency(), "RGBA", (200, 30, 30, 255)),
        (images.webp(), "RGB", (40, 160, 90)),
    ],
    ids=["cmyk", "16-bit", "grey", "grey-alpha", "rgba", "opaque-rgba", "palette", "webp"],
)
def test_colour_modes_come_out_as_srgb_with_alpha_only_when_needed(
    data: bytes, mode: str, colour: tuple[int, ...]
) -> None:
    display = opened(photo(data))["display"]
    assert display.mode == mode
    assert close(pixel(display), colour)


def test_colour_under_transparent_pixels_is_erased() -> None:
    image = Image.new("RGBA", (64, 64), (255, 0, 0, 0))  # invisible red, "deleted" in an editor
    image.paste((0, 0, 255, 255), (32, 0, 64, 64))
    display = opened(photo(images.encode(image, "PNG")))["display"]
    hidden = pixel(display, (8, 32))
    assert hidden[3] == 0
    assert hidden[0] < 16


def test_heic_is_accepted() -> None:
    result = photo(images.heic((400, 200), (90, 40, 160)))
    assert (result.width, result.height) == (400, 200)
    assert close(pixel(opened(result)["display"]), (90, 40, 160))


def test_a_progressive_jpeg_with_restart_markers_is_accepted() -> None:
    data = images.jpeg((300, 200), progressive=True, restart_marker_blocks=1)
    assert b"\xff\xd0" in data
    assert photo(data).width == 300


def test_variants_of_a_12_megapixel_photo(twelve_megapixels: bytes) -> None:
    result = photo(twelve_megapixels)
    sizes = {name: image.size for name, image in opened(result).items()}
    assert sizes == {"display": (1080, 810), "medium": (640, 480), "thumb": (320, 320)}
    assert tuple(result.variants) == PHOTO_VARIANTS
    assert (result.width, result.height) == (1080, 810)


@pytest.mark.parametrize(
    ("size", "expected"),
    [
        ((400, 200), {"display": (400, 200), "medium": (400, 200), "thumb": (200, 200)}),
        ((3000, 4000), {"display": (1080, 1440), "medium": (640, 853), "thumb": (320, 320)}),
        ((1000, 8000), {"display": (540, 4320), "medium": (320, 2560), "thumb": (320, 320)}),
        ((6000, 400), {"display": (1080, 72), "medium": (640, 43), "thumb": (320, 320)}),
        ((1, 1), {"display": (1, 1), "medium": (1, 1), "thumb": (1, 1)}),
    ],
    ids=["small", "portrait", "long-screenshot", "panorama", "one-pixel"],
)
def test_variant_sizes_never_enlarge(
    size: tuple[int, int], expected: dict[str, tuple[int, int]]
) -> None:
    result = photo(images.jpeg(size))
    assert {name: image.size for name, image in opened(result).items()} == expected


@pytest.mark.parametrize(
    ("size", "expected"), [((4000, 3000), (320, 96)), ((80, 50), (50, 50))], ids=["large", "tiny"]
)
def test_avatars_are_centre_squares(size: tuple[int, int], expected: tuple[int, int]) -> None:
    image = Image.new("RGB", size, (0, 0, 255))
    image.paste((255, 0, 0), (size[0] // 4, 0, size[0] - size[0] // 4, size[1]))  # red middle
    result = avatar(images.encode(image, "JPEG", quality=95))
    decoded = opened(result)
    assert tuple(decoded) == AVATAR_VARIANTS
    assert decoded["avatar"].size == (expected[0], expected[0])
    assert decoded["avatar_small"].size == (expected[1], expected[1])
    assert (result.width, result.height) == decoded["avatar"].size
    assert close(pixel(decoded["avatar"]), (255, 0, 0), tolerance=12)


def adobe_rgb_to_srgb(rgb: tuple[int, int, int]) -> tuple[int, int, int]:
    """The textbook conversion (gamma 563/256, D65 matrices), independent of LittleCMS."""
    linear = [(value / 255) ** (563 / 256) for value in rgb]
    to_xyz = [
        (0.5767309, 0.1855540, 0.1881852),
        (0.2973769, 0.6273491, 0.0752741),
        (0.0270343, 0.0706872, 0.9911085),
    ]
    to_srgb = [
        (3.2404542, -1.5371385, -0.4985314),
        (-0.9692660, 1.8760108, 0.0415560),
        (0.0556434, -0.2040259, 1.0572252),
    ]
    xyz = [sum(m * v for m, v in zip(row, linear, strict=True)) for row in to_xyz]
    srgb = [sum(m * v for m, v in zip(row, xyz, strict=True)) for row in to_srgb]

    def encode(value: float) -> int:
        value = min(max(value, 0.0), 1.0)
        value = 12.92 * value if value <= 0.0031308 else 1.055 * value ** (1 / 2.4) - 0.055
        return round(value * 255)

    red, green, blue = (encode(value) for value in srgb)
    return red, green, blue


@pytest.mark.parametrize(
    ("size", "expected"),
    [
        ((4000, 3000), {"display": (1080, 1080), "medium": (640, 640), "thumb": (320, 320)}),
        ((1200, 1500), {"display": (1080, 1080), "medium": (640, 640), "thumb": (320, 320)}),
        ((400, 200), {"display": (200, 200), "medium": (200, 200), "thumb": (200, 200)}),
        ((6000, 400), {"display": (400, 400), "medium": (400, 400), "thumb": (320, 320)}),
    ],
    ids=["landscape", "portrait", "small", "panorama"],
)
def test_square_photos_are_centre_crops_never_enlarged(
    size: tuple[int, int], expected: dict[str, tuple[int, int]]
) -> None:
    image = Image.new("RGB", size, (0, 0, 255))
    image.paste((255, 0, 0), (size[0] // 4, 0, size[0] * 3 // 4, size[1]))  # a red middle
    result = process_photo(
        io.BytesIO(images.encode(image, "JPEG", quality=95)), max_pixels=MAX_PIXELS, square=True
    )
    decoded = opened(result)
    assert {name: found.size for name, found in decoded.items()} == expected
    assert (result.width, result.height) == expected["display"]
    assert close(pixel(decoded["display"]), (255, 0, 0), tolerance=12)  # the centre is kept
    if size[0] > size[1] * 2:  # the panorama's square is its middle: its blue ends are gone
        assert close(pixel(decoded["display"], (0, 0)), (255, 0, 0), tolerance=12)

"""A post's frame: its first photo's shape, kept between 1.91:1 and 4:5 (views.posts)."""

from __future__ import annotations

import pytest

from app.views.posts import TALLEST_FRAME, WIDEST_FRAME, frame_shape


@pytest.mark.parametrize(
    ("size", "frame"),
    [
        ((1080, 810), (1080, 810)),  # 4:3 keeps its shape
        ((1080, 1350), (1080, 1350)),  # 4:5, the tallest kept as it is
        ((1080, 1080), (1080, 1080)),
        ((1910, 1000), (1910, 1000)),  # 1.91:1, the widest kept as it is
        ((1080, 360), WIDEST_FRAME),  # 3:1: a 1.91:1 frame, the panorama letterboxed inside
        ((1080, 1920), TALLEST_FRAME),  # 9:16: a 4:5 frame
        ((0, 0), (1, 1)),
    ],
)
def test_the_frame_is_the_photo_shape_within_the_bounds(
    size: tuple[int, int], frame: tuple[int, int]
) -> None:
    assert frame_shape(*size) == frame


def test_the_bounds_are_instagrams() -> None:
    assert WIDEST_FRAME[0] / WIDEST_FRAME[1] == pytest.approx(1.91)
    assert TALLEST_FRAME[0] / TALLEST_FRAME[1] == pytest.approx(0.8)

from __future__ import annotations

from app.views.filters import slugify_id


def test_slugify_id_makes_valid_unique_ids() -> None:
    assert slugify_id("No posts yet") == "s-no-posts-yet"
    assert slugify_id("Café déjà vu!") == "s-cafe-deja-vu"
    assert slugify_id("!!!") == "section"


def test_relative_labels_read_like_a_feed() -> None:
    from datetime import UTC, datetime, timedelta

    from app.views.filters import display_url, relative_label

    now = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
    cases = {
        timedelta(seconds=30): "now",
        timedelta(minutes=5): "5m",
        timedelta(hours=3): "3h",
        timedelta(days=2): "2d",
        timedelta(weeks=3): "3w",
        timedelta(days=60): "28 Sep 2026",
    }
    for ago, label in cases.items():
        assert relative_label(now - ago, now) == label
    assert display_url("https://www.example.org/") == "example.org"
    assert display_url("http://example.org/" + "a" * 60).endswith("…")
    assert len(display_url("http://example.org/" + "a" * 60)) == 40


def test_file_sizes_read_as_a_file_manager_shows_them() -> None:
    from app.views.filters import filesize

    cases = {
        None: "0 bytes",
        999: "999 bytes",
        1000: "1.0 kB",
        2_700: "2.7 kB",
        441_293_746: "441.3 MB",
        999_999_999: "1.0 GB",  # never "1000.0 MB"
        12_400_000_000: "12.4 GB",
        5 * 10**12: "5.0 TB",
    }
    for size, label in cases.items():
        assert filesize(size) == label

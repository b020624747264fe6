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

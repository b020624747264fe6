from __future__ import annotations

from app.views.filters import slugify_id


def test_slugify_id_makes_valid_unique_ids() -> None:
    assert slugify_id("No posts yet") == "s-no-posts-yet"
    assert slugify_id("Café déjà vu!") == "s-cafe-deja-vu"
    assert slugify_id("!!!") == "section"

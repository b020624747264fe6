"""Search: hashtags next to people. A tag is found by the start of its name, and only when
the viewer may see one of its posts."""

from __future__ import annotations

import re
from datetime import timedelta
from urllib.parse import quote

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from app.extensions import db
from app.models import User, Visibility, utcnow
from app.services.sql import is_postgresql
from tests.factories import block, create_post, create_user, follow, make_private
from tests.support.auth import AuthActions


def tags_on(client: FlaskClient, query: str) -> list[str]:
    response = client.get("/search?q=" + quote(query))
    assert response.status_code == 200, response.status_code
    return re.findall(
        r'class="tag-result__name[^"]*" href="/tags/[^"]+">#([^<]+)</a>',
        response.get_data(as_text=True),
    )


def signed_in(app: Flask, username: str) -> FlaskClient:
    client = app.test_client()
    AuthActions(client).login(username)
    return client


def test_tags_are_found_by_their_start_with_or_without_the_hash(
    app: Flask, client: FlaskClient
) -> None:
    author = create_user(app, "author")
    create_post(app, author, "#moss #mossy #Mosswood #morning #pine")
    assert tags_on(client, "moss") == ["moss", "mosswood", "mossy"]  # the exact match first
    assert tags_on(client, "#MOSS") == ["moss", "mosswood", "mossy"]
    assert tags_on(client, "  #mo ") == ["morning", "moss", "mosswood", "mossy"]
    assert tags_on(client, "pines") == []
    html = client.get("/search?q=mossy").get_data(as_text=True)
    assert '<a class="tag-result__name person__name" href="/tags/mossy">#mossy</a>' in html


def test_people_and_tags_are_two_sections_tags_first_after_a_hash(
    app: Flask, client: FlaskClient
) -> None:
    create_post(app, create_user(app, "moss.walker"), "#mosswalk")
    html = client.get("/search?q=moss").get_data(as_text=True)
    assert html.index('id="search-people"') < html.index('id="search-tags"')
    assert "@moss.walker" in html and "#mosswalk" in html
    html = client.get("/search?q=%23moss").get_data(as_text=True)
    assert html.index('id="search-tags"') < html.index('id="search-people"')
    nothing = client.get("/search?q=zzz").get_data(as_text=True)
    assert "Nothing found" in nothing and 'id="search-tags"' not in nothing


def test_a_tag_shows_only_to_those_who_may_see_one_of_its_posts(app: Flask) -> None:
    author, friend, _stranger = (create_user(app, name) for name in ("author", "friend", "other"))
    follow(app, friend, author)
    create_post(app, author, "#secretgarden", visibility=Visibility.FOLLOWERS)
    shy = create_user(app, "shy")
    create_post(app, shy, "#shyfern")
    make_private(app, shy)

    assert tags_on(app.test_client(), "secret") == []
    assert tags_on(signed_in(app, "other"), "secret") == []
    assert tags_on(signed_in(app, "friend"), "secret") == ["secretgarden"]
    assert tags_on(signed_in(app, "author"), "secret") == ["secretgarden"]
    assert tags_on(app.test_client(), "shy") == []
    assert tags_on(signed_in(app, "shy"), "shy") == ["shyfern"]


def test_blocks_and_hidden_authors_take_their_tags_out(app: Flask) -> None:
    author, reader = create_user(app, "author"), create_user(app, "reader")
    create_post(app, author, "#blockedtag")
    gone = create_user(app, "gone")
    create_post(app, gone, "#gonetag")
    assert tags_on(signed_in(app, "reader"), "blocked") == ["blockedtag"]
    block(app, author, reader)
    assert tags_on(signed_in(app, "reader"), "blocked") == []
    assert tags_on(app.test_client(), "blocked") == ["blockedtag"]
    with app.app_context():
        account = db.session.get(User, gone.id)
        assert account is not None
        account.blocked_till = utcnow() + timedelta(days=1)
        db.session.commit()
    assert tags_on(app.test_client(), "gone") == []


def test_a_tag_left_on_no_post_is_not_offered(
    app: Flask, client: FlaskClient, auth: AuthActions
) -> None:
    author = create_user(app, "author")
    edited = create_post(app, author, "#oldname")
    deleted = create_post(app, author, "#deletedtag")
    auth.login("author")
    auth.post(f"/p/{edited.id}/edit", {"caption": "#newname", "alt_texts-0": "A photo"})
    auth.post(f"/p/{deleted.id}/delete")
    assert tags_on(client, "oldname") == []
    assert tags_on(client, "newname") == ["newname"]
    assert tags_on(client, "deleted") == []


def test_at_most_ten_tags(app: Flask, client: FlaskClient) -> None:
    author = create_user(app, "author")
    create_post(app, author, " ".join(f"#tag{number:02}" for number in range(14)))
    assert tags_on(client, "tag") == [f"tag{number:02}" for number in range(10)]


def test_unicode_tags_are_found_in_their_stored_form(app: Flask, client: FlaskClient) -> None:
    author = create_user(app, "author")
    create_post(app, author, "#Straße #café #日本の風景")
    assert tags_on(client, "STRASSE") == ["strasse"]
    assert tags_on(client, "straß") == ["strasse"]
    assert tags_on(client, "cafe\u0301") == ["café"]  # decomposed é, as some keyboards send
    assert tags_on(client, "日本") == ["日本の風景"]
    html = client.get("/search?q=" + quote("日本")).get_data(as_text=True)
    assert f'href="/tags/{quote("日本の風景")}"' in html


@pytest.mark.parametrize(
    "query",
    [
        "",
        "#",
        "##",
        "#%",
        "%",
        "_",
        "t_g",
        "\\",
        "tag%",
        "#tag #other",
        "tag-01",
        "\u202etag",
        "a" * 300,
        "#" * 300,
        "🌱",
        "' OR 1=1 --",
    ],
)
def test_hostile_queries_answer_calmly(app: Flask, client: FlaskClient, query: str) -> None:
    author = create_user(app, "author")
    create_post(app, author, "#tag01 #tg")
    found = tags_on(client, query)
    assert found == (["tag01"] if query == "\u202etag" else [])


def test_the_tag_names_compare_byte_by_byte_on_postgresql(app: Flask) -> None:
    """The unique index then serves the prefix search, read in its own order."""
    with app.app_context():
        if not is_postgresql():
            pytest.skip("SQLite compares bytes already")
        collation = db.session.scalar(
            sa.text(
                "SELECT collation_name FROM information_schema.columns"
                " WHERE table_name = 'hashtags' AND column_name = 'name'"
            )
        )
    assert collation == "C"

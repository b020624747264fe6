"""Discovery: explore, hashtag pages and people search. Anyone may look."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template, request

from app.controllers.support.authentication import viewer
from app.services.content import timelines
from app.services.content.text import tag_key
from app.views.pages import cursor_arg
from app.views.posts import grid_photos, profile_view

bp = Blueprint("discover", __name__)


@bp.get("/explore")
def explore() -> str:
    me = viewer()
    page = timelines.explore(me, cursor_arg(), current_app.config["GRID_PAGE_SIZE"])
    return render_template(
        "discover/explore.html", photos=grid_photos(page.items, me), next_cursor=page.next_cursor
    )


@bp.get("/tags/<tag>")
def hashtag(tag: str) -> str:
    size, me = current_app.config["GRID_PAGE_SIZE"], viewer()
    page = timelines.hashtag(me, tag[:100], cursor_arg(), size)
    return render_template(
        "discover/hashtag.html",
        tag=tag_key(tag[:100]),
        photos=grid_photos(page.items, me),
        next_cursor=page.next_cursor,
    )


@bp.get("/search")
def search() -> str:
    """People and tags whose names start with the query: tags first when it starts with #."""
    query = request.args.get("q", "")[:100]
    me = viewer()
    people = [profile_view(user) for user in timelines.search_users(me, query)]
    tags = timelines.search_hashtags(me, query)
    return render_template(
        "discover/search.html",
        query=query,
        people=people,
        tags=tags,
        tags_first=query.lstrip().startswith("#"),
    )

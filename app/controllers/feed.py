"""The home feed and saved posts."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template

from app.controllers.support.authentication import login_required, signed_in_user
from app.services.content import interactions, timelines
from app.views.cards import cached_cards, finish
from app.views.pages import cursor_arg
from app.views.posts import grid_photos

bp = Blueprint("feed", __name__)


@bp.get("/home")
@login_required
def home() -> str:
    me = signed_in_user()
    page = timelines.home(me, cursor_arg(), current_app.config["FEED_PAGE_SIZE"])
    cards = cached_cards(page.items, me)
    timelines.load_photos(cards.missing)
    state = interactions.viewer_state(me, page.items)
    html = finish(cards, state, me)
    return render_template("feed/home.html", cards=html, next_cursor=page.next_cursor)


@bp.get("/saved")
@login_required
def saved() -> str:
    me = signed_in_user()
    page = timelines.saved(me, cursor_arg(), current_app.config["GRID_PAGE_SIZE"])
    return render_template(
        "feed/saved.html", photos=grid_photos(page.items, me), next_cursor=page.next_cursor
    )

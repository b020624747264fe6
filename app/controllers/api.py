"""The JSON API for apps, in Mastodon's shapes (https://docs.joinmastodon.org/methods/).

Every call but registering an app and the instance's description needs a bearer token
(services/api/oauth.py) with the call's scope; a cookie alone never authorises one, so
CSRF, which guards cookies, does not apply here. Errors are ``{"error": ...}`` with
Mastodon's status codes.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import wraps
from typing import Any, TypeVar, cast

from authlib.oauth2 import OAuth2Error
from flask import Blueprint, abort, current_app, g, jsonify, request, url_for
from flask.typing import ResponseReturnValue

from app.controllers.support.limits import api_limits, api_read_limits, configured
from app.extensions import csrf, limiter
from app.models import Post, User, Visibility
from app.services.accounts import profiles, registrations
from app.services.api import apps, oauth
from app.services.api import media as api_media
from app.services.content import (
    access,
    interactions,
    notifications,
    posts,
    social,
    timelines,
)
from app.services.errors import FormError
from app.views.api import (
    NOTIFICATION_TYPES,
    absolute,
    account_json,
    application_json,
    hashtag_json,
    instance_v1,
    instance_v2,
    media_upload_json,
    notification_json,
    relationship_json,
    status_json,
)
from app.views.openapi import document as openapi_document

bp = Blueprint("api", __name__, url_prefix="/api")
csrf.exempt(bp)

F = TypeVar("F", bound=Callable[..., Any])


def error(message: str, status: int) -> ResponseReturnValue:
    return jsonify(error=message), status


def scoped(scope: str) -> Callable[[F], F]:
    """The call needs a live bearer token with ``scope`` (or the broad scope over it), of a
    person whose account is active; the person is ``g.api_user``. A read counts against
    ``RATELIMIT_API_READ`` for that person; writes carry their own ``api_limits``."""

    def decorator(view: F) -> F:
        if scope.startswith("read"):
            view = api_read_limits(view)

        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            try:
                token = oauth.protector.acquire_token([scope])
            except OAuth2Error as refusal:
                if refusal.error == "insufficient_scope":
                    return error("This action is outside the approved scopes", 403)
                return error("The access token is invalid", 401)
            user = apps.token_user(token)
            if user is None:
                return error("The access token is invalid", 401)
            g.api_user, g.api_token_id = user, token.id
            return view(*args, **kwargs)

        return cast(F, wrapper)

    return decorator


def api_user() -> User:
    user: User = g.api_user
    return user


def _fields() -> dict[str, Any]:
    """The call's parameters: a JSON object, or form fields (Mastodon takes both)."""
    if request.is_json:
        body = request.get_json(silent=True)
        return body if isinstance(body, dict) else {}
    return request.form.to_dict()


@bp.post("/v1/apps")
@limiter.limit(configured("RATELIMIT_APP_REGISTRATION"))
def register_app() -> ResponseReturnValue:
    fields = _fields()
    text = {
        name: fields.get(name) for name in ("client_name", "redirect_uris", "scopes", "website")
    }
    if not all(isinstance(value, str | None) for value in text.values()):
        return error("Each field must be a string", 422)
    try:
        app, secret = oauth.register(
            text["client_name"] or "",
            text["redirect_uris"] or "",
            text["scopes"],
            text["website"] or "",
        )
    except FormError as refusal:
        return error(refusal.message, 422)
    return jsonify(application_json(app, secret))


@bp.get("/v1/accounts/verify_credentials")
@scoped("read:accounts")
def verify_credentials() -> ResponseReturnValue:
    return jsonify(account_json(api_user(), source=True))


# -- Accounts and statuses: the pages' services, the pages' rules --------------------------

PAGE_DEFAULT, PAGE_MAX = 20, 40


def _number(raw: str, digits: int = 18) -> int | None:
    """A decimal id or count as typed in ASCII ("²" is a digit to ``str.isdigit``), else None."""
    return int(raw) if raw.isascii() and raw.isdigit() and len(raw) <= digits else None


def _limit() -> int:
    number = _number(request.args.get("limit", ""), 3)
    return max(1, min(number or PAGE_DEFAULT, PAGE_MAX))


def _id_arg(name: str) -> int | None:
    return _number(request.args.get(name, ""))


def _statuses(page_posts: Sequence[Post], *, older: bool) -> ResponseReturnValue:
    """A list of statuses, newest first, with Mastodon's ``Link`` header to go on
    (``older``: there are more past the last one)."""
    state = interactions.viewer_state(api_user(), page_posts)
    since = _id_arg("since_id")
    shown = [post for post in page_posts if since is None or post.id > since]
    response = jsonify([status_json(post, state) for post in shown])
    links = []
    if older and shown:
        links.append(f'<{_page_url(max_id=shown[-1].id)}>; rel="next"')
    if shown:
        links.append(f'<{_page_url(min_id=shown[0].id)}>; rel="prev"')
    if links:
        response.headers["Link"] = ", ".join(links)
    return response


def _page_url(**cursor: int) -> str:
    values: dict[str, Any] = dict(request.view_args or {})
    values |= {k: v for k, v in request.args.items() if k not in ("max_id", "min_id", "since_id")}
    values |= cursor
    return absolute(url_for(request.endpoint or "api.home", **values))


def _account_or_404(account_id: int) -> User:
    found = profiles.find_by_id(api_user(), account_id)
    if found is None:
        abort(404, "Record not found")
    return found


@bp.get("/v1/accounts/lookup")
@scoped("read:accounts")
def lookup() -> ResponseReturnValue:
    acct = request.args.get("acct", "")
    found = profiles.find(api_user(), acct.removeprefix("@").split("@")[0]) if acct else None
    if found is None:
        return error("Record not found", 404)
    return jsonify(account_json(found))


@bp.get("/v1/accounts/<id:account_id>")
@scoped("read:accounts")
def account(account_id: int) -> ResponseReturnValue:
    return jsonify(account_json(_account_or_404(account_id)))


@bp.get("/v1/accounts/<id:account_id>/statuses")
@scoped("read:statuses")
def account_statuses(account_id: int) -> ResponseReturnValue:
    owner = _account_or_404(account_id)
    after, before = _id_arg("min_id"), _id_arg("max_id")
    if after is not None:  # reading forward: the posts just after the one the app has
        newer = timelines.profile_after(api_user(), owner, after, before, _limit())
        return _statuses(newer, older=True)
    page = timelines.profile(api_user(), owner, before, _limit())
    return _statuses(page.items, older=page.next_cursor is not None)


def _people(account_id: int, lister: Callable[..., Any]) -> ResponseReturnValue:
    owner = _account_or_404(account_id)
    if not access.follow_lists_visible(api_user(), owner):
        return jsonify([])  # as Mastodon answers for hidden lists
    page = lister(api_user(), owner, _id_arg("max_id"), _limit())
    response = jsonify([account_json(person) for person in page.items])
    if page.next_cursor is not None and page.items:
        response.headers["Link"] = f'<{_page_url(max_id=page.items[-1].id)}>; rel="next"'
    return response


@bp.get("/v1/accounts/<id:account_id>/followers")
@scoped("read:accounts")
def followers(account_id: int) -> ResponseReturnValue:
    return _people(account_id, timelines.followers)


@bp.get("/v1/accounts/<id:account_id>/following")
@scoped("read:accounts")
def following(account_id: int) -> ResponseReturnValue:
    return _people(account_id, timelines.following)


@bp.get("/v1/timelines/home")
@scoped("read:statuses")
def home() -> ResponseReturnValue:
    after, before = _id_arg("min_id"), _id_arg("max_id")
    if after is not None:
        newer = timelines.home_after(api_user(), after, before, _limit())
        timelines.load_photos(newer)
        return _statuses(newer, older=True)
    page = timelines.home(api_user(), before, _limit())
    timelines.load_photos(page.items)
    return _statuses(page.items, older=page.next_cursor is not None)


def _status_or_404(status_id: int) -> Post:
    post = posts.visible(api_user(), status_id)
    if post is None:
        abort(404, "Record not found")
    return post


@bp.get("/v1/statuses/<id:status_id>")
@scoped("read:statuses")
def status(status_id: int) -> ResponseReturnValue:
    post = _status_or_404(status_id)
    return jsonify(status_json(post, interactions.viewer_state(api_user(), [post])))


@bp.get("/v1/statuses/<id:status_id>/context")
@scoped("read:statuses")
def context(status_id: int) -> ResponseReturnValue:
    """A post has no replies that are posts: comments are not statuses (docs/api.md)."""
    _status_or_404(status_id)
    return jsonify(ancestors=[], descendants=[])


def _toggled(status_id: int, toggle: interactions.Toggle) -> ResponseReturnValue:
    post = _status_or_404(status_id)
    toggle(api_user(), post)
    post = _status_or_404(status_id)  # its counts, as they are now
    return jsonify(status_json(post, interactions.viewer_state(api_user(), [post])))


@bp.post("/v1/statuses/<id:status_id>/favourite")
@scoped("write:favourites")
@api_limits("RATELIMIT_INTERACTIONS")
def favourite(status_id: int) -> ResponseReturnValue:
    return _toggled(status_id, interactions.like)


@bp.post("/v1/statuses/<id:status_id>/unfavourite")
@scoped("write:favourites")
@api_limits("RATELIMIT_INTERACTIONS")
def unfavourite(status_id: int) -> ResponseReturnValue:
    return _toggled(status_id, interactions.unlike)


@bp.post("/v1/statuses/<id:status_id>/bookmark")
@scoped("write:bookmarks")
@api_limits("RATELIMIT_INTERACTIONS")
def bookmark(status_id: int) -> ResponseReturnValue:
    return _toggled(status_id, interactions.save)


@bp.post("/v1/statuses/<id:status_id>/unbookmark")
@scoped("write:bookmarks")
@api_limits("RATELIMIT_INTERACTIONS")
def unbookmark(status_id: int) -> ResponseReturnValue:
    return _toggled(status_id, interactions.unsave)


# -- Following, requests, blocks and mutes: social's rules, as on the profile page --------


def _relationship(target: User) -> ResponseReturnValue:
    return jsonify(relationship_json(target, social.relationship(api_user(), target)))


def _social(account_id: int, action: Callable[[User, User], object]) -> ResponseReturnValue:
    target = _account_or_404(account_id)
    try:
        action(api_user(), target)
    except FormError as refusal:
        return error(refusal.message, 422)
    except LookupError:
        return error("Record not found", 404)
    return _relationship(target)


@bp.get("/v1/accounts/relationships")
@scoped("read:follows")
def relationships() -> ResponseReturnValue:
    raw = request.args.getlist("id[]") or request.args.getlist("id")
    ids = [n for n in (_number(v) for v in raw[:40]) if n is not None]
    found = []
    for account_id in ids:
        target = profiles.find_by_id(api_user(), account_id)
        if target is not None:
            found.append(relationship_json(target, social.relationship(api_user(), target)))
    return jsonify(found)


@bp.post("/v1/accounts/<id:account_id>/follow")
@scoped("write:follows")
@api_limits("RATELIMIT_INTERACTIONS")
def follow(account_id: int) -> ResponseReturnValue:
    return _social(account_id, social.follow)


@bp.post("/v1/accounts/<id:account_id>/unfollow")
@scoped("write:follows")
@api_limits("RATELIMIT_INTERACTIONS")
def unfollow(account_id: int) -> ResponseReturnValue:
    return _social(account_id, social.unfollow)


@bp.post("/v1/accounts/<id:account_id>/block")
@scoped("write:blocks")
@api_limits("RATELIMIT_INTERACTIONS")
def block(account_id: int) -> ResponseReturnValue:
    return _social(account_id, social.block)


@bp.post("/v1/accounts/<id:account_id>/unblock")
@scoped("write:blocks")
@api_limits("RATELIMIT_INTERACTIONS")
def unblock(account_id: int) -> ResponseReturnValue:
    target = profiles.find_by_id(api_user(), account_id, check_blocks=False)
    if target is None:
        return error("Record not found", 404)
    social.unblock(api_user(), target)
    return _relationship(target)


@bp.post("/v1/accounts/<id:account_id>/mute")
@scoped("write:mutes")
@api_limits("RATELIMIT_INTERACTIONS")
def mute(account_id: int) -> ResponseReturnValue:
    return _social(account_id, social.mute)


@bp.post("/v1/accounts/<id:account_id>/unmute")
@scoped("write:mutes")
@api_limits("RATELIMIT_INTERACTIONS")
def unmute(account_id: int) -> ResponseReturnValue:
    return _social(account_id, social.unmute)


@bp.get("/v1/follow_requests")
@scoped("read:follows")
def follow_requests() -> ResponseReturnValue:
    return jsonify([account_json(user) for user in social.pending_requests(api_user())[:80]])


def _answer(account_id: int, answer: Callable[[User, User], bool]) -> ResponseReturnValue:
    requester = profiles.find_by_id(api_user(), account_id)
    if requester is None or not answer(api_user(), requester):
        return error("Record not found", 404)
    return _relationship(requester)


@bp.post("/v1/follow_requests/<id:account_id>/authorize")
@scoped("write:follows")
@api_limits("RATELIMIT_INTERACTIONS")
def authorize_request(account_id: int) -> ResponseReturnValue:
    return _answer(account_id, social.approve)


@bp.post("/v1/follow_requests/<id:account_id>/reject")
@scoped("write:follows")
@api_limits("RATELIMIT_INTERACTIONS")
def reject_request(account_id: int) -> ResponseReturnValue:
    return _answer(account_id, social.decline)


# -- Notifications and search --------------------------------------------------------------


@bp.get("/v1/notifications")
@scoped("read:notifications")
def notifications_list() -> ResponseReturnValue:
    page = notifications.recent(api_user(), _id_arg("max_id"), _limit())
    shown = [item for item in page.items if item.kind in NOTIFICATION_TYPES and item.actor]
    with_posts = [item.post for item in shown if item.post is not None]
    state = interactions.viewer_state(api_user(), with_posts)
    response = jsonify([notification_json(item, state) for item in shown])
    if page.next_cursor is not None and page.items:
        response.headers["Link"] = f'<{_page_url(max_id=page.items[-1].id)}>; rel="next"'
    return response


@bp.get("/v2/search")
@scoped("read:search")
def search() -> ResponseReturnValue:
    query = request.args.get("q", "")[:100]
    wanted = request.args.get("type", "")
    accounts = timelines.search_users(api_user(), query) if wanted in ("", "accounts") else []
    tags = timelines.search_hashtags(api_user(), query) if wanted in ("", "hashtags") else []
    return jsonify(
        accounts=[account_json(user) for user in accounts],
        statuses=[],
        hashtags=[hashtag_json(name) for name in tags],
    )


# -- Posting: media first, then the status that names them ---------------------------------


@bp.post("/v2/media")
@bp.post("/v1/media")
@scoped("write:media")
@api_limits("RATELIMIT_POSTING")
def upload_media() -> ResponseReturnValue:
    file = request.files.get("file")
    description = request.form.get("description", "")
    if file is None or not file.filename:
        return error("Send the photo as the 'file' field", 422)
    try:
        found = api_media.upload(api_user(), file.stream, description)
    except FormError as refusal:
        return error(refusal.message, 422)
    return jsonify(media_upload_json(found))


@bp.put("/v1/media/<id:media_id>")
@scoped("write:media")
def describe_media(media_id: int) -> ResponseReturnValue:
    try:
        found = api_media.describe(api_user(), media_id, str(_fields().get("description", "")))
    except FormError as refusal:
        return error(refusal.message, 422)
    if found is None:
        return error("Record not found", 404)
    return jsonify(media_upload_json(found))


VISIBILITIES = {"public": Visibility.PUBLIC, "unlisted": Visibility.PUBLIC,
                "private": Visibility.FOLLOWERS, "direct": Visibility.ONLY_ME}  # fmt: skip


def _media_ids(fields: dict[str, Any]) -> list[int] | None:
    raw = request.form.getlist("media_ids[]") if not request.is_json else fields.get("media_ids")
    if raw is None:
        raw = []
    if not isinstance(raw, list) or not all(isinstance(i, str | int) for i in raw):
        return None
    ids = [_number(str(value)) for value in raw]
    return None if None in ids else [n for n in ids if n is not None]


@bp.post("/v1/statuses")
@scoped("write:statuses")
@api_limits("RATELIMIT_POSTING")
def post_status() -> ResponseReturnValue:
    fields = _fields()
    ids = _media_ids(fields)
    caption, visibility = fields.get("status", ""), fields.get("visibility", "public")
    spoiler = fields.get("spoiler_text", "")
    if ids is None or not all(isinstance(v, str) for v in (caption, visibility, spoiler)):
        return error("Validation failed: a field has the wrong type", 422)
    if visibility not in VISIBILITIES:
        return error("Validation failed: unknown visibility", 422)
    if not ids:
        return error("Validation failed: Sapling posts need at least one photo", 422)
    sensitive = str(fields.get("sensitive", "")).lower() in ("1", "true")
    try:
        post = posts.publish(
            api_user(),
            api_media.taken(api_user(), ids),
            caption,
            visibility=VISIBILITIES[visibility],
            sensitive=sensitive,
            content_warning=spoiler,
        )
    except FormError as refusal:
        return error(f"Validation failed: {refusal.message}", 422)
    shown = posts.visible(api_user(), post.id)
    assert shown is not None  # noqa: S101  (its author sees it: just made)
    return jsonify(status_json(shown, interactions.viewer_state(api_user(), [shown])))


@bp.delete("/v1/statuses/<id:status_id>")
@scoped("write:statuses")
def delete_status(status_id: int) -> ResponseReturnValue:
    post = _status_or_404(status_id)
    shown = status_json(post, interactions.viewer_state(api_user(), [post]))
    try:
        posts.delete_post(api_user(), post)
    except PermissionError:
        return error("This action is not allowed", 403)
    return jsonify(shown)


@bp.get("/openapi.json")
def openapi() -> ResponseReturnValue:
    return jsonify(
        openapi_document(
            absolute("/"), str(current_app.extensions["sapling_version"]), sorted(oauth.SCOPES)
        )
    )


@bp.get("/v1/instance")
@bp.get("/v1/instance/")
def instance() -> ResponseReturnValue:
    return jsonify(instance_v1(**_registrations()))


@bp.get("/v2/instance")
@bp.get("/v2/instance/")
def instance_two() -> ResponseReturnValue:
    return jsonify(instance_v2(**_registrations()))


def _registrations() -> dict[str, bool]:
    mode = registrations.mode().value
    return {
        "registrations_open": mode in ("open", "approval"),
        "approval_required": mode == "approval",
    }

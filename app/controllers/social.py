"""Following, follow requests, blocking, muting and reporting accounts."""

from __future__ import annotations

from collections.abc import Callable

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from app.controllers.support.authentication import login_required, signed_in_user, verified_required
from app.controllers.support.limits import limit_blueprint_actions
from app.core.redirects import safe_next
from app.forms.base import ConfirmForm
from app.models import User
from app.services.accounts import profiles
from app.services.accounts.identifiers import canonical_username
from app.services.content import social
from app.services.content.social import FollowState
from app.services.errors import FormError
from app.views.posts import profile_view

bp = Blueprint("social", __name__)
# Every post here is an action by a signed-in person; answering a follow request too.
limit_blueprint_actions(bp, "RATELIMIT_INTERACTIONS")


def _target(username: str) -> User:
    user = profiles.find(signed_in_user(), username)
    if user is None:
        abort(404)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    return user


def _back(target: User) -> Response:
    default = url_for("profiles.show", username=target.username)
    return redirect(safe_next(request.form.get("next"), default), 303)


def _act(
    username: str,
    action: Callable[[User, User], object],
    message: str | Callable[[object], str],
    *,
    then: str | None = None,
) -> Response:
    """Run a social action on ``@username``; say what happened, then go back (or to ``then``).

    ``message`` is a template with ``{name}``, or a function of the action's result.
    """
    target = _target(username)
    try:
        result = action(signed_in_user(), target)
    except FormError as error:
        flash(error.message, "error")
        return redirect(url_for("profiles.show", username=target.username), 303)
    except LookupError:
        abort(404)
    text = message(result) if callable(message) else message
    flash(text.format(name=target.username), "success")
    return redirect(then, 303) if then else _back(target)


def _followed(state: object) -> str:
    if state == FollowState.REQUESTED:
        return "Request sent. You'll see @{name}'s posts once they approve."
    return "You follow @{name} now."


@bp.post("/@<username>/follow")
@verified_required
def follow(username: str) -> Response:
    return _act(username, social.follow, _followed)


@bp.post("/@<username>/unfollow")
@login_required
def unfollow(username: str) -> Response:
    return _act(username, social.unfollow, "You no longer follow @{name}.")


@bp.post("/@<username>/remove-follower")
@login_required
def remove_follower(username: str) -> Response:
    return _act(username, social.remove_follower, "@{name} no longer follows you.")


@bp.post("/@<username>/block")
@login_required
def block(username: str) -> Response:
    message = "You blocked @{name}. Neither of you can see the other now."
    return _act(username, social.block, message, then=url_for("social.blocked"))


@bp.post("/@<username>/unblock")
@login_required
def unblock(username: str) -> Response:
    target = _blocked_target(username)
    social.unblock(signed_in_user(), target)
    flash(f"You unblocked @{target.username}.", "success")
    return redirect(url_for("social.blocked"), 303)


def _blocked_target(username: str) -> User:
    """Blocked accounts are invisible, so they are found in the viewer's own block list."""
    blocked = {user.username: user for user in social.blocked_accounts(signed_in_user())}
    name = canonical_username(username)
    if name not in blocked:
        abort(404)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    return blocked[name]


@bp.post("/@<username>/mute")
@login_required
def mute(username: str) -> Response:
    return _act(username, social.mute, "You muted @{name}. Their posts stay out of your feed.")


@bp.post("/@<username>/unmute")
@login_required
def unmute(username: str) -> Response:
    return _act(username, social.unmute, "You unmuted @{name}.")


@bp.get("/follow-requests")
@login_required
def requests() -> str:
    people = [profile_view(user) for user in social.pending_requests(signed_in_user())]
    return render_template("social/requests.html", people=people)


@bp.post("/follow-requests/<username>/<any(approve, decline):answer>")
@login_required
def answer(username: str, answer: str) -> Response:
    if not ConfirmForm().validate_on_submit():
        abort(400)
    requester = next(
        (u for u in social.pending_requests(signed_in_user()) if u.username == username), None
    )
    if requester is None:
        flash("That request was already answered.", "info")
    elif answer == "approve":
        social.approve(signed_in_user(), requester)
        flash(f"@{requester.username} follows you now.", "success")
    else:
        social.decline(signed_in_user(), requester)
        flash(f"You declined @{requester.username}'s request.", "success")
    return redirect(url_for("social.requests"), 303)


@bp.get("/blocked")
@login_required
def blocked() -> str:
    people = [profile_view(user) for user in social.blocked_accounts(signed_in_user())]
    return render_template("social/blocked.html", people=people)

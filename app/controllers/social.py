"""Following, follow requests, blocking, muting and reporting accounts."""

from __future__ import annotations

from collections.abc import Callable

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from werkzeug.wrappers import Response

from app.core.authentication import login_required, signed_in_user, verified_required
from app.core.rate_limits import action_limits
from app.core.redirects import safe_next
from app.forms.base import ConfirmForm
from app.forms.posts import ReportForm
from app.models import ReportReason, User
from app.services import interactions, profiles, social
from app.services.errors import FormError
from app.services.social import FollowState
from app.views.posts import profile_view

bp = Blueprint("social", __name__)

Page = ResponseReturnValue


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


def _act(username: str, action: Callable[[User, User], object], message: str) -> Response:
    target = _target(username)
    try:
        action(signed_in_user(), target)
    except FormError as error:
        flash(error.message, "error")
        return redirect(url_for("profiles.show", username=target.username), 303)
    except LookupError:
        abort(404)
    flash(message.format(name=target.username), "success")
    return _back(target)


@bp.post("/@<username>/follow")
@verified_required
@action_limits("RATELIMIT_INTERACTIONS")
def follow(username: str) -> Response:
    target = _target(username)
    try:
        state = social.follow(signed_in_user(), target)
    except FormError as error:
        flash(error.message, "error")
        return _back(target)
    except LookupError:
        abort(404)
    if state == FollowState.REQUESTED:
        flash(f"Request sent. You'll see @{target.username}'s posts once they approve.", "success")
    else:
        flash(f"You follow @{target.username} now.", "success")
    return _back(target)


@bp.post("/@<username>/unfollow")
@login_required
@action_limits("RATELIMIT_INTERACTIONS")
def unfollow(username: str) -> Response:
    return _act(username, social.unfollow, "You no longer follow @{name}.")


@bp.post("/@<username>/remove-follower")
@login_required
@action_limits("RATELIMIT_INTERACTIONS")
def remove_follower(username: str) -> Response:
    return _act(username, social.remove_follower, "@{name} no longer follows you.")


@bp.post("/@<username>/block")
@login_required
@action_limits("RATELIMIT_INTERACTIONS")
def block(username: str) -> Response:
    target = _target(username)
    try:
        social.block(signed_in_user(), target)
    except FormError as error:
        flash(error.message, "error")
        return redirect(url_for("profiles.show", username=target.username), 303)
    flash(f"You blocked @{target.username}. Neither of you can see the other now.", "success")
    return redirect(url_for("social.blocked"), 303)


@bp.post("/@<username>/unblock")
@login_required
@action_limits("RATELIMIT_INTERACTIONS")
def unblock(username: str) -> Response:
    target = _blocked_target(username)
    social.unblock(signed_in_user(), target)
    flash(f"You unblocked @{target.username}.", "success")
    return redirect(url_for("social.blocked"), 303)


def _blocked_target(username: str) -> User:
    """Blocked accounts are invisible, so they are found in the viewer's own block list."""
    blocked = {user.username: user for user in social.blocked_accounts(signed_in_user())}
    if username not in blocked:
        abort(404)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    return blocked[username]


@bp.post("/@<username>/mute")
@login_required
@action_limits("RATELIMIT_INTERACTIONS")
def mute(username: str) -> Response:
    return _act(username, social.mute, "You muted @{name}. Their posts stay out of your feed.")


@bp.post("/@<username>/unmute")
@login_required
@action_limits("RATELIMIT_INTERACTIONS")
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


@bp.route("/@<username>/report", methods=["GET", "POST"])
@login_required
@action_limits("RATELIMIT_INTERACTIONS", methods=["POST"])
def report(username: str) -> Page:
    target = profiles.find(signed_in_user(), username)
    if target is None or target.id == signed_in_user().id:
        abort(404)
    form = ReportForm()
    if form.validate_on_submit():
        try:
            interactions.report(
                signed_in_user(),
                ReportReason(form.reason.data),
                form.details.data or "",
                user=target,
            )
        except FormError as error:
            form.add_error(error)
        else:
            flash("Thank you. Our moderators will look at it.", "success")
            return redirect(url_for("profiles.show", username=target.username), 303)
    status = 422 if form.is_submitted() else 200
    return render_template(
        "posts/report.html", form=form, action=request.path, subject=f"@{target.username}"
    ), status

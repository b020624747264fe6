"""Reporting a post or an account to the moderators."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from app.controllers.support.authentication import login_required, signed_in_user
from app.controllers.support.limits import action_limits
from app.forms.posts import ReportForm
from app.models import Comment, Post, ReportReason, User
from app.services.accounts import profiles
from app.services.content import interactions, posts, social
from app.services.errors import FormError

bp = Blueprint("reports", __name__)


@bp.route("/p/<id:post_id>/report", methods=["GET", "POST"])
@login_required
@action_limits("RATELIMIT_INTERACTIONS", methods=["POST"])
def post(post_id: int) -> ResponseReturnValue:
    found = posts.visible(signed_in_user(), post_id)
    if found is None:
        abort(404)
    return _report("this post", url_for("posts.show", post_id=post_id), post=found)


@bp.route("/p/<id:post_id>/comments/<id:comment_id>/report", methods=["GET", "POST"])
@login_required
@action_limits("RATELIMIT_INTERACTIONS", methods=["POST"])
def comment(post_id: int, comment_id: int) -> ResponseReturnValue:
    found = posts.visible(signed_in_user(), post_id)
    target = interactions.comment_in(found, comment_id) if found else None
    if target is None or target.author_id == signed_in_user().id:
        abort(404)
    back = url_for("posts.show", post_id=post_id) + f"#comment-{comment_id}"
    return _report("this comment", back, comment=target)


@bp.route("/@<username>/report", methods=["GET", "POST"])
@login_required
@action_limits("RATELIMIT_INTERACTIONS", methods=["POST"])
def account(username: str) -> ResponseReturnValue:
    # An account you blocked can still be reported (a block often comes first); one that
    # blocked you does not exist for you.
    target = profiles.find(signed_in_user(), username, check_blocks=False)
    if target is None or target.id == signed_in_user().id:
        abort(404)
    if social.relationship(signed_in_user(), target).blocked_by:
        abort(404)
    back = url_for("profiles.show", username=target.username)
    return _report(f"@{target.username}", back, user=target)


def _report(
    subject: str,
    back: str,
    *,
    post: Post | None = None,
    user: User | None = None,
    comment: Comment | None = None,
) -> ResponseReturnValue:
    form = ReportForm()
    if form.validate_on_submit():
        reason = ReportReason(form.reason.data)
        try:
            interactions.report(
                signed_in_user(),
                reason,
                form.details.data or "",
                post=post,
                user=user,
                comment=comment,
            )
        except FormError as error:
            form.add_error(error)
        else:
            flash("Thank you. Our moderators will look at it.", "success")
            return redirect(back, 303)
    status = 422 if form.is_submitted() else 200
    page = render_template("reports/new.html", form=form, action=request.path, subject=subject)
    return page, status

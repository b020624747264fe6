"""Posts: publish, show, edit, delete; like, save, comment and report."""

from __future__ import annotations

from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from werkzeug.wrappers import Response

from app.controllers.support.authentication import (
    login_required,
    signed_in_user,
    verified_required,
    viewer,
)
from app.controllers.support.limits import action_limits
from app.core.redirects import safe_next
from app.forms.base import ConfirmForm
from app.forms.posts import CommentForm, EditPostForm, NewPostForm
from app.models import PendingStatus, PhotoShape, Post, Visibility
from app.services.content import interactions, pending_posts, posts
from app.services.errors import FormError
from app.views.pages import cursor_arg, time_cursor, time_cursor_arg, wants_fragment
from app.views.posts import alt_reminder, comment_views, post_views, profile_view

bp = Blueprint("posts", __name__, url_prefix="/p")

LIKERS_PAGE_SIZE = 50  # as the follower lists


def _post_or_404(post_id: int) -> Post:
    post = posts.visible(viewer(), post_id)
    if post is None:
        abort(404)
    return post


def _back_to(post: Post) -> Response:
    """Back to the page the button was on (the feed, a profile), or else to the post."""
    default = url_for("posts.show", post_id=post.id)
    return redirect(safe_next(request.form.get("next"), default), 303)


@bp.route("/new", methods=["GET", "POST"])
@verified_required
@action_limits("RATELIMIT_POSTING", methods=["POST"])
def new() -> ResponseReturnValue:
    limits = pending_posts.accepted_video_limits()
    form = NewPostForm(video_limits=limits)
    if form.validate_on_submit():
        files = [f for f in request.files.getlist(form.photos.name) if f and f.filename]
        alts = form.descriptions(len(files))
        uploads = [posts.Upload(file.stream, alt) for file, alt in zip(files, alts, strict=True)]
        try:
            location = _share(form, uploads)
        except FormError as error:
            form.add_error(error)
        else:
            if wants_fragment():  # compose.js sent it and shows the progress; it navigates
                return jsonify(location=location), 201
            return redirect(location, 303)
    status = 422 if form.is_submitted() else 200
    return render_template("posts/new.html", form=form, videos_accepted=bool(limits)), status


def _share(form: NewPostForm, uploads: list[posts.Upload]) -> str:
    """Post the photos now, or keep a post with videos for the worker; where to go next."""
    visibility, shape = Visibility(form.visibility.data), PhotoShape(form.shape.data)
    caption, warning = form.caption.data or "", form.content_warning.data or ""
    comments = not form.turn_off_comments.data
    if any(pending_posts.is_video(upload.stream) for upload in uploads):
        waiting = pending_posts.start(
            signed_in_user(), uploads, caption, visibility=visibility, comments_enabled=comments,
            shape=shape, sensitive=form.sensitive.data, content_warning=warning,
        )  # fmt: skip
        return url_for("posts.pending", pending_id=waiting.id)
    post = posts.create(
        signed_in_user(), uploads, caption, visibility=visibility, comments_enabled=comments,
        shape=shape, sensitive=form.sensitive.data, content_warning=warning,
    )  # fmt: skip
    flash("Your post is up.", "success")
    _remind_to_describe(post, asked=form.alt_reminder_seen.data == "1")
    return url_for("posts.show", post_id=post.id)


@bp.get("/pending/<id:pending_id>")
@login_required
def pending(pending_id: int) -> ResponseReturnValue:
    """A post waiting for its videos, to its author alone: "processing" until the worker
    has made it (then the post), or why it could not be. static/js/pending.js asks for
    the status on its own and reloads when it changes; without JavaScript, "Check again"."""
    found = pending_posts.of_author(signed_in_user(), pending_id)
    if found is None:
        abort(404)
    if wants_fragment():
        return jsonify(status=found.status.value)
    if found.status == PendingStatus.DONE and found.post_id is not None:
        flash("Your post is up.", "success")
        return redirect(url_for("posts.show", post_id=found.post_id), 303)
    return render_template("posts/pending.html", pending=found)


def _remind_to_describe(post: Post, *, asked: bool) -> None:
    """The alt-text reminder after posting, where compose.js could not ask before sharing
    (no JavaScript): a notice linking to the descriptions. Never a bounced form, which
    would lose the chosen files; never twice; not for those who turned it off."""
    notice = None if asked or not signed_in_user().remind_alt_text else alt_reminder(post)
    if notice:
        flash(notice, "info")


@bp.get("/<id:post_id>")
def show(post_id: int) -> ResponseReturnValue:
    post = _post_or_404(post_id)
    me = viewer()
    state = interactions.viewer_state(me, [post])
    comments = interactions.comments(me, post, cursor_arg("after"), 50)
    shown = [post.id] if request.args.get("show") == "sensitive" else []
    return render_template(
        "posts/show.html",
        post=post_views([post], state, me, shown=shown)[0],
        comments=comment_views(comments.items, post, me),
        next_comments=comments.next_cursor,
        comment_form=CommentForm() if interactions.may_comment(me, post, state) else None,
        comments_closed=not post.comments_enabled,
    )


@bp.get("/<id:post_id>/likes")
def likes(post_id: int) -> ResponseReturnValue:
    """Who liked the post: there for whoever may see the post, and a 404 like it otherwise."""
    post = _post_or_404(post_id)
    before = time_cursor_arg()
    cursor = interactions.LikeCursor(*before) if before else None
    page = interactions.likers(viewer(), post, cursor, LIKERS_PAGE_SIZE)
    return render_template(
        "posts/likes.html",
        post_id=post.id,
        author=profile_view(post.author),
        people=[profile_view(person) for person in page.people],
        next_cursor=time_cursor(*page.next_cursor) if page.next_cursor else None,
    )


@bp.route("/<id:post_id>/edit", methods=["GET", "POST"])
@login_required
def edit(post_id: int) -> ResponseReturnValue:
    post = _post_or_404(post_id)
    if post.author_id != signed_in_user().id:
        abort(403)
    form = EditPostForm(obj=None if request.method == "POST" else post)
    if request.method == "GET":
        for photo in post.photos:
            form.alt_texts.append_entry(photo.alt_text)
    if form.validate_on_submit():
        alts = form.descriptions([photo.id for photo in post.photos])
        try:
            posts.edit(
                signed_in_user(),
                post,
                form.caption.data or "",
                alts,
                sensitive=form.sensitive.data,
                content_warning=form.content_warning.data or "",
                visibility=form.chosen_visibility(),
            )
        except FormError as error:
            form.add_error(error)
        else:
            flash("Your changes are saved.", "success")
            return redirect(url_for("posts.show", post_id=post.id), 303)
    status = 422 if form.is_submitted() else 200
    photos = post_views([post], interactions.ViewerState(), signed_in_user())[0].photos
    return render_template("posts/edit.html", form=form, post=post, photos=photos), status


@bp.post("/<id:post_id>/delete")
@login_required
def delete(post_id: int) -> Response:
    post = _post_or_404(post_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        posts.delete_post(signed_in_user(), post)
    except PermissionError:
        abort(403)
    flash("Your post was deleted.", "success")
    return redirect(url_for("profiles.show", username=signed_in_user().username), 303)


@bp.post("/<id:post_id>/like")
@verified_required
@action_limits("RATELIMIT_INTERACTIONS")
def like(post_id: int) -> ResponseReturnValue:
    return _toggle(post_id, interactions.like, interactions.unlike)


@bp.post("/<id:post_id>/save")
@verified_required
@action_limits("RATELIMIT_INTERACTIONS")
def save(post_id: int) -> ResponseReturnValue:
    return _toggle(post_id, interactions.save, interactions.unsave)


def _toggle(post_id: int, on: interactions.Toggle, off: interactions.Toggle) -> ResponseReturnValue:
    """Like or save (``on=1``), or undo (``on=0``): an explicit state, so a replay is harmless."""
    post = _post_or_404(post_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    (on if request.form.get("on") == "1" else off)(signed_in_user(), post)
    if wants_fragment():
        # The counter update also updated ``post`` in the session: no need to load it again.
        state = interactions.viewer_state(signed_in_user(), [post])
        return render_template(
            "posts/_actions.html",
            post=post_views([post], state, signed_in_user())[0],
        )
    return _back_to(post)


@bp.post("/<id:post_id>/comments")
@verified_required
@action_limits("RATELIMIT_INTERACTIONS")
def comment(post_id: int) -> ResponseReturnValue:
    post = _post_or_404(post_id)
    form = CommentForm()
    if form.validate_on_submit():
        try:
            created = interactions.add_comment(signed_in_user(), post, form.body.data or "")
        except FormError as error:
            form.add_error(error)
        else:
            return redirect(url_for("posts.show", post_id=post.id) + f"#comment-{created.id}", 303)
    if not interactions.may_comment(signed_in_user(), post):
        abort(403)
    me = signed_in_user()
    comments = interactions.comments(me, post, None, 50)
    state = interactions.viewer_state(me, [post])
    return render_template(
        "posts/show.html",
        post=post_views([post], state, me)[0],
        comments=comment_views(comments.items, post, me),
        next_comments=comments.next_cursor,
        comment_form=form,
        comments_closed=False,
    ), 422


@bp.post("/<id:post_id>/comments/<id:comment_id>/delete")
@login_required
def delete_comment(post_id: int, comment_id: int) -> Response:
    post = _post_or_404(post_id)
    found = interactions.comment_in(post, comment_id)
    if found is None:
        abort(404)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        interactions.delete_comment(signed_in_user(), post, found)
    except PermissionError:
        abort(403)
    flash("The comment was deleted.", "success")
    return redirect(url_for("posts.show", post_id=post.id), 303)

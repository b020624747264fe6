"""Profiles at /@username, their follower lists, and editing one's own profile and privacy."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from app.controllers.support.authentication import login_required, signed_in_user, viewer
from app.controllers.support.limits import action_limits
from app.forms.profiles import PrivacyForm, ProfileForm
from app.models import Audience, User
from app.services.accounts import profiles
from app.services.content import access, social, timelines
from app.services.content.social import FollowState
from app.services.errors import FormError
from app.views.pages import cursor_arg
from app.views.posts import grid_photos, profile_view

bp = Blueprint("profiles", __name__)


def _profile_or_404(username: str) -> User:
    user = profiles.find(viewer(), username)
    if user is None:
        abort(404)
    return user


@bp.get("/@<username>")
def show(username: str) -> ResponseReturnValue:
    me = viewer()
    owner = profiles.find(me, username, check_blocks=False)
    if owner is None:
        abort(404)
    relation = social.relationship(me, owner)
    if relation.blocked_either_way:
        abort(404)
    follower = relation.following == FollowState.FOLLOWING
    follower_or_self = relation.is_self or follower
    can_see = not owner.is_private or follower_or_self
    photos, next_cursor = [], None
    if can_see:
        page = timelines.profile(me, owner, cursor_arg(), current_app.config["GRID_PAGE_SIZE"])
        photos, next_cursor = grid_photos(page.items, me), page.next_cursor
    return render_template(
        "profiles/show.html",
        profile=profile_view(owner, sees_all_posts=relation.is_self, sees_shared_posts=follower),
        relationship=relation,
        photos=photos,
        next_cursor=next_cursor,
        locked=not can_see,
        lists_visible=relation.is_self or (not owner.hide_follow_lists and can_see),
    )


@bp.get("/@<username>/followers")
def followers(username: str) -> ResponseReturnValue:
    return _people(username, "followers")


@bp.get("/@<username>/following")
def following(username: str) -> ResponseReturnValue:
    return _people(username, "following")


def _people(username: str, which: str) -> ResponseReturnValue:
    owner = _profile_or_404(username)
    me = viewer()
    if not access.follow_lists_visible(me, owner):
        return render_template(
            "profiles/people.html", profile=profile_view(owner), which=which, hidden=True
        ), 403
    lister = timelines.followers if which == "followers" else timelines.following
    page = lister(me, owner, cursor_arg(), 50)
    return render_template(
        "profiles/people.html",
        profile=profile_view(owner),
        which=which,
        hidden=False,
        people=[profile_view(person) for person in page.items],
        next_cursor=page.next_cursor,
        is_owner=me is not None and me.id == owner.id,
    )


@bp.route("/profile/edit", methods=["GET", "POST"])
@login_required
@action_limits("RATELIMIT_POSTING", methods=["POST"])
def edit() -> ResponseReturnValue:
    me = signed_in_user()
    form = ProfileForm(obj=me)
    if form.validate_on_submit():
        try:
            profiles.update(
                me, form.display_name.data or "", form.bio.data or "", form.website.data or ""
            )
            upload = request.files.get(form.avatar.name)
            if form.remove_avatar.data:
                profiles.remove_avatar(me)
            elif upload and upload.filename:
                profiles.set_avatar(me, upload.stream)
        except FormError as error:
            form.add_error(error)
        else:
            flash("Your profile is saved.", "success")
            return redirect(url_for("profiles.show", username=me.username), 303)
    status = 422 if form.is_submitted() else 200
    return render_template("profiles/edit.html", form=form, profile=profile_view(me)), status


@bp.route("/profile/privacy", methods=["GET", "POST"])
@login_required
def privacy() -> ResponseReturnValue:
    me = signed_in_user()
    form = PrivacyForm(obj=me)
    if form.validate_on_submit():
        profiles.update_privacy(
            me,
            is_private=form.is_private.data,
            hide_follow_lists=form.hide_follow_lists.data,
            comment_audience=Audience(form.comment_audience.data),
            mention_audience=Audience(form.mention_audience.data),
        )
        flash("Your privacy settings are saved.", "success")
        return redirect(url_for("profiles.privacy"), 303)
    status = 422 if form.is_submitted() else 200
    return render_template("profiles/privacy.html", form=form), status

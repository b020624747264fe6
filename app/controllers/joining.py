"""Who may join: sign-ups waiting for a moderator, and invite links (moderators' under
/admin, members' under /settings when the operator allows them).

/admin/... is a 404 to anyone but a moderator (``admin.hide_admin_area`` runs for every
request), so, as there, CSRF is checked after that in ``check_csrf``.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from werkzeug.wrappers import Response

from app.controllers.support.authentication import login_required, signed_in_user
from app.extensions import csrf
from app.forms.base import ConfirmForm
from app.forms.joining import InviteForm, RejectSignupForm
from app.models import User
from app.services.accounts import invites, registrations
from app.services.errors import FormError
from app.services.moderation import signups
from app.services.operations import mailer
from app.views.joining import invite_row

bp = Blueprint("joining", __name__)
csrf.exempt(bp)


@bp.before_request
@login_required
def check_csrf() -> None:
    csrf.protect()


# --- Sign-ups waiting for a moderator --------------------------------------------------------


def _reject_form(user: User, formdata: bool = True) -> RejectSignupForm:
    """One per person on the page, so their fields' ids differ; ``check_csrf`` has checked
    the token already (the page's forms carry the request's one, unprefixed)."""
    prefix = f"signup-{user.id}"
    if formdata:
        return RejectSignupForm(prefix=prefix, meta={"csrf": False})
    return RejectSignupForm(formdata=None, prefix=prefix, meta={"csrf": False})


def _signups_page(failed: RejectSignupForm | None = None, failed_id: int | None = None) -> str:
    waiting = signups.waiting()
    rejects = {p.id: _reject_form(p, formdata=False) for p in waiting}
    if failed is not None and failed_id is not None:
        rejects[failed_id] = failed
    return render_template(
        "admin/signups.html",
        waiting=waiting,
        mode=registrations.mode(),
        rejects=rejects,
        failed_id=failed_id,
    )


@bp.get("/admin/signups")
def pending_signups() -> str:
    return _signups_page()


def _waiting_or_404(username: str) -> User:
    found = signups.waiting_user(username)
    if found is None:
        abort(404)
    return found


@bp.post("/admin/signups/<username>/approve")
def approve_signup(username: str) -> ResponseReturnValue:
    target = _waiting_or_404(username)
    signups.approve(signed_in_user(), target)
    flash(f"@{target.username} is approved and has been told by email.", "success")
    return redirect(url_for("joining.pending_signups"), 303)


@bp.post("/admin/signups/<username>/reject")
def reject_signup(username: str) -> ResponseReturnValue:
    target = _waiting_or_404(username)
    form = _reject_form(target)
    if form.validate_on_submit():
        name = target.username
        try:
            signups.reject(signed_in_user(), target, form.reject_reason.data or "")
        except FormError as error:
            form.add_error(error)
        else:
            flash(f"@{name}'s sign-up was turned down; they have been told by email.", "success")
            return redirect(url_for("joining.pending_signups"), 303)
    return _signups_page(form, target.id), 422


# --- Invite links ------------------------------------------------------------------------


def _invites_page(
    staff: bool, form: InviteForm | None = None, link: str | None = None
) -> tuple[str, int]:
    user = signed_in_user()
    if staff:
        rows = [invite_row(i, maker, staff_view=True) for i, maker in invites.every()]
    else:
        rows = [invite_row(i) for i in invites.made_by(user)]
    page = render_template(
        "admin/invites.html" if staff else "settings/invites.html",
        form=form or InviteForm(formdata=None),
        rows=rows,
        link=link,
        mode=registrations.mode(),
        allowed=registrations.may_invite(user),
    )
    return page, 422 if form is not None and form.errors else 200


def _create(staff: bool) -> tuple[str, int]:
    user = signed_in_user()
    if not registrations.may_invite(user):
        return _invites_page(staff)[0], 403
    form = InviteForm()
    if form.validate_on_submit():
        try:
            _, raw = invites.create(user, form.uses.data or 0, form.days.data or 0)
        except FormError as error:
            form.add_error(error)
        else:
            # Shown once: only its digest is kept.
            return _invites_page(staff, link=mailer.link("auth.signup", invite=raw))
    return _invites_page(staff, form)


def _revoke(invite_id: int, done: str) -> Response:
    if ConfirmForm().validate_on_submit():
        try:
            invites.revoke(signed_in_user(), invite_id)
        except FormError:
            abort(404)
        flash("The invite is withdrawn: its link no longer works.", "success")
    return redirect(url_for(done), 303)


@bp.get("/admin/invites")
def staff_invites() -> tuple[str, int]:
    return _invites_page(staff=True)


@bp.post("/admin/invites")
def staff_create_invite() -> tuple[str, int]:
    return _create(staff=True)


@bp.post("/admin/invites/<id:invite_id>/revoke")
def staff_revoke_invite(invite_id: int) -> Response:
    return _revoke(invite_id, "joining.staff_invites")


@bp.get("/settings/invites")
def member_invites() -> tuple[str, int]:
    return _invites_page(staff=False)


@bp.post("/settings/invites")
def member_create_invite() -> tuple[str, int]:
    return _create(staff=False)


@bp.post("/settings/invites/<id:invite_id>/revoke")
def member_revoke_invite(invite_id: int) -> Response:
    return _revoke(invite_id, "joining.member_invites")

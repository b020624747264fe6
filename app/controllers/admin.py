"""The moderators' area: the instance overview, the reports queue and a page per account.

To anyone but an admin, every URL under /admin is a 404 (any method, real or
not), checked before CSRF or routing could answer otherwise, so the area's
existence is not revealed. Forms are CSRF-checked after that; blocking and
deleting also need a fresh login.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import (
    Blueprint,
    abort,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from werkzeug.wrappers import Response

from app.controllers.media import send_media
from app.controllers.support.authentication import (
    current_session,
    fresh_required,
    is_logged_in,
    signed_in_user,
)
from app.extensions import csrf
from app.forms.base import Form
from app.forms.moderation import (
    BlockForm,
    DeleteAccountForm,
    DismissForm,
    RemoveForm,
    UnblockForm,
)
from app.models import ModerationKind, User
from app.services.accounts import registration
from app.services.errors import FormError
from app.services.media.media_storage import media_storage
from app.services.moderation import decisions, report_queue
from app.services.operations import instance
from app.services.privacy import lifecycle
from app.services.security import sessions
from app.views.instance import overview_groups
from app.views.moderation import account_state, history_rows, report_rows
from app.views.pages import cursor_arg
from app.views.posts import profile_view

PREFIX = "/admin"
bp = Blueprint("admin", __name__, url_prefix=PREFIX)
csrf.exempt(bp)  # checked in check_csrf below, once we know the visitor is an admin

NO_STORE = "private, no-store"


@bp.before_app_request
def hide_admin_area() -> None:
    """Runs for every request, before routing errors (404, 405, a slash redirect) surface."""
    if request.path != PREFIX and not request.path.startswith(PREFIX + "/"):
        return
    if not (is_logged_in() and signed_in_user().is_admin):
        abort(404)


@bp.before_request
def check_csrf() -> None:
    csrf.protect()


def _protected(target: User) -> bool:
    """Moderators don't act on themselves or each other (the service refuses it too)."""
    return target.is_admin or target.id == signed_in_user().id


def _fresh() -> bool:
    session = current_session()
    return session is not None and sessions.is_fresh(session)


def _act(form: Form, page: Callable[[Form], str], action: Callable[[], str], done: str) -> Response:
    """Validate, act, and go to ``done`` with a message; or show the form again (422)."""
    if form.validate_on_submit():
        try:
            message = action()
        except FormError as error:
            form.form_errors.append(error.message)
        else:
            flash(message, "success")
            return redirect(done, 303)
    return make_response(page(form), 422)


# --- The reports queue ---------------------------------------------------------------------


@bp.get("/")
def index() -> Response:
    """The instance at a glance: accounts, content, storage, work waiting, maintenance."""
    overview = instance.overview()
    page = render_template("admin/index.html", overview=overview, groups=overview_groups(overview))
    response = make_response(page)
    response.headers["Cache-Control"] = NO_STORE
    return response


@bp.get("/reports")
def reports() -> str:
    resolved = request.args.get("resolved") == "1"
    cursor = report_queue.Cursor(resolved, cursor_arg("after"))
    cases, following = report_queue.page(cursor)
    more = None
    if following is not None:
        more = url_for(
            "admin.reports",
            after=following.last_id,
            resolved="1" if following.resolved else None,
        )
    return render_template("admin/reports.html", rows=report_rows(cases), more=more)


def _case_or_404(report_id: int) -> report_queue.Case:
    found = report_queue.case(report_id)
    if found is None:
        abort(404)
    return found


def _report_page(case: report_queue.Case, form: Form | None = None) -> str:
    forms: dict[str, Form] = {
        "dismiss": DismissForm(formdata=None),
        "remove": RemoveForm(formdata=None),
        "block": BlockForm(formdata=None),
        "delete": DeleteAccountForm(formdata=None),
    }
    for name, blank in forms.items():
        if form is not None and type(form) is type(blank):
            forms[name] = form
    target = case.target
    return render_template(
        "admin/report.html",
        row=report_rows([case])[0],
        state=account_state(target, lifecycle.purge_date(target)) if target else None,
        protected=target is not None and _protected(target),
        open_about_target=report_queue.open_count_about(target.id) if target else 0,
        fresh=_fresh(),
        failed=form,
        here=url_for("admin.report", report_id=case.report.id),
        **forms,
    )


@bp.get("/reports/<id:report_id>")
def report(report_id: int) -> str:
    return _report_page(_case_or_404(report_id))


@bp.get("/reports/<id:report_id>/photos/<int(max=99):position>")
def report_photo(report_id: int, position: int) -> Response:
    """A thumbnail of the reported post, whoever may normally see it."""
    case = _case_or_404(report_id)
    photos = case.post.photos if case.post else []
    photo = next((p for p in photos if p.position == position), None)
    located = media_storage().locate(photo.storage_key, "thumb") if photo else None
    if located is None:
        abort(404)
    return send_media(located, NO_STORE)


def _on_report(report_id: int, form: Form, act: Callable[[report_queue.Case], str]) -> Response:
    case = _case_or_404(report_id)
    return _act(
        form,
        lambda bad: _report_page(case, bad),
        lambda: act(case),
        url_for("admin.reports"),
    )


def _target(case: report_queue.Case) -> User:
    if case.target is None:
        raise FormError("The reported account no longer exists.")
    return case.target


@bp.post("/reports/<id:report_id>/dismiss")
def dismiss(report_id: int) -> Response:
    form = DismissForm()

    def act(case: report_queue.Case) -> str:
        decisions.dismiss(signed_in_user(), case.report, form.dismiss_reason.data or "")
        return "The report was dismissed."

    return _on_report(report_id, form, act)


@bp.post("/reports/<id:report_id>/remove")
def remove(report_id: int) -> Response:
    form = RemoveForm()

    def act(case: report_queue.Case) -> str:
        kind = decisions.remove_reported(
            signed_in_user(), case.report, form.remove_reason.data or ""
        )
        return f"The {'comment' if kind == ModerationKind.REMOVE_COMMENT else 'post'} was removed."

    return _on_report(report_id, form, act)


@bp.post("/reports/<id:report_id>/block")
@fresh_required
def block_reported(report_id: int) -> Response:
    form = BlockForm()

    def act(case: report_queue.Case) -> str:
        target = _target(case)
        reason = form.block_reason.data or ""
        decisions.block(signed_in_user(), target, reason, form.days, report=case.report)
        return f"@{target.username} is blocked."

    return _on_report(report_id, form, act)


@bp.post("/reports/<id:report_id>/delete-account")
@fresh_required
def delete_reported(report_id: int) -> Response:
    form = DeleteAccountForm()

    def act(case: report_queue.Case) -> str:
        target = _target(case)
        reason = form.delete_reason.data or ""
        decisions.delete_account(signed_in_user(), target, reason, report=case.report)
        return f"@{target.username}'s account is deleted."

    return _on_report(report_id, form, act)


# --- One account -----------------------------------------------------------------------------


def _user_or_404(username: str) -> User:
    found = registration.user_by_username(username)
    if found is None:
        abort(404)
    return found


def _user_page(target: User, form: Form | None = None) -> str:
    forms: dict[str, Form] = {
        "block": BlockForm(formdata=None),
        "unblock": UnblockForm(formdata=None),
        "delete": DeleteAccountForm(formdata=None),
    }
    for name, blank in forms.items():
        if form is not None and type(form) is type(blank):
            forms[name] = form
    return render_template(
        "admin/user.html",
        target=target,
        protected=_protected(target),
        profile=profile_view(target, sees_all_posts=True),
        state=account_state(target, lifecycle.purge_date(target)),
        history=history_rows(decisions.history(target)),
        open_reports=report_queue.open_count_about(target.id),
        fresh=_fresh(),
        failed=form,
        here=url_for("admin.user", username=target.username),
        **forms,
    )


@bp.get("/users/<username>")
def user(username: str) -> str:
    return _user_page(_user_or_404(username))


def _on_user(username: str, form: Form, act: Callable[[User], str]) -> Response:
    target = _user_or_404(username)
    done = url_for("admin.user", username=target.username)
    return _act(form, lambda bad: _user_page(target, bad), lambda: act(target), done)


@bp.post("/users/<username>/block")
@fresh_required
def block_user(username: str) -> Response:
    form = BlockForm()

    def act(target: User) -> str:
        decisions.block(signed_in_user(), target, form.block_reason.data or "", form.days)
        return f"@{target.username} is blocked."

    return _on_user(username, form, act)


@bp.post("/users/<username>/unblock")
def unblock_user(username: str) -> Response:
    form = UnblockForm()

    def act(target: User) -> str:
        decisions.unblock(signed_in_user(), target, form.unblock_reason.data or "")
        return f"@{target.username} is unblocked."

    return _on_user(username, form, act)


@bp.post("/users/<username>/delete")
@fresh_required
def delete_user(username: str) -> Response:
    form = DeleteAccountForm()

    def act(target: User) -> str:
        decisions.delete_account(signed_in_user(), target, form.delete_reason.data or "")
        return f"@{target.username}'s account is deleted."

    return _on_user(username, form, act)

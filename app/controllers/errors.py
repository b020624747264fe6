"""HTML error pages. They never show a traceback or an exception's text.

Four failures of the machine rather than of the request get their own answer:
the database out of reach is a 503 with Retry-After (its page is rendered without
touching the database), the media bucket out of reach is a 503 with Retry-After,
every password-hashing slot taken is a 503 with Retry-After and the form ready to
send again, and a full disk is a 507. Each time the request's
transaction is rolled back and its files are removed (core/database.py).
"""

from __future__ import annotations

import errno
import logging
from typing import Any

import psycopg
from flask import Flask, current_app, jsonify, render_template, request
from flask_login import AnonymousUserMixin
from flask_wtf.csrf import CSRFError
from markupsafe import escape
from sqlalchemy import exc as sa_exc
from werkzeug.exceptions import HTTPException, InternalServerError

from app.core.database import database_unavailable
from app.extensions import db
from app.services.accounts.hashing import HashingBusy
from app.services.media.media_storage import MediaStorageError
from app.views.errors import CSRF_MESSAGE, error_page, resent_fields

log = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 10  # a restart or a failover is over in seconds, not minutes
DISK_FULL = frozenset({errno.ENOSPC, errno.EDQUOT})

# Served if the error page itself cannot be rendered: no template, no database, no detail.
FALLBACK_PAGE = (
    '<!doctype html><html lang="en"><meta charset="utf-8"><title>{title} · Sapling</title>'
    "<h1>{title}</h1><p>{message}</p></html>"
)


def _render(code: int, message: str | None = None) -> tuple[str, int]:
    page = error_page(code)
    text = message or page.message
    try:
        return render_template("errors/error.html", page=page, message=text), code
    except Exception:
        log.exception("The error page for %s could not be rendered", code)
        return FALLBACK_PAGE.format(title=escape(page.title), message=escape(text)), code


def _render_without_database(code: int) -> str:
    """The usual error page, as a visitor sees it: render_template would run the context
    processors, which load the signed-in user and the unread badge from the database."""
    page = error_page(code)
    try:
        template = current_app.jinja_env.get_template("errors/error.html")
        return template.render(
            page=page, message=page.message, current_user=AnonymousUserMixin(), nav_items=[]
        )
    except Exception:
        log.exception("The error page for %s could not be rendered", code)
        return FALLBACK_PAGE.format(title=escape(page.title), message=escape(page.message))


def _roll_back() -> None:
    try:
        db.session.rollback()
    except Exception:  # a connection that is already gone has nothing to roll back
        log.debug("Rollback after a database error failed", exc_info=True)


def _database_unavailable(error: BaseException) -> tuple[str, int, dict[str, str]]:
    _roll_back()
    summary = str(getattr(error, "orig", None) or error).strip().splitlines()[0][:200]
    log.error("Database unavailable (%s: %s); answered 503", type(error).__name__, summary)
    return _render_without_database(503), 503, {"Retry-After": str(RETRY_AFTER_SECONDS)}


def _api_message(error: HTTPException) -> str:
    """Mastodon's words for the codes apps act on; the exception's own otherwise."""
    known = {404: "Record not found", 405: "Method not allowed", 413: "Request too large"}
    return known.get(error.code or 0) or error.description or error.name


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_failed(error: CSRFError) -> tuple[str, int]:
        log.warning("CSRF check failed: %s", error.description)
        return _render(400, CSRF_MESSAGE)

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> Any:
        if error.code is None or error.code < 400:
            return error  # redirects raised as exceptions pass through untouched
        if request.path.startswith("/api/"):  # apps read JSON, even for a path that is no call
            return jsonify(error=_api_message(error)), error.code
        return _render(error.code)

    @app.errorhandler(sa_exc.DBAPIError)
    @app.errorhandler(sa_exc.TimeoutError)
    @app.errorhandler(psycopg.OperationalError)
    def database_error(error: Exception) -> Any:
        if not database_unavailable(error):
            raise error  # a bug, not an outage: Flask logs it and answers 500 below
        return _database_unavailable(error)

    @app.errorhandler(HashingBusy)
    def hashing_busy(error: HashingBusy) -> tuple[str, int, dict[str, str]]:
        # Nothing of the request is kept (a reset link stays unused, no failure is counted),
        # and the page sends the same fields again, so nobody types a password twice. It
        # holds what was typed, so no cache may keep it.
        _roll_back()
        log.warning("Every password hashing slot stayed taken; answered 503")
        page = render_template(
            "errors/busy.html",
            action=request.full_path.rstrip("?"),
            fields=resent_fields(request.form),
        )
        headers = {"Retry-After": str(error.retry_after), "Cache-Control": "no-store"}
        return page, 503, headers

    @app.errorhandler(MediaStorageError)
    def media_storage_error(error: MediaStorageError) -> Any:
        _roll_back()  # and what the request wrote to the bucket goes with it (after_rollback)
        log.error("%s; answered 503", error)
        headers = {"Retry-After": str(RETRY_AFTER_SECONDS)}
        if request.path.startswith("/api/"):
            return jsonify(error="Media storage is unavailable"), 503, headers
        page, code = _render(503)
        return page, code, headers

    @app.errorhandler(OSError)
    def os_error(error: OSError) -> tuple[str, int]:
        if error.errno not in DISK_FULL:
            raise error
        _roll_back()  # and the request's files go with it (after_rollback)
        log.error("Out of disk space (%s); answered 507, nothing saved", error.strerror)
        return _render(507)

    @app.errorhandler(InternalServerError)
    def server_error(error: InternalServerError) -> Any:
        # Errors raised outside the view (the commit in after_request) arrive here.
        original = error.original_exception
        if original is not None and database_unavailable(original):
            return _database_unavailable(original)
        # Flask has already logged the traceback; the visitor sees none of it.
        db.session.rollback()
        return _render(500)

"""HTML error pages. They never show a traceback or an exception's text."""

from __future__ import annotations

import logging

from flask import Flask, render_template
from flask_wtf.csrf import CSRFError
from markupsafe import escape
from werkzeug.exceptions import HTTPException, InternalServerError

from app.extensions import db
from app.views.errors import CSRF_MESSAGE, error_page

log = logging.getLogger(__name__)


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


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_failed(error: CSRFError) -> tuple[str, int]:
        log.warning("CSRF check failed: %s", error.description)
        return _render(400, CSRF_MESSAGE)

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> tuple[str, int] | HTTPException:
        if error.code is None or error.code < 400:
            return error  # redirects raised as exceptions pass through untouched
        return _render(error.code)

    @app.errorhandler(InternalServerError)
    def server_error(error: InternalServerError) -> tuple[str, int]:
        # Flask has already logged the traceback; the visitor sees none of it.
        db.session.rollback()
        return _render(500)

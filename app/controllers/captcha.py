"""CAPTCHA images and recordings, served from our own server."""

from __future__ import annotations

from flask import Blueprint, abort
from werkzeug.wrappers import Response

from app.extensions import csrf
from app.services.security import captcha

bp = Blueprint("captcha", __name__, url_prefix="/captcha")
csrf.exempt(bp)


def _private(body: bytes, mimetype: str) -> Response:
    response = Response(body, mimetype=mimetype)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/<challenge_id>.png")
def image(challenge_id: str) -> Response:
    body = captcha.image(challenge_id)
    if body is None:
        abort(404)
    return _private(body, "image/png")


@bp.get("/<challenge_id>.wav")
def audio(challenge_id: str) -> Response:
    body = captcha.audio(challenge_id)
    if body is None:
        abort(404)
    return _private(body, "audio/wav")

"""Helpers for reading pages the way a browser does, and for the CSRF token a page carries."""

from __future__ import annotations

import re
import secrets

from flask.testing import FlaskClient
from itsdangerous import URLSafeTimedSerializer
from werkzeug.test import TestResponse

_CSRF_INPUT = re.compile(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"')


def csrf_token(response: TestResponse) -> str:
    """The CSRF token from a rendered form, as a browser would submit it."""
    return csrf_token_in(response.get_data(as_text=True))


def csrf_token_in(html: str) -> str:
    match = _CSRF_INPUT.search(html)
    assert match, "no CSRF token in the page"
    return match.group(1)


def csrf_token_for(client: FlaskClient) -> str:
    """A valid CSRF token for ``client``'s session, without rendering a page.

    Made as ``flask_wtf.csrf.generate_csrf`` makes the one in every form: the raw secret
    in the session (put there first if the session has none yet, as the first form
    would), signed with the app's CSRF secret. The session is read each time, so the
    token follows it when it changes (a new client, a cleared cookie).
    """
    config = client.application.config
    field = config.get("WTF_CSRF_FIELD_NAME") or "csrf_token"
    secret = config.get("WTF_CSRF_SECRET_KEY") or client.application.secret_key
    assert secret, "CSRF needs a secret key"
    with client.session_transaction() as session:
        if not isinstance(session.get(field), str):
            session[field] = secrets.token_hex(20)  # 40 hex digits, like Flask-WTF's own
        raw: str = session[field]
    return URLSafeTimedSerializer(secret, salt="wtf-csrf-token").dumps(raw)

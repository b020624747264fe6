"""Test data made through the same services the app uses."""

from __future__ import annotations

import itertools
import re
from email.message import EmailMessage

from flask import Flask

from app.extensions import db
from app.models import User, utcnow
from app.services import accounts

PASSWORD = "mossy granite under pines"
_numbers = itertools.count(1)


def create_user(
    app: Flask,
    username: str | None = None,
    email: str | None = None,
    password: str = PASSWORD,
    *,
    verified: bool = True,
    admin: bool = False,
) -> User:
    """A committed account (inside the test's rolled-back transaction)."""
    number = next(_numbers)
    username = username or f"member{number}"
    email = email or f"{username}@example.org"
    with app.app_context():
        username, email, email_key = accounts.validated_identity(username, email, password)
        user = accounts.create_user(username, email, email_key, password, is_admin=admin)
        if verified:
            user.email_verified_at = utcnow()
        db.session.commit()
        db.session.expunge(user)
    return user


def link_from(message: EmailMessage, path_prefix: str) -> str:
    """The path of the first link in a mail's text part that starts with ``path_prefix``."""
    body = message.get_body(preferencelist=("plain",))
    assert body is not None
    text = body.get_content()
    match = re.search(rf"https?://[^/\s]+({re.escape(path_prefix)}[^\s]*)", text)
    assert match, f"no {path_prefix} link in: {text}"
    return match.group(1)

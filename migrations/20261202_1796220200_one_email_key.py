"""One email key: recompute ``users.email_key`` with the one normal form of an address.

Until 0.8.0 the key was email-validator's form lower-cased; now invisible characters are
dropped and compatibility forms (fullwidth letters, ideographic full stops) folded too
(``app/services/accounts/identifiers.canonical_email``). Plain addresses keep their key. The
function is copied here as it stood, so that this revision means the same forever.

If two accounts come down to one key, the older keeps it and the newer keeps its old
key (it can still sign in by username); the account ids are logged, never addresses.

Revision ID: 1796220200
Revises: 1796220000
Create Date: 2026-12-02 10:56:40
"""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Callable, Sequence
from contextlib import suppress

import sqlalchemy as sa
from alembic import op
from email_validator import EmailNotValidError, validate_email

revision: str = "1796220200"
down_revision: str | Sequence[str] | None = "1796220000"
branch_labels: str | Sequence[str] | None = ()
depends_on: str | Sequence[str] | None = None

log = logging.getLogger("alembic.runtime.migration")

_IGNORABLE = re.compile(
    "[\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200f"
    "\u202a-\u202e\u2060-\u206f\u3164\ufe00-\ufe0f\ufeff\uffa0\ufff0-\ufff8"
    "\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0000-\U000e0fff]"
)
_FULL_STOPS = str.maketrans(dict.fromkeys("\u3002\uff0e\uff61", "."))

users = sa.table("users", sa.column("id", sa.Integer), sa.column("email"), sa.column("email_key"))
tokens = sa.table(
    "action_tokens",
    sa.column("id", sa.Integer),
    sa.column("email"),
    sa.column("email_key"),
    sa.column("used_at"),
)


def _invisible(char: str) -> bool:
    return char > "\x7f" and (
        _IGNORABLE.match(char) is not None or unicodedata.category(char) == "Cf"
    )


def _visible(text: str) -> str:
    return "".join(char for char in text if not _invisible(char))


def one_key(email: str) -> str:
    text = _visible(unicodedata.normalize("NFKC", _visible(email))).translate(_FULL_STOPS)
    text = text.strip()
    with suppress(EmailNotValidError):
        text = validate_email(text, check_deliverability=False).normalized
    return unicodedata.normalize("NFKC", text.casefold())[:254]


def old_key(email: str) -> str:
    return email.casefold()


def _rekey(key_of: Callable[[str], str], page: int = 1000) -> None:
    """Every account, a page at a time (keyset on id); only changed keys are written."""
    connection = op.get_bind()
    after = 0
    while rows := connection.execute(
        sa.select(users.c.id, users.c.email, users.c.email_key)
        .where(users.c.id > after)
        .order_by(users.c.id)
        .limit(page)
    ).all():
        after = rows[-1][0]
        for user_id, email, key in rows:
            new = key_of(email)
            if new == key:
                continue
            taken = connection.scalar(sa.select(users.c.id).where(users.c.email_key == new))
            if taken is not None:
                log.warning(
                    "Account %s keeps its old email key: account %s has the same address",
                    user_id,
                    taken,
                )
                continue
            connection.execute(users.update().where(users.c.id == user_id).values(email_key=new))


def _rekey_links(key_of: Callable[[str], str]) -> None:
    """Live links hold their address by its key (1796220000 wrote a lower-cased one)."""
    connection = op.get_bind()
    live = connection.execute(
        sa.select(tokens.c.id, tokens.c.email, tokens.c.email_key).where(tokens.c.used_at.is_(None))
    ).all()
    for token_id, email, key in live:
        if (new := key_of(email)) != key:
            connection.execute(tokens.update().where(tokens.c.id == token_id).values(email_key=new))


def upgrade() -> None:
    _rekey(one_key)
    _rekey_links(one_key)


def downgrade() -> None:
    _rekey(old_key)
    _rekey_links(old_key)

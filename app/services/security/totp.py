"""The authenticator-app factor (TOTP, RFC 6238) with pyotp.

The shared secret is encrypted at rest (Fernet, key derived from SECRET_KEY by
HKDF), so a database dump alone yields no working secrets. Codes are accepted
one 30-second step either side of now, and never twice: the last accepted step
is stored and anything at or before it is refused.
"""

from __future__ import annotations

import base64
import hmac
import time

import pyotp
from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import current_app
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from app.models import SecurityEventKind, TotpFactor, User, utcnow
from app.services.errors import FormError
from app.services.security import security_log
from app.services.security.clients import Client

STEP_SECONDS = 30
ISSUER = "Sapling"


def _fernet() -> Fernet:
    key = HKDF(
        algorithm=hashes.SHA256(), length=32, salt=b"sapling-totp", info=b"totp secret encryption"
    ).derive(str(current_app.config["SECRET_KEY"]).encode())
    return Fernet(base64.urlsafe_b64encode(key))


def encrypt(secret: str) -> str:
    return _fernet().encrypt(secret.encode()).decode()


def decrypt(token: str) -> str | None:
    try:
        return _fernet().decrypt(token.encode()).decode()
    except InvalidToken:
        return None  # encrypted under another SECRET_KEY


def factor(user: User) -> TotpFactor | None:
    return db.session.scalar(select(TotpFactor).where(TotpFactor.user_id == user.id))


def is_enabled(user: User) -> bool:
    found = factor(user)
    return found is not None and found.confirmed_at is not None


def start_enrolment(user: User) -> str:
    """A new secret, stored encrypted but not active until a code confirms it."""
    existing = factor(user)
    if existing is not None and existing.confirmed_at is not None:
        raise FormError("An authenticator app is already set up. Turn it off first to replace it.")
    secret = pyotp.random_base32()
    if existing is not None:
        existing.secret_encrypted, existing.last_used_step = encrypt(secret), 0
        db.session.flush()
        return secret
    try:
        with db.session.begin_nested():
            db.session.add(TotpFactor(user_id=user.id, secret_encrypted=encrypt(secret)))
    except IntegrityError:
        # Another tab started the enrolment a moment ago: show the same key.
        return pending_secret(user) or secret
    return secret


def pending_secret(user: User) -> str | None:
    found = factor(user)
    if found is None or found.confirmed_at is not None:
        return None
    return decrypt(found.secret_encrypted)


def provisioning_uri(user: User, secret: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=user.username, issuer_name=ISSUER)


def _normalise(code: str) -> str:
    return "".join(ch for ch in code if not ch.isspace() and ch != "-")


def check_code(found: TotpFactor, code: str, *, now: float | None = None) -> bool:
    """True once per time step for a right code within ±1 step; records the step."""
    code = _normalise(code)
    if len(code) != 6 or not (code.isascii() and code.isdigit()):
        return False
    secret = decrypt(found.secret_encrypted)
    if secret is None:
        return False
    totp = pyotp.TOTP(secret)
    current = int((time.time() if now is None else now) // STEP_SECONDS)
    for step in (current - 1, current, current + 1):
        if step <= found.last_used_step:
            continue  # already used, or older than a used one: a replay
        if hmac.compare_digest(totp.generate_otp(step), code):
            # Claim the step atomically: of two concurrent requests with one code, one wins.
            claimed = db.session.execute(
                update(TotpFactor)
                .where(TotpFactor.id == found.id, TotpFactor.last_used_step < step)
                .values(last_used_step=step)
                .execution_options(synchronize_session=False)
            ).rowcount  # type: ignore[attr-defined]
            if claimed:
                found.last_used_step = step
            return bool(claimed)
    return False


def confirm_enrolment(user: User, code: str, client: Client) -> None:
    found = factor(user)
    if found is None or found.confirmed_at is not None:
        raise FormError("Start again: scan the new code with your app.")
    if not check_code(found, code):
        raise FormError(
            "That code didn't match. Check your phone's clock and try the newest code.", "code"
        )
    found.confirmed_at = utcnow()
    security_log.record(user, SecurityEventKind.TOTP_ENABLED, client)
    security_log.notify(user, "An authenticator app was turned on for two-step login.", client)


def verify(user: User, code: str) -> bool:
    found = factor(user)
    return found is not None and found.confirmed_at is not None and check_code(found, code)


def disable(user: User, client: Client) -> None:
    found = factor(user)
    if found is None:
        return
    db.session.delete(found)
    security_log.record(user, SecurityEventKind.TOTP_DISABLED, client)
    security_log.notify(user, "The authenticator app was turned off for two-step login.", client)

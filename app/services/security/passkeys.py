"""Passkeys (WebAuthn) with the `webauthn` package: register, sign in, rename, remove.

Challenges are made here and kept by the caller (in the signed session cookie)
for one ceremony. The relying-party id and the accepted origins come from
configuration. A passkey used to sign in without a password must verify the
user (PIN or biometrics), so it stands for both factors.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from webauthn import (
    generate_authentication_options,
    generate_registration_options,
    options_to_json,
    verify_authentication_response,
    verify_registration_response,
)
from webauthn.helpers import base64url_to_bytes, bytes_to_base64url
from webauthn.helpers.exceptions import WebAuthnException
from webauthn.helpers.structs import (
    AuthenticatorSelectionCriteria,
    PublicKeyCredentialDescriptor,
    ResidentKeyRequirement,
    UserVerificationRequirement,
)

from app.extensions import db
from app.models import Passkey, SecurityEventKind, User, utcnow
from app.services.errors import FormError
from app.services.security import security_log
from app.services.security.clients import Client

MAX_PASSKEYS = 20


@dataclass(frozen=True)
class Ceremony:
    options_json: str
    challenge: str  # base64url, to keep until the browser answers


def user_passkeys(user: User) -> list[Passkey]:
    return list(
        db.session.scalars(select(Passkey).where(Passkey.user_id == user.id).order_by(Passkey.id))
    )


def registration_options(user: User) -> Ceremony:
    if user.webauthn_handle is None:
        user.webauthn_handle = bytes_to_base64url(secrets.token_bytes(32))
    config = current_app.config
    options = generate_registration_options(
        rp_id=config["WEBAUTHN_RP_ID"],
        rp_name=config["WEBAUTHN_RP_NAME"],
        user_name=user.username,
        user_id=base64url_to_bytes(user.webauthn_handle),
        user_display_name=user.display_name or user.username,
        authenticator_selection=AuthenticatorSelectionCriteria(
            resident_key=ResidentKeyRequirement.REQUIRED,
            user_verification=UserVerificationRequirement.PREFERRED,
        ),
        exclude_credentials=[
            PublicKeyCredentialDescriptor(id=base64url_to_bytes(p.credential_id))
            for p in user_passkeys(user)
        ],
    )
    return Ceremony(options_to_json(options), bytes_to_base64url(options.challenge))


def register(user: User, credential: str, challenge: str, name: str, client: Client) -> Passkey:
    if len(user_passkeys(user)) >= MAX_PASSKEYS:
        raise FormError(f"You can have at most {MAX_PASSKEYS} passkeys.")
    config = current_app.config
    try:
        verified = verify_registration_response(
            credential=credential,
            expected_challenge=base64url_to_bytes(challenge),
            expected_rp_id=config["WEBAUTHN_RP_ID"],
            expected_origin=config["WEBAUTHN_ORIGINS"],
        )
    except (WebAuthnException, ValueError, KeyError, TypeError):
        raise FormError("That passkey could not be verified. Please try again.") from None
    credential_id = bytes_to_base64url(verified.credential_id)
    if db.session.scalar(select(Passkey.id).where(Passkey.credential_id == credential_id)):
        raise FormError("That passkey is already registered.")
    response = json.loads(credential).get("response")
    transports = response.get("transports") if isinstance(response, dict) else None
    if not isinstance(transports, list):
        transports = []
    name = "".join(ch for ch in name if ch.isprintable())
    passkey = Passkey(
        user_id=user.id,
        credential_id=credential_id,
        public_key=verified.credential_public_key,
        sign_count=verified.sign_count,
        name=(name.strip() or "Passkey")[:60],
        transports=",".join(t for t in transports if isinstance(t, str))[:100],
    )
    try:
        with db.session.begin_nested():
            db.session.add(passkey)
    except IntegrityError:
        raise FormError("That passkey is already registered.") from None
    # Its name is text typed into a request: the passkeys page shows it, mail and the
    # timeline do not (a stolen session must not be able to write into a real email).
    security_log.record(user, SecurityEventKind.PASSKEY_ADDED, client)
    security_log.notify(user, "A passkey was added.", client)
    return passkey


def authentication_options(user: User | None) -> Ceremony:
    """For a known user (second step, re-authentication), or for anyone (passwordless)."""
    allowed = [
        PublicKeyCredentialDescriptor(id=base64url_to_bytes(p.credential_id))
        for p in (user_passkeys(user) if user else [])
    ]
    options = generate_authentication_options(
        rp_id=current_app.config["WEBAUTHN_RP_ID"],
        allow_credentials=allowed,
        user_verification=(
            UserVerificationRequirement.REQUIRED
            if user is None
            else UserVerificationRequirement.PREFERRED
        ),
    )
    return Ceremony(options_to_json(options), bytes_to_base64url(options.challenge))


def authenticate(credential: str, challenge: str, user: User | None) -> Passkey | None:
    """The passkey that signed the challenge, if valid (and the user's, when one is given)."""
    try:
        credential_id = str(json.loads(credential)["id"])
    except (ValueError, KeyError, TypeError):
        return None
    passkey = db.session.scalar(select(Passkey).where(Passkey.credential_id == credential_id))
    if passkey is None or (user is not None and passkey.user_id != user.id):
        return None
    config = current_app.config
    try:
        verified = verify_authentication_response(
            credential=credential,
            expected_challenge=base64url_to_bytes(challenge),
            expected_rp_id=config["WEBAUTHN_RP_ID"],
            expected_origin=config["WEBAUTHN_ORIGINS"],
            credential_public_key=passkey.public_key,
            credential_current_sign_count=passkey.sign_count,
            require_user_verification=user is None,
        )
    except (WebAuthnException, ValueError, KeyError, TypeError):
        # Includes a sign count that went backwards: a sign of a cloned authenticator.
        return None
    passkey.sign_count = verified.new_sign_count
    passkey.last_used_at = utcnow()
    return passkey


def get_own(user: User, passkey_id: int) -> Passkey | None:
    passkey = db.session.get(Passkey, passkey_id)
    return passkey if passkey is not None and passkey.user_id == user.id else None


def rename(user: User, passkey: Passkey, name: str, client: Client) -> None:
    name = "".join(ch for ch in name if ch.isprintable()).strip()[:60]
    if not name:
        raise FormError("Give the passkey a name.", "name")
    passkey.name = name
    security_log.record(user, SecurityEventKind.PASSKEY_RENAMED, client)


def remove(user: User, passkey: Passkey, client: Client) -> None:
    db.session.delete(passkey)
    security_log.record(user, SecurityEventKind.PASSKEY_REMOVED, client)
    security_log.notify(user, "A passkey was removed.", client)

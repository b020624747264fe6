"""Apps that act for a person through the API: the app, its one-time codes and its tokens.

Every secret here is high-entropy and random (client secrets, codes, access and refresh
tokens), so only its SHA-256 digest is stored, like a session id: a stolen database
holds nothing that can be replayed. The person sees each token on the Devices page
(app name, scopes, last use) and can end it there; a password change or reset ends
them all, as it ends sessions (``sessions.end_all_sessions``).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, String, Text, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Base, utcnow
from app.models.post import BigId

MAX_APP_NAME = 100
MAX_WEBSITE = 300
MAX_SCOPES = 300
MAX_REDIRECT_URIS = 2000


class OAuthApp(Base):
    """A registered client (``POST /api/v1/apps``, as Mastodon registers them)."""

    __tablename__ = "oauth_apps"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    client_id: Mapped[str] = mapped_column(String(64), unique=True)
    client_secret_digest: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(MAX_APP_NAME))
    website: Mapped[str] = mapped_column(String(MAX_WEBSITE), default="")
    # One per line, exactly as registered; the authorization request must name one of them.
    redirect_uris: Mapped[str] = mapped_column(Text)
    scopes: Mapped[str] = mapped_column(String(MAX_SCOPES))  # space-separated
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    @property
    def redirect_uri_list(self) -> list[str]:
        return [uri for uri in self.redirect_uris.splitlines() if uri]


class OAuthCode(Base):
    """An authorization code: ten minutes, one use, bound to its PKCE challenge."""

    __tablename__ = "oauth_codes"
    __table_args__ = (Index("ix_oauth_codes_expires_at", "expires_at"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    code_digest: Mapped[str] = mapped_column(String(64), unique=True)
    app_id: Mapped[int] = mapped_column(BigId, ForeignKey("oauth_apps.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    redirect_uri: Mapped[str] = mapped_column(Text)
    scope: Mapped[str] = mapped_column(String(MAX_SCOPES))
    code_challenge: Mapped[str] = mapped_column(String(128))
    code_challenge_method: Mapped[str] = mapped_column(String(10))
    # The person ticked "keep me signed in on this app": the token comes with a refresh token.
    keep_signed_in: Mapped[bool] = mapped_column(Boolean, server_default=false())
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]

    app: Mapped[OAuthApp] = relationship(lazy="joined")


class OAuthToken(Base):
    """An access token (and, where the person asked to stay signed in, a refresh token)."""

    __tablename__ = "oauth_tokens"
    __table_args__ = (Index("ix_oauth_tokens_user_id_id", "user_id", "id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    app_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("oauth_apps.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    access_digest: Mapped[str] = mapped_column(String(64), unique=True)
    refresh_digest: Mapped[str | None] = mapped_column(String(64), unique=True)
    scope: Mapped[str] = mapped_column(String(MAX_SCOPES))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    access_expires_at: Mapped[datetime]
    refresh_expires_at: Mapped[datetime | None]
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]

    app: Mapped[OAuthApp] = relationship(lazy="joined")

    # What Authlib asks of a token (its resource protector and its revocation endpoint).
    def get_scope(self) -> str:
        return self.scope

    def get_expires_in(self) -> int:
        return max(0, int((self.access_expires_at - self.created_at).total_seconds()))

    def is_expired(self) -> bool:
        return self.access_expires_at <= utcnow()

    def is_revoked(self) -> bool:
        return self.revoked_at is not None

    def check_client(self, client: object) -> bool:
        return getattr(getattr(client, "app", None), "id", None) == self.app_id

"""People with accounts, and the usernames they gave up recently."""

from __future__ import annotations

import enum
import re
import secrets
from datetime import datetime

from sqlalchemy import (
    Boolean,
    ColumnElement,
    ForeignKey,
    Index,
    Integer,
    String,
    and_,
    false,
    func,
    not_,
    or_,
    text,
    true,
)
from sqlalchemy.ext.hybrid import hybrid_method, hybrid_property
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, string_enum, utcnow

# A moderator's reason for any decision; a block's is also kept on the account
# (``User.block_reason``). A timed block lasts at most MAX_BLOCK_DAYS.
MAX_MODERATION_REASON = 500
MAX_BLOCK_DAYS = 365


def new_session_epoch() -> str:
    return secrets.token_urlsafe(24)


class Audience(enum.StrEnum):
    """Who may comment on someone's posts (everyone, their followers, nobody), or mention
    them (everyone, the people they follow, nobody)."""

    EVERYONE = "everyone"
    FOLLOWERS = "followers"
    FOLLOWING = "following"
    NOBODY = "nobody"


class User(Base):
    __tablename__ = "users"
    __table_args__ = (
        # User search by prefix; text_pattern_ops lets PostgreSQL use it for LIKE 'abc%'.
        Index(
            "ix_users_username_prefix", "username", postgresql_ops={"username": "text_pattern_ops"}
        ),
        # The few hidden accounts whose contributions are out of the counters, for the
        # maintenance run that puts back those whose timed block has ended.
        Index(
            "ix_users_counts_withdrawn",
            "id",
            postgresql_where=text("counts_withdrawn"),
            sqlite_where=text("counts_withdrawn"),
        ),
        # The few sign-ups waiting for a moderator (/admin/signups), oldest first.
        Index(
            "ix_users_awaiting_approval",
            "id",
            postgresql_where=text("awaiting_approval"),
            sqlite_where=text("awaiting_approval"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # Canonical form only: NFKC-normalised, lower-case, [a-z0-9._]; see identifiers.check_username.
    username: Mapped[str] = mapped_column(String(30), unique=True)
    # As the person typed it, in the form identifiers.check_email gives (compatibility
    # characters folded, the domain through IDNA, no invisible characters), for sending mail.
    email: Mapped[str] = mapped_column(String(254))
    # identifiers.canonical_email: the one key every spelling of the address comes down to,
    # for uniqueness, lookups and the per-address rate limits.
    email_key: Mapped[str] = mapped_column(String(254), unique=True)
    display_name: Mapped[str] = mapped_column(String(50), default="")
    password_hash: Mapped[str] = mapped_column(String(255))
    # Rotating this ends every session at once (like Flask-Security's fs_uniquifier).
    session_epoch: Mapped[str] = mapped_column(String(64), default=new_session_epoch)
    is_admin: Mapped[bool] = mapped_column(Boolean, default=False)
    email_verified_at: Mapped[datetime | None]
    # An email change waits here until the new address is verified.
    pending_email: Mapped[str | None] = mapped_column(String(254))
    username_changed_at: Mapped[datetime | None]
    last_login_at: Mapped[datetime | None]
    # The WebAuthn user handle: random, so passkeys never carry the username or id.
    webauthn_handle: Mapped[str | None] = mapped_column(String(100), unique=True)
    # The profile. Media are stored under avatar_key, like a post's photos.
    bio: Mapped[str] = mapped_column(String(150), default="")
    website: Mapped[str] = mapped_column(String(200), default="")
    avatar_key: Mapped[str | None] = mapped_column(String(40))
    # Privacy: a private account approves each follower.
    is_private: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    hide_follow_lists: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    comment_audience: Mapped[Audience] = mapped_column(
        string_enum(Audience, 16), default=Audience.EVERYONE, server_default="everyone"
    )
    mention_audience: Mapped[Audience] = mapped_column(
        string_enum(Audience, 16), default=Audience.EVERYONE, server_default="everyone"
    )
    # Preferences: a reminder when sharing photos without descriptions (alt text), and
    # whether posts marked sensitive show their photos at once instead of covered.
    # Server defaults only, so rows written by older code (and migrations' tests) get them.
    remind_alt_text: Mapped[bool] = mapped_column(Boolean, server_default=true())
    show_sensitive_media: Mapped[bool] = mapped_column(Boolean, server_default=false())
    # Counters kept in step by the services, so no profile page counts rows.
    post_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # Posts anyone but the author may see (all but only-me ones): what followers are shown.
    # (The database's default only, as counts_withdrawn below: old migrations' tests insert
    # users through this model.)
    shared_post_count: Mapped[int] = mapped_column(Integer, server_default="0")
    # Shown instead of post_count to people who cannot see followers-only posts.
    public_post_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    follower_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    following_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # Whether this account's likes, comments and follows are out of everyone's counters
    # (other posts' like_count and comment_count, other people's follower and following
    # counts) because the account is hidden; services/content/counters.py keeps it in
    # step with ``account_active``, so a count never includes someone its list leaves out.
    # (The database's default only: inserts that name no value, old migrations' tests and
    # the demo's bulk load included, leave it to PostgreSQL.)
    counts_withdrawn: Mapped[bool] = mapped_column(Boolean, server_default=false())
    # Lifecycle (docs/privacy.md). A deletion request hides the account at once; the
    # account can be restored by logging in until the grace period ends, then it is purged.
    deletion_requested_at: Mapped[datetime | None]
    # "self_deleted" can be undone by logging in during the grace period; a moderator's
    # removal ("removed_by_moderator") cannot. Values of lifecycle.DeletionReason.
    deletion_reason: Mapped[str | None] = mapped_column(String(32))
    # A moderator's block: until a time, or for good. The reason is shown to the person.
    blocked_till: Mapped[datetime | None]
    blocked_permanently: Mapped[bool] = mapped_column(
        Boolean, default=False, server_default=false()
    )
    block_reason: Mapped[str] = mapped_column(String(MAX_MODERATION_REASON), default="")
    # Signed up while the instance asked for approval, and no moderator has said yes yet:
    # it cannot log in (told so only with the right password). Existing accounts: false.
    awaiting_approval: Mapped[bool] = mapped_column(Boolean, server_default=false())
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    # Flask-Login's interface. Identity comes from the session record, not from here.
    is_authenticated = True
    is_active = True
    is_anonymous = False

    def get_id(self) -> str:
        return self.session_epoch

    @property
    def is_verified(self) -> bool:
        return self.email_verified_at is not None

    # A moderator's block and "active" are needed one user at a time (a profile, a login, a
    # file) and as a filter on lists; each hybrid gives both forms from one place. "Now" is
    # read when the value or the expression is asked for, never when this module is loaded.

    @hybrid_method
    def is_blocked_at(self, now: datetime) -> bool:
        """A moderator's block holds at ``now``: for good, or until a later time."""
        return self.blocked_permanently or (
            self.blocked_till is not None and self.blocked_till > now
        )

    @is_blocked_at.expression  # hybrid_method changes in place already
    @classmethod
    def _is_blocked_at_expression(cls, now: datetime) -> ColumnElement[bool]:
        # The IS NOT NULL keeps the answer false, not NULL, for a user never blocked.
        return or_(
            cls.blocked_permanently, and_(cls.blocked_till.is_not(None), cls.blocked_till > now)
        )

    @hybrid_property
    def is_blocked(self) -> bool:
        """A moderator's block holds right now (the same body serves Python and SQL)."""
        return self.is_blocked_at(utcnow())

    @hybrid_method
    def active_at(self, now: datetime) -> bool:
        """Neither waiting for deletion nor blocked by a moderator at ``now``."""
        return self.deletion_requested_at is None and not self.is_blocked_at(now)

    @active_at.expression  # hybrid_method changes in place already
    @classmethod
    def _active_at_expression(cls, now: datetime) -> ColumnElement[bool]:
        return and_(cls.deletion_requested_at.is_(None), not_(cls.is_blocked_at(now)))

    @hybrid_property
    def account_active(self) -> bool:
        """Neither waiting for deletion nor blocked right now: an inactive account's content
        is hidden from every page until the block lifts or the deletion is cancelled. (Not
        Flask-Login's ``is_active``, which is always True here.)"""
        return self.active_at(utcnow())

    @property
    def files_public(self) -> bool:
        """Whether the account's files are in the public area now, so may be linked on the
        media host. A block whose time is up leaves them private until it is lifted (at
        login, or by the maintenance run within minutes); until then they are sent after
        the check."""
        return (
            self.deletion_requested_at is None
            and not self.blocked_permanently
            and self.blocked_till is None
        )

    def __repr__(self) -> str:
        return f"<User {self.id} {self.username}>"


# Display-name search is case-insensitive, by prefix.
Index(
    "ix_users_display_name_prefix",
    func.lower(User.display_name).label("display_name_lower"),
    postgresql_ops={"display_name_lower": "text_pattern_ops"},
)


# How a mention is written in text: "@" and what a username may hold (30 characters of
# [a-z0-9._], any case), not right after a word, "@" or "/" (so addresses and URLs don't).
MENTION = re.compile(r"(?<![\w@/])@([A-Za-z0-9._]{1,30})")


def mention_key(name: str) -> str:
    """``@Fern.`` at the end of a sentence mentions ``fern``."""
    return name.lower().rstrip(".")


class UsernameHold(Base):
    """A username someone gave up, kept from others for a while so links don't change hands."""

    __tablename__ = "username_holds"

    username: Mapped[str] = mapped_column(String(30), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    held_until: Mapped[datetime] = mapped_column(index=True)

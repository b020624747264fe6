"""Posts, their photos, and the hashtags they carry."""

from __future__ import annotations

import enum
import re
from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    ColumnElement,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
    and_,
    false,
    text,
)
from sqlalchemy.ext.hybrid import hybrid_method, hybrid_property
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Base, string_enum, utcnow
from app.models.user import User

# 64-bit ids on PostgreSQL; SQLite only auto-increments a plain INTEGER primary key.
BigId = BigInteger().with_variant(Integer(), "sqlite")

# Photos per post. The caption is Text, so its limit is checked in Python only (in
# characters after cleaning); a photo's description is bounded by its column too.
MAX_PHOTOS = 10
MAX_CAPTION = 2200
MAX_ALT_TEXT = 1000
# A sensitive post's reason (its content warning), shown over its covered photos.
MAX_CONTENT_WARNING = 100
MAX_PLACEHOLDER = 400  # base64 characters of a photo's blurred preview


class Visibility(enum.StrEnum):
    PUBLIC = "public"
    FOLLOWERS = "followers"
    # Seen by its author alone (posts imported to oneself first, say): no follower, no list.
    ONLY_ME = "only_me"


class MediaKind(enum.StrEnum):
    """What one item of a post is. A video is a ``Photo`` row too: its poster frame is
    stored as the photo sizes, and its renditions beside them under the same key."""

    PHOTO = "photo"
    VIDEO = "video"


class PhotoShape(enum.StrEnum):
    """How a new post's photos are cut when they are stored; the shape itself is not stored
    (the photos' recorded sizes are what the frame follows)."""

    ORIGINAL = "original"
    SQUARE = "square"  # the centre square


class Post(Base):
    __tablename__ = "posts"
    __table_args__ = (
        # Profile grid and home feed: newest first per author, by keyset on id. The feed
        # leaves out others' only-me posts as it reads, so the visibility rides along
        # (INCLUDE) and the read stays index-only.
        Index("ix_posts_author_id_id", "author_id", "id", postgresql_include=["visibility"]),
        # Explore: newest public posts without sorting the whole table.
        Index(
            "ix_posts_public_id",
            "id",
            postgresql_where=text("visibility = 'public'"),
            sqlite_where=text("visibility = 'public'"),
        ),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    caption: Mapped[str] = mapped_column(Text, default="")
    visibility: Mapped[Visibility] = mapped_column(
        string_enum(Visibility, 16), default=Visibility.PUBLIC
    )
    comments_enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    # Marked sensitive by its author: the photos stay covered until the viewer shows them,
    # with the reason (may be empty) on the cover.
    # Server defaults only, so rows written by older code (or a test at an older revision)
    # get them too; the services always say both.
    sensitive: Mapped[bool] = mapped_column(Boolean, server_default=false())
    content_warning: Mapped[str] = mapped_column(
        String(MAX_CONTENT_WARNING), server_default=text("''")
    )
    # Counters kept in step by the services, so no page counts rows.
    like_count: Mapped[int] = mapped_column(Integer, default=0)
    comment_count: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    edited_at: Mapped[datetime | None]

    author: Mapped[User] = relationship(lazy="raise")
    photos: Mapped[list[Photo]] = relationship(
        back_populates="post",
        order_by="Photo.position",
        cascade="all, delete-orphan",
        passive_deletes=True,
        lazy="raise",
    )

    @hybrid_method
    def has_public_audience(self, author: User | type[User]) -> bool:
        """Whether anyone at all may see the post (it is public on a public account), so its
        media can be served without a check. ``author`` is the post's author; in SQL, ``User``
        or the alias the query joined the author as."""
        return self.visibility == Visibility.PUBLIC and not author.is_private

    @has_public_audience.expression  # hybrid_method changes in place already
    @classmethod
    def _has_public_audience_expression(cls, author: Any) -> ColumnElement[bool]:
        return and_(cls.visibility == Visibility.PUBLIC, author.is_private == false())

    @hybrid_property
    def reaches_followers(self) -> bool:
        """Whether the author's followers may see the post: every post but an only-me one."""
        return self.visibility != Visibility.ONLY_ME

    def __repr__(self) -> str:
        return f"<Post {self.id} by {self.author_id}>"


class Photo(Base):
    """One photo or video of a post. Its files live in media storage under ``storage_key``:
    a video's poster frame as the photo sizes, its renditions (``videos.RENDITIONS``)
    beside them."""

    __tablename__ = "photos"
    __table_args__ = (Index("uq_photos_post_id_position", "post_id", "position", unique=True),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(SmallInteger)
    # Random and unguessable; names the stored files of every size. Not unique: demo data
    # (`flask dev seed`) lets many posts share a pool of files, so files are deleted only
    # when no photo refers to their key any more.
    storage_key: Mapped[str] = mapped_column(String(40), index=True)
    alt_text: Mapped[str] = mapped_column(String(MAX_ALT_TEXT), default="")
    # Of the display size; the page reserves the space before the image loads.
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    # A tiny blurred WebP (base64) for a sensitive post's cover; "" for photos stored
    # before it existed, until the maintenance run makes one (media.placeholders).
    placeholder: Mapped[str] = mapped_column(String(MAX_PLACEHOLDER), server_default=text("''"))
    kind: Mapped[MediaKind] = mapped_column(
        string_enum(MediaKind, 16), server_default=text("'photo'")
    )
    # A video's length (of its stored renditions), in milliseconds; None for a photo.
    duration_ms: Mapped[int | None] = mapped_column(Integer)
    # A video's smaller rendition exists (it was large enough to be worth one).
    has_small: Mapped[bool] = mapped_column(Boolean, server_default=false())
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    post: Mapped[Post] = relationship(back_populates="photos", lazy="raise")

    @property
    def is_video(self) -> bool:
        return self.kind == MediaKind.VIDEO


# How a hashtag is written in a caption or a comment: up to the 100 characters Hashtag.name
# holds, not right after a word, "#" or "&" (so "a#b" and "&#39;" tag nothing).
HASHTAG = re.compile(r"(?<![\w#&])#(\w{1,100})")


TAG_NAME = String(100, collation="C").with_variant(String(100), "sqlite")


class Hashtag(Base):
    __tablename__ = "hashtags"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Case-folded; the caption keeps the spelling its author chose. Compared byte by byte
    # (the "C" collation on PostgreSQL, SQLite's own), so its unique index also serves the
    # search's prefix match (LIKE 'moss%') read in the index's order, whatever the
    # database's locale.
    name: Mapped[str] = mapped_column(TAG_NAME, unique=True)


class PostHashtag(Base):
    """A post tagged with a hashtag; the key order serves the tag page, newest first."""

    __tablename__ = "post_hashtags"
    __table_args__ = (Index("ix_post_hashtags_post_id", "post_id"),)

    hashtag_id: Mapped[int] = mapped_column(
        ForeignKey("hashtags.id", ondelete="CASCADE"), primary_key=True
    )
    post_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("posts.id", ondelete="CASCADE"), primary_key=True
    )

"""A post waiting for its videos: uploaded and checked, transcoded by the worker, then posted.

The post itself is made only once every video is ready (``services/content/pending_posts``),
so no timeline, grid, count or notification ever sees a post without its media. Until
then the uploaded files wait in ``MEDIA_ROOT/incoming/<folder>/``, outside both media
areas, never served to anyone; what was typed waits in ``draft``.
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, string_enum, utcnow
from app.models.post import BigId


class PendingStatus(enum.StrEnum):
    WAITING = "waiting"  # uploaded and probed; no worker has it yet
    PROCESSING = "processing"  # a worker is transcoding it (``heartbeat_at`` says it lives)
    DONE = "done"  # the post is made: ``post_id``
    FAILED = "failed"  # refused after probing (``error`` says why); nothing was posted


class PendingPost(Base):
    __tablename__ = "pending_posts"
    __table_args__ = (
        Index("ix_pending_posts_status_id", "status", "id"),
        Index("ix_pending_posts_author_id_id", "author_id", "id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    status: Mapped[PendingStatus] = mapped_column(
        string_enum(PendingStatus, 16), default=PendingStatus.WAITING
    )
    # Random, so the folder's name says nothing about whose it is; None once it is gone.
    folder: Mapped[str | None] = mapped_column(String(40))
    # What the form said: caption, visibility, comments, sensitive and its reason, the
    # shape, and each item's kind, file and description, in order.
    draft: Mapped[dict[str, Any]] = mapped_column(JSON)
    post_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("posts.id", ondelete="SET NULL"), index=True
    )
    error: Mapped[str] = mapped_column(String(300), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    started_at: Mapped[datetime | None]
    heartbeat_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]

"""Photos apps uploaded through the API, waiting for the status that will post them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, utcnow
from app.models.post import BigId


class ApiMedia(Base):
    """A photo an app uploaded (``POST /api/v2/media``) for a status it has not posted yet.

    Already decoded, stripped and re-encoded; its sizes wait in ``MEDIA_ROOT/incoming/api/``
    (never served) until a status takes it, or a day passes and the maintenance removes it.
    """

    __tablename__ = "api_media"
    __table_args__ = (Index("ix_api_media_created_at", "created_at"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    folder: Mapped[str] = mapped_column(String(40), unique=True)
    width: Mapped[int]
    height: Mapped[int]
    placeholder: Mapped[str] = mapped_column(String(400), default="")
    description: Mapped[str] = mapped_column(String(1000), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

"""SQLAlchemy models, one module per domain.

Every model module is imported here so that ``Base.metadata`` is complete
whenever the package is imported (Alembic compares against it).
"""

from app.models.base import Base, utcnow

__all__ = ["Base", "utcnow"]

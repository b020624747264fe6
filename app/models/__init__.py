"""SQLAlchemy models, one module per domain.

Every model module is imported here so that ``Base.metadata`` is complete
whenever the package is imported (Alembic compares against it).
"""

from app.models.base import Base, utcnow
from app.models.mfa import Passkey, RecoveryCode, TotpFactor, TrustedBrowser
from app.models.outbox import OutboxMessage
from app.models.security_event import SecurityEvent, SecurityEventKind
from app.models.session import KnownDevice, UserSession
from app.models.token import ActionToken, TokenPurpose
from app.models.user import User, UsernameHold

__all__ = [
    "ActionToken",
    "Base",
    "KnownDevice",
    "OutboxMessage",
    "Passkey",
    "RecoveryCode",
    "SecurityEvent",
    "SecurityEventKind",
    "TokenPurpose",
    "TotpFactor",
    "TrustedBrowser",
    "User",
    "UserSession",
    "UsernameHold",
    "utcnow",
]

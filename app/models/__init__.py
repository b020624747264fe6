"""SQLAlchemy models, one module per domain.

Every model module is imported here so that ``Base.metadata`` is complete
whenever the package is imported (Alembic compares against it).
"""

from app.models.api_media import ApiMedia
from app.models.base import Base, utcnow
from app.models.instance import (
    MAX_INVITE_DAYS,
    MAX_INVITE_USES,
    InstanceSetting,
    Invite,
    RegistrationMode,
)
from app.models.interaction import (
    MAX_COMMENT,
    MAX_REPORT_DETAILS,
    Comment,
    Like,
    Report,
    ReportReason,
    ReportStatus,
    SavedPost,
)
from app.models.lifecycle import (
    DataExport,
    DataImport,
    DeletedUser,
    DeletionReason,
    ExportStatus,
    ImportSource,
    ImportStatus,
    ModerationAction,
    ModerationKind,
)
from app.models.notification import Notification, NotificationKind
from app.models.oauth import OAuthApp, OAuthCode, OAuthToken
from app.models.outbox import OutboxMessage
from app.models.pending_post import PendingPost, PendingStatus
from app.models.post import (
    MAX_ALT_TEXT,
    MAX_CAPTION,
    MAX_CONTENT_WARNING,
    MAX_PHOTOS,
    MAX_PLACEHOLDER,
    Hashtag,
    MediaKind,
    Photo,
    PhotoShape,
    Post,
    PostHashtag,
    Visibility,
)
from app.models.reset_request import PasswordResetRequest
from app.models.scheduling import MaintenanceRun, ScheduledJob
from app.models.security_event import SecurityEvent, SecurityEventKind
from app.models.session import KnownDevice, UserSession
from app.models.social import Block, Follow, FollowRequest, Mute
from app.models.token import ActionToken, TokenPurpose
from app.models.two_step import Passkey, RecoveryCode, TotpFactor, TrustedBrowser
from app.models.user import (
    MAX_BLOCK_DAYS,
    MAX_MODERATION_REASON,
    Audience,
    User,
    UsernameHold,
)

__all__ = [
    "MAX_ALT_TEXT",
    "MAX_BLOCK_DAYS",
    "MAX_CAPTION",
    "MAX_COMMENT",
    "MAX_CONTENT_WARNING",
    "MAX_INVITE_DAYS",
    "MAX_INVITE_USES",
    "MAX_MODERATION_REASON",
    "MAX_PHOTOS",
    "MAX_PLACEHOLDER",
    "MAX_REPORT_DETAILS",
    "ActionToken",
    "ApiMedia",
    "Audience",
    "Base",
    "Block",
    "Comment",
    "DataExport",
    "DataImport",
    "DeletedUser",
    "DeletionReason",
    "ExportStatus",
    "Follow",
    "FollowRequest",
    "Hashtag",
    "ImportSource",
    "ImportStatus",
    "InstanceSetting",
    "Invite",
    "KnownDevice",
    "Like",
    "MaintenanceRun",
    "MediaKind",
    "ModerationAction",
    "ModerationKind",
    "Mute",
    "Notification",
    "NotificationKind",
    "OAuthApp",
    "OAuthCode",
    "OAuthToken",
    "OutboxMessage",
    "Passkey",
    "PasswordResetRequest",
    "PendingPost",
    "PendingStatus",
    "Photo",
    "PhotoShape",
    "Post",
    "PostHashtag",
    "RecoveryCode",
    "RegistrationMode",
    "Report",
    "ReportReason",
    "ReportStatus",
    "SavedPost",
    "ScheduledJob",
    "SecurityEvent",
    "SecurityEventKind",
    "TokenPurpose",
    "TotpFactor",
    "TrustedBrowser",
    "User",
    "UserSession",
    "UsernameHold",
    "Visibility",
    "utcnow",
]

"""What the data export holds about a person, column by column, and what it leaves out.

Every column that holds a person's id (a foreign key to ``users.id``) is either
``EXPORTED`` (the archive entry that lists those rows) or ``LEFT_OUT`` with the reason,
and so is every column of ``users`` itself. tests/functional/test_export_coverage.py
fails when a column is added that is in neither, so a new table cannot quietly stay
out of the export. docs/privacy.md ("What the export leaves out") says the same.
"""

from __future__ import annotations

Column = tuple[str, str]  # (table, column)

# Rows whose column is the person's id -> the archive entry they are in.
EXPORTED: dict[Column, str] = {
    ("posts", "author_id"): "posts.json",
    ("comments", "author_id"): "comments.json",
    ("likes", "user_id"): "likes.json",
    ("saved_posts", "user_id"): "saved.json",
    ("follows", "followee_id"): "followers.json",
    ("follows", "follower_id"): "following.json",
    ("follow_requests", "requester_id"): "follow_requests_sent.json",
    ("follow_requests", "target_id"): "follow_requests_received.json",
    ("blocks", "blocker_id"): "blocked.json",
    ("mutes", "muter_id"): "muted.json",
    ("notifications", "recipient_id"): "notifications.json",
    ("security_events", "user_id"): "security_events.json",
    ("user_sessions", "user_id"): "sessions.json",
    ("known_devices", "user_id"): "devices.json",
    ("trusted_browsers", "user_id"): "trusted_browsers.json",
    ("passkeys", "user_id"): "passkeys.json",
    ("totp_factors", "user_id"): "second_factors.json",
    ("recovery_codes", "user_id"): "second_factors.json",  # one entry per set of codes
    ("reports", "reporter_id"): "reports.json",
    ("moderation_actions", "target_user_id"): "moderation.json",
    ("username_holds", "user_id"): "profile.json",  # "former_usernames"
    ("data_imports", "user_id"): "imports.json",
    ("oauth_tokens", "user_id"): "apps.json",
}

LEFT_OUT: dict[Column, str] = {
    ("blocks", "blocked_id"): (
        "Who blocked you is theirs to keep: the site does not tell you either."
    ),
    ("mutes", "muted_id"): "Muting is silent by design: who muted you is private to them.",
    ("notifications", "actor_id"): (
        "Notifications your likes, comments and follows caused belong to the people they "
        "were sent to; the likes, comments and follows themselves are in the archive."
    ),
    ("reports", "reported_user_id"): (
        "Reports about you would tell who reported you; what the moderators did about "
        "your account is in moderation.json."
    ),
    ("reports", "resolved_by_id"): (
        "Reports you resolved as a moderator are about other people's accounts; the "
        "instance's moderation log keeps them."
    ),
    ("moderation_actions", "moderator_id"): (
        "Actions you took as a moderator concern other people's accounts; the "
        "instance's moderation log keeps them."
    ),
    ("action_tokens", "user_id"): (
        "Email links waiting to be used (confirm an address, undo a change) are one-time "
        "secrets that expire within days; only their SHA-256 digest is stored."
    ),
    ("data_exports", "user_id"): "The list of your exports: this archive is one of them.",
    ("api_media", "user_id"): (
        "A photo an app uploaded waits at most a day for the post that uses it; once posted "
        "it is in posts.json and photos/."
    ),
    ("oauth_codes", "user_id"): (
        "An app's one-time code lives ten minutes and is spent when the app turns it into "
        "a token; the apps you let in are in apps.json."
    ),
    ("pending_posts", "author_id"): (
        "A post waiting for its videos exists for the minutes they take to prepare; once "
        "made it is in posts.json, and a failed one's reason is kept for a day."
    ),
    ("invites", "creator_id"): (
        "Invite links you made: only a fingerprint of each link is kept, so the link cannot "
        "be given back; their uses and dates are on Settings, Invites."
    ),
}

# The person's own row: each column in profile.json (under this name), or left out.
USER_EXPORTED: dict[str, str] = {
    "username": "username",
    "display_name": "display_name",
    "email": "email",
    "bio": "bio",
    "website": "website",
    "avatar_key": "avatar",  # the file itself, avatar.webp
    "is_private": "privacy.private_account",
    "hide_follow_lists": "privacy.hide_follow_lists",
    "comment_audience": "privacy.who_may_comment",
    "mention_audience": "privacy.who_may_mention",
    "remind_alt_text": "preferences.remind_to_describe_photos",
    "show_sensitive_media": "preferences.always_show_sensitive_media",
    "created_at": "created_at",
    "updated_at": "updated_at",
    "email_verified_at": "email_verified_at",
    "pending_email": "pending_email",
    "username_changed_at": "username_changed_at",
    "last_login_at": "last_login_at",
    "is_admin": "moderator",
    "deletion_requested_at": "deletion_requested_at",
    "deletion_reason": "deletion_reason",
    "blocked_till": "blocked.until",
    "blocked_permanently": "blocked.permanently",
    "block_reason": "blocked.reason",
}

_COUNT = "A count kept for speed; the lists it counts are in the archive."
USER_LEFT_OUT: dict[str, str] = {
    "id": "Sapling's internal number for the account; it means nothing elsewhere.",
    "email_key": "A normalised copy of the email address, for looking it up.",
    "password_hash": "A secret: the argon2 hash of your password.",
    "session_epoch": "A secret: changing it logs out every session.",
    "webauthn_handle": "A random handle your passkeys know the account by; not yours to use.",
    "post_count": _COUNT,
    "shared_post_count": _COUNT,
    "public_post_count": _COUNT,
    "follower_count": _COUNT,
    "following_count": _COUNT,
    "counts_withdrawn": "Whether the counts above are withdrawn while the account is hidden.",
    "awaiting_approval": "Whether a moderator has still to approve the sign-up; such an "
    "account cannot log in to ask for an export.",
}

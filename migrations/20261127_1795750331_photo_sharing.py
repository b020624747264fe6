"""Photo sharing: posts, photos, hashtags, the social graph, likes, comments, notifications.

Revision ID: 1795750331
Revises: 1795741717
Create Date: 2026-11-27 03:32:11.663775
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "1795750331"
down_revision: str | Sequence[str] | None = "1795741717"
branch_labels: str | Sequence[str] | None = ()
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "hashtags",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hashtags")),
        sa.UniqueConstraint("name", name=op.f("uq_hashtags_name")),
    )
    op.create_table(
        "blocks",
        sa.Column("blocker_id", sa.Integer(), nullable=False),
        sa.Column("blocked_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["blocked_id"],
            ["users.id"],
            name=op.f("fk_blocks_blocked_id_users"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["blocker_id"],
            ["users.id"],
            name=op.f("fk_blocks_blocker_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("blocker_id", "blocked_id", name=op.f("pk_blocks")),
    )
    op.create_index("ix_blocks_blocked_id", "blocks", ["blocked_id"], unique=False)
    op.create_table(
        "follow_requests",
        sa.Column("requester_id", sa.Integer(), nullable=False),
        sa.Column("target_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["requester_id"],
            ["users.id"],
            name=op.f("fk_follow_requests_requester_id_users"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["target_id"],
            ["users.id"],
            name=op.f("fk_follow_requests_target_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("requester_id", "target_id", name=op.f("pk_follow_requests")),
    )
    op.create_index(
        "ix_follow_requests_target_id_created_at",
        "follow_requests",
        ["target_id", "created_at"],
        unique=False,
    )
    op.create_table(
        "follows",
        sa.Column("follower_id", sa.Integer(), nullable=False),
        sa.Column("followee_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["followee_id"],
            ["users.id"],
            name=op.f("fk_follows_followee_id_users"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["follower_id"],
            ["users.id"],
            name=op.f("fk_follows_follower_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("follower_id", "followee_id", name=op.f("pk_follows")),
    )
    op.create_index(
        "ix_follows_followee_id_follower_id",
        "follows",
        ["followee_id", "follower_id"],
        unique=False,
    )
    op.create_table(
        "mutes",
        sa.Column("muter_id", sa.Integer(), nullable=False),
        sa.Column("muted_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["muted_id"], ["users.id"], name=op.f("fk_mutes_muted_id_users"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["muter_id"], ["users.id"], name=op.f("fk_mutes_muter_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("muter_id", "muted_id", name=op.f("pk_mutes")),
    )
    op.create_table(
        "posts",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=False),
        sa.Column("caption", sa.Text(), nullable=False),
        sa.Column(
            "visibility",
            sa.Enum("public", "followers", name="visibility", native_enum=False, length=16),
            nullable=False,
        ),
        sa.Column("comments_enabled", sa.Boolean(), nullable=False),
        sa.Column("like_count", sa.Integer(), nullable=False),
        sa.Column("comment_count", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("edited_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["author_id"], ["users.id"], name=op.f("fk_posts_author_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_posts")),
    )
    op.create_index("ix_posts_author_id_id", "posts", ["author_id", "id"], unique=False)
    op.create_index(
        "ix_posts_public_id",
        "posts",
        ["id"],
        unique=False,
        postgresql_where=sa.text("visibility = 'public'"),
        sqlite_where=sa.text("visibility = 'public'"),
    )
    op.create_table(
        "comments",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("post_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["author_id"],
            ["users.id"],
            name=op.f("fk_comments_author_id_users"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["post_id"], ["posts.id"], name=op.f("fk_comments_post_id_posts"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_comments")),
    )
    op.create_index("ix_comments_author_id_id", "comments", ["author_id", "id"], unique=False)
    op.create_index("ix_comments_post_id_id", "comments", ["post_id", "id"], unique=False)
    op.create_table(
        "likes",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("post_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["post_id"], ["posts.id"], name=op.f("fk_likes_post_id_posts"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_likes_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("user_id", "post_id", name=op.f("pk_likes")),
    )
    op.create_index("ix_likes_post_id", "likes", ["post_id"], unique=False)
    op.create_table(
        "photos",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("post_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("position", sa.SmallInteger(), nullable=False),
        sa.Column("storage_key", sa.String(length=40), nullable=False),
        sa.Column("alt_text", sa.String(length=1000), nullable=False),
        sa.Column("width", sa.Integer(), nullable=False),
        sa.Column("height", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["post_id"], ["posts.id"], name=op.f("fk_photos_post_id_posts"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_photos")),
    )
    op.create_index("uq_photos_post_id_position", "photos", ["post_id", "position"], unique=True)
    op.create_index(op.f("ix_photos_storage_key"), "photos", ["storage_key"], unique=False)
    op.create_table(
        "post_hashtags",
        sa.Column("hashtag_id", sa.Integer(), nullable=False),
        sa.Column("post_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.ForeignKeyConstraint(
            ["hashtag_id"],
            ["hashtags.id"],
            name=op.f("fk_post_hashtags_hashtag_id_hashtags"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["post_id"],
            ["posts.id"],
            name=op.f("fk_post_hashtags_post_id_posts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("hashtag_id", "post_id", name=op.f("pk_post_hashtags")),
    )
    op.create_index("ix_post_hashtags_post_id", "post_hashtags", ["post_id"], unique=False)
    op.create_table(
        "saved_posts",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("post_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["post_id"], ["posts.id"], name=op.f("fk_saved_posts_post_id_posts"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_saved_posts_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("user_id", "post_id", name=op.f("pk_saved_posts")),
    )
    op.create_index(
        "ix_saved_posts_user_id_created_at", "saved_posts", ["user_id", "created_at"], unique=False
    )
    op.create_table(
        "notifications",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("recipient_id", sa.Integer(), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "like",
                "comment",
                "follow",
                "follow_request",
                "mention",
                name="notificationkind",
                native_enum=False,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("post_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column(
            "comment_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("read_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["actor_id"],
            ["users.id"],
            name=op.f("fk_notifications_actor_id_users"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["comment_id"],
            ["comments.id"],
            name=op.f("fk_notifications_comment_id_comments"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["post_id"],
            ["posts.id"],
            name=op.f("fk_notifications_post_id_posts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["recipient_id"],
            ["users.id"],
            name=op.f("fk_notifications_recipient_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notifications")),
    )
    op.create_index("ix_notifications_actor_id", "notifications", ["actor_id"], unique=False)
    op.create_index("ix_notifications_comment_id", "notifications", ["comment_id"], unique=False)
    op.create_index("ix_notifications_post_id", "notifications", ["post_id"], unique=False)
    op.create_index(
        "ix_notifications_recipient_id_id", "notifications", ["recipient_id", "id"], unique=False
    )
    op.create_index(
        "ix_notifications_unread",
        "notifications",
        ["recipient_id"],
        unique=False,
        postgresql_where=sa.text("read_at IS NULL"),
        sqlite_where=sa.text("read_at IS NULL"),
    )
    op.create_table(
        "reports",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("reporter_id", sa.Integer(), nullable=True),
        sa.Column("reported_user_id", sa.Integer(), nullable=True),
        sa.Column("post_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column(
            "comment_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.Column(
            "reason",
            sa.Enum(
                "spam",
                "harassment",
                "nudity",
                "violence",
                "hate",
                "self_harm",
                "intellectual_property",
                "other",
                name="reportreason",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("details", sa.String(length=1000), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "open", "dismissed", "actioned", name="reportstatus", native_enum=False, length=16
            ),
            nullable=False,
        ),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["comment_id"],
            ["comments.id"],
            name=op.f("fk_reports_comment_id_comments"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["post_id"], ["posts.id"], name=op.f("fk_reports_post_id_posts"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["reported_user_id"],
            ["users.id"],
            name=op.f("fk_reports_reported_user_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["reporter_id"],
            ["users.id"],
            name=op.f("fk_reports_reporter_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reports")),
    )
    op.create_index(op.f("ix_reports_comment_id"), "reports", ["comment_id"], unique=False)
    op.create_index(op.f("ix_reports_post_id"), "reports", ["post_id"], unique=False)
    op.create_index(
        op.f("ix_reports_reported_user_id"), "reports", ["reported_user_id"], unique=False
    )
    op.create_index(op.f("ix_reports_reporter_id"), "reports", ["reporter_id"], unique=False)
    op.create_index("ix_reports_status_id", "reports", ["status", "id"], unique=False)
    # Existing accounts get the defaults: public, everyone may comment and mention.
    audience = sa.Enum(
        "everyone",
        "followers",
        "following",
        "nobody",
        name="audience",
        native_enum=False,
        length=16,
    )
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("bio", sa.String(150), nullable=False, server_default=""))
        batch.add_column(sa.Column("website", sa.String(200), nullable=False, server_default=""))
        batch.add_column(sa.Column("avatar_key", sa.String(40), nullable=True))
        batch.add_column(
            sa.Column("is_private", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch.add_column(
            sa.Column("hide_follow_lists", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch.add_column(
            sa.Column("comment_audience", audience, nullable=False, server_default="everyone")
        )
        batch.add_column(
            sa.Column("mention_audience", audience, nullable=False, server_default="everyone")
        )
        for counter in ("post_count", "public_post_count", "follower_count", "following_count"):
            batch.add_column(sa.Column(counter, sa.Integer(), nullable=False, server_default="0"))
    with op.batch_alter_table("users") as batch:
        # The empty default was only for existing rows; new rows get theirs from the app.
        batch.alter_column("bio", server_default=None)
        batch.alter_column("website", server_default=None)
    op.create_index(
        "ix_users_username_prefix",
        "users",
        ["username"],
        postgresql_ops={"username": "text_pattern_ops"},
    )
    op.create_index(
        "ix_users_display_name_prefix",
        "users",
        [sa.text("lower(display_name)")],
        postgresql_ops={"lower(display_name)": "text_pattern_ops"},
    )


def downgrade() -> None:
    op.drop_index("ix_users_display_name_prefix", table_name="users")
    op.drop_index("ix_users_username_prefix", table_name="users")
    with op.batch_alter_table("users") as batch:
        for column in (
            "following_count",
            "follower_count",
            "post_count",
            "public_post_count",
            "mention_audience",
            "comment_audience",
            "hide_follow_lists",
            "is_private",
            "avatar_key",
            "website",
            "bio",
        ):
            batch.drop_column(column)
    op.drop_index("ix_reports_status_id", table_name="reports")
    op.drop_index(op.f("ix_reports_reporter_id"), table_name="reports")
    op.drop_index(op.f("ix_reports_reported_user_id"), table_name="reports")
    op.drop_index(op.f("ix_reports_post_id"), table_name="reports")
    op.drop_index(op.f("ix_reports_comment_id"), table_name="reports")
    op.drop_table("reports")
    op.drop_index(
        "ix_notifications_unread",
        table_name="notifications",
        postgresql_where=sa.text("read_at IS NULL"),
        sqlite_where=sa.text("read_at IS NULL"),
    )
    op.drop_index("ix_notifications_recipient_id_id", table_name="notifications")
    op.drop_index("ix_notifications_post_id", table_name="notifications")
    op.drop_index("ix_notifications_comment_id", table_name="notifications")
    op.drop_index("ix_notifications_actor_id", table_name="notifications")
    op.drop_table("notifications")
    op.drop_index("ix_saved_posts_user_id_created_at", table_name="saved_posts")
    op.drop_table("saved_posts")
    op.drop_index("ix_post_hashtags_post_id", table_name="post_hashtags")
    op.drop_table("post_hashtags")
    op.drop_index(op.f("ix_photos_storage_key"), table_name="photos")
    op.drop_index("uq_photos_post_id_position", table_name="photos")
    op.drop_table("photos")
    op.drop_index("ix_likes_post_id", table_name="likes")
    op.drop_table("likes")
    op.drop_index("ix_comments_post_id_id", table_name="comments")
    op.drop_index("ix_comments_author_id_id", table_name="comments")
    op.drop_table("comments")
    op.drop_index(
        "ix_posts_public_id",
        table_name="posts",
        postgresql_where=sa.text("visibility = 'public'"),
        sqlite_where=sa.text("visibility = 'public'"),
    )
    op.drop_index("ix_posts_author_id_id", table_name="posts")
    op.drop_table("posts")
    op.drop_table("mutes")
    op.drop_index("ix_follows_followee_id_follower_id", table_name="follows")
    op.drop_table("follows")
    op.drop_index("ix_follow_requests_target_id_created_at", table_name="follow_requests")
    op.drop_table("follow_requests")
    op.drop_index("ix_blocks_blocked_id", table_name="blocks")
    op.drop_table("blocks")
    op.drop_table("hashtags")

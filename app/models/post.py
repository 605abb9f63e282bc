"""The activity stream: posts and what hangs off them — versions, comments,
reactions, mentions, hashtags, polls, announcement confirmations, follows.

Only posts carry a level and an audience; comments, reactions, votes and
confirmations inherit those of their post, so every read of them goes through
the post's policy clause.
"""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, BigId, CreatedAt, IdPk, UTCDateTime
from app.models.content import Content, audience_table
from app.models.user import str_enum


class PostKind(StrEnum):
    ORDINARY = "ordinary"
    ANNOUNCEMENT = "announcement"
    POLL = "poll"
    QUESTION = "question"
    # A proposal in an idea campaign (app/models/ideas.py).
    IDEA = "idea"


class ReactionKind(StrEnum):
    LIKE = "like"
    CELEBRATE = "celebrate"
    SUPPORT = "support"
    INSIGHTFUL = "insightful"
    CURIOUS = "curious"


class FollowKind(StrEnum):
    USER = "user"
    SPACE = "space"
    HASHTAG = "hashtag"


class Post(Content, Base):
    __tablename__ = "posts"
    __audience__ = audience_table("posts")
    # Keyset ranges per container and per author: (space_id, id) serves the
    # streams and the home feed, (author_id, id) the people one follows.
    # (author_id, level): whether an external may know of an author reads only
    # their posts at the external's level (``access.knowable_people``: 0.115 →
    # 0.033 ms a person for a contractor, on SQLite at a million posts).
    __table_args__ = (
        Index("ix_posts_space_id_id", "space_id", "id"),
        Index("ix_posts_author_id_id", "author_id", "id"),
        Index("ix_posts_author_id_level", "author_id", "level"),
    )

    kind: Mapped[PostKind] = mapped_column(str_enum(PostKind), default=PostKind.ORDINARY)
    body: Mapped[str] = mapped_column(Text, default="")
    body_html: Mapped[str] = mapped_column(Text, default="")
    edited_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # A deleted post stays as a tombstone so that its comments keep their place.
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    pinned_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    shared_from_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("posts.id", ondelete="SET NULL")
    )
    accepted_comment_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("comments.id", ondelete="SET NULL", use_alter=True)
    )
    poll_multiple: Mapped[bool] = mapped_column(Boolean, default=False)
    poll_closes_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class PostVersion(Base):
    """The body a post had before an edit."""

    __tablename__ = "post_versions"
    __table_args__ = (Index("ix_post_versions_post_id_id", "post_id", "id"),)

    id: Mapped[IdPk]
    post_id: Mapped[int] = mapped_column(BigId, ForeignKey("posts.id", ondelete="CASCADE"))
    body: Mapped[str] = mapped_column(Text)
    editor_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("users.id", ondelete="SET NULL")
    )
    created_at: Mapped[CreatedAt]


class Comment(Base):
    __tablename__ = "comments"
    __table_args__ = (Index("ix_comments_post_id_id", "post_id", "id"),)

    id: Mapped[IdPk]
    post_id: Mapped[int] = mapped_column(BigId, ForeignKey("posts.id", ondelete="CASCADE"))
    # One level of replies: a reply's parent is a top-level comment.
    parent_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("comments.id", ondelete="CASCADE")
    )
    author_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    body: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    created_at: Mapped[CreatedAt]
    edited_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class CommentVersion(Base):
    __tablename__ = "comment_versions"
    __table_args__ = (Index("ix_comment_versions_comment_id_id", "comment_id", "id"),)

    id: Mapped[IdPk]
    comment_id: Mapped[int] = mapped_column(BigId, ForeignKey("comments.id", ondelete="CASCADE"))
    body: Mapped[str] = mapped_column(Text)
    editor_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("users.id", ondelete="SET NULL")
    )
    created_at: Mapped[CreatedAt]


class PostReaction(Base):
    __tablename__ = "post_reactions"

    post_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("posts.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    kind: Mapped[ReactionKind] = mapped_column(str_enum(ReactionKind), primary_key=True)
    created_at: Mapped[CreatedAt]


class CommentReaction(Base):
    __tablename__ = "comment_reactions"

    comment_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("comments.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    kind: Mapped[ReactionKind] = mapped_column(str_enum(ReactionKind), primary_key=True)
    created_at: Mapped[CreatedAt]


class Mention(Base):
    """Who a post or comment names; only readers of the post are ever told."""

    __tablename__ = "mentions"

    id: Mapped[IdPk]
    post_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("posts.id", ondelete="CASCADE"), index=True
    )
    comment_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("comments.id", ondelete="CASCADE")
    )
    user_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("users.id", ondelete="CASCADE"), index=True
    )


class Hashtag(Base):
    __tablename__ = "hashtags"

    id: Mapped[IdPk]
    name: Mapped[str] = mapped_column(String(50), unique=True)


class PostHashtag(Base):
    __tablename__ = "post_hashtags"
    __table_args__ = (
        Index("ix_post_hashtags_hashtag_id_post_id", "hashtag_id", "post_id"),
        Index("ix_post_hashtags_created_at", "created_at"),
    )

    post_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("posts.id", ondelete="CASCADE"), primary_key=True
    )
    hashtag_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("hashtags.id", ondelete="CASCADE"), primary_key=True
    )
    # The post's time, copied here so that trending counts scan one index range.
    created_at: Mapped[CreatedAt]


class Follow(Base):
    __tablename__ = "follows"
    __table_args__ = (Index("ix_follows_kind_target_id", "kind", "target_id"),)

    user_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    kind: Mapped[FollowKind] = mapped_column(str_enum(FollowKind), primary_key=True)
    target_id: Mapped[int] = mapped_column(BigId, primary_key=True)
    created_at: Mapped[CreatedAt]


class AnnouncementRead(Base):
    """A reader's "I have read this" on an announcement."""

    __tablename__ = "announcement_reads"

    post_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("posts.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    created_at: Mapped[CreatedAt]


class PollOption(Base):
    __tablename__ = "poll_options"
    __table_args__ = (UniqueConstraint("post_id", "position"),)

    id: Mapped[IdPk]
    post_id: Mapped[int] = mapped_column(BigId, ForeignKey("posts.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    label: Mapped[str] = mapped_column(String(200))


class PollVote(Base):
    __tablename__ = "poll_votes"
    __table_args__ = (Index("ix_poll_votes_post_id_user_id", "post_id", "user_id"),)

    option_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("poll_options.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    post_id: Mapped[int] = mapped_column(BigId, ForeignKey("posts.id", ondelete="CASCADE"))
    created_at: Mapped[CreatedAt]


class NotificationPreference(Base):
    """A person's choice for one kind of notification: in the app (``enabled``;
    absent means on) and by mail (``by_mail``; absent or None means the kind's
    default, app.services.mail.preferences.MAILED_BY_DEFAULT)."""

    __tablename__ = "notification_preferences"

    user_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    kind: Mapped[str] = mapped_column(String(40), primary_key=True)
    enabled: Mapped[bool] = mapped_column(Boolean)
    by_mail: Mapped[bool | None] = mapped_column(Boolean)

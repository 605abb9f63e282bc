"""Server-side sign-in sessions, personal access tokens and rate-limit hits.

Secrets are never stored: only their SHA-256, so a copy of the database
opens no account.
"""

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, BigId, CreatedAt, IdPk, UTCDateTime


class UserSession(Base):
    __tablename__ = "user_sessions"

    id: Mapped[IdPk]
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[CreatedAt]
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    address: Mapped[str | None] = mapped_column(String(64))
    user_agent: Mapped[str | None] = mapped_column(String(255))
    # A session opened through an OpenID Connect provider: its name in the
    # settings and the ID token it gave, the hint of the provider's own sign-out.
    oidc_provider: Mapped[str | None] = mapped_column(String(40))
    oidc_id_token: Mapped[str | None] = mapped_column(Text)


class AccessToken(Base):
    __tablename__ = "access_tokens"

    id: Mapped[IdPk]
    user_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(100))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # The first characters, shown in lists so that people recognise their tokens.
    prefix: Mapped[str] = mapped_column(String(16))
    scopes: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[CreatedAt]
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class RateLimitHit(Base):
    """One counted attempt; kept in the database so every worker shares the limit."""

    __tablename__ = "rate_limit_hits"
    __table_args__ = (Index("ix_rate_limit_hits_bucket_key_at", "bucket", "key", "created_at"),)

    id: Mapped[IdPk]
    bucket: Mapped[str] = mapped_column(String(40))
    key: Mapped[str] = mapped_column(String(300))
    created_at: Mapped[CreatedAt]

"""Mail: the outbox every e-mail waits in, and each person's digest choice.

An outbox row is written in the transaction of the change that causes it and
names only who it is for and what it is about (a notification, an
invitation, a digest's period): the mail is rendered when it is sent, after
asking the policy again, so what someone may no longer read never leaves."""

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, SmallInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, BigId, CreatedAt, IdPk, UTCDateTime


class MailState(StrEnum):
    PENDING = "pending"
    SENT = "sent"
    # Not to be sent any more: its reader lost access, or was deactivated.
    DROPPED = "dropped"
    # Refused by the mail server for good, or retried until it was stale.
    FAILED = "failed"


class Digest(StrEnum):
    NONE = "none"
    DAILY = "daily"
    WEEKLY = "weekly"


# What an outbox row is about besides a notification's kind.
DIGEST_MAIL = "digest"
EMAIL_INVITATION_MAIL = "email_invitation"


class OutboxMail(Base):
    __tablename__ = "mail_outbox"
    __table_args__ = (Index("ix_mail_outbox_state_due_at", "state", "due_at"),)

    id: Mapped[IdPk]
    # The person it is for; None for an invitation to an address with no account.
    user_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    address: Mapped[str | None] = mapped_column(String(254))
    # A notification kind, "digest" or "email_invitation".
    kind: Mapped[str] = mapped_column(String(40))
    notification_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("notifications.id", ondelete="CASCADE")
    )
    invitation_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("invitations.id", ondelete="CASCADE")
    )
    # Ids and plain facts (a digest's period); an e-mail invitation's secret
    # until it is sent (only its hash is kept elsewhere), erased once sent.
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    state: Mapped[str] = mapped_column(String(10), default=MailState.PENDING.value)
    attempts: Mapped[int] = mapped_column(SmallInteger, default=0)
    # Not sent before this moment (the back-off after a failure).
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # A worker holds the row until then; after, another may take it again (the
    # first one died mid-send).
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[CreatedAt]
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The mail server's last refusal, short and without the message.
    last_error: Mapped[str] = mapped_column(String(200), default="")


class MailSettings(Base):
    """A person's digest: how often, and the last period queued (so that each
    period is queued once, whichever worker gets there first)."""

    __tablename__ = "mail_settings"

    user_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    digest: Mapped[str] = mapped_column(String(10), default=Digest.NONE.value)
    digest_sent_for: Mapped[str | None] = mapped_column(String(12))

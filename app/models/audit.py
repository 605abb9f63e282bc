"""The audit log of security-relevant actions. The application only ever
inserts into it."""

from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, BigId, CreatedAt, IdPk


class AuditEvent(Base):
    __tablename__ = "audit_events"
    __table_args__ = (
        Index("ix_audit_events_action_id", "action", "id"),
        # A person's events: those they underwent as well as those they did.
        Index("ix_audit_events_target", "target_type", "target_id", "id"),
    )

    id: Mapped[IdPk]
    actor_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    action: Mapped[str] = mapped_column(String(60))
    target_type: Mapped[str | None] = mapped_column(String(40))
    target_id: Mapped[int | None] = mapped_column(BigId)
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    address: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[CreatedAt]

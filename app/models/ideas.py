"""Idea campaigns in innovation spaces: a question asked until a deadline, the
ideas proposed in answer (posts of kind ``idea``), the votes on them and the
steps of their workflow.

A campaign is content — container, level, audience — so the one policy reads
it. An idea is a post (so it has comments, reactions and its place in the
stream) with a side row here: its campaign, title and status. Reading an idea
needs reading its campaign too (app/access.py). Votes and steps inherit the
idea's level and audience: every read of them goes through the idea's post.
"""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, BigId, CreatedAt, IdPk, UTCDateTime
from app.models.content import Content, audience_table
from app.models.user import str_enum


class CampaignStatus(StrEnum):
    OPEN = "open"
    CLOSED = "closed"


class IdeaStatus(StrEnum):
    NEW = "new"
    UNDER_REVIEW = "under_review"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    IMPLEMENTED = "implemented"


# Where an idea may go from each status (app/services/ideas/workflow.py).
NEXT_STATUSES: dict[IdeaStatus, frozenset[IdeaStatus]] = {
    IdeaStatus.NEW: frozenset({IdeaStatus.UNDER_REVIEW}),
    IdeaStatus.UNDER_REVIEW: frozenset({IdeaStatus.ACCEPTED, IdeaStatus.DECLINED}),
    IdeaStatus.ACCEPTED: frozenset({IdeaStatus.IMPLEMENTED}),
    IdeaStatus.DECLINED: frozenset(),
    IdeaStatus.IMPLEMENTED: frozenset(),
}


class VoteChoice(StrEnum):
    FOR = "for"
    AGAINST = "against"


class IdeaCampaign(Content, Base):
    __tablename__ = "idea_campaigns"
    __audience__ = audience_table("idea_campaigns")
    __table_args__ = (
        Index("ix_idea_campaigns_space_id_id", "space_id", "id"),
        Index("ix_idea_campaigns_author_id", "author_id"),
    )

    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    description_html: Mapped[str] = mapped_column(Text, default="")
    # Votes and new ideas are taken until then; the campaign is closed after.
    deadline: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)

    def status_at(self, now: datetime) -> CampaignStatus:
        return CampaignStatus.OPEN if now < self.deadline else CampaignStatus.CLOSED


class Idea(Base):
    """The idea side of a post of kind ``idea``."""

    __tablename__ = "ideas"
    __table_args__ = (Index("ix_ideas_campaign_id_post_id", "campaign_id", "post_id"),)

    post_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("posts.id", ondelete="CASCADE"), primary_key=True
    )
    campaign_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("idea_campaigns.id", ondelete="CASCADE")
    )
    title: Mapped[str] = mapped_column(String(200))
    status: Mapped[IdeaStatus] = mapped_column(str_enum(IdeaStatus), default=IdeaStatus.NEW)
    status_changed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # The project space its acceptance created, if any.
    project_space_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("spaces.id", ondelete="SET NULL")
    )


class IdeaVote(Base):
    """One person's vote on an idea, changeable until the campaign's deadline."""

    __tablename__ = "idea_votes"
    __table_args__ = (Index("ix_idea_votes_user_id", "user_id"),)

    post_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("ideas.post_id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    choice: Mapped[VoteChoice] = mapped_column(str_enum(VoteChoice, 10))
    voted_at: Mapped[datetime] = mapped_column(UTCDateTime)


class IdeaStep(Base):
    """A step of an idea's workflow: who moved it, from what to what, and why."""

    __tablename__ = "idea_steps"
    __table_args__ = (Index("ix_idea_steps_post_id_id", "post_id", "id"),)

    id: Mapped[IdPk]
    post_id: Mapped[int] = mapped_column(BigId, ForeignKey("ideas.post_id", ondelete="CASCADE"))
    from_status: Mapped[IdeaStatus] = mapped_column(str_enum(IdeaStatus))
    to_status: Mapped[IdeaStatus] = mapped_column(str_enum(IdeaStatus))
    reason: Mapped[str] = mapped_column(Text)
    actor_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[CreatedAt]

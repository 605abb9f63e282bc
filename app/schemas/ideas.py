"""Idea campaigns, their ideas, votes and workflow steps."""

from typing import Annotated

from pydantic import BaseModel, Field

from app.levels import Level
from app.models import CampaignStatus, IdeaStatus, Visibility, VoteChoice
from app.schemas.account import UserPublic
from app.schemas.common import NOT_BLANK, Audience, UtcDateTime
from app.schemas.post import SpaceRef

MAX_TEXT = 20_000

Title = Annotated[str, Field(min_length=1, max_length=200, pattern=NOT_BLANK)]
Reason = Annotated[str, Field(min_length=1, max_length=2000, pattern=NOT_BLANK)]


class CampaignUpdate(BaseModel):
    """What changes (all optional): the question, description or deadline (one
    in the past closes the campaign at once). Level and audience stay."""

    title: Title | None = None
    description: Annotated[str, Field(max_length=MAX_TEXT)] | None = None
    deadline: UtcDateTime | None = None


class CampaignCreate(BaseModel):
    """A campaign: its question (``title``), a Markdown description, the
    deadline (an instant, in the future) until which ideas and votes are taken."""

    title: Title
    description: Annotated[str, Field(max_length=MAX_TEXT)] = ""
    deadline: UtcDateTime
    level: Level | None = Field(default=None, description="Defaults to the space's default level.")
    audience: Audience | None = None


class CampaignRead(BaseModel):
    id: int
    title: str
    description: str
    description_html: str
    deadline: UtcDateTime
    status: CampaignStatus
    space: SpaceRef
    author: UserPublic | None
    level: Level
    audience: list[int] | None
    # The ideas in it the reader may read.
    idea_count: int
    created_at: UtcDateTime
    updated_at: UtcDateTime


class IdeaCreate(BaseModel):
    title: Title
    body: Annotated[str, Field(max_length=MAX_TEXT)] = ""
    level: Level | None = Field(
        default=None,
        description="Never below the campaign's; defaults to the higher of the campaign's "
        "and the space's default level.",
    )


class IdeaUpdate(BaseModel):
    """An idea's new title (its body is its post's: ``PATCH /posts/{id}``)."""

    title: Title


class IdeaRead(BaseModel):
    """An idea; ``id`` is its post's, under which comments and reactions go
    (``/posts/{id}/comments``, ``/posts/{id}/reactions/{kind}``)."""

    id: int
    campaign_id: int
    title: str
    body: str
    body_html: str
    status: IdeaStatus
    status_changed_at: UtcDateTime
    author: UserPublic | None
    level: Level
    votes_for: int
    votes_against: int
    my_vote: VoteChoice | None
    project_space_id: int | None
    created_at: UtcDateTime


class VoteWrite(BaseModel):
    choice: VoteChoice


class MoveWrite(BaseModel):
    status: IdeaStatus
    reason: Reason


class ProjectWrite(BaseModel):
    """Accepting an idea as a project: the reason (of the acceptance, when the
    idea is still under review) and the new space's visibility (``secret`` unless
    every employee may read the idea)."""

    reason: Reason
    visibility: Visibility = Visibility.PRIVATE


class StepRead(BaseModel):
    from_status: IdeaStatus
    to_status: IdeaStatus
    reason: str
    actor: UserPublic | None
    created_at: UtcDateTime


class ProjectRead(BaseModel):
    idea: IdeaRead
    space: SpaceRef

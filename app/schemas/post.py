"""Posts, comments, reactions, polls, follows and the feed."""

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, Field, StrictBool

from app.levels import Level
from app.models import PostKind, ReactionKind
from app.schemas.account import UserPublic
from app.schemas.common import NOT_BLANK, Audience, RowId, UtcDateTime, absent, given_then, present
from app.schemas.file import Attachments, FileRead

MAX_POST_BODY = 20_000
# The length of the poll options' column.
MAX_POLL_OPTION = 200

Body = Annotated[str, Field(min_length=1, max_length=MAX_POST_BODY)]


class PollCreate(BaseModel):
    options: list[
        Annotated[str, Field(min_length=1, max_length=MAX_POLL_OPTION, pattern=NOT_BLANK)]
    ] = Field(min_length=2, max_length=10, json_schema_extra={"uniqueItems": True})
    multiple: StrictBool = False
    closes_at: UtcDateTime | None = None


# The kinds a post is written as; an idea is proposed in its campaign
# (POST /campaigns/{id}/ideas), never as a post.
WrittenKind = Literal[PostKind.ORDINARY, PostKind.ANNOUNCEMENT, PostKind.POLL, PostKind.QUESTION]


class PostCreate(BaseModel):
    """A poll (``kind: poll``) has its ``poll``; no other kind has one."""

    model_config = {
        "extra": "forbid",
        "json_schema_extra": given_then(
            "kind", PostKind.POLL.value, present("poll"), absent("poll")
        ),
    }

    body: Body
    space_id: RowId | None = None
    level: Level | None = Field(
        default=None, description="Defaults to the space's default level, or internal."
    )
    audience: Audience | None = None
    kind: WrittenKind = PostKind.ORDINARY
    poll: PollCreate | None = None
    shared_from_id: RowId | None = None
    attachments: Attachments = Field(default_factory=list)


class PostUpdate(BaseModel):
    """All optional; ``audience: null`` removes the audience."""

    model_config = {"extra": "forbid"}

    body: Body | None = None
    level: Level | None = None
    audience: Audience | None = None
    attachments: Attachments = Field(
        default_factory=list, description="New uploads to add after the post's files."
    )


class SpaceRef(BaseModel):
    id: int
    name: str
    slug: str


class CommentRead(BaseModel):
    id: int
    post_id: int
    parent_id: int | None
    author: UserPublic | None
    body: str
    body_html: str
    created_at: datetime
    edited_at: datetime | None
    deleted: bool
    reactions: dict[str, int] = {}
    my_reactions: list[str] = []
    attachments: list[FileRead] = []


class PollOptionRead(BaseModel):
    id: int
    label: str
    votes: int | None = Field(description="Shown once you voted or the poll closed.")


class PollRead(BaseModel):
    multiple: bool
    closes_at: datetime | None
    closed: bool
    options: list[PollOptionRead]
    my_votes: list[int]


class AnnouncementState(BaseModel):
    confirmed_by_me: bool
    confirmations: int


class PostRead(BaseModel):
    id: int
    kind: PostKind
    space: SpaceRef | None
    author: UserPublic | None
    level: Level
    audience: list[int] | None = Field(
        description="The people it is narrowed to (null: no audience), those you may know of."
    )
    audience_others: int = Field(
        default=0, description="People of the audience you may not know of: counted, not named."
    )
    body: str
    body_html: str
    created_at: datetime
    edited_at: datetime | None
    deleted: bool
    pinned: bool
    comment_count: int
    reactions: dict[str, int]
    my_reactions: list[str]
    first_comments: list[CommentRead]
    poll: PollRead | None = None
    attachments: list[FileRead] = []
    announcement: AnnouncementState | None = None
    accepted_comment_id: int | None = None
    shared: "PostRead | None" = None


class PostWritten(PostRead):
    unreachable_mentions: list[str] = Field(
        description="Mentioned handles who cannot read the post: nobody told them."
    )


class PostVersionRead(BaseModel):
    id: int
    body: str
    created_at: datetime


class CommentCreate(BaseModel):
    model_config = {"extra": "forbid"}

    body: Body
    parent_id: RowId | None = None
    attachments: Attachments = Field(default_factory=list)


class CommentUpdate(BaseModel):
    model_config = {"extra": "forbid"}

    body: Body


class CommentWritten(CommentRead):
    unreachable_mentions: list[str]


class ReactionRead(BaseModel):
    kind: ReactionKind
    user: UserPublic | None = Field(
        description="Null: a colleague you may not know of (externals see only the people "
        "of their spaces and the authors of what they read)."
    )


class VoteCreate(BaseModel):
    option_ids: list[RowId] = Field(min_length=1, max_length=10)


class AcceptAnswer(BaseModel):
    comment_id: RowId | None


class PinUpdate(BaseModel):
    pinned: StrictBool


class AnnouncementReaders(BaseModel):
    """People you may know of by name; the others counted."""

    confirmed: list[UserPublic]
    pending: list[UserPublic]
    confirmed_others: int = 0
    pending_others: int = 0


class TrendingHashtag(BaseModel):
    name: str
    count: int


class FollowsRead(BaseModel):
    users: list[int]
    spaces: list[int]
    hashtags: list[str]


class HashtagSuggestion(BaseModel):
    name: str = Field(description="Without its “#”.")

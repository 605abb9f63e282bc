"""What the demo's people do, as plain data: posts, comments, reactions,
votes, accepted answers and confirmations, each at its time. A plan is written
either through the services, one action at a time (the reference), or in bulk
(app/demo/bulk.py, for speed); both write the same rows (tests/test_demo.py
compares them)."""

from dataclasses import dataclass, field
from datetime import datetime

from app.levels import Level
from app.models import PostKind, ReactionKind


@dataclass(frozen=True)
class PlannedPost:
    author: str  # a handle
    body: str
    at: datetime
    space: str | None = None  # a slug; None: the company stream
    level: Level | None = None  # None: the container's default for the author
    kind: PostKind = PostKind.ORDINARY
    poll: tuple[str, ...] | None = None
    shared_from: int | None = None  # index of an earlier post of the plan


@dataclass(frozen=True)
class PlannedComment:
    post: int
    author: str
    body: str
    at: datetime
    parent: int | None = None  # index of an earlier top-level comment


@dataclass(frozen=True)
class PlannedReaction:
    post: int
    person: str
    kind: ReactionKind
    at: datetime


@dataclass(frozen=True)
class PlannedVote:
    post: int
    person: str
    option: int  # the option's position
    at: datetime


@dataclass(frozen=True)
class PlannedAnswer:
    """The question's author accepts a comment as its answer."""

    post: int
    comment: int
    at: datetime


@dataclass(frozen=True)
class PlannedConfirmation:
    post: int
    person: str
    at: datetime


Action = (
    PlannedPost
    | PlannedComment
    | PlannedReaction
    | PlannedVote
    | PlannedAnswer
    | PlannedConfirmation
)


@dataclass
class Plan:
    posts: list[PlannedPost] = field(default_factory=list)
    comments: list[PlannedComment] = field(default_factory=list)
    reactions: list[PlannedReaction] = field(default_factory=list)
    votes: list[PlannedVote] = field(default_factory=list)
    answers: list[PlannedAnswer] = field(default_factory=list)
    confirmations: list[PlannedConfirmation] = field(default_factory=list)

    def timeline(self) -> list[tuple[int, Action]]:
        """Every action in the order it happens, with its index in its own list.
        Posts and comments must already be in time order (their ids follow it)."""
        lists = [
            self.posts,
            self.comments,
            self.reactions,
            self.votes,
            self.answers,
            self.confirmations,
        ]
        actions = [
            (action.at, rank, index, action)
            for rank, actions in enumerate(lists)
            for index, action in enumerate(actions)
        ]
        actions.sort(key=lambda entry: entry[:3])
        return [(index, action) for _at, _rank, index, action in actions]

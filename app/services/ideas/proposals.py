"""Ideas: proposals in a campaign, each a post of kind ``idea`` in the
campaign's space (so comments, reactions and the stream treat it as a post)
with its side row. Every read goes through ``access_idea``: NotFound alike
for a missing idea and for one the viewer may not read (which needs reading
its campaign too: app/access.py)."""

from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import case, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.access import check_not_below, default_level_for, higher_level, readable
from app.errors import NotFound, non_blank
from app.i18n import _
from app.levels import Level
from app.models import (
    Idea,
    IdeaCampaign,
    IdeaStatus,
    IdeaStep,
    IdeaVote,
    Post,
    PostKind,
    Space,
    User,
    VoteChoice,
)
from app.models.base import utcnow
from app.services.ideas.campaigns import access_campaign, check_open, readable_ideas
from app.services.posts import check_may_moderate_in, place_to_write, publish_post

MAX_IDEAS_LISTED = 500


class IdeaOrder(StrEnum):
    VOTES = "votes"
    RECENT = "recent"
    STATUS = "status"


@dataclass(frozen=True)
class IdeaView:
    """An idea as its reader is shown it: its post, votes counted, their own vote."""

    idea: Idea
    post: Post
    author: User | None
    votes_for: int
    votes_against: int
    mine: VoteChoice | None

    @property
    def score(self) -> int:
        return self.votes_for - self.votes_against


async def access_idea(
    session: AsyncSession, *, viewer: User, idea_id: int, for_update: bool = False
) -> tuple[Idea, Post]:
    """The idea (its side row and post) if the viewer may read it, deleted ones
    aside; ``for_update``: its row locked until the transaction ends, on
    PostgreSQL, so votes on it and moves of it are taken one at a time."""
    query = (
        select(Idea, Post)
        .join(Post, Post.id == Idea.post_id)
        .where(Idea.post_id == idea_id, Post.deleted_at.is_(None), readable(viewer, Post))
    )
    if for_update:
        query = query.with_for_update(of=Idea)
    found = (await session.execute(query)).first()
    if found is None:
        raise NotFound()
    return found[0], found[1]


async def propose_idea(
    session: AsyncSession,
    *,
    viewer: User,
    campaign_id: int,
    title: str,
    body: str,
    level: Level | None = None,
) -> Idea:
    """An idea in an open campaign, by anyone who may write in its space, at the
    campaign's level or above (by default the higher of it and the space's)."""
    campaign = await access_campaign(session, viewer=viewer, campaign_id=campaign_id)
    check_open(campaign)
    space = await session.get(Space, campaign.space_id)
    level = level or default_level_for(viewer, higher_level(space.default_level, campaign.level))
    check_not_below(campaign.level, level)
    now = utcnow()
    idea = Idea(
        campaign_id=campaign.id,
        title=non_blank(title, _("Give the idea a title.")),
        status=IdeaStatus.NEW,
        status_changed_at=now,
    )

    async def in_campaign(post: Post) -> None:
        idea.post_id = post.id
        session.add(idea)
        await session.flush()

    await publish_post(
        session,
        viewer=viewer,
        body=body,
        space_id=campaign.space_id,
        level=level,
        kind=PostKind.IDEA,
        belongs_to=in_campaign,
    )
    return idea


async def check_may_retitle(session: AsyncSession, viewer: User, post: Post) -> None:
    """An idea's author, and its space's moderators, while they may write there."""
    space, role = await place_to_write(session, viewer=viewer, space_id=post.space_id)
    if post.author_id != viewer.id:
        check_may_moderate_in(viewer, space, role)


async def retitle_idea(session: AsyncSession, *, viewer: User, idea_id: int, title: str) -> Idea:
    """A new title for an idea (its body is edited as its post's). The old one is
    not kept: it was read by the same readers as the new one."""
    idea, post = await access_idea(session, viewer=viewer, idea_id=idea_id, for_update=True)
    await check_may_retitle(session, viewer, post)
    idea.title = non_blank(title, _("Give the idea a title."))
    # Flushed here so that the search index, if it holds titles, follows it.
    await session.flush()
    return idea


def _vote_counts():
    return (
        select(
            IdeaVote.post_id,
            func.count(case((IdeaVote.choice == VoteChoice.FOR, 1))).label("votes_for"),
            func.count(case((IdeaVote.choice == VoteChoice.AGAINST, 1))).label("against"),
        )
        .group_by(IdeaVote.post_id)
        .subquery()
    )


async def list_ideas(
    session: AsyncSession,
    *,
    viewer: User,
    campaign_id: int,
    order: IdeaOrder = IdeaOrder.VOTES,
    status: IdeaStatus | None = None,
) -> list[IdeaView]:
    """The ideas of a campaign the viewer may read: by score (for minus against),
    the newest first, or along the workflow."""
    campaign = await access_campaign(session, viewer=viewer, campaign_id=campaign_id)
    counts = _vote_counts()
    votes_for = func.coalesce(counts.c.votes_for, 0)
    against = func.coalesce(counts.c.against, 0)
    query = (
        readable_ideas(viewer)
        .add_columns(Post, votes_for, against)
        .outerjoin(counts, counts.c.post_id == Idea.post_id)
        .where(Idea.campaign_id == campaign.id)
        .limit(MAX_IDEAS_LISTED)
    )
    if status is not None:
        query = query.where(Idea.status == status)
    if order is IdeaOrder.VOTES:
        query = query.order_by((votes_for - against).desc(), votes_for.desc(), Idea.post_id.desc())
    elif order is IdeaOrder.STATUS:
        along = case({s: rank for rank, s in enumerate(IdeaStatus)}, value=Idea.status)
        query = query.order_by(along, Idea.status_changed_at.desc(), Idea.post_id.desc())
    else:
        query = query.order_by(Idea.post_id.desc())
    rows = (await session.execute(query)).all()
    return await _views(session, viewer, [(idea, post, f, a) for idea, post, f, a in rows])


async def _views(session: AsyncSession, viewer: User, rows) -> list[IdeaView]:
    post_ids = [idea.post_id for idea, *_rest in rows]
    mine = dict(
        (
            await session.execute(
                select(IdeaVote.post_id, IdeaVote.choice).where(
                    IdeaVote.post_id.in_(post_ids), IdeaVote.user_id == viewer.id
                )
            )
        ).all()
    )
    author_ids = {post.author_id for _idea, post, *_rest in rows if post.author_id}
    authors = {
        user.id: user for user in await session.scalars(select(User).where(User.id.in_(author_ids)))
    }
    return [
        IdeaView(
            idea=idea,
            post=post,
            author=authors.get(post.author_id),
            votes_for=votes_for,
            votes_against=against,
            mine=mine.get(idea.post_id),
        )
        for idea, post, votes_for, against in rows
    ]


async def view_idea(session: AsyncSession, *, viewer: User, idea_id: int) -> IdeaView:
    idea, post = await access_idea(session, viewer=viewer, idea_id=idea_id)
    counts = _vote_counts()
    found = (
        await session.execute(
            select(func.coalesce(counts.c.votes_for, 0), func.coalesce(counts.c.against, 0))
            .select_from(Idea)
            .outerjoin(counts, counts.c.post_id == Idea.post_id)
            .where(Idea.post_id == idea.post_id)
        )
    ).one()
    return (await _views(session, viewer, [(idea, post, found[0], found[1])]))[0]


async def idea_steps(session: AsyncSession, *, viewer: User, idea_id: int) -> list[IdeaStep]:
    """The steps of an idea's workflow, the first first."""
    idea, _post = await access_idea(session, viewer=viewer, idea_id=idea_id)
    return list(
        await session.scalars(
            select(IdeaStep).where(IdeaStep.post_id == idea.post_id).order_by(IdeaStep.id)
        )
    )


async def campaign_of(session: AsyncSession, idea: Idea) -> IdeaCampaign:
    """The campaign of an idea already read (so its campaign was too)."""
    return await session.get(IdeaCampaign, idea.campaign_id)

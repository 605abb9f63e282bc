"""Campaigns: a question put to an innovation space until a deadline. Every
read goes through ``access_campaign``, which answers NotFound alike for a
missing campaign and for one the viewer may not read."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.access import check_no_write_up, default_level_for, readable
from app.db import rows_by_id
from app.errors import Conflict, Invalid, NotFound, non_blank
from app.i18n import _
from app.levels import Level
from app.markdown import render
from app.models import Idea, IdeaCampaign, Post, Space, SpaceKind, User
from app.models.base import utcnow
from app.services.content import audience_of, set_audience
from app.services.posts import check_may_moderate_in, place_to_write
from app.services.spaces import access_space


@dataclass(frozen=True)
class CampaignView:
    """A campaign as its reader is shown it: its space, author, audience and
    the ideas in it the reader may read, counted."""

    campaign: IdeaCampaign
    space: Space
    author: User | None
    audience: frozenset[int] | None
    idea_count: int


async def access_campaign(
    session: AsyncSession, *, viewer: User, campaign_id: int, for_update: bool = False
) -> IdeaCampaign:
    query = select(IdeaCampaign).where(
        IdeaCampaign.id == campaign_id, readable(viewer, IdeaCampaign)
    )
    if for_update:
        query = query.with_for_update(of=IdeaCampaign)
    campaign = await session.scalar(query)
    if campaign is None:
        raise NotFound()
    return campaign


def check_open(campaign: IdeaCampaign, now: datetime | None = None) -> None:
    """Ideas and votes are taken until the deadline, not after."""
    if campaign.deadline <= (now or utcnow()):
        raise Conflict(_("This campaign's deadline has passed."), code="campaign_closed")


def check_deadline_ahead(deadline: datetime) -> None:
    if deadline <= utcnow():
        raise Invalid(_("The deadline must be in the future."), code="deadline_passed")


async def _innovation_space(session: AsyncSession, viewer: User, space_id: int):
    space, role = await place_to_write(session, viewer=viewer, space_id=space_id)
    if space.kind is not SpaceKind.INNOVATION:
        raise Invalid(
            _("Idea campaigns take place in innovation spaces."), code="not_innovation_space"
        )
    return space, role


async def open_campaign(
    session: AsyncSession,
    *,
    viewer: User,
    space_id: int,
    title: str,
    description: str,
    deadline: datetime,
    level: Level | None = None,
    audience: list[int] | None = None,
) -> IdeaCampaign:
    """A campaign in an innovation space, opened by its owners and moderators
    (and administrators), at a level they are cleared for (the space's by default)."""
    space, role = await _innovation_space(session, viewer, space_id)
    check_may_moderate_in(viewer, space, role)
    check_deadline_ahead(deadline)
    level = level or default_level_for(viewer, space.default_level)
    check_no_write_up(viewer, level)
    now = utcnow()
    campaign = IdeaCampaign(
        space_id=space.id, author_id=viewer.id, level=level, created_at=now, updated_at=now
    )
    _apply(campaign, title, description, deadline)
    session.add(campaign)
    await session.flush()
    # Not announced live: the activity log's catch-up judges what it names by
    # posts, pages and events only, and would tell a campaign's id to every
    # reader of its space. Its ideas are announced, as posts.
    await set_audience(session, campaign, audience, viewer=viewer)
    return campaign


def _apply(campaign: IdeaCampaign, title: str, description: str, deadline: datetime) -> None:
    campaign.title = non_blank(title, _("State the campaign's question."))
    campaign.description = description
    campaign.description_html = render(description).html
    campaign.deadline = deadline
    campaign.updated_at = utcnow()


async def check_may_change(session: AsyncSession, viewer: User, campaign: IdeaCampaign) -> None:
    """Its space's moderators (and administrators), while the space takes writing."""
    space, role = await place_to_write(session, viewer=viewer, space_id=campaign.space_id)
    check_may_moderate_in(viewer, space, role)


async def change_campaign(
    session: AsyncSession,
    *,
    viewer: User,
    campaign_id: int,
    title: str | None = None,
    description: str | None = None,
    deadline: datetime | None = None,
) -> IdeaCampaign:
    """Its space's moderators change a campaign's question, description or
    deadline (a deadline in the past closes it now). Its level and audience stay:
    the ideas in it were written for its readers."""
    campaign = await access_campaign(
        session, viewer=viewer, campaign_id=campaign_id, for_update=True
    )
    await check_may_change(session, viewer, campaign)
    _apply(
        campaign,
        campaign.title if title is None else title,
        campaign.description if description is None else description,
        campaign.deadline if deadline is None else deadline,
    )
    await session.flush()
    return campaign


def readable_ideas(viewer: User):
    """The live ideas the viewer may read, as a join of Idea and Post."""
    return (
        select(Idea)
        .join(Post, Post.id == Idea.post_id)
        .where(Post.deleted_at.is_(None), readable(viewer, Post))
    )


async def idea_counts(
    session: AsyncSession, *, viewer: User, campaign_ids: list[int]
) -> dict[int, int]:
    """The ideas of each campaign the viewer may read, counted."""
    counted = readable_ideas(viewer).where(Idea.campaign_id.in_(campaign_ids))
    rows = await session.execute(
        counted.with_only_columns(Idea.campaign_id, func.count()).group_by(Idea.campaign_id)
    )
    return {campaign_id: 0 for campaign_id in campaign_ids} | dict(rows.all())


async def view_campaigns(
    session: AsyncSession, *, viewer: User, campaigns: list[IdeaCampaign]
) -> list[CampaignView]:
    counts = await idea_counts(session, viewer=viewer, campaign_ids=[c.id for c in campaigns])
    spaces = await rows_by_id(session, Space, {c.space_id for c in campaigns})
    authors = await rows_by_id(session, User, {c.author_id for c in campaigns if c.author_id})
    return [
        CampaignView(
            campaign=campaign,
            space=spaces[campaign.space_id],
            author=authors.get(campaign.author_id),
            audience=await audience_of(session, campaign),
            idea_count=counts[campaign.id],
        )
        for campaign in campaigns
    ]


async def view_campaign(session: AsyncSession, *, viewer: User, campaign_id: int) -> CampaignView:
    campaign = await access_campaign(session, viewer=viewer, campaign_id=campaign_id)
    return (await view_campaigns(session, viewer=viewer, campaigns=[campaign]))[0]


async def space_campaigns(
    session: AsyncSession, *, viewer: User, space_id: int
) -> list[CampaignView]:
    """The campaigns of a space the viewer may read, the latest first."""
    space = await access_space(session, viewer=viewer, space_id=space_id)
    campaigns = list(
        await session.scalars(
            select(IdeaCampaign)
            .where(IdeaCampaign.space_id == space.id, readable(viewer, IdeaCampaign))
            .order_by(IdeaCampaign.id.desc())
        )
    )
    return await view_campaigns(session, viewer=viewer, campaigns=campaigns)

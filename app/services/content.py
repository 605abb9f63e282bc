"""What every kind of content (posts, wiki pages, ...) shares: its audience and
the ``ItemRef`` through which the policy chooses its readers."""

from sqlalchemy import delete, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.access import ItemRef, knowable_people, read_through
from app.errors import Invalid
from app.i18n import _
from app.models import Content, Idea, IdeaCampaign, Post, PostKind, Space, User

MAX_AUDIENCE = 200


async def audience_of(session: AsyncSession, item: Content) -> frozenset[int] | None:
    if not item.has_audience:
        return None
    audience = type(item).__audience__
    return frozenset(
        await session.scalars(select(audience.c.user_id).where(audience.c.content_id == item.id))
    )


async def item_ref(session: AsyncSession, item: Content) -> ItemRef:
    """What the policy needs to know of an item to choose its readers (of an
    idea: read through its campaign, app/access.py)."""
    visibility = None
    if item.space_id is not None:
        visibility = await session.scalar(select(Space.visibility).where(Space.id == item.space_id))
    ref = ItemRef(
        space_id=item.space_id,
        space_visibility=visibility,
        level=item.level,
        author_id=item.author_id,
        audience=await audience_of(session, item),
    )
    if isinstance(item, Post) and item.kind is PostKind.IDEA:
        campaign = await session.scalar(
            select(IdeaCampaign)
            .join(Idea, Idea.campaign_id == IdeaCampaign.id)
            .where(Idea.post_id == item.id)
        )
        if campaign is not None:
            ref = read_through(ref, await item_ref(session, campaign))
    return ref


async def set_audience(
    session: AsyncSession, item: Content, user_ids: list[int] | None, *, viewer: User | None = None
) -> None:
    """Narrows ``item`` to ``user_ids`` (None: no audience, everyone the rest of
    the policy admits). ``viewer``, who sets it: a person they may not know of
    is refused exactly as an account that does not exist."""
    audience = type(item).__audience__
    await session.execute(delete(audience).where(audience.c.content_id == item.id))
    item.has_audience = user_ids is not None
    if not user_ids:
        return
    if len(set(user_ids)) > MAX_AUDIENCE:
        raise Invalid(_("An audience may name 200 people at most."), code="audience_too_large")
    named = select(User.id).where(User.id.in_(set(user_ids)))
    if viewer is not None:
        named = named.where(knowable_people(viewer))
    known = set(await session.scalars(named))
    if known != set(user_ids):
        raise Invalid(_("The audience names an unknown person."), code="unknown_audience")
    await session.execute(
        insert(audience), [{"content_id": item.id, "user_id": user_id} for user_id in known]
    )

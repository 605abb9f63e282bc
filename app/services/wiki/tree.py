"""The tree of a wiki: parents, order among siblings, moves. A page may be
read by nobody its parent keeps out, so moves and changes of level or
audience keep every sub-page within its parent."""

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.access import (
    audience_within,
    check_can_edit_wiki,
    check_not_below,
    higher_level,
    readable,
)
from app.errors import Invalid
from app.i18n import _
from app.models import User, WikiPage
from app.models.base import utcnow
from app.services.content import audience_of, set_audience
from app.services.wiki.links import LIVE
from app.services.wiki.reading import Wiki, access_page, in_wiki, open_wiki
from app.services.wiki.watching import announce


async def parent_in(session: AsyncSession, viewer: User, wiki: Wiki, parent_id: int) -> WikiPage:
    parent = await access_page(session, viewer=viewer, page_id=parent_id)
    if parent.space_id != wiki.space_id:
        raise Invalid(_("A page's parent must be in the same wiki."), code="parent_elsewhere")
    return parent


async def children_of(session: AsyncSession, space_id: int | None) -> dict[int | None, list[int]]:
    """The live tree of a wiki, whoever may read it: ids by parent, in order."""
    rows = await session.execute(
        select(WikiPage.id, WikiPage.parent_id)
        .where(in_wiki(space_id))
        .where(LIVE)
        .order_by(WikiPage.position, WikiPage.id)
    )
    children: dict[int | None, list[int]] = {}
    for page_id, parent_id in rows.all():
        children.setdefault(parent_id, []).append(page_id)
    return children


def descendants(children: dict[int | None, list[int]], page_id: int) -> list[int]:
    found, stack = [], list(children.get(page_id, []))
    while stack:
        child = stack.pop()
        found.append(child)
        stack.extend(children.get(child, []))
    return found


async def _admitted(session: AsyncSession, page: WikiPage) -> frozenset[int] | None:
    """Whom the page's audience admits, its author included; None: no audience."""
    audience = await audience_of(session, page)
    return None if audience is None else audience | ({page.author_id} - {None})


async def fits_within(session: AsyncSession, page: WikiPage, parent: WikiPage) -> bool:
    return audience_within(await _admitted(session, page), await _admitted(session, parent))


async def check_within(session: AsyncSession, page: WikiPage, parent: WikiPage) -> None:
    """A page may be read by nobody its parent keeps out (both are in one wiki)."""
    check_not_below(parent.level, page.level)
    if not await fits_within(session, page, parent):
        raise Invalid(
            _("This page would be readable by people who may not read its parent page."),
            code="wider_than_parent",
        )


async def place_among(
    session: AsyncSession, page: WikiPage, siblings: list[int], position: int
) -> None:
    """Puts ``page`` at ``position`` among ``siblings`` and renumbers them all."""
    order = [sibling for sibling in siblings if sibling != page.id]
    order.insert(max(0, min(position, len(order))), page.id)
    for index, sibling_id in enumerate(order):
        if sibling_id == page.id:
            page.position = index
        else:
            await session.execute(
                update(WikiPage).where(WikiPage.id == sibling_id).values(position=index)
            )


async def narrow_descendants(session: AsyncSession, page: WikiPage) -> None:
    """After a page's level or audience changed, its sub-pages follow where they
    were wider: raised to its level, their audience cut down to what it admits
    (or given its audience when they had none). Only ever narrower, and without
    telling the editor about sub-pages they may not read."""
    children = await children_of(session, page.space_id)
    for child_id in descendants(children, page.id):  # each after its parent
        child = await session.get(WikiPage, child_id)
        parent = await session.get(WikiPage, child.parent_id)
        child.level = higher_level(child.level, parent.level)
        bound = await _admitted(session, parent)
        if not audience_within(await _admitted(session, child), bound):
            named = await audience_of(session, child)
            await set_audience(session, child, sorted((bound if named is None else named) & bound))
    await session.flush()


async def move_page(
    session: AsyncSession, *, viewer: User, page_id: int, parent_id: int | None, position: int
) -> WikiPage:
    """Moves a page (with its sub-pages) under another parent of its wiki, or
    reorders it among its siblings. Its address does not change."""
    page = await access_page(session, viewer=viewer, page_id=page_id)
    wiki = await open_wiki(session, viewer=viewer, space_id=page.space_id)
    check_can_edit_wiki(viewer, wiki.space, wiki.role)
    children = await children_of(session, page.space_id)
    parent = None
    if parent_id is not None:
        parent = await parent_in(session, viewer, wiki, parent_id)
        if parent.id == page.id or parent.id in descendants(children, page.id):
            raise Invalid(_("A page cannot be moved under itself."), code="cycle")
        await check_within(session, page, parent)
    page.parent_id = parent_id
    await place_among(session, page, children.get(parent_id, []), position)
    page.updated_at = utcnow()
    await session.flush()
    await announce(session, page, "wiki.page.moved", viewer)
    return page


async def shift_page(session: AsyncSession, *, viewer: User, page_id: int, offset: int) -> WikiPage:
    """Moves a page one place up (``offset`` -1) or down (+1) past the next
    sibling the viewer may read: pages hidden from them neither count nor move."""
    page = await access_page(session, viewer=viewer, page_id=page_id)
    siblings = (await children_of(session, page.space_id)).get(page.parent_id, [])
    readable_ids = set(
        await session.scalars(
            select(WikiPage.id).where(WikiPage.id.in_(siblings), readable(viewer, WikiPage))
        )
    )
    shown = [sibling for sibling in siblings if sibling in readable_ids]
    target = shown.index(page.id) + offset
    if not 0 <= target < len(shown):
        return page
    return await move_page(
        session,
        viewer=viewer,
        page_id=page.id,
        parent_id=page.parent_id,
        position=siblings.index(shown[target]),
    )

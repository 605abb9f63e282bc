"""The tree of a wiki: parents, order among siblings, moves. A page may be
read by nobody its parent keeps out, so moves and changes of level or
audience keep every sub-page within its parent."""

from sqlalchemy import func, or_, select, update
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
from app.services.wiki.links import LIVE, in_wiki
from app.services.wiki.reading import Wiki, access_page, open_wiki
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


async def _readable_among(session: AsyncSession, viewer: User, page_ids: list[int]) -> list[int]:
    """``page_ids`` (in their order) that the viewer may read."""
    found = set(
        await session.scalars(
            select(WikiPage.id).where(WikiPage.id.in_(page_ids), readable(viewer, WikiPage))
        )
    )
    return [page_id for page_id in page_ids if page_id in found]


def _index_for(order: list[int], shown: list[int], position: int) -> int:
    """Where a reader's ``position`` among the siblings they may read
    (``shown``) falls among all of them (``order``, the moved page left out):
    just before the one they see at that place, or just after the last they
    see. Hidden siblings keep their order around it."""
    if not shown:
        return len(order)
    if position < len(shown):
        return order.index(shown[position])
    return order.index(shown[-1]) + 1


async def move_page(
    session: AsyncSession, *, viewer: User, page_id: int, parent_id: int | None, position: int
) -> WikiPage:
    """Moves a page (with its sub-pages) under another parent of its wiki, or
    reorders it among its siblings. Its address does not change. ``position``
    counts the siblings the viewer may read only (0: first of them), as the
    positions they are shown do."""
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
    order = [sibling for sibling in children.get(parent_id, []) if sibling != page.id]
    shown = await _readable_among(session, viewer, order)
    page.parent_id = parent_id
    await place_among(session, page, order, _index_for(order, shown, position))
    page.updated_at = utcnow()
    await session.flush()
    await announce(session, page, "wiki.page.moved", viewer)
    return page


async def shift_page(session: AsyncSession, *, viewer: User, page_id: int, offset: int) -> WikiPage:
    """Moves a page one place up (``offset`` -1) or down (+1) past the next
    sibling the viewer may read: pages hidden from them neither count nor move."""
    page = await access_page(session, viewer=viewer, page_id=page_id)
    siblings = (await children_of(session, page.space_id)).get(page.parent_id, [])
    shown = await _readable_among(session, viewer, siblings)
    target = shown.index(page.id) + offset
    if not 0 <= target < len(shown):
        return page
    return await move_page(
        session, viewer=viewer, page_id=page.id, parent_id=page.parent_id, position=target
    )


async def positions_for(
    session: AsyncSession, *, viewer: User, pages: list[WikiPage]
) -> dict[int, int]:
    """Each page's place among its siblings that the viewer may read (0: the
    first), as they see the tree: a hidden sibling is not counted, so that no
    gap tells them it is there. Deleted pages (the bin) count among the live
    ones and the other deleted pages asked for."""
    if not pages:
        return {}
    wanted = [page.id for page in pages]
    parents = {page.parent_id for page in pages}
    wikis = {page.space_id for page in pages}
    place = func.row_number().over(
        partition_by=(WikiPage.space_id, WikiPage.parent_id),
        order_by=(WikiPage.position, WikiPage.id),
    )
    siblings = (
        select(WikiPage.id, (place - 1).label("place"))
        .where(
            _among(WikiPage.space_id, wikis),
            _among(WikiPage.parent_id, parents),
            or_(LIVE, WikiPage.id.in_(wanted)),
            readable(viewer, WikiPage),
        )
        .subquery()
    )
    rows = await session.execute(
        select(siblings.c.id, siblings.c.place).where(siblings.c.id.in_(wanted))
    )
    return dict(rows.all())


def _among(column, values: set[int | None]):
    """``column`` in ``values``, NULL included when None is one of them."""
    known = {value for value in values if value is not None}
    clauses = [column.in_(known)] if known else []
    if None in values:
        clauses.append(column.is_(None))
    return or_(*clauses)

"""Reading the wikis: opening one, finding a page, the lists and the tree,
search, the bin, and a page's history. Every read goes through
``access_page`` or ``readable(viewer, WikiPage)``: a page the viewer may not
read answers NotFound like a missing one, and a deleted page exists only for
the moderators who may restore it."""

from dataclasses import dataclass

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import defer

from app.access import check_can_edit_wiki, knowable_people, readable, readable_level
from app.errors import Conflict, Forbidden, NotFound, non_blank
from app.i18n import _
from app.models import Space, SpaceRole, User, WikiPage, WikiRevision
from app.services.spaces import access_space, role_in
from app.services.wiki.links import LIVE, in_wiki, page_slug
from app.textdiff import word_diff


@dataclass(frozen=True)
class Wiki:
    """A wiki as one viewer acts in it: its space (None: the company's) and
    the viewer's role there."""

    space: Space | None
    role: SpaceRole | None

    @property
    def space_id(self) -> int | None:
        return self.space.id if self.space is not None else None

    def may_moderate(self, viewer: User) -> bool:
        """Moderators delete and restore: the space's owners and moderators,
        administrators everywhere (the company wiki's only moderators)."""
        return viewer.is_admin or (self.role is not None and self.role.manages)

    def may_edit(self, viewer: User) -> bool:
        try:
            check_can_edit_wiki(viewer, self.space, self.role)
        except (Forbidden, Conflict):
            return False
        return True


async def open_wiki(session: AsyncSession, *, viewer: User, space_id: int | None) -> Wiki:
    """NotFound when the space does not exist for the viewer."""
    if space_id is None:
        return Wiki(space=None, role=None)
    space = await access_space(session, viewer=viewer, space_id=space_id)
    return Wiki(space=space, role=await role_in(session, space_id=space.id, user_id=viewer.id))


async def access_page(session: AsyncSession, *, viewer: User, page_id: int) -> WikiPage:
    page = await session.scalar(
        select(WikiPage).where(WikiPage.id == page_id, LIVE, readable(viewer, WikiPage))
    )
    if page is None:
        raise NotFound()
    return page


async def deleted_page(session: AsyncSession, *, viewer: User, page_id: int) -> WikiPage:
    """A deleted page, for a moderator who may read it; NotFound for anyone else."""
    page = await session.scalar(
        select(WikiPage).where(
            WikiPage.id == page_id, WikiPage.deleted_at.is_not(None), readable(viewer, WikiPage)
        )
    )
    if page is None:
        raise NotFound()
    wiki = await open_wiki(session, viewer=viewer, space_id=page.space_id)
    if not wiki.may_moderate(viewer):
        raise NotFound()
    return page


def _containing(query: str) -> str:
    """A LIKE pattern for ``query`` anywhere, its ``%`` and ``_`` taken literally."""
    return "%" + query.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def _matching(query: str):
    pattern = _containing(query)
    return or_(
        WikiPage.title.ilike(pattern, escape="\\"), WikiPage.body.ilike(pattern, escape="\\")
    )


async def list_pages(
    session: AsyncSession,
    *,
    viewer: User,
    space_id: int | None,
    query: str | None = None,
    after_id: int | None = None,
    limit: int = 500,
) -> list[WikiPage]:
    """The live pages of a wiki the viewer may read, by id (keyset); the
    caller arranges them as a tree by ``parent_id`` and ``position``. A page
    whose parent the viewer may not read shows at the top of the tree."""
    await open_wiki(session, viewer=viewer, space_id=space_id)
    statement = (
        select(WikiPage)
        .where(in_wiki(space_id), LIVE, readable(viewer, WikiPage))
        .order_by(WikiPage.id)
        .limit(limit)
    )
    if after_id is not None:
        statement = statement.where(WikiPage.id > after_id)
    if query:
        statement = statement.where(_matching(query))
    return list(await session.scalars(statement))


async def list_tree(
    session: AsyncSession, *, viewer: User, space_id: int | None, limit: int = 5000
) -> list[WikiPage]:
    """The live pages of a wiki the viewer may read, in order among their
    siblings, without their text (reading it raises): enough to draw the tree
    on every page of the wiki without loading the whole wiki's text."""
    await open_wiki(session, viewer=viewer, space_id=space_id)
    return list(
        await session.scalars(
            select(WikiPage)
            .options(defer(WikiPage.body, raiseload=True))
            .where(in_wiki(space_id), LIVE, readable(viewer, WikiPage))
            .order_by(WikiPage.position, WikiPage.id)
            .limit(limit)
        )
    )


async def free_title(
    session: AsyncSession, *, viewer: User, space_id: int | None, title: str
) -> str:
    """``title``, or ``title (2)``, ``title (3)``...: the first that no page the
    viewer may read in this wiki bears yet, compared as a save compares them (by
    slug). A template's title repeats (the day's second meeting notes): offered
    as is, it would end on a 409 title_taken."""
    titles = await session.scalars(
        select(WikiPage.title).where(in_wiki(space_id), LIVE, readable(viewer, WikiPage))
    )
    taken = {page_slug(other) for other in titles}
    candidate, number = title, 1
    while page_slug(candidate) in taken:
        number += 1
        candidate = f"{title} ({number})"
    return candidate


async def search_pages(
    session: AsyncSession, *, viewer: User, query: str, limit: int = 20
) -> list[WikiPage]:
    """Pages of every wiki the viewer may read whose title or text holds ``query``,
    titles first, then the most recently updated."""
    query = non_blank(query, _("Say what to look for."))
    title_first = WikiPage.title.ilike(_containing(query), escape="\\").desc()
    return list(
        await session.scalars(
            select(WikiPage)
            .where(LIVE, readable(viewer, WikiPage), _matching(query))
            .order_by(title_first, WikiPage.updated_at.desc(), WikiPage.id.desc())
            .limit(limit)
        )
    )


async def recently_changed(session: AsyncSession, *, viewer: User, limit: int) -> list[WikiPage]:
    """The pages of every wiki the viewer may read, last changed first (the home
    page's "wiki" card)."""
    return list(
        await session.scalars(
            select(WikiPage)
            .options(defer(WikiPage.body))
            .where(LIVE, readable(viewer, WikiPage))
            .order_by(WikiPage.updated_at.desc(), WikiPage.id.desc())
            .limit(limit)
        )
    )


async def list_deleted(session: AsyncSession, *, viewer: User, space_id: int | None) -> list:
    """The wiki's bin, for its moderators: deleted pages they may read."""
    wiki = await open_wiki(session, viewer=viewer, space_id=space_id)
    if not wiki.may_moderate(viewer):
        raise Forbidden(_("Only the space's moderators and administrators may do this."))
    return list(
        await session.scalars(
            select(WikiPage)
            .where(in_wiki(space_id), WikiPage.deleted_at.is_not(None), readable(viewer, WikiPage))
            .order_by(WikiPage.deleted_at.desc(), WikiPage.id.desc())
        )
    )


async def list_revisions(
    session: AsyncSession, *, viewer: User, page_id: int, before: int | None, limit: int
) -> list[WikiRevision]:
    """Newest first. A page's history is read under the page's rule as it stands
    now, and each revision under the level its text had: a page lowered from
    secret shows its earlier secret text to nobody below secret."""
    await access_page(session, viewer=viewer, page_id=page_id)
    statement = (
        select(WikiRevision)
        .where(WikiRevision.page_id == page_id, readable_level(viewer, WikiRevision.level))
        .order_by(WikiRevision.number.desc())
        .limit(limit)
    )
    if before is not None:
        statement = statement.where(WikiRevision.number < before)
    return list(await session.scalars(statement))


async def get_revision(
    session: AsyncSession, *, viewer: User, page_id: int, number: int
) -> WikiRevision:
    await access_page(session, viewer=viewer, page_id=page_id)
    revision = await session.scalar(
        select(WikiRevision).where(
            WikiRevision.page_id == page_id,
            WikiRevision.number == number,
            readable_level(viewer, WikiRevision.level),
        )
    )
    if revision is None:
        raise NotFound()
    return revision


async def compare(
    session: AsyncSession, *, viewer: User, page_id: int, old: int, new: int
) -> tuple[WikiRevision, WikiRevision, list]:
    first = await get_revision(session, viewer=viewer, page_id=page_id, number=old)
    second = await get_revision(session, viewer=viewer, page_id=page_id, number=new)
    return first, second, word_diff(first.body, second.body)


@dataclass
class Audience:
    """Whom a narrowed page names, as one viewer is shown them: the people they
    may know of, and how many others (an external is not told the names of
    colleagues the directory hides from them)."""

    known: list[User]
    others: int


async def audiences_for(
    session: AsyncSession, *, viewer: User, pages: list[WikiPage]
) -> dict[int, Audience]:
    """The audience of each narrowed page among ``pages`` (those without one
    are absent), in the order of the accounts' ids."""
    narrowed = [page.id for page in pages if page.has_audience]
    if not narrowed:
        return {}
    audience = WikiPage.__audience__
    rows = await session.execute(
        select(audience.c.content_id, User, knowable_people(viewer).label("known"))
        .join(User, User.id == audience.c.user_id)
        .where(audience.c.content_id.in_(narrowed))
        .order_by(audience.c.user_id)
    )
    found = {page_id: Audience(known=[], others=0) for page_id in narrowed}
    for page_id, person, known in rows.all():
        if known:
            found[page_id].known.append(person)
        else:
            found[page_id].others += 1
    return found


async def people_by_id(session: AsyncSession, user_ids: set[int | None]) -> dict[int, User]:
    """The accounts named beside pages the viewer reads (authors, editors, the
    audience), for their names."""
    wanted = {user_id for user_id in user_ids if user_id is not None}
    if not wanted:
        return {}
    found = await session.scalars(select(User).where(User.id.in_(wanted)))
    return {user.id: user for user in found}

"""The wikis — the company's and one per space — and their pages: creating,
saving without ever losing an edit, moving in the tree, deleting, restoring,
watching. Every read goes through ``access_page`` or ``readable(viewer,
WikiPage)``: a page the viewer may not read answers NotFound like a missing
one, and a deleted page exists only for the moderators who may restore it.

No lost update: a save names the revision it was based on. The page's
revision number is compared and bumped in one UPDATE, so of two saves based
on the same revision exactly one wins; the other gets a 409 with the current
text, what changed since its base, and a merge of both to start from.
"""

from dataclasses import dataclass

from sqlalchemy import or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import defer

from app.access import (
    audience_within,
    check_can_edit_wiki,
    check_no_write_up,
    check_not_below,
    default_level_for,
    higher_level,
    readable,
    readable_level,
)
from app.db import insert_unless_taken
from app.errors import Conflict, Forbidden, Invalid, NotFound, non_blank
from app.i18n import _
from app.levels import Level
from app.models import (
    NotificationKind,
    Space,
    SpaceRole,
    User,
    WikiPage,
    WikiRevision,
    WikiWatch,
)
from app.models.base import utcnow
from app.realtime.events import record_event
from app.services.content import audience_of, item_ref, set_audience
from app.services.notifications import notify_readers
from app.services.spaces import access_space, role_in
from app.services.wiki_links import LIVE, claim_slug, page_slug, record_links
from app.textdiff import three_way_merge, word_diff

MAX_TITLE = 200
MAX_BODY = 100_000
MAX_MESSAGE = 300


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


async def _deleted_page(session: AsyncSession, *, viewer: User, page_id: int) -> WikiPage:
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


def _title(title: str) -> str:
    title = non_blank(title, _("A page needs a title."))
    if len(title) > MAX_TITLE:
        raise Invalid(_("A title has 200 characters at most."), code="title_too_long")
    return title


def _body(body: str) -> str:
    if len(body) > MAX_BODY:
        raise Invalid(_("A page has 100,000 characters at most."), code="body_too_long")
    return body


def _message(message: str) -> str:
    message = message.strip()
    if len(message) > MAX_MESSAGE:
        raise Invalid(_("A revision message has 300 characters at most."), code="message_too_long")
    return message


# --- the tree --------------------------------------------------------------------


async def _parent(session: AsyncSession, viewer: User, wiki: Wiki, parent_id: int) -> WikiPage:
    parent = await access_page(session, viewer=viewer, page_id=parent_id)
    if parent.space_id != wiki.space_id:
        raise Invalid(_("A page's parent must be in the same wiki."), code="parent_elsewhere")
    return parent


async def _children_of(session: AsyncSession, space_id: int | None) -> dict[int | None, list[int]]:
    """The live tree of a wiki, whoever may read it: ids by parent, in order."""
    rows = await session.execute(
        select(WikiPage.id, WikiPage.parent_id)
        .where(_in_wiki(space_id))
        .where(LIVE)
        .order_by(WikiPage.position, WikiPage.id)
    )
    children: dict[int | None, list[int]] = {}
    for page_id, parent_id in rows.all():
        children.setdefault(parent_id, []).append(page_id)
    return children


def _descendants(children: dict[int | None, list[int]], page_id: int) -> list[int]:
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


async def _audience_within(session: AsyncSession, page: WikiPage, parent: WikiPage) -> bool:
    return audience_within(await _admitted(session, page), await _admitted(session, parent))


async def _check_within(session: AsyncSession, page: WikiPage, parent: WikiPage) -> None:
    """A page may be read by nobody its parent keeps out (both are in one wiki)."""
    check_not_below(parent.level, page.level)
    if not await _audience_within(session, page, parent):
        raise Invalid(
            _("This page would be readable by people who may not read its parent page."),
            code="wider_than_parent",
        )


async def _place(session: AsyncSession, page: WikiPage, siblings: list[int], position: int) -> None:
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


# --- writing ---------------------------------------------------------------------


async def create_page(
    session: AsyncSession,
    *,
    viewer: User,
    space_id: int | None,
    title: str,
    body: str = "",
    parent_id: int | None = None,
    level: Level | None = None,
    audience: list[int] | None = None,
    message: str = "",
) -> WikiPage:
    """A new page, at the end of its parent's children. It defaults to the
    wiki's level and its parent's level and audience, whichever is narrower."""
    wiki = await open_wiki(session, viewer=viewer, space_id=space_id)
    check_can_edit_wiki(viewer, wiki.space, wiki.role)
    title, body, message = _title(title), _body(body), _message(message)
    parent = await _parent(session, viewer, wiki, parent_id) if parent_id is not None else None
    default = wiki.space.default_level if wiki.space is not None else Level.INTERNAL
    if parent is not None:
        default = higher_level(default, parent.level)
        if audience is None and parent.has_audience:
            audience = sorted(await audience_of(session, parent))
    level = level or default_level_for(viewer, default)
    check_no_write_up(viewer, level)
    now = utcnow()
    page = WikiPage(
        space_id=wiki.space_id,
        author_id=viewer.id,
        level=level,
        title=title,
        slug="",
        parent_id=parent.id if parent is not None else None,
        body=body,
        revision=1,
        created_at=now,
        updated_at=now,
        updated_by_id=viewer.id,
    )
    session.add(page)
    await session.flush()
    await set_audience(session, page, audience)
    if parent is not None:
        await _check_within(session, page, parent)
    siblings = (await _children_of(session, wiki.space_id)).get(page.parent_id, [])
    await _place(session, page, siblings, len(siblings))
    page.slug = await claim_slug(session, viewer=viewer, page=page)
    session.add(
        WikiRevision(
            page_id=page.id,
            level=page.level,
            number=1,
            title=title,
            body=body,
            message=message,
            author_id=viewer.id,
            created_at=now,
        )
    )
    await record_links(session, viewer=viewer, page=page)
    await _watch(session, page.id, viewer.id)
    await session.flush()
    await _announce(session, page, "wiki.page.created", viewer)
    return page


async def save_page(
    session: AsyncSession,
    *,
    viewer: User,
    page_id: int,
    base_revision: int,
    title: str | None = None,
    body: str | None = None,
    message: str = "",
    level: Level | None = None,
    audience: list[int] | None = None,
    audience_given: bool = False,
    restored_from: int | None = None,
) -> WikiPage:
    """A new revision of the page, if ``base_revision`` is still its current
    one (409 edit_conflict otherwise). Level and audience are changed by the page's
    author or a moderator only; raising the level raises the sub-pages below it."""
    page = await access_page(session, viewer=viewer, page_id=page_id)
    wiki = await open_wiki(session, viewer=viewer, space_id=page.space_id)
    check_can_edit_wiki(viewer, wiki.space, wiki.role)
    new_title = _title(title) if title is not None else page.title
    new_body = _body(body) if body is not None else page.body
    message = _message(message)
    if base_revision != page.revision:
        raise await _conflict(session, page, base_revision, new_body)
    if (level is not None and level != page.level) or audience_given:
        if page.author_id != viewer.id and not wiki.may_moderate(viewer):
            raise Forbidden(
                _("Only the page's author and the moderators change who may read it."),
                code="not_author",
            )
        await _change_readers(session, viewer, page, level, audience, audience_given)
    if new_title == page.title and new_body == page.body and restored_from is None:
        await session.flush()
        return page
    won = await session.execute(
        update(WikiPage)
        .where(WikiPage.id == page.id, WikiPage.revision == base_revision)
        .values(revision=base_revision + 1)
        .execution_options(synchronize_session=False)
    )
    if won.rowcount != 1:
        # Another save committed between our read and our write.
        await session.refresh(page)
        raise await _conflict(session, page, base_revision, new_body)
    now = utcnow()
    renamed = new_title != page.title
    page.revision = base_revision + 1
    page.title, page.body = new_title, new_body
    page.updated_at, page.updated_by_id = now, viewer.id
    if renamed:
        page.slug = await claim_slug(session, viewer=viewer, page=page)
    session.add(
        WikiRevision(
            page_id=page.id,
            level=page.level,
            number=page.revision,
            title=new_title,
            body=new_body,
            message=message,
            author_id=viewer.id,
            restored_from=restored_from,
            created_at=now,
        )
    )
    await record_links(session, viewer=viewer, page=page)
    await _watch(session, page.id, viewer.id)
    await session.flush()
    await _tell_watchers(session, page, viewer)
    await _announce(session, page, "wiki.page.edited", viewer)
    return page


async def _change_readers(
    session: AsyncSession,
    viewer: User,
    page: WikiPage,
    level: Level | None,
    audience: list[int] | None,
    audience_given: bool,
) -> None:
    if level is not None:
        check_no_write_up(viewer, level)
        page.level = level
        # The text shown now is declassified (or classified) with the page; the
        # earlier revisions keep the level they had.
        await session.execute(
            update(WikiRevision)
            .where(WikiRevision.page_id == page.id, WikiRevision.number == page.revision)
            .values(level=level)
        )
    if audience_given:
        await set_audience(session, page, audience)
    if page.parent_id is not None:
        await _check_within(session, page, await session.get(WikiPage, page.parent_id))
    await _narrow_descendants(session, page)


async def _narrow_descendants(session: AsyncSession, page: WikiPage) -> None:
    """After a page's level or audience changed, its sub-pages follow where they
    were wider: raised to its level, their audience cut down to what it admits
    (or given its audience when they had none). Only ever narrower, and without
    telling the editor about sub-pages they may not read."""
    children = await _children_of(session, page.space_id)
    for child_id in _descendants(children, page.id):  # each after its parent
        child = await session.get(WikiPage, child_id)
        parent = await session.get(WikiPage, child.parent_id)
        child.level = higher_level(child.level, parent.level)
        bound = await _admitted(session, parent)
        if not audience_within(await _admitted(session, child), bound):
            named = await audience_of(session, child)
            await set_audience(session, child, sorted((bound if named is None else named) & bound))
    await session.flush()


async def _conflict(
    session: AsyncSession, page: WikiPage, base_revision: int, mine: str
) -> Conflict:
    """What the editor needs to merge: the current revision, what changed
    since theirs, and both edits merged line by line (marked where they clash)."""
    base = await session.scalar(
        select(WikiRevision.body).where(
            WikiRevision.page_id == page.id, WikiRevision.number == base_revision
        )
    )
    if base is None or base_revision > page.revision:
        return Invalid(_("This page has no such revision."), code="unknown_revision")
    # The current revision's own time: the page's updated_at changes with a move too.
    saved_at, author = (
        await session.execute(
            select(WikiRevision.created_at, User.display_name)
            .outerjoin(User, User.id == WikiRevision.author_id)
            .where(WikiRevision.page_id == page.id, WikiRevision.number == page.revision)
        )
    ).one()
    merged = three_way_merge(base, page.body, mine, labels=(_("their version"), _("your version")))
    return Conflict(
        _("Someone saved this page since you opened it: merge your changes with theirs."),
        code="edit_conflict",
        current={
            "revision": page.revision,
            "title": page.title,
            "body": page.body,
            "author": author,
            "saved_at": saved_at.isoformat(),
        },
        diff=[{"op": s.op, "text": s.text} for s in word_diff(base, page.body)],
        merged={"body": merged.text, "clean": merged.clean},
    )


async def restore_revision(
    session: AsyncSession,
    *,
    viewer: User,
    page_id: int,
    number: int,
    base_revision: int,
    message: str = "",
) -> WikiPage:
    """An old revision's title and text saved as a new revision: history only grows."""
    old = await get_revision(session, viewer=viewer, page_id=page_id, number=number)
    return await save_page(
        session,
        viewer=viewer,
        page_id=page_id,
        base_revision=base_revision,
        title=old.title,
        body=old.body,
        message=message or _("Restored revision %(number)s") % {"number": number},
        restored_from=number,
    )


async def move_page(
    session: AsyncSession, *, viewer: User, page_id: int, parent_id: int | None, position: int
) -> WikiPage:
    """Moves a page (with its sub-pages) under another parent of its wiki, or
    reorders it among its siblings. Its address does not change."""
    page = await access_page(session, viewer=viewer, page_id=page_id)
    wiki = await open_wiki(session, viewer=viewer, space_id=page.space_id)
    check_can_edit_wiki(viewer, wiki.space, wiki.role)
    children = await _children_of(session, page.space_id)
    parent = None
    if parent_id is not None:
        parent = await _parent(session, viewer, wiki, parent_id)
        if parent.id == page.id or parent.id in _descendants(children, page.id):
            raise Invalid(_("A page cannot be moved under itself."), code="cycle")
        await _check_within(session, page, parent)
    page.parent_id = parent_id
    await _place(session, page, children.get(parent_id, []), position)
    page.updated_at = utcnow()
    await session.flush()
    await _announce(session, page, "wiki.page.moved", viewer)
    return page


async def shift_page(session: AsyncSession, *, viewer: User, page_id: int, offset: int) -> WikiPage:
    """Moves a page one place up (``offset`` -1) or down (+1) past the next
    sibling the viewer may read: pages hidden from them neither count nor move."""
    page = await access_page(session, viewer=viewer, page_id=page_id)
    siblings = (await _children_of(session, page.space_id)).get(page.parent_id, [])
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


async def delete_page(session: AsyncSession, *, viewer: User, page_id: int) -> None:
    """Soft: the page and its history stay for the moderators to restore. Its
    sub-pages move up to its parent, so that none disappears with it."""
    page = await access_page(session, viewer=viewer, page_id=page_id)
    wiki = await open_wiki(session, viewer=viewer, space_id=page.space_id)
    check_can_edit_wiki(viewer, wiki.space, wiki.role)
    if page.author_id != viewer.id and not wiki.may_moderate(viewer):
        raise Forbidden(
            _("Only the page's author and the moderators may delete it."), code="not_author"
        )
    children = await _children_of(session, page.space_id)
    siblings = children.get(page.parent_id, [])
    for child_id in children.get(page.id, []):
        child = await session.get(WikiPage, child_id)
        child.parent_id = page.parent_id
        await _place(session, child, siblings, len(siblings))
        siblings = [*siblings, child_id]
    page.deleted_at, page.deleted_by_id = utcnow(), viewer.id
    await session.flush()
    await _announce(session, page, "wiki.page.deleted", viewer)


async def restore_page(session: AsyncSession, *, viewer: User, page_id: int) -> WikiPage:
    """Back where it was if its parent still stands, at the top otherwise; under
    a new slug if its own was taken meanwhile. A parent raised while the page
    lay in the bin raises it too, as it did its live sub-pages; one whose
    audience was narrowed past it sends it to the top rather than keep a
    sub-page wider than itself."""
    page = await _deleted_page(session, viewer=viewer, page_id=page_id)
    wiki = await open_wiki(session, viewer=viewer, space_id=page.space_id)
    check_can_edit_wiki(viewer, wiki.space, wiki.role)
    if page.parent_id is not None:
        parent = await session.get(WikiPage, page.parent_id)
        if parent is None or parent.deleted_at is not None:
            page.parent_id = None
        else:
            page.level = higher_level(page.level, parent.level)
            if not await _audience_within(session, page, parent):
                page.parent_id = None
    page.deleted_at = page.deleted_by_id = None
    page.slug = await claim_slug(session, viewer=viewer, page=page, reuse_taken=True)
    siblings = (await _children_of(session, page.space_id)).get(page.parent_id, [])
    await _place(session, page, siblings, len(siblings))
    await session.flush()
    await _announce(session, page, "wiki.page.restored", viewer)
    return page


# --- reading ---------------------------------------------------------------------


def _in_wiki(space_id: int | None):
    return WikiPage.space_id.is_(None) if space_id is None else WikiPage.space_id == space_id


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
        .where(_in_wiki(space_id), LIVE, readable(viewer, WikiPage))
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
            .where(_in_wiki(space_id), LIVE, readable(viewer, WikiPage))
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
        select(WikiPage.title).where(_in_wiki(space_id), LIVE, readable(viewer, WikiPage))
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


def snippet(body: str, query: str, width: int = 80) -> str:
    """Where a search found ``query`` in a page's text, with some context."""
    at = body.lower().find(query.lower())
    if at < 0:
        return body[: 2 * width].strip()
    start = max(0, at - width)
    text = body[start : at + len(query) + width].strip()
    return ("…" if start else "") + text + ("…" if at + len(query) + width < len(body) else "")


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
            .where(_in_wiki(space_id), WikiPage.deleted_at.is_not(None), readable(viewer, WikiPage))
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


async def people_by_id(session: AsyncSession, user_ids: set[int | None]) -> dict[int, User]:
    """The accounts named beside pages the viewer reads (authors, editors, the
    audience), for their names."""
    wanted = {user_id for user_id in user_ids if user_id is not None}
    if not wanted:
        return {}
    found = await session.scalars(select(User).where(User.id.in_(wanted)))
    return {user.id: user for user in found}


# --- watching and telling ----------------------------------------------------------


async def _watch(session: AsyncSession, page_id: int, user_id: int) -> None:
    if await session.get(WikiWatch, (page_id, user_id)) is None:
        await insert_unless_taken(
            session, WikiWatch(page_id=page_id, user_id=user_id, created_at=utcnow())
        )


async def watch(session: AsyncSession, *, viewer: User, page_id: int, on: bool) -> bool:
    """Watchers are told of every new revision (creators and editors watch
    from their first save); returns whether the viewer now watches."""
    page = await access_page(session, viewer=viewer, page_id=page_id)
    row = await session.get(WikiWatch, (page.id, viewer.id))
    if on and row is None:
        await _watch(session, page.id, viewer.id)
    elif not on and row is not None:
        await session.delete(row)
    await session.flush()
    return on


async def is_watching(session: AsyncSession, *, viewer: User, page_id: int) -> bool:
    return await session.get(WikiWatch, (page_id, viewer.id)) is not None


async def _tell_watchers(session: AsyncSession, page: WikiPage, editor: User) -> None:
    watchers = await session.scalars(select(WikiWatch.user_id).where(WikiWatch.page_id == page.id))
    await notify_readers(
        session,
        item=await item_ref(session, page),
        page_id=page.id,
        kind=NotificationKind.WIKI_PAGE_CHANGED,
        actor_id=editor.id,
        user_ids=list(watchers),
        revision=page.revision,
    )


async def _announce(session: AsyncSession, page: WikiPage, kind: str, actor: User) -> None:
    """Into the live activity, to those who may read the page: ids only."""
    await record_event(
        session,
        kind=kind,
        item=await item_ref(session, page),
        page_id=page.id,
        revision=page.revision,
        actor_id=actor.id,
    )
